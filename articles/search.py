"""Full-text search over published stories.

On PostgreSQL: a stored, GIN-indexed tsvector (headline weight A, standfirst B, body C) kept
current by Article.save(), websearch syntax, ranking and highlighted snippets. Elsewhere
(SQLite): the same interface, matching every word in headline, standfirst or body text and
ranking headline matches above standfirst above body.
"""

import html
import re
import unicodedata

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
SNIPPET_WORDS = 35
_START, _STOP = "\u0002", "\u0003"  # never in a cleaned query or in stored text


def clean_query_text(raw):
    """Printable text only, with runs of spaces, controls and separators made one space."""
    text = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in raw or ""
    )
    return re.sub(r"\s+", " ", text).strip()


def plain_text(fragment):
    """Rich text as the words a reader sees, for the search index and snippets."""
    spaced = re.sub(r"</(p|h\d|li|blockquote|figcaption|td|th)>|<br\s*/?>", r"\g<0> ", fragment)
    return clean_query_text(html.unescape(strip_tags(spaced)))


def clean_query(raw):
    """What a search can use: printable text, at most 200 characters."""
    return clean_query_text(raw)[:MAX_QUERY_LENGTH].strip()


def uses_postgres():
    return connection.vendor == "postgresql"


def search_vector():
    from django.contrib.postgres.search import SearchVector

    config = settings.NEWSROOM_SEARCH_CONFIG
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("standfirst", weight="B", config=config)
        + SearchVector("body_text", weight="C", config=config)
    )


def search(queryset, query):
    """`queryset` narrowed to matches for `query`, best first, each with `.snippet`."""
    query = clean_query(query)
    if not query:
        return queryset.none()
    if uses_postgres():
        return _search_postgres(queryset, query)
    return _search_fallback(queryset, query)


def _search_postgres(queryset, query):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    config = settings.NEWSROOM_SEARCH_CONFIG
    ts_query = SearchQuery(query, search_type="websearch", config=config)
    return (
        queryset.filter(search_vector=ts_query)
        .annotate(
            rank=SearchRank(F("search_vector"), ts_query),
            raw_snippet=SearchHeadline(
                "body_text", ts_query, config=config, start_sel=_START, stop_sel=_STOP,
                max_words=SNIPPET_WORDS, min_words=15, max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-publish_at", "-pk")
    )


def _search_fallback(queryset, query):
    # Like websearch syntax: every word must match, a word after "-" must not.
    excluded = [w for w in re.findall(r"(?:^|\s)-(\w+)", query) if len(w) > 1]
    words = [
        w for w in re.findall(r"\w+", re.sub(r"(?:^|\s)-\w+", " ", query)) if len(w) > 1
    ][:8]
    if not words:
        return queryset.none()
    for word in words:
        queryset = queryset.filter(_matches(word))
    for word in excluded:
        queryset = queryset.exclude(_matches(word))
    score = Value(0, output_field=IntegerField())
    for word in words:
        score = score + Case(When(title__icontains=word, then=Value(3)), default=Value(0)) \
            + Case(When(standfirst__icontains=word, then=Value(2)), default=Value(0)) \
            + Case(When(body_text__icontains=word, then=Value(1)), default=Value(0))
    return queryset.annotate(rank=score * Value(1.0, output_field=FloatField())).order_by(
        "-rank", "-publish_at", "-pk"
    )


def _matches(word):
    return Q(title__icontains=word) | Q(standfirst__icontains=word) | Q(body_text__icontains=word)


def snippet(article, query):
    """A short, escaped excerpt with the matching words in <mark>."""
    raw = getattr(article, "raw_snippet", None)
    if raw is None:
        raw = _fallback_snippet(article.body_text or article.standfirst, clean_query(query))
    marked = escape(raw).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(marked)  # noqa: S308 -- escaped above; only our own <mark> tags are added


def _fallback_snippet(text, query):
    words = [re.escape(word) for word in re.findall(r"\w+", query) if len(word) > 1]
    if not text:
        return ""
    if not words:
        return " ".join(text.split()[:SNIPPET_WORDS])
    pattern = re.compile("|".join(words), re.IGNORECASE)
    match = pattern.search(text)
    start = 0
    if match:
        start = text.rfind(" ", 0, max(0, match.start() - 80)) + 1
    excerpt = " ".join(text[start:].split()[:SNIPPET_WORDS])
    prefix = "… " if start else ""
    return prefix + pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", excerpt)
