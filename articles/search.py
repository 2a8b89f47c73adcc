"""Full-text search over published stories (and, through interviews.search, interviews).

On PostgreSQL: a stored, GIN-indexed tsvector (headline weight A, standfirst B, body C) kept
current by Article.save(), websearch syntax, ranking and highlighted snippets. Elsewhere
(SQLite): the same interface, matching every word in headline, standfirst or body text and
ranking headline matches above standfirst above body.

The model-specific parts are parameters with the stories' values as defaults: `fields`, the
text columns and their weights (A highest), and `snippet_from`, the column or expression the
excerpt is cut from. Any model with those columns, a `search_vector` column built by
search_vector(fields) and a `publish_at` can be searched the same way.
"""

import html
import json
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, transaction
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
# Relevance is ranked among at most this many of the newest matches (see search()).
RESULT_LIMIT = 1000
SNIPPET_WORDS = 35
# What a story is searched by: (column, weight), the weights as PostgreSQL's setweight() has
# them. The stored vector, the SQLite fallback and migration 0003 all follow this.
ARTICLE_FIELDS = (("title", "A"), ("standfirst", "B"), ("body_text", "C"))
# The SQLite fallback's score for a word found in a column of each weight.
FALLBACK_WEIGHTS = {"A": 3, "B": 2, "C": 1, "D": 1}
_START, _STOP = "\u0002", "\u0003"  # never in a cleaned query or in stored text


def clean_query_text(raw):
    """Printable text only, with runs of spaces, controls and separators made one space."""
    text = raw or ""
    # isprintable() is false exactly for a character of a C or Z category other than the
    # space: most text has none, and need not be read a character at a time.
    if not text.isprintable():
        text = "".join(
            " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in text
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


def search_vector(fields=ARTICLE_FIELDS):
    """The expression a row's stored `search_vector` is computed from (PostgreSQL)."""
    from django.contrib.postgres.search import SearchVector

    config = settings.NEWSROOM_SEARCH_CONFIG
    vector = None
    for name, weight in fields:
        part = SearchVector(name, weight=weight, config=config)
        vector = part if vector is None else vector + part
    return vector


def search(queryset, query, fields=ARTICLE_FIELDS, snippet_from="body_text"):
    """`queryset` narrowed to matches for `query`, best first; `snippet()` makes each excerpt.

    Relevance is ranked among the newest RESULT_LIMIT matches: a word found in most of the
    archive would otherwise mean ranking (reading the stored vector of) every story on each
    search. When there were more, the result has `.truncated = True`; readers narrow a search
    to older stories with the date filters.
    """
    query = clean_query(query)
    if not query:
        return _results(queryset.none(), truncated=False)
    if uses_postgres():
        return _search_postgres(queryset, query, snippet_from)
    return _search_fallback(queryset, query, fields)


def _results(queryset, truncated):
    queryset.truncated = truncated
    return queryset


def _newest(matches):
    """(ids of the newest RESULT_LIMIT matches, whether there were more)."""
    ordered = matches.order_by("-publish_at", "-pk").values_list("pk", flat=True)
    ids = list(ordered[: RESULT_LIMIT + 1]) if not uses_postgres() else _pg_ids(
        matches, ordered[: RESULT_LIMIT + 1])
    return ids[:RESULT_LIMIT], len(ids) > RESULT_LIMIT


# Testing `vector @@ query` on a row costs about this many times what visiting a row found
# through the GIN index does (bench/search.py, 100,000 stories): the vector must be fetched
# from TOAST and decompressed.
ROW_TEST_COST = 9


def _pg_ids(matches, newest):
    """The ids of `newest` (matches, newest first, limited), by the cheaper of two plans.

    PostgreSQL costs `vector @@ query` as if it were free, and picks badly for middling
    words: for one in 5% of stories it walks the publish_at index testing some 19,000 vectors
    (170 ms) where the GIN index finds the 5,000 matches without reading one (7 ms). With its
    own estimate of the matches M among N rows: walking newest-first tests about L·N/M rows
    to find L, the GIN bitmap visits M; so walk when ROW_TEST_COST·L·N/M < M, else use the
    index. Only this one statement runs with the other plans switched off.
    """
    connection = connections[newest.db]
    compiler = matches.values_list("pk", flat=True).order_by().query.get_compiler(newest.db)
    try:
        match_sql, match_params = compiler.as_sql()
        sql, params = newest.query.get_compiler(newest.db).as_sql()
    except EmptyResultSet:  # e.g. a queryset that was .none() already
        return []
    nested = connection.in_atomic_block
    with transaction.atomic(using=newest.db), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {match_sql}", match_params)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        estimated = max(1.0, float(plan[0]["Plan"]["Plan Rows"]))
        cursor.execute(
            "WITH saved AS MATERIALIZED (SELECT current_setting('enable_seqscan') AS seq, "
            "current_setting('enable_indexscan') AS idx, "
            "current_setting('enable_bitmapscan') AS bitmap, "
            "%s::float8 * greatest(reltuples, %s::float8) < %s::float8 * %s::float8 AS walk "
            "FROM pg_class WHERE oid = %s::regclass) "
            "SELECT seq, idx, bitmap, walk, set_config('enable_seqscan', 'off', true), "
            "set_config('enable_indexscan', CASE WHEN walk THEN 'on' ELSE 'off' END, true), "
            "set_config('enable_bitmapscan', CASE WHEN walk THEN 'off' ELSE 'on' END, true) "
            "FROM saved",
            [ROW_TEST_COST * (RESULT_LIMIT + 1), estimated, estimated, estimated,
             newest.model._meta.db_table],
        )
        *saved, _walk = cursor.fetchone()[:4]
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
        if nested:
            # SET LOCAL outlives a savepoint: it would last to the end of the outer transaction.
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), "
                "set_config('enable_indexscan', %s, true), "
                "set_config('enable_bitmapscan', %s, true)", saved,
            )
    return ids


def _id_array(queryset, ids):
    """`ids` as one array parameter: a thousand placeholders cost more to build than to run."""
    from django.db.models.expressions import RawSQL

    pk_type = queryset.model._meta.pk.rel_db_type(connections[queryset.db])
    # The type comes from the model, the ids go as a parameter.
    return RawSQL(f"SELECT unnest(%s::{pk_type}[])", [list(ids)])  # noqa: S611


def _search_postgres(queryset, query, snippet_from):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    config = settings.NEWSROOM_SEARCH_CONFIG
    ts_query = SearchQuery(query, search_type="websearch", config=config)
    ids, truncated = _newest(queryset.filter(search_vector=ts_query))
    # The headline is computed for the rows of the page only: PostgreSQL evaluates it after
    # the sort and LIMIT because the ordering does not need it.
    results = (
        queryset.filter(pk__in=_id_array(queryset, ids))
        .annotate(
            rank=SearchRank(F("search_vector"), ts_query),
            snippet_html=SearchHeadline(
                _html_escaped(snippet_from), ts_query, config=config,
                start_sel=_START, stop_sel=_STOP,
                max_words=SNIPPET_WORDS, min_words=15, max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-publish_at", "-pk")
    )
    return _results(results, truncated)


def _html_escaped(field):
    """`field` (a column name or a text expression) with &, < and > escaped in SQL.

    ts_headline() drops whatever looks like a tag, so a body that mentions "<script>" as
    text would lose those words from its snippet. Escaped first, they come back as entities
    (whole tokens, never split), and the result is already safe HTML.
    """
    from django.db.models.functions import Replace

    expression = F(field) if isinstance(field, str) else field
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        expression = Replace(expression, Value(char), Value(entity))
    return expression


def _search_fallback(queryset, query, fields):
    # Like websearch syntax: every word must match, a word after "-" must not.
    excluded = [w for w in re.findall(r"(?:^|\s)-(\w+)", query) if len(w) > 1]
    words = [
        w for w in re.findall(r"\w+", re.sub(r"(?:^|\s)-\w+", " ", query)) if len(w) > 1
    ][:8]
    if not words:
        return _results(queryset.none(), truncated=False)
    matches = queryset
    for word in words:
        matches = matches.filter(_matches(word, fields))
    for word in excluded:
        matches = matches.exclude(_matches(word, fields))
    ids, truncated = _newest(matches)
    score = Value(0, output_field=IntegerField())
    for word in words:
        for name, weight in fields:
            score = score + Case(When(**{f"{name}__icontains": word},
                                      then=Value(FALLBACK_WEIGHTS[weight])), default=Value(0))
    results = queryset.filter(pk__in=ids).annotate(
        rank=score * Value(1.0, output_field=FloatField())
    ).order_by("-rank", "-publish_at", "-pk")
    return _results(results, truncated)


def _matches(word, fields):
    match = Q()
    for name, _weight in fields:
        match |= Q(**{f"{name}__icontains": word})
    return match


def snippet(article, query, text=None):
    """A short, escaped excerpt with the matching words in <mark>.

    PostgreSQL made it already (search() annotates `snippet_html`); elsewhere it is cut from
    `text`, by default a story's plain body text (or its standfirst when it has no body).
    """
    escaped = getattr(article, "snippet_html", None)
    if escaped is None:
        if text is None:
            text = article.body_text or article.standfirst
        raw = _fallback_snippet(text, clean_query(query))
        escaped = escape(raw)
    else:
        # Escaped in SQL already (_html_escaped); no "<" or ">" can be left, but make sure.
        escaped = escaped.replace("<", "&lt;").replace(">", "&gt;")
    marked = escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")
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
