"""The interview workflow. The admin, the seed loader and any importer all call these."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from articles.search import plain_text

from .models import Interview
from .search import refresh_search_text

PUBLISH_PERMISSION = "interviews.publish_interview"


def can_publish(user):
    return user is not None and user.has_perm(PUBLISH_PERMISSION)


def _require_publisher(user):
    if user is not None and not can_publish(user):
        raise PermissionDenied("Only editors can publish or unpublish interviews.")


def describe(question):
    """“Section 1, question 2 (Dr. Hassan): Can you shed some light on…”."""
    who = ", ".join(guest.short_name for guest in question.awaiting)
    words = Truncator(plain_text(question.text)).words(10, truncate="…")
    return f"Section {question.segment_number}, question {question.number} ({who}): {words}"


def _require_answers(interview, what):
    if not interview.lineup.exists():
        raise ValidationError(f"An interview needs at least one guest before it can be {what}.")
    missing = interview.unanswered_questions()
    if missing:
        raise ValidationError([f"Unanswered: {describe(question)}" for question in missing])


@transaction.atomic
def mark_answered(interview, *, by=None):
    """Every guest has answered every question put to them: ready for an editor."""
    if interview.status == Interview.Status.PUBLISHED:
        raise ValidationError("This interview is already published.")
    _require_answers(interview, "marked as answered")
    interview.status = Interview.Status.ANSWERED
    interview.save(update_fields=["status", "modified_at"])


@transaction.atomic
def publish_interview(interview, *, by=None, at=None):
    """Publish now, or at `at` (a future time schedules it). Refused while any question lacks
    an answer; the refusal names each one.

    `by=None` is the system itself (seed loader); a user needs the publish permission.
    """
    _require_publisher(by)
    if not interview.title.strip():
        raise ValidationError("An interview needs a title before it can be published.")
    _require_answers(interview, "published")
    interview.status = Interview.Status.PUBLISHED
    if at is not None:
        interview.publish_at = at
    elif interview.publish_at is None:
        interview.publish_at = timezone.now()
    interview.save()
    # Whoever saved the transcript, it goes public with a current search index.
    refresh_search_text(interview)


@transaction.atomic
def unpublish_interview(interview, *, by=None):
    """Take it off the site; it goes back to “answered” (or “preparing” if it no longer is)."""
    _require_publisher(by)
    complete = interview.lineup.exists() and not interview.unanswered_questions()
    interview.status = Interview.Status.ANSWERED if complete else Interview.Status.PREPARING
    interview.save(update_fields=["status", "modified_at"])
