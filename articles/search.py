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
from collections.abc import Sequence
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
# Relevance is ranked among at most this many of the newest matches (see search()).
RESULT_LIMIT = 1000
SNIPPET_WORDS = 35
# What a story is searched by: (column, weight), the weights as PostgreSQL's setweight() has
# them. The stored vector, the SQLite fallback and migration 0003 all follow this.
ARTICLE_FIELDS = (("title", "A"), ("standfirst", "B"), ("body_text", "C"))
# A story's columns a search result never shows (its snippet is cut from body_text in SQL).
ARTICLE_UNREAD = ("body", "body_text", "search_vector")
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
    """Rich text as the words a reader sees, on one line (short summaries, checks); the
    search index and snippets use plain_lines()."""
    spaced = re.sub(r"</(p|h\d|li|blockquote|figcaption|td|th)>|<br\s*/?>", r"\g<0> ", fragment)
    return clean_query_text(html.unescape(strip_tags(spaced)))


# Elements whose text is a block of its own: a snippet never runs one into the next.
BLOCK_ELEMENTS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "figure",
    "figcaption", "table", "tr", "td", "th", "div", "pre", "br", "hr", "section", "aside",
})


class _Blocks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.current = [], []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_ELEMENTS:
            self.close_block()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in BLOCK_ELEMENTS:
            self.close_block()

    def handle_data(self, data):
        self.current.append(data)

    def close_block(self):
        text = clean_query_text("".join(self.current))
        if text:
            self.blocks.append(text)
        self.current = []


def plain_lines(fragment):
    """Rich text as the words a reader sees, one line per block (paragraph, heading, list
    item, quotation…): what is stored for the search index and cut into snippets."""
    parser = _Blocks()
    parser.feed(fragment or "")
    parser.close()
    parser.close_block()
    return "\n".join(parser.blocks)


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


def search(queryset, query, fields=ARTICLE_FIELDS, snippet_from=None, unread=ARTICLE_UNREAD):
    """`queryset`'s matches for `query`, best first, as SearchResults.

    Relevance is ranked among the newest RESULT_LIMIT matches: a word found in most of the
    archive would otherwise mean ranking (reading the stored vector of) every story on each
    search. When there were more, the result has `.truncated = True`; readers narrow a search
    to older stories with the date filters.

    One query finds the newest matches and ranks them (ids, times and ranks only); only the
    rows of the page asked for are read whole, with what their snippets are cut from.
    `snippet_from` is that text: a column or expression of plain text with one block
    (paragraph, heading, list item) per line; by default a story's standfirst and body.
    `unread` names the columns a result page never shows, left unread.
    """
    query = clean_query(query)
    queryset = queryset.defer(*unread)
    if snippet_from is None:
        snippet_from = _story_snippet_source()
    if not query:
        return SearchResults(queryset, query, [], False, snippet_from)
    if uses_postgres():
        ranked, truncated = _ranked_postgres(queryset, query)
    else:
        ranked, truncated = _ranked_fallback(queryset, query, fields)
        if ranked is None:
            return SearchResults(queryset, query, [], False, snippet_from)
    return SearchResults(queryset, query, ranked, truncated, snippet_from)


def explain(queryset, query):
    """EXPLAIN ANALYZE of the statement that finds and ranks `query`'s matches (PostgreSQL;
    for bench/search.py)."""
    return _ranked_postgres(queryset, clean_query(query), explain=True)


def _story_snippet_source():
    # The reader's text in page order: the standfirst, then the body.
    from django.db.models import TextField
    from django.db.models.functions import Concat

    return Concat("standfirst", Value("\n"), "body_text", output_field=TextField())


class SearchResults(Sequence):
    """The matches of a search, best first: a sequence the paginator can slice.

    Its length is known from the start (no COUNT query); reading an item or a slice fetches
    those rows only, in rank order, each with `rank` and `snippet_text` (its snippet source
    with the matched words between _START and _STOP; snippet() makes the excerpt).
    """

    def __init__(self, queryset, query, ranked, truncated, snippet_from):
        self.queryset, self.query, self.truncated = queryset, query, truncated
        self.ranked = ranked  # [(pk, rank)], best first
        self.snippet_from = snippet_from

    def __len__(self):
        return len(self.ranked)

    def count(self):
        return len(self.ranked)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._rows(self.ranked[index])
        return self._rows([self.ranked[index]])[0]

    def __iter__(self):
        return iter(self._rows(self.ranked))

    def _rows(self, ranked):
        if not ranked:
            return []
        ranks = dict(ranked)
        if uses_postgres():
            rows = self.queryset.filter(pk__in=_id_array(self.queryset, list(ranks))).annotate(
                snippet_text=_pg_highlighted(self.snippet_from, self.query))
        else:
            rows = self.queryset.filter(pk__in=list(ranks)).annotate(
                snippet_text=self.snippet_from)
        found = {row.pk: row for row in rows.order_by()}
        ordered = []
        for pk, rank in ranked:
            row = found.get(pk)
            if row is None:  # unpublished since the search began
                continue
            row.rank = rank
            if uses_postgres():
                # Escaped in SQL for ts_headline (_html_escaped): back to the plain text.
                row.snippet_text = html.unescape(row.snippet_text or "")
            else:
                row.snippet_text = _fallback_marked(row.snippet_text or "", self.query)
            ordered.append(row)
        return ordered


def _ranked_postgres(queryset, query, explain=False):
    """([(pk, rank)] of the newest RESULT_LIMIT matches, best first; whether there were more).

    One statement: the newest matches (by the cheaper plan, see _pg_rows) and their ts_rank,
    computed in an outer query so that only those rows' vectors are read for it.
    """
    from django.contrib.postgres.search import SearchQuery

    config = settings.NEWSROOM_SEARCH_CONFIG
    ts_query = SearchQuery(query, search_type="websearch", config=config)
    matches = queryset.filter(search_vector=ts_query)
    newest = matches.order_by("-publish_at", "-pk").values_list(
        "pk", "publish_at", "search_vector")[: RESULT_LIMIT + 1]
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if explain else ""
    # Only our own SQL and Django's compiled statement; the query goes as a parameter.
    rows = _pg_rows(matches, newest, lambda sql: (
        f"{prefix}SELECT newest.col1, extract(epoch FROM newest.col2)::float8, "  # noqa: S608
        "ts_rank(newest.col3, websearch_to_tsquery(%s::regconfig, %s)) "
        f"FROM ({sql}) AS newest(col1, col2, col3)"), [config, query])
    if explain:
        return "\n".join(row[0] for row in rows)
    truncated = len(rows) > RESULT_LIMIT
    rows = sorted(rows[:RESULT_LIMIT], key=lambda row: (-row[2], -(row[1] or 0.0), -row[0]))
    return [(pk, rank) for pk, _when, rank in rows], truncated


# Testing `vector @@ query` on a row costs about this many times what visiting a row found
# through the GIN index does (bench/search.py, 100,000 stories): the vector must be fetched
# from TOAST and decompressed.
ROW_TEST_COST = 9


def _pg_rows(matches, newest, wrap, wrap_params):
    """The rows of `wrap(newest's SQL)` (`newest`: matches, newest first, limited), with
    `newest` run by the cheaper of two plans.

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
        cursor.execute(wrap(sql), [*wrap_params, *params])
        rows = cursor.fetchall()
        if nested:
            # SET LOCAL outlives a savepoint: it would last to the end of the outer transaction.
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), "
                "set_config('enable_indexscan', %s, true), "
                "set_config('enable_bitmapscan', %s, true)", saved,
            )
    return rows


def _id_array(queryset, ids):
    """`ids` as one array parameter: a thousand placeholders cost more to build than to run."""
    from django.db.models.expressions import RawSQL

    pk_type = queryset.model._meta.pk.rel_db_type(connections[queryset.db])
    # The type comes from the model, the ids go as a parameter.
    return RawSQL(f"SELECT unnest(%s::{pk_type}[])", [list(ids)])  # noqa: S611


def _pg_highlighted(source, query):
    """`source` (plain text) whole, with every word matching `query` between _START and _STOP:
    PostgreSQL's own stemming decides what matched, snippet() then picks the sentences."""
    from django.contrib.postgres.search import SearchHeadline, SearchQuery

    config = settings.NEWSROOM_SEARCH_CONFIG
    return SearchHeadline(
        _html_escaped(source), SearchQuery(query, search_type="websearch", config=config),
        config=config, start_sel=_START, stop_sel=_STOP, highlight_all=True,
    )


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


def _fallback_words(query):
    """(words that must match, words that must not), like websearch syntax: every word must
    match, a word after "-" must not; one-letter words are ignored."""
    excluded = [w for w in re.findall(r"(?:^|\s)-(\w+)", query) if len(w) > 1]
    words = [
        w for w in re.findall(r"\w+", re.sub(r"(?:^|\s)-\w+", " ", query)) if len(w) > 1
    ][:8]
    return words, excluded


def _ranked_fallback(queryset, query, fields):
    """As _ranked_postgres, without full-text search: ([(pk, rank)], truncated), or
    (None, False) when the query has no word to look for."""
    words, excluded = _fallback_words(query)
    if not words:
        return None, False
    matches = queryset
    for word in words:
        matches = matches.filter(_matches(word, fields))
    for word in excluded:
        matches = matches.exclude(_matches(word, fields))
    score = Value(0, output_field=IntegerField())
    for word in words:
        for name, weight in fields:
            score = score + Case(When(**{f"{name}__icontains": word},
                                      then=Value(FALLBACK_WEIGHTS[weight])), default=Value(0))
    rows = list(
        matches.annotate(search_score=score).order_by("-publish_at", "-pk")
        .values_list("pk", "publish_at", "search_score")[: RESULT_LIMIT + 1]
    )
    truncated = len(rows) > RESULT_LIMIT
    rows = sorted(rows[:RESULT_LIMIT], key=lambda row: (-row[2], -_time(row[1]), -row[0]))
    return [(pk, float(rank)) for pk, _when, rank in rows], truncated


def _time(when):
    return when.timestamp() if when is not None else 0.0


def _matches(word, fields):
    match = Q()
    for name, _weight in fields:
        match |= Q(**{f"{name}__icontains": word})
    return match


def _fallback_marked(text, query):
    """`text` with the query's words (as the fallback matches them: anywhere in a word, any
    case) between _START and _STOP."""
    words, _excluded = _fallback_words(query)
    if not words or not text:
        return text
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", text)


def snippet(item, query=None):
    """A short, escaped excerpt of a search result with the matching words in <mark>.

    `item` comes from SearchResults, with `snippet_text`: its text (by default a story's
    standfirst and body), one block per line, the matched words marked. The excerpt starts
    at the start of the sentence with the first match, or at the start of the text when
    only the headline matched, and ends at the end of a sentence or with "…"; it never runs
    one block (heading, paragraph, list item, quotation) into the next.
    """
    marked = getattr(item, "snippet_text", None) or ""
    excerpt = sentence_excerpt(marked)
    escaped = escape(excerpt)
    highlighted = escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(highlighted)  # noqa: S308 -- escaped above; only our own <mark> tags are added


# Words that end in a full stop without ending a sentence ("Mr. Smith", "No. 10").
ABBREVIATIONS = frozenset([
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "col", "lt", "sgt",
    "capt", "cmdr", "adm", "gov", "sen", "rep", "rev", "hon", "pres", "supt", "insp", "det",
    "no", "nos", "vs", "etc", "approx", "dept", "est", "fig", "inc", "ltd", "co", "corp",
    "bros", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
])
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_OPENERS = "\"'“‘([" + _START


def sentences(block):
    """`block` (one line of plain text, possibly marked) cut into its sentences, lazily.

    A sentence ends at ".", "!", "?" or "…" (and any closing quote or bracket) followed by a
    space and a capital letter or digit; not after an abbreviation ("Mr.", "U.S.", "e.g.")
    or an initial ("J. Smith").
    """
    start = 0
    for end in _SENTENCE_END.finditer(block):
        following = block[end.end():end.end() + 4].lstrip(_OPENERS)
        if not following or not (following[0].isupper() or following[0].isdigit()):
            continue
        if block[end.start()] == "." and _is_abbreviation(block[start:end.start()]):
            continue
        yield block[start:end.end()].strip()
        start = end.end()
    rest = block[start:].strip()
    if rest:
        yield rest


def _is_abbreviation(text):
    words = text.replace(_START, "").replace(_STOP, "").split()
    if not words:
        return False
    word = words[-1].lstrip(_OPENERS)
    return (len(word) == 1 and word.isalpha()) or "." in word or word.lower() in ABBREVIATIONS


def sentence_excerpt(marked, limit=SNIPPET_WORDS):
    """About `limit` words of `marked` (plain text, one block per line, matches marked):
    whole sentences from the one with the first match (else from the start), within its
    block; a sentence too long to end in time is cut with "…" after the first match."""
    blocks = [line.strip() for line in marked.splitlines() if line.strip()]
    if not blocks:
        return ""
    block = next((block for block in blocks if _START in block), blocks[0])
    words = []
    for sentence in sentences(block):
        if not words and _START in block and _START not in sentence:
            continue  # before the first match
        sentence_words = sentence.split()
        if words and len(words) + len(sentence_words) > limit:
            break
        words.extend(sentence_words)
    if len(words) <= limit:
        return " ".join(words)
    # One long sentence: keep the first match in view.
    match = next((i for i, word in enumerate(words) if _START in word), 0)
    end = max(limit, match + 10)
    if end >= len(words):
        return " ".join(words)
    if end <= 2 * limit:
        return _closed(" ".join(words[:end])) + " …"
    start = match - limit // 2
    return "… " + _closed(" ".join(words[start:start + limit])) + " …"


def _closed(text):
    """`text` with a highlight cut in half closed again."""
    return text + _STOP if text.count(_START) > text.count(_STOP) else text
