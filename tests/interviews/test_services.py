"""Publishing goes through interviews.services, which refuses while answers are missing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from interviews import services
from interviews.models import Interview

from .factories import (
    AnswerFactory,
    GuestFactory,
    InterviewFactory,
    QuestionFactory,
    SegmentFactory,
    build_interview,
)

pytestmark = pytest.mark.django_db


def preparing_interview(**fields):
    """Dr. Hassan and Colonel Miller; section 1's second question still lacks Dr. Hassan."""
    hassan = GuestFactory(name="Omar Hassan", honorific="Dr.")
    miller = GuestFactory(name="James Miller", honorific="Colonel")
    interview = InterviewFactory(guests=[hassan, miller], status=Interview.Status.PREPARING,
                                 publish_at=None, **fields)
    segment = SegmentFactory(interview=interview, title="The militia offensive", position=0)
    first = QuestionFactory(segment=segment, position=0, addressed_to=[miller],
                            text="From a military perspective, what are the implications?")
    AnswerFactory(question=first, guest=miller, text="<p>Serious ones.</p>")
    second = QuestionFactory(segment=segment, position=1, addressed_to=[hassan],
                             text="Can you shed some light on the motivations of these "
                                  "militias and the groups involved in the offensive?")
    AnswerFactory(question=second, guest=hassan, text="…")
    return interview, second, hassan


def test_publishing_is_refused_naming_each_unanswered_question():
    interview, _, _ = preparing_interview()

    with pytest.raises(ValidationError) as error:
        services.publish_interview(interview)

    assert error.value.messages == [
        "Unanswered: Part 1, question 2 (Dr. Hassan): Can you shed some light on the "
        "motivations of these…"
    ]
    interview.refresh_from_db()
    assert interview.status == Interview.Status.PREPARING
    assert interview.publish_at is None


def test_refusal_lists_every_guest_still_owing_an_answer():
    interview = build_interview(guests=2, segments=1, questions=1, answered=False,
                                status=Interview.Status.PREPARING)
    names = ", ".join(appearance.guest.short_name for appearance in interview.lineup.all())
    with pytest.raises(ValidationError) as error:
        services.publish_interview(interview)
    assert error.value.messages[0].startswith(f"Unanswered: Part 1, question 1 ({names}): ")


def test_publishing_once_every_answer_is_in():
    interview, question, hassan = preparing_interview()
    answer = question.answers.get(guest=hassan)
    answer.text = "<p>They want the road to the coast.</p>"
    answer.save()

    services.publish_interview(interview)

    interview.refresh_from_db()
    assert interview.status == Interview.Status.PUBLISHED
    assert interview.publish_at <= timezone.now()
    assert Interview.objects.published().filter(pk=interview.pk).exists()


def test_publishing_at_a_future_time_schedules_it():
    interview = build_interview(status=Interview.Status.ANSWERED, publish_at=None)
    later = timezone.now() + timedelta(days=1)
    services.publish_interview(interview, at=later)
    interview.refresh_from_db()
    assert interview.is_scheduled and not interview.is_public


def test_an_interview_without_guests_cannot_be_published():
    interview = InterviewFactory(status=Interview.Status.PREPARING)
    with pytest.raises(ValidationError, match="at least one guest"):
        services.publish_interview(interview)


def test_reporters_cannot_publish_or_unpublish(reporter, editor):
    interview = build_interview(status=Interview.Status.ANSWERED, publish_at=None)
    with pytest.raises(PermissionDenied):
        services.publish_interview(interview, by=reporter)
    services.publish_interview(interview, by=editor)
    with pytest.raises(PermissionDenied):
        services.unpublish_interview(interview, by=reporter)
    services.unpublish_interview(interview, by=editor)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.ANSWERED


def test_mark_answered_uses_the_same_rule(reporter):
    interview, question, hassan = preparing_interview(created_by=reporter)
    with pytest.raises(ValidationError, match="Part 1, question 2"):
        services.mark_answered(interview, by=reporter)
    answer = question.answers.get(guest=hassan)
    answer.text = "<p>Done.</p>"
    answer.save()
    services.mark_answered(interview, by=reporter)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.ANSWERED


def test_services_refuse_what_the_policy_refuses_a_reporter(reporter):
    live = build_interview(title="Live", created_by=reporter)
    with pytest.raises(PermissionDenied):
        services.mark_answered(live, by=reporter)
    before = Interview.objects.get(pk=live.pk)
    live.title = "Changed by a reporter"
    with pytest.raises(PermissionDenied):
        services.save_interview(live, by=reporter, before=before)

    preparing = build_interview(status=Interview.Status.PREPARING, publish_at=None,
                                created_by=reporter)
    before = Interview.objects.get(pk=preparing.pk)
    preparing.publish_at = timezone.now() + timedelta(days=1)
    with pytest.raises(PermissionDenied, match="publication time"):
        services.save_interview(preparing, by=reporter, before=before)
    preparing.publish_at, preparing.status = None, Interview.Status.PUBLISHED
    with pytest.raises(PermissionDenied):
        services.save_interview(preparing, by=reporter, before=before)

    assert Interview.objects.get(pk=live.pk).title == "Live"
    assert Interview.objects.get(pk=live.pk).status == Interview.Status.PUBLISHED
    row = Interview.objects.get(pk=preparing.pk)
    assert (row.status, row.publish_at) == (Interview.Status.PREPARING, None)
    # What the policy allows goes through.
    preparing.status = Interview.Status.PREPARING
    preparing.title = "Retitled by a reporter"
    services.save_interview(preparing, by=reporter, before=before)
    assert Interview.objects.get(pk=preparing.pk).title == "Retitled by a reporter"
