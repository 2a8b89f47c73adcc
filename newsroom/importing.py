"""Save a parsed story (articles.importing) as a draft article and its interview.

The parser knows nothing of the database; this module knows nothing of the command line or
HTTP. The `import_story` command and the admin's "Import story" page both call
`import_file`, which changes all or nothing for one file.

The import runs as a user (`by`): the publishing policy (articles.publishing) decides what it
may create, overwrite and publish, exactly as in the admin. `by=None` is the operator at the
shell, who may do everything.

Importing the same story again updates it. "The same story" is the one with the same source
address or wire identifier when the text gives one, otherwise the one with the same headline,
byline and publication time; only stories an import created (an ImportedStory row) are ever
matched, so a story written in the admin is never overwritten by a file, and an unrelated
story that wants a slug already taken gets a new one. An update writes only the fields the
text changed since the last import, so the desk's edits to the others are kept (the rule the
WordPress importer follows too: newsroom.reimport), and its report says which were kept,
updated or replaced.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from articles import history, publishing
from articles import services as article_services
from articles.importing import ImportProblem, parse
from articles.models import RESERVED_SLUGS, Article, ArticleAuthor, Author, Section
from articles.sanitize import clean_html
from interviews import services as interview_services
from interviews.models import (
    Answer,
    Guest,
    Interview,
    InterviewGuest,
    Question,
    Segment,
)

from . import reimport
from .models import ImportedStory


@dataclass
class Result:
    name: str
    article: Article
    interview: Interview | None = None
    created: bool = True
    report: list = field(default_factory=list)


def _html(paragraphs):
    return "".join(f"<p>{escape(text)}</p>" for text in paragraphs if text)


def _unique_slug(model, base, limit):
    base = (slugify(base) or model.__name__.lower())[:limit]
    slug, number = base, 2
    while model.objects.filter(slug=slug).exists():
        suffix = f"-{number}"
        slug, number = base[: limit - len(suffix)] + suffix, number + 1
    return slug


def find_section(name, *, create=False, fallback=None, by=None):
    """The section a story names, or the fallback, or the default section for imports; a
    named section is created only when asked (and allowed)."""
    if not name:
        return (fallback, False) if fallback is not None else default_section()
    section = _existing_section(name)
    if section:
        return section, False
    if not create:
        raise ImportProblem(f"the section “{name}” does not exist yet; allow creating "
                            "sections to add it", None)
    publishing.require(publishing.can_add(by, Section),
                       f"the section “{name}” does not exist, and you may not create sections")
    return _create_section(name), True


def default_section():
    """The section for stories whose text names none (NEWSROOM_IMPORT_SECTION), created when
    missing: the site's own setting, so the importing user's rights don't enter into it."""
    name = settings.NEWSROOM_IMPORT_SECTION
    section = _existing_section(name)
    if section:
        return section, False
    return _create_section(name), True


def _existing_section(name):
    return (Section.objects.filter(name__iexact=name).first()
            or Section.objects.filter(slug=slugify(name)).first())


def _create_section(name):
    slug = slugify(name)
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-news"
    return Section.objects.create(name=name, slug=_unique_slug(Section, slug, 80),
                                  order=Section.objects.count())


def _normal_address(url):
    """One spelling per address: no fragment, no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    query = urlencode([(key, value) for key, value in parse_qsl(parts.query)
                       if not key.lower().startswith("utm_")])
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def identity(story):
    """(source key or None, text key) of a parsed story: what makes two files the same story."""
    source_key = None
    if story.source:
        source_key = f"url:{_normal_address(story.source)}"[:520]
    elif story.wire_id:
        source_key = f"wire:{story.wire_id.lower()}"
    published = story.published.isoformat(timespec="minutes") if story.published else ""
    text = "\n".join((slugify(story.title), slugify(story.author), published))
    return source_key, hashlib.sha256(text.encode()).hexdigest()


def find_imported(story):
    """The ImportedStory a parsed story updates, or None for a new story."""
    source_key, text_key = identity(story)
    if source_key:
        record = ImportedStory.objects.filter(source_key=source_key).first()
        if record is not None:
            return record
        # The same story imported before from text that named no source.
        return (ImportedStory.objects.filter(text_key=text_key, source_key__isnull=True)
                .order_by("-last_imported_at").first())
    return (ImportedStory.objects.filter(text_key=text_key)
            .order_by("-last_imported_at").first())


def _author(name, by):
    author = Author.objects.filter(name__iexact=name).first()
    if author:
        return author, False
    publishing.require(publishing.can_add(by, Author),
                       f"the author “{name}” does not exist, and you may not add authors")
    return Author.objects.create(name=name, slug=_unique_slug(Author, name, 120)), True


def import_file(name, data, *, by=None, publish=False, create_sections=False, section=None,
                source="manage.py import_story"):
    """Import one file's bytes as `by`. Raises ImportProblem, or PermissionDenied when the
    policy refuses `by` something the file asks (nothing saved either way). The story and its
    interview get a revision saying they came from `name` through `source`."""
    with transaction.atomic(), history.recorded(by, f"Imported from “{name}” ({source})."):
        result = _import_file(name, data, by=by, publish=publish,
                              create_sections=create_sections, section=section)
        # Tags and byline are set after the story's save: record them too.
        history.include(result.article)
        if result.interview is not None:
            history.include(result.interview)
        return result


def _import_file(name, data, *, by, publish, create_sections, section):
    if publish:
        publishing.require_publisher(by, Article)
    story = parse(data)
    report = [f"Recognised: {', '.join(story.recognised)}."]
    if story.skipped:
        report.append("Dropped as site furniture: "
                      + "; ".join(f"line {line} “{text}”" for line, text in story.skipped) + ".")

    record = find_imported(story)
    created = record is None
    # Text that names no section goes into the default section the first time; an update of
    # it keeps whatever section the desk has moved the story to since.
    in_default_section = created and not story.section and section is None
    placed = created or story.section or section is not None
    if placed:
        chosen, section_created = find_section(story.section, create=create_sections,
                                               fallback=section, by=by)
    else:
        chosen, section_created = record.article.section, False
    if in_default_section:
        report.append(f"The text names no section (no “Home » Section” line): the story went "
                      f"into “{chosen.name}”, the section for such imports; move it in the "
                      "admin.")
    if section_created:
        report.append(f"Created the section “{chosen.name}”.")

    if created:
        article = Article(status=Article.Status.DRAFT)
        wanted = slugify(story.title)[:200] or "story"
        article.slug = _unique_slug(Article, wanted, 200)
        if article.slug != wanted:
            report.append(f"Another story already has the address “{wanted}”; this one was "
                          f"saved as a new story at “{article.slug}”.")
        before = None
        remembered = {}
    else:
        article = record.article
        before = Article.objects.get(pk=article.pk)
        remembered = record.imported
    # Only what the text changed since the last import is written: the desk's edits to the
    # rest stay (newsroom.reimport).
    incoming = _incoming(story, chosen if placed else None)
    current = {} if created else _story_values(article)
    plan = reimport.plan(incoming, remembered, current)
    own = {"title": story.title, "section": chosen, "standfirst": story.standfirst,
           "body": incoming["body"], "discussion_prompt": incoming["discussion_prompt"]}
    wrote = own.keys() & plan.write
    for name in wrote:
        setattr(article, name, own[name])
    if story.published is not None:
        published = timezone.make_aware(story.published)
        if before is not None and before.status == Article.Status.PUBLISHED:
            # Once the desk has published or scheduled it, its time (and any embargo it waits
            # for) is the desk's: a wire update must not bring it out early.
            plan.kept.discard("publish_at")
            if published != before.publish_at:
                when = timezone.localtime(before.publish_at)
                report.append(f"The file's time ({published:%Y-%m-%d %H:%M}) was not used: "
                              f"the story is published for {when:%Y-%m-%d %H:%M} and keeps "
                              "that time; change it in the admin.")
        elif "publish_at" in plan.write:  # else: the desk's time, or the last import's
            if publishing.can_publish(by, Article):
                article.publish_at = published
                wrote.add("publish_at")
            elif published != article.publish_at:
                report.append(f"The file's time ({published:%Y-%m-%d %H:%M}) was not kept: "
                              "only editors set publication times.")
    # Overwriting a story is the same change as in the admin: refused unless `by` may edit it.
    article_services.save_article(article, by=by, before=before)
    if "tags" in plan.write:
        article.tags.set(story.tags)
        wrote.add("tags")

    author = None
    if story.author:
        author, new_author = _author(story.author, by)
        if new_author:
            report.append(f"Created the author “{author.name}”.")
        if "byline" in plan.write:
            ArticleAuthor.objects.filter(article=article).exclude(author=author).delete()
            ArticleAuthor.objects.update_or_create(article=article, author=author,
                                                   defaults={"position": 0})
            wrote.add("byline")
    else:
        report.append("No byline found: add the author in the admin.")
    if story.photo_caption or story.photo_label:
        report.append(
            "The page had a photo here"
            + (f" (“{story.photo_label}”)" if story.photo_label else "")
            + "; the text holds no image, so attach the lead photo in the admin"
            + (f" — its caption was “{story.photo_caption}”." if story.photo_caption else ".")
        )

    changes = _Changes()
    changes.add(incoming, plan, wrote, current, {} if created else _story_values(article))
    interview = None
    if story.interview is not None:
        earlier = None if record is None else record.interview
        interview = _save_interview(story.interview, article, author, report, by, earlier,
                                    remembered, changes)
    changes.report(article, report)
    _remember(record, story, article, interview, name, remembered, changes)

    if publish and in_default_section:
        report.append("Not published: the text names no section, so an editor should place "
                      "it first. Saved as a draft.")
    elif publish:
        article_services.publish_article(article, by=by, at=article.publish_at)
        report.append("Published the story.")
        if interview is not None and interview.status != Interview.Status.PUBLISHED:
            missing = interview.unanswered_questions()
            if missing:
                report.append(f"The interview stays in preparation: {len(missing)} "
                              "questions are not answered yet.")
            else:
                interview_services.publish_interview(interview, by=by, at=article.publish_at)
                report.append("Published the interview.")
    else:
        report.append("Saved as a draft." if article.status != Article.Status.PUBLISHED
                      else "The story stays published.")
    return Result(name=name, article=article, interview=interview, created=created,
                  report=report)


def _remember(record, story, article, interview, name, remembered, changes):
    source_key, text_key = identity(story)
    if record is None:
        record = ImportedStory(article=article)
    if source_key:
        record.source_key = source_key
    record.text_key = text_key
    record.interview = interview
    record.file_name = str(name)[-255:]
    # What this import wrote; what it left to the desk stays as the last import wrote it.
    record.imported = {**remembered, **changes.written}
    record.save()


# The story's fields an import fills in, with the names the report gives them.
FIELDS = {
    "title": "headline",
    "section": "section",
    "standfirst": "standfirst",
    "body": "body",
    "discussion_prompt": "discussion question",
    "publish_at": "publication time",
    "tags": "tags",
    "byline": "byline",
    "interview.title": "interview's title",
    "interview.introduction": "interview's introduction",
    "interview.closing": "interview's closing words",
    "interview.prep_notes": "interview's internal note",
    "interview.parts": "interview's guests and questions",
}


def _instant(value):
    """A time in one spelling, whatever time zone it was given in."""
    return value.astimezone(UTC).isoformat() if value is not None else None


def _incoming(story, section):
    """The story's fields as the text gives them, in the form _story_values reads them back
    (a section only when the text or the import names one, a byline only when it has one)."""
    values = {
        "title": story.title,
        "standfirst": story.standfirst,
        "body": clean_html(_html(story.paragraphs)),
        "discussion_prompt": story.prompt[:400],
        "tags": sorted({tag.lower() for tag in story.tags}),
    }
    if section is not None:
        values["section"] = section.pk
    if story.published is not None:
        values["publish_at"] = _instant(timezone.make_aware(story.published))
    if story.author:
        values["byline"] = [story.author.lower()]
    return values


def _story_values(article):
    """The fields an import fills in, as the story holds them now."""
    return {
        "title": article.title,
        "section": article.section_id,
        "standfirst": article.standfirst,
        "body": article.body,
        "discussion_prompt": article.discussion_prompt,
        "publish_at": _instant(article.publish_at),
        "tags": sorted({name.lower() for name in article.tags.names()}),
        "byline": [name.lower() for name in ArticleAuthor.objects.filter(article=article)
                   .order_by("position").values_list("author__name", flat=True)],
    }


def _incoming_interview(parsed):
    values = {
        "interview.title": parsed.title,
        "interview.introduction": clean_html(_html(parsed.introduction)),
        "interview.closing": clean_html(_html(parsed.closing)),
        "interview.prep_notes": "\n\n".join(parsed.notes),
        # Its line-up, parts, questions and the answers the text gives, as one field: the
        # desk's answers and rewordings are kept until the text changes any of them.
        "interview.parts": [
            [[person.name, person.honorific, person.credentials] for person in parsed.guests],
            [[part.title, [[asked.text, asked.addressed_to, sorted(asked.answers.items())]
                           for asked in part.questions]] for part in parsed.segments],
        ],
    }
    return values


def _interview_values(interview):
    """The interview's own fields an import fills in, as it holds them now (its parts are
    compared with the text only: see _incoming_interview)."""
    return {
        "interview.title": interview.title,
        "interview.introduction": interview.introduction,
        "interview.closing": interview.closing,
        "interview.prep_notes": interview.prep_notes,
    }


@dataclass
class _Changes:
    """What a re-import did to the fields of a story and its interview: for the report, and
    the fingerprints of what it wrote, for the next import."""

    kept: set = field(default_factory=set)  # the desk's edits left alone
    updated: set = field(default_factory=set)  # taken from the text
    replaced: set = field(default_factory=set)  # taken from the text over the desk's edits
    written: dict = field(default_factory=dict)  # field -> fingerprint of the text's value

    def add(self, incoming, plan, wrote, before, after):
        """`wrote`: the fields written; `before`, `after`: the fields as the row held them
        before and after (`before` empty for a new row: nothing to report)."""
        self.written.update(reimport.fingerprints(
            {name: value for name, value in incoming.items() if name in wrote}))
        if not before:
            return
        updated = {name for name in wrote
                   if name not in before or before[name] != after.get(name)}
        self.kept |= plan.kept
        self.updated |= updated - plan.replaced
        self.replaced |= updated & plan.replaced

    def report(self, article, report):
        """Report lines naming the story."""
        if self.kept:
            report.append(f"Kept the desk's edits to “{article.title}”: {_labels(self.kept)} "
                          f"(the text has not changed {'it' if len(self.kept) == 1 else 'them'} "
                          "since the last import).")
        if self.updated:
            report.append(f"Updated “{article.title}” from the text: {_labels(self.updated)}.")
        if self.replaced:
            report.append(f"Replaced the desk's edits to “{article.title}” with the text's, "
                          f"which changed them too: {_labels(self.replaced)}.")


def _labels(names):
    return ", ".join(label for name, label in FIELDS.items() if name in names)


def _save_interview(parsed, article, author, report, by, interview, remembered, changes):
    """Save the file's interview: into `interview` (the one an earlier import of the same story
    made), else as a new one; never into an interview that merely has the same title. As for
    the story, only what the text changed since the last import is written (`remembered`)."""
    if author is None:
        raise ImportProblem("the interview needs an interviewer, but the story has no "
                            "Author: line")
    if interview is not None and interview.status == Interview.Status.PUBLISHED:
        report.append(f"The interview “{interview.title}” is already published; it was left "
                      "as it is.")
        return interview
    before = None if interview is None else Interview.objects.get(pk=interview.pk)
    if interview is None:
        interview = Interview(slug=_unique_slug(Interview, parsed.title, 200),
                              interviewer=author)
        report.append(f"Interviewer: {author.name} (the story's author; change it in the "
                      "admin if someone else asks the questions).")
        remembered = {}
    incoming = _incoming_interview(parsed)
    current = {} if before is None else _interview_values(before)
    plan = reimport.plan(incoming, remembered, current)
    if "interview.title" in plan.write:
        interview.title = parsed.title
    interview.article = article
    if "interview.introduction" in plan.write:
        interview.introduction = incoming["interview.introduction"]
    if "interview.closing" in plan.write:
        interview.closing = incoming["interview.closing"]
    if "interview.prep_notes" in plan.write:
        interview.prep_notes = incoming["interview.prep_notes"]
    interview_services.save_interview(interview, by=by, before=before)
    if "interview.parts" in plan.write:
        _save_parts(parsed, interview, by)
    changes.add(incoming, plan, plan.write, current,
                {} if before is None else _interview_values(interview))
    report.append(
        f"Interview “{interview.title}”: {len(parsed.guests)} guests, {len(parsed.segments)} "
        f"parts, {len(parsed.questions)} questions; the note stays internal."
    )
    return interview


def _save_parts(parsed, interview, by):
    """The interview's line-up, parts and questions as the text gives them; answers typed on
    the desk stay where their question still is."""
    guests = {}
    for position, person in enumerate(parsed.guests):
        guest = Guest.objects.filter(name__iexact=person.name).first()
        if guest is None:
            publishing.require(publishing.can_add(by, Guest),
                               f"the guest “{person.name}” is new, and you may not add guests")
            guest = Guest.objects.create(name=person.name, honorific=person.honorific,
                                         credentials=person.credentials[:300],
                                         slug=_unique_slug(Guest, person.name, 120))
        elif not guest.credentials and person.credentials:
            guest.credentials = person.credentials[:300]
            guest.save(update_fields=["credentials"])
        guests[person.name] = guest
        InterviewGuest.objects.update_or_create(interview=interview, guest=guest,
                                                defaults={"position": position})
    InterviewGuest.objects.filter(interview=interview).exclude(
        guest__in=list(guests.values())).delete()

    # Answers typed in the admin since the last import survive a re-import.
    kept = {
        (answer.question.segment.position, answer.question.position, answer.guest_id):
        answer.text
        for answer in Answer.objects.filter(question__segment__interview=interview,
                                            has_text=True)
        .select_related("question__segment")
    }
    interview.segments.all().delete()
    for segment_position, part in enumerate(parsed.segments):
        segment = Segment.objects.create(interview=interview, position=segment_position,
                                         title=part.title[:200])
        for question_position, asked in enumerate(part.questions):
            question = Question.objects.create(segment=segment, position=question_position,
                                               text=asked.text)
            question.addressed_to.set([guests[name] for name in asked.addressed_to])
            for guest_name, text in asked.answers.items():
                guest = guests[guest_name]
                text = _html([text]) if text else kept.get(
                    (segment_position, question_position, guest.pk), "")
                Answer.objects.create(question=question, guest=guest, text=text)
