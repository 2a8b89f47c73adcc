# Full-text search over interviews: plain-text copies of the introduction and of the
# transcript (guests, segments, questions, answers, closing; never the prep notes) and, on
# PostgreSQL, a GIN-indexed tsvector built from them (see interviews/search.py). The index is
# made here by hand because SQLite has no GIN: on SQLite the vector column simply stays empty.
#
# The backfill uses only what is in this file and the historical models (the helpers are
# copies of articles.search's and interviews.search's as they were when this migration was
# written), so later changes to the apps cannot change what it does on an old database.
import html
import re
import unicodedata

import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations, models
from django.db.models import TextField, Value
from django.utils.html import strip_tags

# (column, weight): what an interview is searched by.
INTERVIEW_FIELDS = (("title", "A"), ("introduction_text", "B"), ("search_text", "C"))


def clean_text(raw):
    """Printable text only, with runs of spaces, controls and separators made one space."""
    text = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in raw or ""
    )
    return re.sub(r"\s+", " ", text).strip()


def plain_text(fragment):
    """Rich text as the words a reader sees."""
    spaced = re.sub(r"</(p|h\d|li|blockquote|figcaption|td|th)>|<br\s*/?>", r"\g<0> ", fragment)
    return clean_text(html.unescape(strip_tags(spaced)))


def transcript_text(apps, interview):
    """The interview's guests, then each segment's title, questions and (non-blank) answers
    in order, then the closing, as plain text. Never the prep notes."""
    Guest = apps.get_model("interviews", "Guest")
    Segment = apps.get_model("interviews", "Segment")
    Question = apps.get_model("interviews", "Question")
    Answer = apps.get_model("interviews", "Answer")

    guests = Guest.objects.filter(interviewguest__interview=interview).order_by(
        "interviewguest__position", "interviewguest__pk"
    ).values_list("honorific", "name", "credentials")
    parts = [" ".join(filter(None, (honorific, name, credentials)))
             for honorific, name, credentials in guests]

    segments = Segment.objects.filter(interview=interview).order_by("position", "pk")
    questions = {}
    for segment_id, pk, text in Question.objects.filter(
        segment__interview=interview
    ).order_by("position", "pk").values_list("segment_id", "pk", "text"):
        questions.setdefault(segment_id, []).append((pk, text))
    answers = {}
    for question_id, text in Answer.objects.filter(
        question__segment__interview=interview, has_text=True
    ).order_by("pk").values_list("question_id", "text"):
        answers.setdefault(question_id, []).append(text)

    for segment_id, title in segments.values_list("pk", "title"):
        parts.append(title)
        for question_id, text in questions.get(segment_id, []):
            parts.append(plain_text(text))
            parts.extend(plain_text(answer) for answer in answers.get(question_id, []))
    parts.append(plain_text(interview.closing or ""))
    return clean_text(" ".join(part for part in parts if part))


def search_vector(texts):
    """The stored vector of an interview, with `texts` ({column: new text}) in place of those
    columns: in an UPDATE every SET reads the row as it was."""
    from django.contrib.postgres.search import SearchVector

    config = getattr(settings, "NEWSROOM_SEARCH_CONFIG", "english")
    vector = None
    for name, weight in INTERVIEW_FIELDS:
        source = Value(texts[name], output_field=TextField()) if name in texts else name
        part = SearchVector(source, weight=weight, config=config)
        vector = part if vector is None else vector + part
    return vector


def index_and_backfill(apps, schema_editor):
    Interview = apps.get_model("interviews", "Interview")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS interviews_interview_search_gin "
            "ON interviews_interview USING gin (search_vector)"
        )
    for interview in Interview.objects.only("pk", "introduction", "closing").iterator():
        texts = {"introduction_text": plain_text(interview.introduction or ""),
                 "search_text": transcript_text(apps, interview)}
        values = dict(texts)
        if postgres:
            values["search_vector"] = search_vector(texts)
        Interview.objects.filter(pk=interview.pk).update(**values)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS interviews_interview_search_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0002_create_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="interview",
            name="introduction_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="interview",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="interview",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_and_backfill, drop_index),
    ]
