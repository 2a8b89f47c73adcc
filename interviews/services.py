"""The interview workflow. The admin, the seed loader and the importer all call these.

Who may do what is articles.publishing's to say (the same policy as for stories); these
functions ask it and raise PermissionDenied when it says no. `by=None` is the system itself.
"""

from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from articles import history, publishing
from articles.search import plain_text

from .models import Interview, InterviewRedirect
from .search import refresh_search_text


def restore_version(version, *, by):
    """Make an earlier revision of an interview (or a deleted one) current again, as the
    policy allows `by` (see articles.history.restore)."""
    interview = history.restore(version, by=by, save=save_interview)
    refresh_search_text(interview)
    return interview


def describe(question):
    """“Part 1, question 2 (Dr. Hassan): Can you shed some light on…”."""
    who = ", ".join(guest.short_name for guest in question.awaiting)
    words = Truncator(plain_text(question.text)).words(10, truncate="…")
    return f"Part {question.segment_number}, question {question.number} ({who}): {words}"


def readiness_problems(has_guests, unanswered, what):
    """Why an interview cannot be `what` ("published", "marked as answered") yet: no guest,
    or these questions (numbered, with `awaiting`) lack answers. Empty when it can."""
    if not has_guests:
        return [f"An interview needs at least one guest before it can be {what}."]
    return [f"Unanswered: {describe(question)}" for question in unanswered()]


def _require_answers(interview, what):
    problems = readiness_problems(interview.lineup.exists(), interview.unanswered_questions,
                                  what)
    if problems:
        raise ValidationError(problems)


@history.recording
def save_interview(interview, *, by=None, before=None):
    """Save an interview's own fields (`before`: the stored row, None for a new one). A new
    one is `by`'s: a reporter works on their own (articles.publishing).

    Its status moves through mark_answered and publish_interview, which check its answers.
    """
    publishing.check_save(by, interview, before)
    history.note_status(interview, before)
    if before is not None:
        # Whoever made it stays its owner, also when a revision from before interviews
        # recorded their creator is restored.
        interview.created_by_id = before.created_by_id
    elif interview.created_by_id is None and by is not None:
        interview.created_by = by
    interview.save()
    if before is not None and before.status == Interview.Status.PUBLISHED:
        _remember_old_slug(interview, before.slug)


def _remember_old_slug(interview, old_slug):
    """Readers and links that knew the old address land on the new one (a 301)."""
    # It may be moving back to a slug it once had: that address is live again.
    InterviewRedirect.objects.filter(old_slug=interview.slug).delete()
    if old_slug != interview.slug:
        InterviewRedirect.objects.update_or_create(old_slug=old_slug,
                                                   defaults={"interview": interview})


def find_moved_interview(slug):
    """The published interview that used to live at /interviews/<slug>/, if any."""
    redirect = (InterviewRedirect.objects
                .filter(old_slug=slug, interview__in=Interview.objects.published())
                .select_related("interview").first())
    return redirect.interview if redirect else None


@history.recording
def mark_answered(interview, *, by=None):
    """Every guest has answered every question put to them: ready for an editor."""
    publishing.require_editor_of(by, interview)
    if interview.status == Interview.Status.PUBLISHED:
        raise ValidationError("This interview is already published.")
    _require_answers(interview, "marked as answered")
    interview.status = Interview.Status.ANSWERED
    interview.save(update_fields=["status", "modified_at"])


@history.recording
def publish_interview(interview, *, by=None, at=None):
    """Publish now, or at `at` (a future time schedules it). Refused while any question lacks
    an answer; the refusal names each one."""
    publishing.require_publisher(by, interview)
    if not interview.title.strip():
        raise ValidationError("An interview needs a title before it can be published.")
    _require_answers(interview, "published")
    if not hasattr(interview, "wanted_status"):  # the admin's save already said so
        history.note(history.publishing_note(at))
    publishing.publish(interview, by=by, at=at)
    # Whoever saved the transcript, it goes public with a current search index.
    refresh_search_text(interview)


@history.recording
def unpublish_interview(interview, *, by=None):
    """Take it off the site; it goes back to “answered” (or “preparing” if it no longer is)."""
    publishing.require_publisher(by, interview)
    history.note("Unpublished.")
    complete = interview.lineup.exists() and not interview.unanswered_questions()
    status = Interview.Status.ANSWERED if complete else Interview.Status.PREPARING
    publishing.unpublish(interview, status, by=by)
