"""Full-text search over interviews, with the stories' machinery (articles.search).

An interview is searched by its title (weight A), its introduction (B) and its transcript (C):
the guests' names, the section titles, the questions, the answers and the closing, as plain
text. The internal preparation notes are never part of it.

The plain texts are stored on the interview (`introduction_text`, `search_text`) and, on
PostgreSQL, so is the GIN-indexed `search_vector` computed from them. Interview.save() keeps
the title and introduction current at once. The transcript lives in other rows (guests, the
line-up, parts, questions, answers) and in the closing: the models mark the interview
whenever one of those is saved, deleted, bulk-created or updated (interviews.models), and
refresh_later() brings its search text up to date once per interview when the transaction
commits, however many rows changed, whoever changed them (admin, importer, seed, shell).
services.publish_interview refreshes at once as well, so nothing goes public with a stale index.
"""

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q, TextField, Value
from django.db.models.functions import Concat

from articles import search as article_search
from articles.search import clean_query_text, plain_lines, uses_postgres

# (column, weight) as articles.search expects them; migration 0003 follows this too.
INTERVIEW_FIELDS = (("title", "A"), ("introduction_text", "B"), ("search_text", "C"))
# Columns a search result never shows (the snippet is cut from the texts in SQL).
UNREAD = ("introduction", "introduction_text", "search_text", "search_vector", "closing",
          "prep_notes")


def search_vector():
    """The expression an interview's stored `search_vector` is computed from (PostgreSQL)."""
    return article_search.search_vector(INTERVIEW_FIELDS)


def _snippet_source():
    # The reader's text in page order: the introduction, then the transcript.
    return Concat("introduction_text", Value("\n"), "search_text", output_field=TextField())


def search(queryset, query):
    """`queryset` (interviews) narrowed to matches for `query`, best first.

    The same contract as articles.search.search(): SearchResults, `rank` on every row,
    `.truncated` when more than RESULT_LIMIT matched, and snippet() for each excerpt.
    """
    return article_search.search(queryset, query, fields=INTERVIEW_FIELDS,
                                 snippet_from=_snippet_source(), unread=UNREAD)


def snippet(interview, query=None):
    """A short, escaped excerpt of the interview with the matching words in <mark>, by
    sentence (articles.search.snippet)."""
    return article_search.snippet(interview, query)


def transcript_text(interview):
    """The public words of `interview` beyond its title and introduction, as plain text,
    one block (a guest, a section title, a paragraph of a question or answer) per line.

    Guests, then each section's title, questions and (non-blank) answers in order, then the
    closing. Reads the database (four queries) through the interview's own model registry,
    so migrations can call it with historical models. Never includes the prep notes.
    """
    apps = interview._meta.apps
    guest_model = apps.get_model("interviews", "Guest")
    segment_model = apps.get_model("interviews", "Segment")
    question_model = apps.get_model("interviews", "Question")
    answer_model = apps.get_model("interviews", "Answer")

    guests = guest_model.objects.filter(interviewguest__interview=interview).order_by(
        "interviewguest__position", "interviewguest__pk"
    ).values_list("honorific", "name", "credentials")
    parts = [clean_query_text(" ".join(filter(None, (honorific, name, credentials))))
             for honorific, name, credentials in guests]

    segments = segment_model.objects.filter(interview=interview).order_by("position", "pk")
    questions = {}
    for segment_id, pk, text in question_model.objects.filter(
        segment__interview=interview
    ).order_by("position", "pk").values_list("segment_id", "pk", "text"):
        questions.setdefault(segment_id, []).append((pk, text))
    answers = {}
    for question_id, text in answer_model.objects.filter(
        question__segment__interview=interview, has_text=True
    ).order_by("pk").values_list("question_id", "text"):
        answers.setdefault(question_id, []).append(text)

    for segment_id, title in segments.values_list("pk", "title"):
        parts.append(clean_query_text(title))
        for question_id, text in questions.get(segment_id, []):
            parts.append(plain_lines(text))
            parts.extend(plain_lines(answer) for answer in answers.get(question_id, []))
    parts.append(plain_lines(interview.closing or ""))
    return "\n".join(part for part in parts if part)


def refresh_search_text(interview):
    """Bring `interview`'s stored search text (and vector) up to date with its transcript.

    The models ask for this themselves (refresh_later); call it directly to refresh now. One
    UPDATE, which writes the row only when something changed (or, on PostgreSQL, the vector is
    missing); no save(), so `modified_at` stays as it is. Sets the new texts on `interview`.
    """
    if interview.pk is None:
        return
    _pending(interview._state.db or DEFAULT_DB_ALIAS).discard(interview.pk)
    introduction = plain_lines(interview.introduction or "")
    transcript = transcript_text(interview)
    interview.introduction_text, interview.search_text = introduction, transcript
    stale = ~Q(introduction_text=introduction) | ~Q(search_text=transcript)
    values = {"introduction_text": introduction, "search_text": transcript}
    if uses_postgres():
        stale |= Q(search_vector__isnull=True)
        # What search_vector() computes from the columns, from the new texts: in an UPDATE
        # every SET reads the row as it was.
        texts = {"introduction_text": introduction, "search_text": transcript}
        values["search_vector"] = article_search.search_vector(tuple(
            (Value(texts[name], output_field=TextField()) if name in texts else name, weight)
            for name, weight in INTERVIEW_FIELDS
        ))
    type(interview)._default_manager.filter(stale, pk=interview.pk).update(**values)


class _PendingRefresh:
    """The interviews a transaction changed, refreshed once each when it commits."""

    def __init__(self, using):
        self.using = using
        self.ids = set()

    def __call__(self):
        connection = transaction.get_connection(self.using)
        if getattr(connection, "interview_search_refresh", None) is self:
            connection.interview_search_refresh = None
        from .models import Interview

        ids, self.ids = self.ids, set()
        for interview in Interview.objects.using(self.using).filter(pk__in=ids):
            refresh_search_text(interview)

    def discard(self, pk):
        self.ids.discard(pk)


def _pending(using, *, create=False):
    """This transaction's _PendingRefresh on `using` (an empty set-alike when there is none
    and `create` is false)."""
    connection = transaction.get_connection(using)
    pending = getattr(connection, "interview_search_refresh", None)
    registered = [sids for sids, callback, *_ in connection.run_on_commit
                  if callback is pending] if pending is not None else []
    if pending is not None and not registered:
        # Its transaction (or the savepoint it was registered in) was rolled back.
        pending = connection.interview_search_refresh = None
    if create:
        if pending is None:
            pending = connection.interview_search_refresh = _PendingRefresh(using)
        # Registered once per savepoint it is marked in, so that rolling one back drops only
        # its own registration; the first call at commit refreshes them all, the rest find
        # nothing left to do.
        if set(connection.savepoint_ids) not in registered:
            transaction.on_commit(pending, using=using, robust=True)
    return pending if pending is not None else set()


def refresh_later(interview_ids, using=DEFAULT_DB_ALIAS):
    """Mark these interviews' search text stale: it is refreshed once each when the current
    transaction commits (at once outside a transaction)."""
    ids = {pk for pk in interview_ids if pk is not None}
    if not ids:
        return
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        from .models import Interview

        for interview in Interview.objects.using(using).filter(pk__in=ids):
            refresh_search_text(interview)
        return
    _pending(using, create=True).ids.update(ids)
