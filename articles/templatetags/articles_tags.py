import json

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import cards, pages

register = template.Library()

# json.dumps output made safe inside <script>: no tag can close the block early.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _absolute(request, url):
    if not url:
        return url
    if settings.NEWSROOM_SITE_URL and url.startswith("/"):
        return settings.NEWSROOM_SITE_URL + url
    return request.build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    return _absolute(context["request"], url)


@register.simple_tag(takes_context=True)
def json_ld(context, data):
    text = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    # Safe: the escapes above leave no "<", ">" or "&" that could end the script block.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.simple_tag(takes_context=True)
def article_schema(context, article):
    """schema.org NewsArticle for search engines, from what the page already loaded."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.standfirst,
        "mainEntityOfPage": _absolute(request, article.get_absolute_url()),
        "datePublished": article.publish_at.isoformat() if article.publish_at else None,
        "dateModified": (article.updated_at or article.publish_at or article.modified_at)
        .isoformat(),
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "author": [
            {"@type": "Person", "name": author.name,
             "url": _absolute(request, author.get_absolute_url())}
            for author in article.authors.all()
        ],
        "publisher": {"@type": "NewsMediaOrganization", "name": settings.NEWSROOM_SITE_NAME,
                      "url": _absolute(request, "/")},
    }
    if article.lead_photo_id:
        data["image"] = [_absolute(request, article.lead_photo.best_url)]
    corrections = article.public_corrections
    if corrections:
        # Every typed note; those that are not corrections say what they are.
        data["correction"] = [
            {"@type": "CorrectionComment",
             "text": (correction.text if correction.kind == correction.Kind.CORRECTION
                      else f"{correction.get_kind_display()}: {correction.text}"),
             "datePublished": correction.published_at.isoformat()}
            for correction in corrections
        ]
    return json_ld(context, data)


@register.simple_tag(takes_context=True)
def breadcrumb_schema(context, *crumbs):
    """BreadcrumbList from pairs of (name, url)."""
    request = context["request"]
    items = [
        {"@type": "ListItem", "position": index, "name": name, "item": _absolute(request, url)}
        for index, (name, url) in enumerate(zip(crumbs[::2], crumbs[1::2], strict=True), start=1)
    ]
    return json_ld(context, {"@context": "https://schema.org", "@type": "BreadcrumbList",
                             "itemListElement": items})


@register.filter
def iso_time(value):
    """A time for `<time datetime>` and meta tags: ISO 8601 in the site's zone, to the second
    (the HTML standard allows no more than three decimals; seconds are plenty)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


WORDS_PER_MINUTE = 230


@register.filter
def reading_minutes(text):
    """Whole minutes an adult reads `text` (plain words) in, at least one."""
    words = len((text or "").split())
    return max(1, round(words / WORDS_PER_MINUTE))


@register.simple_tag(takes_context=True)
def story_shown(context, article, related=False):
    """Load what a story's page shows of it besides its row (Article.load_parts: nothing when
    already loaded) and name it for the page cache: the story, its photo, byline and tags,
    its section (`nav`: a section's name and slug, in its links), and with `related` the
    related stories' cards. Used inside each fragment of the story's page, so that a fragment
    kept in the cache costs no query and is refreshed by what it shows."""
    article.load_parts()
    request = context.get("request")
    pages.show(request, "nav", *pages.article_tags(article),
               *(f"tag:{tag.pk}" for tag in article.tags.all()))
    if related:
        pages.show_articles(request, article.public_related)
    return ""


@register.simple_tag(takes_context=True)
def story_card(context, article, sizes="", level=3, large=False, compact=False, no_photo=False,
               loading="", priority=False):
    """A story's card (articles.cards.story_card), naming its byline for the page cache."""
    return cards.story_card(article, request=context.get("request"), sizes=sizes, level=level,
                            large=large, compact=compact, no_photo=no_photo, loading=loading,
                            priority=priority)


@register.simple_tag
def picture(photo, sizes="", loading="", priority=False):
    """The `<img>` of includes/picture.html, without an include."""
    return mark_safe(cards.picture(photo, sizes, loading, priority))  # noqa: S308 - escaped


@register.simple_tag(takes_context=True)
def shows(context, *parts):
    """Name a page-cache tag from its parts ({% shows "list:section" section.pk %} names
    "list:section:3") where the page shows it: inside a fragment, for that fragment."""
    pages.show(context.get("request"), ":".join(str(part) for part in parts))
    return ""


@register.simple_tag
def search_result(article):
    """A story on the search page (articles.cards.search_result)."""
    return cards.search_result(article)
