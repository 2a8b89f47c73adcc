"""What a public page shows, told to the page cache so that a change refreshes exactly it.

The page cache (newsroom/pagecache.py) gives each request it may store a `page_tags` set and a
`page_expires` time. Views and template tags name what they put on the page with `show()`, and
when it stops being right by itself with `expires()`; outside a cacheable request both do
nothing. When something changes, the cache raises the version of its tags, and every stored
page carrying one of them is rendered afresh on its next request.

Tags (plain strings, so every app can name them without importing another):
- `nav`: the section menu on every page.
- `article:<pk>`, `interview:<pk>`, `author:<pk>`, `tag:<pk>`, `photo:<pk>`, `guest:<pk>`:
  the page shows that thing (its page, a card in a list, a byline, a related link).
- `transcript:<pk>`: an interview's questions and answers (only its own page shows them).
- `list:front`, `list:section:<pk>`, `list:tag:<pk>`, `list:author:<pk>`, `list:interviews`,
  `list:guest:<pk>`: which stories are in that list (a story published, moved or withdrawn).
- `list:corrections`: the corrections page and feed (a note, or any public story, changed).
- `article-interviews:<pk>`: which interviews accompany that story (one published later).
- `comments:article:<pk>`, `comments:interview:<pk>`: the discussion under that story.
- `feeds`, `sitemaps`: every feed and sitemap (a public story changed anywhere).
- `page:<pk>`: a simple page of the site (about, contact); its footer link is under `nav`.
The front page's curation (newsroom.models.FrontPage) raises `list:front`.
"""


def show(request, *tags):
    page_tags = getattr(request, "page_tags", None)
    if page_tags is not None:
        page_tags.update(tag for tag in tags if tag)


def expires(request, when):
    """The page must be rendered again at `when` (a story's comments closing, say)."""
    if when is None or getattr(request, "page_tags", None) is None:
        return
    current = getattr(request, "page_expires", None)
    request.page_expires = when if current is None else min(current, when)


def article_tags(article):
    """What a story's card or page shows of it: itself, its photo, its byline (prefetched)."""
    tags = [f"article:{article.pk}"]
    if article.lead_photo_id:
        tags.append(f"photo:{article.lead_photo_id}")
    tags.extend(f"author:{author.pk}" for author in article.authors.all())
    return tags


def show_articles(request, articles):
    """Story cards on a page that is not their list (related stories, say)."""
    for article in articles:
        show(request, *article_tags(article))


def show_cards(request, articles):
    """Stories on one of their own lists (a feed; a card in a list names its byline itself,
    articles.cards): any change to a public story already refreshes its lists, photo changes
    included, so only the bylines need naming. This keeps a long list's tags few, and a cache
    hit cheap."""
    for article in articles:
        show(request, *(f"author:{author.pk}" for author in article.authors.all()))


# What keeps rendered parts of pages (newsroom.fragments.render, installed by the newsroom app
# when it starts: articles imports no other app). Without it every part is rendered each time.
keeper = None


def kept(request, name, parts, produce):
    """The text `produce()` makes (a part of a page, a count), or its copy kept in the cache
    while every tag `produce` named with `show()` is unchanged (newsroom/fragments.py)."""
    if keeper is None:
        return produce()
    return keeper(request, name, parts, produce)
