from datetime import timedelta

import factory
from django.utils import timezone

from interviews.models import Answer, Guest, Interview, InterviewGuest, Question, Segment
from tests.articles.factories import AuthorFactory


class GuestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guest

    name = factory.Sequence(lambda n: f"Guest Person{n}")
    slug = factory.Sequence(lambda n: f"guest-{n}")
    honorific = "Dr."
    credentials = "Historian of the harbour and its wars"


class InterviewFactory(factory.django.DjangoModelFactory):
    """A published interview with no guests or questions; build those with `build_interview`."""

    class Meta:
        model = Interview
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Interview number {n}")
    slug = factory.Sequence(lambda n: f"interview-{n}")
    interviewer = factory.SubFactory(AuthorFactory)
    introduction = "<p>Welcome to the interview.</p>"
    closing = "<p>Thank you both.</p>"
    prep_notes = "INTERNAL-PREP-NOTE: ask about the supply lines."
    status = Interview.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @factory.post_generation
    def guests(self, create, extracted, **kwargs):
        for position, guest in enumerate(extracted or []):
            InterviewGuest.objects.create(interview=self, guest=guest, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if extracted:
            self.tags.set(extracted)


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    interview = factory.SubFactory(InterviewFactory)
    title = factory.Sequence(lambda n: f"Part {n}")
    position = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    segment = factory.SubFactory(SegmentFactory)
    text = factory.Sequence(lambda n: f"What happened on day {n}, and why?")
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def addressed_to(self, create, extracted, **kwargs):
        if extracted:
            self.addressed_to.set(extracted)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    guest = factory.SubFactory(GuestFactory)
    text = factory.Sequence(lambda n: f"<p>Answer number {n}: it is complicated.</p>")


def build_interview(guests=2, segments=3, questions=2, answered=True, **fields):
    """An interview with `guests` guests and `segments` parts of `questions` questions,
    each put to every guest and (when `answered`) answered by all of them."""
    people = [GuestFactory() for _ in range(guests)]
    interview = InterviewFactory(guests=people, **fields)
    for s in range(segments):
        segment = SegmentFactory(interview=interview, position=s, title=f"Section title {s + 1}")
        for q in range(questions):
            question = QuestionFactory(segment=segment, position=q)
            if answered:
                for guest in people:
                    AnswerFactory(question=question, guest=guest)
    return interview
