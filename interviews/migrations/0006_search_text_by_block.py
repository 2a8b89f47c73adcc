# An interview's stored plain texts (introduction_text, search_text) keep one line per block
# (a guest, a section title, a paragraph of a question or an answer, the closing) so that
# search snippets can be cut by sentence. Rewrites both, and on PostgreSQL the vector, for
# the interviews whose text changes.
#
# Uses only what is in this file (copies of articles.search.plain_lines() and
# interviews.search.transcript_text() as they were when it was written), so later changes to
# the apps cannot change what it does on an old database.
import re
import unicodedata
from html.parser import HTMLParser

from django.conf import settings
from django.db import migrations
from django.db.models import TextField, Value

INTERVIEW_FIELDS = (("title", "A"), ("introduction_text", "B"), ("search_text", "C"))
BLOCK_ELEMENTS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "figure",
    "figcaption", "table", "tr", "td", "th", "div", "pre", "br", "hr", "section", "aside",
})


def clean_text(raw):
    text = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in raw or ""
    )
    return re.sub(r"\s+", " ", text).strip()


class Blocks(HTMLParser):
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
        text = clean_text("".join(self.current))
        if text:
            self.blocks.append(text)
        self.current = []


def plain_lines(fragment):
    parser = Blocks()
    parser.feed(fragment or "")
    parser.close()
    parser.close_block()
    return "\n".join(parser.blocks)


def transcript_lines(apps, interview):
    Guest = apps.get_model("interviews", "Guest")
    Segment = apps.get_model("interviews", "Segment")
    Question = apps.get_model("interviews", "Question")
    Answer = apps.get_model("interviews", "Answer")

    guests = Guest.objects.filter(interviewguest__interview=interview).order_by(
        "interviewguest__position", "interviewguest__pk"
    ).values_list("honorific", "name", "credentials")
    parts = [clean_text(" ".join(filter(None, (honorific, name, credentials))))
             for honorific, name, credentials in guests]
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
    segments = Segment.objects.filter(interview=interview).order_by("position", "pk")
    for segment_id, title in segments.values_list("pk", "title"):
        parts.append(clean_text(title))
        for question_id, text in questions.get(segment_id, []):
            parts.append(plain_lines(text))
            parts.extend(plain_lines(answer) for answer in answers.get(question_id, []))
    parts.append(plain_lines(interview.closing or ""))
    return "\n".join(part for part in parts if part)


def search_vector(texts):
    from django.contrib.postgres.search import SearchVector

    config = getattr(settings, "NEWSROOM_SEARCH_CONFIG", "english")
    vector = None
    for name, weight in INTERVIEW_FIELDS:
        source = Value(texts[name], output_field=TextField()) if name in texts else name
        part = SearchVector(source, weight=weight, config=config)
        vector = part if vector is None else vector + part
    return vector


def by_block(apps, schema_editor):
    Interview = apps.get_model("interviews", "Interview")
    postgres = schema_editor.connection.vendor == "postgresql"
    rows = Interview.objects.only("pk", "introduction", "closing", "introduction_text",
                                  "search_text").order_by("pk")
    for interview in rows.iterator(chunk_size=500):
        texts = {"introduction_text": plain_lines(interview.introduction or ""),
                 "search_text": transcript_lines(apps, interview)}
        if (texts["introduction_text"] == interview.introduction_text
                and texts["search_text"] == interview.search_text):
            continue
        values = dict(texts)
        if postgres:
            values["search_vector"] = search_vector(texts)
        Interview.objects.filter(pk=interview.pk).update(**values)


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0005_redirects_and_preview_links"),
    ]

    # Going back leaves the lines: the older code reads them as spaces.
    operations = [migrations.RunPython(by_block, migrations.RunPython.noop)]
