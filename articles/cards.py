"""Story cards and pictures as plain Python: the lists that show them (front page, section, tag
and author pages, related stories) draw dozens per page, and a template include per card (with
its own includes for the picture and the byline) cost more than the rest of the page.

The HTML is what templates/includes/story_card.html, picture.html and byline.html drew, every
value escaped the same way. A card also names what it shows for the page cache (its byline's
authors; its own lists already carry the story and its photo), so a list can be cached as a
fragment: whatever the card shows is named while the fragment renders.
"""

from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from . import pages

DEFAULT_SIZES = "(min-width: 60rem) 60rem, 100vw"


def _e(value):
    return conditional_escape(value)


def iso_time(value):
    """ISO 8601 in the site's zone, to the second (see articles_tags.iso_time)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def card_time(value):
    """`<time>` of a card: "3 Mar 2026, 09:05" in the site's zone (the `date:"j M Y, H:i"`
    filter, without parsing the format for every card)."""
    if not value:
        return '<time datetime=""></time>'
    local = timezone.localtime(value)
    shown = f"{local.day} {str(MONTHS_3[local.month]).title()} {local.year}, {local:%H:%M}"
    return (f'<time datetime="{local.replace(microsecond=0).isoformat()}">'
            f"{_e(shown)}</time>")


def picture(photo, sizes="", loading="", priority=False):
    """An `<img>` with the photo's renditions; `loading="eager"` for a page's main image,
    `priority` for the largest one above the fold."""
    srcset = photo.srcset
    parts = [f'<img src="{_e(photo.best_url)}"']
    if srcset:
        parts.append(f' srcset="{_e(srcset)}" sizes="{_e(sizes or DEFAULT_SIZES)}"')
    parts.append(f' alt="{_e(photo.alt_text)}" width="{photo.width}" height="{photo.height}"'
                 f' loading="{_e(loading or "lazy")}"')
    parts.append(' fetchpriority="high">' if priority else ' decoding="async">')
    return "".join(parts)


def byline(authors):
    """"By A, B and C", each a link to the author's page; "" without authors."""
    if not authors:
        return ""
    links = [f'<a href="{_e(author.get_absolute_url())}" rel="author">{_e(author.name)}</a>'
             for author in authors]
    if len(links) > 1:
        links = [", ".join(links[:-1]), links[-1]]
    return f'<span class="byline">By {" and ".join(links)}</span>'


def story_card(article, *, request=None, sizes="", level=3, large=False, compact=False,
               no_photo=False, loading="", priority=False):
    """One story's card: photo (unless `no_photo`), kicker, title, standfirst (unless
    `compact`), byline and time. The story comes from a listing queryset (section, lead photo
    and byline loaded)."""
    authors = article.authors.all()
    if request is not None:
        pages.show(request, *(f"author:{author.pk}" for author in authors))
    url = _e(article.get_absolute_url())
    level = level or 3
    parts = [f'<article class="card{" card--large" if large else ""}">']
    if article.lead_photo_id and not no_photo:
        parts.append(f'<a class="card__photo" href="{url}" tabindex="-1" aria-hidden="true">'
                     f"{picture(article.lead_photo, sizes, loading, priority)}</a>")
    parts.append('<div class="card__text">')
    if article.kicker:
        parts.append(f'<p class="kicker">{_e(article.kicker)}</p>')
    else:
        parts.append('<p class="kicker kicker--empty" aria-hidden="true"></p>')
    parts.append(f'<h{level} class="card__title"><a href="{url}">{_e(article.title)}</a>'
                 f"</h{level}>")
    if article.standfirst and not compact:
        parts.append(f'<p class="card__standfirst">{_e(article.standfirst)}</p>')
    line = byline(authors)
    parts.append(f'<p class="card__meta">{line} {card_time(article.publish_at)}</p>')
    parts.append("</div></article>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def short_date(value):
    """`<time>` of a search result: "3 Mar 2026" (the `date:"j M Y"` filter, unparsed)."""
    if not value:
        return '<time datetime=""></time>'
    local = timezone.localtime(value)
    return (f'<time datetime="{local.replace(microsecond=0).isoformat()}">'
            f"{local.day} {_e(str(MONTHS_3[local.month]).title())} {local.year}</time>")


def search_result(article):
    """A story found by the search page: section, headline, the snippet around the match
    (already escaped, with its own <mark>s), byline and date."""
    snippet = getattr(article, "snippet", "")
    return mark_safe(  # noqa: S308 - every value escaped, the snippet by the search
        '<article class="card"><div class="card__text">'
        f'<p class="kicker">{_e(article.section.name)}</p>'
        f'<h2 class="card__title"><a href="{_e(article.get_absolute_url())}">'
        f"{_e(article.title)}</a></h2>"
        + (f'<p class="card__standfirst search-snippet">{_e(snippet)}</p>' if snippet else "")
        + f'<p class="card__meta">{byline(article.authors.all())} '
        f"{short_date(article.publish_at)}</p></div></article>")
