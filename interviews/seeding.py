"""Load the demo interviews in seeds/interviews.json (called at the end of `manage.py seed`).

Running it again changes nothing: guests and interviews are found by their slugs, segments,
questions and answers by their place in the interview, and a row is only written when the seed
says something different. A published interview keeps the time it first went out; the seed
publishes through services.publish_interview, so the demo obeys the same rule as the desk.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from articles import history
from articles.models import Article, Author
from articles.sanitize import clean_html
from articles.seeding import assign, read_seed

from . import services
from .models import Answer, Guest, Interview, InterviewGuest, Question, Segment

SEED_FILE = "interviews.json"
STATUSES = {"published", "answered", "preparing"}


def load_demo_interviews(stdout, path=None):
    path = path or settings.BASE_DIR / "seeds" / SEED_FILE
    data = read_seed(path, check_seed)
    try:
        with transaction.atomic(), \
                history.recorded(None, "Loaded from the demo content (manage.py seed)."):
            guests = {item["slug"]: upsert_guest(item) for item in data["guests"]}
            for item in data["interviews"]:
                # Its guests, parts, questions and answers came after its save: record them.
                history.include(load_interview(item, guests))
    except ValidationError as error:
        raise CommandError(f"{path}: {'; '.join(error.messages)}") from error
    statuses = [item["status"] for item in data["interviews"]]
    summary = ", ".join(f"{statuses.count(s)} {s}" for s in sorted(STATUSES) if s in statuses)
    stdout.write(f"Loaded {path}: {len(guests)} guests, {len(statuses)} interviews ({summary}).")


# Reading the seed --------------------------------------------------------------------------


def check_seed(data):
    if not isinstance(data, dict) or not all(
        isinstance(data.get(key), list) for key in ("guests", "interviews")
    ):
        return ["expected an object with lists “guests” and “interviews”"]
    problems = [f"guest #{number}: needs a “slug” and a “name”"
                for number, item in enumerate(data["guests"], 1)
                if not isinstance(item, dict) or not item.get("slug") or not item.get("name")]
    guests = {item.get("slug") for item in data["guests"] if isinstance(item, dict)}
    for number, item in enumerate(data["interviews"], 1):
        name = item.get("slug") if isinstance(item, dict) else None
        problems += [f"interview {name or f'#{number}'}: {problem}"
                     for problem in check_interview(item, guests)]
    return problems


def check_interview(item, guests):
    required = ("slug", "title", "interviewer", "status", "guests", "sections")
    if not isinstance(item, dict) or any(key not in item for key in required):
        return [f"needs {', '.join(required)}"]
    problems = []
    if item["status"] not in STATUSES:
        problems.append(f"status must be one of {', '.join(sorted(STATUSES))}")
    if item["status"] == "published" and not isinstance(item.get("hours_ago"), int):
        problems.append("a published interview needs hours_ago (a whole number)")
    if not Author.objects.filter(slug=item["interviewer"]).exists():
        problems.append(f"unknown interviewer {item['interviewer']!r}")
    if item.get("article") and not Article.objects.filter(slug=item["article"]).exists():
        problems.append(f"unknown story {item['article']!r}")
    unknown = set(item["guests"]) - guests
    if unknown or not item["guests"]:
        problems.append(f"unknown or missing guests {sorted(unknown)}")
    # The seed file calls an interview's parts "sections" (as the reference page does), and
    # its messages point into the file.
    for s, segment in enumerate(item["sections"], 1):
        if not segment.get("title") or not segment.get("questions"):
            problems.append(f"section {s} needs a title and questions")
            continue
        for q, question in enumerate(segment["questions"], 1):
            named = set(question.get("to", [])) | set(question.get("answers", {}))
            if not question.get("text") or named - set(item["guests"]):
                problems.append(f"section {s}, question {q}: needs text, and may only name "
                                f"the interview's guests")
    return problems


# Saving ------------------------------------------------------------------------------------


def html(paragraphs):
    """Paragraphs (or one string) to HTML, as it will be stored after sanitising."""
    if isinstance(paragraphs, str):
        paragraphs = [paragraphs]
    return clean_html("\n".join(f"<p>{escape(text)}</p>" for text in paragraphs))


def save_if_changed(obj, values):
    changed = assign(obj, values)
    if changed or obj.pk is None:
        obj.full_clean()
        obj.save()
    return obj


def upsert_guest(item):
    guest = Guest.objects.filter(slug=item["slug"]).first() or Guest(slug=item["slug"])
    return save_if_changed(guest, {
        "name": item["name"], "honorific": item.get("honorific", ""),
        "credentials": item.get("credentials", ""), "bio": item.get("bio", ""),
    })


def load_interview(item, guests):
    interview = Interview.objects.filter(slug=item["slug"]).first()
    created = interview is None
    if created:
        interview = Interview(slug=item["slug"], status=Interview.Status.PREPARING)
    article = Article.objects.get(slug=item["article"]) if item.get("article") else None
    save_if_changed(interview, {
        "title": item["title"],
        "article_id": article.pk if article else None,
        "interviewer_id": Author.objects.get(slug=item["interviewer"]).pk,
        "introduction": html(item.get("introduction", [])),
        "closing": html(item.get("closing", [])),
        "prep_notes": item.get("prep_notes", ""),
        "comment_mode": item.get("comment_mode", Interview.CommentMode.MODERATED),
    })
    if set(interview.tags.names()) != set(item.get("tags", [])):
        interview.tags.set(item.get("tags", []))
    set_lineup(interview, [guests[slug] for slug in item["guests"]])
    for position, segment in enumerate(item["sections"]):
        load_segment(interview, position, segment, guests)

    wanted = item["status"]
    if wanted == "published" and interview.status != Interview.Status.PUBLISHED:
        # An interview keeps the time it first went out; only a new one takes the seed's.
        at = interview.publish_at or timezone.now() - timedelta(hours=item["hours_ago"])
        services.publish_interview(interview, at=at)
    elif wanted == "answered" and interview.status == Interview.Status.PREPARING:
        services.mark_answered(interview)
    return interview


def set_lineup(interview, people):
    wanted = [guest.pk for guest in people]
    current = list(interview.lineup.order_by("position").values_list("guest_id", flat=True))
    if current != wanted:
        interview.lineup.all().delete()
        InterviewGuest.objects.bulk_create(
            InterviewGuest(interview=interview, guest_id=pk, position=position)
            for position, pk in enumerate(wanted)
        )


def load_segment(interview, position, item, guests):
    segment = interview.segments.filter(position=position).first() or Segment(
        interview=interview, position=position)
    save_if_changed(segment, {"title": item["title"]})
    for number, entry in enumerate(item["questions"]):
        question = segment.questions.filter(position=number).first() or Question(
            segment=segment, position=number)
        save_if_changed(question, {"text": entry["text"],
                                   "is_follow_up": entry.get("follow_up", False)})
        addressed = {guests[slug].pk for slug in entry.get("to", [])}
        if set(question.addressed_to.values_list("pk", flat=True)) != addressed:
            question.addressed_to.set(addressed)
        for slug, text in entry.get("answers", {}).items():
            answer = Answer.objects.filter(question=question, guest=guests[slug]).first()
            answer = answer or Answer(question=question, guest=guests[slug])
            save_if_changed(answer, {"text": html(text)})
