"""The interview's rules: what counts as unanswered, what is public, what gets sanitised."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from interviews.models import Answer, Interview, Question, is_blank_answer

from .factories import (
    AnswerFactory,
    GuestFactory,
    InterviewFactory,
    QuestionFactory,
    SegmentFactory,
    build_interview,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["", "   ", "…", "...", " … ", "<p>…</p>", "<p>&nbsp;</p>",
                                  "<p>...</p>\n<p> </p>", ". . .", None])
def test_placeholders_count_as_no_answer(text):
    assert is_blank_answer(text)


@pytest.mark.parametrize("text", ["No.", "<p>Yes…</p>", "<p>It depends.</p>", "42"])
def test_real_words_count_as_an_answer(text):
    assert not is_blank_answer(text)


def two_guest_interview():
    hassan = GuestFactory(name="Omar Hassan", honorific="Dr.")
    miller = GuestFactory(name="James Miller", honorific="Colonel")
    interview = InterviewFactory(guests=[hassan, miller], status=Interview.Status.PREPARING)
    segment = SegmentFactory(interview=interview, title="The offensive", position=0)
    return interview, segment, hassan, miller


def test_question_to_everyone_needs_every_guests_answer():
    interview, segment, hassan, miller = two_guest_interview()
    question = QuestionFactory(segment=segment)  # addressed to nobody in particular: to all

    assert [q.pk for q in interview.unanswered_questions()] == [question.pk]
    AnswerFactory(question=question, guest=hassan, text="<p>The militias want the road.</p>")
    missing = interview.unanswered_questions()
    assert [q.pk for q in missing] == [question.pk]
    assert missing[0].awaiting == [miller]

    AnswerFactory(question=question, guest=miller, text="<p>It cuts the supply line.</p>")
    assert interview.unanswered_questions() == []


def test_question_to_one_guest_needs_only_that_guests_answer():
    interview, segment, hassan, miller = two_guest_interview()
    question = QuestionFactory(segment=segment, addressed_to=[miller])

    AnswerFactory(question=question, guest=hassan, text="<p>Not my field.</p>")
    assert [q.awaiting for q in interview.unanswered_questions()] == [[miller]]

    AnswerFactory(question=question, guest=miller, text="<p>A serious setback.</p>")
    assert interview.unanswered_questions() == []


def test_placeholder_answers_leave_the_question_unanswered_until_filled_in():
    interview, segment, hassan, miller = two_guest_interview()
    question = QuestionFactory(segment=segment)
    first = AnswerFactory(question=question, guest=hassan, text="…")
    AnswerFactory(question=question, guest=miller, text="...")

    assert len(interview.unanswered_questions()) == 1
    assert interview.unanswered_questions()[0].awaiting == [hassan, miller]

    first.text = "<p>Now he has answered.</p>"
    first.save(update_fields=["text"])
    assert Answer.objects.get(pk=first.pk).has_text
    assert interview.unanswered_questions()[0].awaiting == [miller]


def test_follow_ups_are_questions_too_and_are_numbered_in_order():
    interview, segment, hassan, miller = two_guest_interview()
    second = SegmentFactory(interview=interview, title="Russia's role", position=1)
    opening = QuestionFactory(segment=second, position=0, addressed_to=[miller])
    AnswerFactory(question=opening, guest=miller)
    follow_up = QuestionFactory(segment=second, position=1, addressed_to=[hassan],
                                is_follow_up=True, text="And what of the captured soldiers?")

    missing = interview.unanswered_questions()

    assert [q.pk for q in missing] == [follow_up.pk]
    assert (missing[0].segment_number, missing[0].number) == (2, 2)
    assert missing[0].is_follow_up


def test_answers_from_another_interview_do_not_count():
    interview, segment, hassan, miller = two_guest_interview()
    question = QuestionFactory(segment=segment, addressed_to=[hassan])
    other_question = QuestionFactory(segment=SegmentFactory(interview=InterviewFactory()))
    AnswerFactory(question=other_question, guest=hassan)

    assert [q.pk for q in interview.unanswered_questions()] == [question.pk]


def test_change_list_count_is_one_query_for_any_number_of_interviews(
        django_assert_num_queries):
    complete = build_interview(guests=2, segments=2, questions=2)
    half = build_interview(guests=2, segments=2, questions=3, answered=False)
    partly = build_interview(guests=1, segments=1, questions=2)
    Answer.objects.filter(question__segment__interview=partly).first().delete()
    empty = InterviewFactory()

    with django_assert_num_queries(1):
        counts = dict(Interview.objects.with_unanswered_count()
                      .values_list("pk", "unanswered_count"))

    assert counts == {complete.pk: 0, half.pk: 6, partly.pk: 1, empty.pk: 0}
    assert Question.objects.unanswered().count() == 7


def test_only_published_and_due_interviews_are_public():
    now = timezone.now()
    live = InterviewFactory()
    InterviewFactory(status=Interview.Status.PUBLISHED, publish_at=now + timedelta(hours=2))
    InterviewFactory(status=Interview.Status.ANSWERED, publish_at=now - timedelta(days=1))
    InterviewFactory(status=Interview.Status.PREPARING, publish_at=now - timedelta(days=1))

    assert list(Interview.objects.published()) == [live]


def test_rich_text_is_sanitised_when_saved():
    interview = InterviewFactory(
        introduction='<p onclick="x()">Hello<script>alert(1)</script></p>',
        closing='<p><a href="javascript:alert(1)">Bye</a></p>',
    )
    answer = AnswerFactory(text='<p>Fine<img src="x" onerror="alert(1)"></p>')
    interview.refresh_from_db()
    answer.refresh_from_db()
    assert "script" not in interview.introduction and "onclick" not in interview.introduction
    assert "javascript" not in interview.closing
    assert "onerror" not in answer.text


def test_an_interview_cannot_take_the_guest_pages_address():
    interview = InterviewFactory.build(slug="guests", interviewer=InterviewFactory().interviewer)
    with pytest.raises(ValidationError) as error:
        interview.full_clean()
    assert "slug" in error.value.message_dict


def test_guest_names():
    guest = GuestFactory(name="Omar Hassan", honorific="Dr.")
    plain = GuestFactory(name="Leila Aro", honorific="")
    assert (str(guest), guest.short_name) == ("Dr. Omar Hassan", "Dr. Hassan")
    assert (str(plain), plain.short_name) == ("Leila Aro", "Leila Aro")
