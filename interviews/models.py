import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import Truncator, slugify
from taggit.managers import TaggableManager

from articles import history
from articles.models import (
    PUBLISHED,
    Article,
    Author,
    BasePreviewLink,
    Photo,
    Publishable,
    PublishableQuerySet,
)
from articles.sanitize import clean_html
from articles.search import plain_lines, plain_text

from . import search

# /interviews/guests/<slug>/ lists a guest's interviews, so no interview may take this slug.
RESERVED_SLUGS = {"guests"}
# What an answer holds while the guest has not yet given one: nothing, or dots as a marker.
_PLACEHOLDER = re.compile(r"[\s.…]*")


def validate_interview_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is used by the site itself; choose another slug.")


def is_blank_answer(text):
    """True for an answer that says nothing yet: empty, whitespace, "…" or "..."."""
    return _PLACEHOLDER.fullmatch(plain_text(text or "").replace("\xa0", " ")) is not None


def has_answer_text(text):
    """What Answer.save() stores as `has_text`: real words once the text is sanitised."""
    return not is_blank_answer(clean_html(text or ""))


# Keeping the search text current ---------------------------------------------------------------
# An interview's search text holds its guests' names, its parts, questions, answers and
# closing (interviews.search). The rows below say when they change: saved, deleted, created or
# updated in bulk. interviews.search refreshes each interview once when the transaction commits.


def _follow(obj, path):
    """The value at `path` ("segment__interview_id") from `obj` through relations already
    loaded, or `_UNKNOWN` when one of them is not."""
    *relations, field = path.split("__")
    for name in relations:
        if obj is None or not obj._meta.get_field(name).is_cached(obj):
            return _UNKNOWN
        obj = getattr(obj, name)
    return getattr(obj, field) if obj is not None else None


_UNKNOWN = object()


class TranscriptQuerySet(models.QuerySet):
    """Bulk changes to rows of the transcript mark their interviews' search text stale."""

    def _interview_ids(self):
        path = self.model.interview_path
        return set(self.order_by().values_list(path, flat=True).distinct())

    def update(self, **kwargs):
        ids = self._interview_ids()
        rows = super().update(**kwargs)
        search.refresh_later(ids, using=self.db)
        return rows

    update.alters_data = True

    def delete(self):
        ids = self._interview_ids()
        result = super().delete()
        search.refresh_later(ids, using=self.db)
        return result

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        search.refresh_later(set().union(*(obj.interview_ids() for obj in objs)), using=self.db)
        return objs


class PartOfTranscript:
    """A model whose rows are part of an interview's search text (see TranscriptQuerySet).

    `interview_path` leads from the model to its interview's id.
    """

    interview_path = "interview_id"

    def interview_ids(self):
        found = _follow(self, self.interview_path)
        if found is not _UNKNOWN:
            return {found}
        return set(type(self)._base_manager.using(self._state.db).filter(pk=self.pk)
                   .values_list(self.interview_path, flat=True))

    def changes_search_text(self, adding, update_fields):
        return True

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if self.changes_search_text(adding, kwargs.get("update_fields")):
            search.refresh_later(self.interview_ids(), using=self._state.db)

    def delete(self, *args, **kwargs):
        ids, using = self.interview_ids(), self._state.db
        result = super().delete(*args, **kwargs)
        search.refresh_later(ids, using=using)
        return result


class Guest(PartOfTranscript, models.Model):
    """A person interviewed; one row serves every interview they give."""

    # Their name and credentials are part of the search text of every interview they are in.
    interview_path = "interviewguest__interview_id"
    SEARCHED_FIELDS = {"name", "honorific", "credentials"}

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True,
                            help_text="The last part of the guest's page address.")
    honorific = models.CharField(max_length=40, blank=True,
                                 help_text="Shown before the name, e.g. “Dr.” or “Colonel”.")
    credentials = models.CharField(
        max_length=300, blank=True,
        help_text="Who they are, in one line, e.g. “Historian of the Calvessan civil war”.",
    )
    bio = models.TextField("short bio", blank=True)
    photo = models.ForeignKey(Photo, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    objects = TranscriptQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:120] or "guest"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("interviews:guest", kwargs={"slug": self.slug})

    def changes_search_text(self, adding, update_fields):
        # A new guest is in no interview yet.
        return not adding and (update_fields is None
                               or bool(self.SEARCHED_FIELDS & set(update_fields)))

    @property
    def full_name(self):
        return f"{self.honorific} {self.name}".strip()

    @property
    def short_name(self):
        """How a transcript addresses them: “Dr. Hassan”, or the full name without a title."""
        if self.honorific and self.name.split():
            return f"{self.honorific} {self.name.split()[-1]}"
        return self.name


def _one_level_in(ref):
    """`ref` as seen from a subquery one level further in (plain values stay as they are)."""
    return OuterRef(ref) if isinstance(ref, F) else ref


def answers_owed(question, interview):
    """The one rule for "unanswered", as three querysets of rows that carry a `guest_id`.

    A question is for the guests it is addressed to, or for the interview's whole line-up when
    it is addressed to nobody in particular. A guest owes it an answer until there is one that
    is not blank (is_blank_answer). Returns (addressees, addressees who owe an answer, line-up
    guests who owe one). `question` and `interview` are primary keys, or OuterRef()s when the
    rule runs inside a query over questions (QuestionQuerySet.unanswered).
    """
    addressees = Question.addressed_to.through.objects.filter(question=question)
    lineup = InterviewGuest.objects.filter(interview=interview)
    real_answer = Answer.objects.filter(question=_one_level_in(question),
                                        guest=OuterRef("guest_id"), has_text=True)
    return addressees, addressees.exclude(Exists(real_answer)), lineup.exclude(Exists(real_answer))


def guests_owing(addressees, lineup, answered):
    """answers_owed for a transcript still in memory (the admin's form, before anything is
    saved): the guests a question is addressed to, or the whole line-up when it is addressed
    to nobody in particular, less those whose answer has text (has_answer_text)."""
    return [guest for guest in (addressees or lineup) if guest not in answered]


def lineup():
    """An interview's guests in billing order, with their photos, as `interview.lineup.all()`."""
    return Prefetch("lineup", queryset=InterviewGuest.objects.select_related("guest__photo"))


class InterviewQuerySet(PublishableQuerySet):
    # An interview goes public no earlier than the embargo of the story it accompanies.
    embargo_field = "article__embargo_until"
    # Besides whoever created it, it is its interviewer's (when they have a staff account).
    named_owner_field = "interviewer__user"

    def with_lineup(self):
        """Each interview's guests in billing order, as `interview.lineup.all()`."""
        return self.prefetch_related(lineup())

    def for_listing(self):
        return (
            self.published()
            .select_related("interviewer")
            .with_lineup()
            .order_by("-publish_at", "-pk")
        )

    def for_page(self):
        """An interview's own row for its page; the rest comes with `load_parts()` inside the
        fragments that show it, so a page whose fragments are kept asks for no more."""
        return self.select_related("interviewer", "article__section").defer("search_vector")

    def for_detail(self):
        """An interview with everything its page shows (previews, which keep no fragments)."""
        return self.for_page().prefetch_related(*Interview.page_parts())

    def with_unanswered_count(self):
        """`unanswered_count` on every row, counted by the database (for the change list)."""
        counts = (
            Question.objects.filter(segment__interview=OuterRef("pk"))
            .unanswered()
            .order_by()
            .values("segment__interview")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(unanswered_count=Coalesce(Subquery(counts), Value(0)))


class Interview(Publishable, models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing"
        ANSWERED = "answered", "Answered (ready to publish)"
        PUBLISHED = PUBLISHED, "Published"

    CommentMode = Article.CommentMode

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, validators=[validate_interview_slug],
                            help_text="The last part of the interview's address.")
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="interviews",
        help_text="The story this interview accompanies, if any.",
    )
    interviewer = models.ForeignKey(Author, on_delete=models.PROTECT,
                                    related_name="interviews_conducted")
    introduction = models.TextField(blank=True)
    closing = models.TextField(blank=True)
    prep_notes = models.TextField(
        "preparation notes", blank=True,
        help_text="Internal notes for the interviewer. Never shown to readers.",
    )
    guests = models.ManyToManyField(Guest, through="InterviewGuest", related_name="interviews",
                                    blank=True)
    tags = TaggableManager(blank=True)
    comment_mode = models.CharField(max_length=10, choices=Article.CommentMode,
                                    default=Article.CommentMode.MODERATED)

    status = models.CharField(max_length=10, choices=Status, default=Status.PREPARING,
                              db_index=True)
    publish_at = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text="When the interview goes live. A future time schedules it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    # For search (interviews/search.py); never the prep notes. The introduction as plain
    # text, kept current by save(); the transcript (guests, parts, questions, answers,
    # closing) as plain text, kept current by search.refresh_search_text().
    introduction_text = models.TextField(blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    # PostgreSQL only: title (A), introduction (B), transcript (C), GIN-indexed (migration
    # 0003); on SQLite it stays empty.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        permissions = [
            ("publish_interview", "Can publish and unpublish interviews"),
        ]
        indexes = [models.Index(fields=["status", "publish_at"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:200] or "interview"
        self.introduction = clean_html(self.introduction)
        self.closing = clean_html(self.closing)
        self.introduction_text = plain_lines(self.introduction)
        fields = kwargs.get("update_fields")
        if fields is not None and "introduction" in fields:
            kwargs["update_fields"] = {*fields, "introduction_text"}
        super().save(*args, **kwargs)
        searchable = {"title", "introduction"}
        if search.uses_postgres() and (fields is None or searchable & set(fields)):
            Interview.objects.filter(pk=self.pk).update(search_vector=search.search_vector())
        if fields is None or "closing" in fields:
            # The closing ends the transcript's search text.
            search.refresh_later([self.pk], using=self._state.db)

    def get_absolute_url(self):
        return reverse("interviews:detail", kwargs={"slug": self.slug})

    def get_preview_url(self):
        return reverse("interview-preview", kwargs={"pk": self.pk})

    def get_preview_link_url(self, token):
        return reverse("interview-preview-link", kwargs={"token": token})

    def embargo_end(self):
        """The embargo of the story it accompanies: the interview would give the story away."""
        return self.article.embargo_until if self.article_id else None

    @property
    def summary(self):
        """The introduction's opening words, for listings and search-engine descriptions."""
        return Truncator(plain_text(self.introduction)).words(40)

    @property
    def lead_photo(self):
        """The first guest photo, for social cards (from the prefetched line-up)."""
        return next((appearance.guest.photo for appearance in self.lineup.all()
                     if appearance.guest.photo_id), None)

    def unanswered_questions(self):
        """The questions some guest has yet to answer, in interview order.

        Each comes numbered as readers would count them (`segment_number`, `number`, from 1)
        and with `awaiting`, the guests whose answer is missing.
        """
        missing = set(
            Question.objects.filter(segment__interview=self).unanswered()
            .values_list("pk", flat=True)
        )
        if not missing:
            return []
        billing = {guest_id: index for index, guest_id in enumerate(
            self.lineup.values_list("guest_id", flat=True))}
        found = []
        segments = self.segments.prefetch_related("questions")
        for segment_number, segment in enumerate(segments, start=1):
            for number, question in enumerate(segment.questions.all(), start=1):
                if question.pk in missing:
                    question.segment = segment
                    question.segment_number, question.number = segment_number, number
                    question.awaiting = sorted(
                        question.guests_owing_answer(self.pk),
                        key=lambda guest: (billing.get(guest.pk, len(billing)), guest.name),
                    )
                    found.append(question)
        return found

    @staticmethod
    def page_parts():
        """What an interview's page shows besides the row itself, as prefetch lookups: the
        line-up (guests and their photos), tags, and segments, questions and answers."""
        answers = Answer.objects.select_related("guest")
        questions = Question.objects.prefetch_related(Prefetch("answers", queryset=answers))
        return [
            lineup(),
            "tags",
            Prefetch("segments__questions", queryset=questions),
        ]

    def load_parts(self):
        """Load `page_parts()` now, one query each, unless they already are."""
        models.prefetch_related_objects([self], *self.page_parts())

    def transcript(self):
        """Segments with their questions, each question's `replies` in the guests' order.

        Works from what for_detail() or load_parts() prefetched; makes no query of its own.
        """
        order = {appearance.guest_id: index
                 for index, appearance in enumerate(self.lineup.all())}
        segments = list(self.segments.all())
        for number, segment in enumerate(segments, start=1):
            segment.number = number
            segment.anchor = f"segment-{number}"
            for question in segment.questions.all():
                question.replies = sorted(
                    question.answers.all(),
                    key=lambda answer: (order.get(answer.guest_id, len(order)), answer.pk),
                )
        return segments


class InterviewGuest(PartOfTranscript, models.Model):
    """A guest's place in one interview, in billing order."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="lineup")
    guest = models.ForeignKey(Guest, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TranscriptQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "guest"], name="unique_interview_guest"),
        ]
        verbose_name = "guest"
        verbose_name_plural = "Guests (in order)"

    def __str__(self):
        return str(self.guest)


class Segment(PartOfTranscript, models.Model):
    """A titled part of an interview, e.g. “The militia offensive”."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)

    objects = TranscriptQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        # "Part" on screen: the site's sections (World, Politics…) are something else.
        verbose_name = "part"
        verbose_name_plural = "parts"

    def __str__(self):
        return self.title


class QuestionQuerySet(TranscriptQuerySet):
    def unanswered(self):
        """Questions at least one of their guests has not answered (see answers_owed)."""
        addressees, owed_by_addressees, owed_by_lineup = answers_owed(
            OuterRef("pk"), OuterRef("segment__interview_id")
        )
        return self.filter(
            Q(Exists(owed_by_addressees))
            | (~Q(Exists(addressees)) & Q(Exists(owed_by_lineup)))
        )


class Question(PartOfTranscript, models.Model):
    interview_path = "segment__interview_id"

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(help_text="As the interviewer asks it.")
    addressed_to = models.ManyToManyField(
        Guest, blank=True, related_name="questions",
        help_text="Leave empty to ask every guest of the interview.",
    )
    is_follow_up = models.BooleanField(
        "follow-up", default=False, help_text="A follow-up to the question before it.",
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return Truncator(self.text).words(12)

    def guests_owing_answer(self, interview_id):
        """The guests whose answer to this question is still missing (see answers_owed)."""
        addressees, owed_by_addressees, owed_by_lineup = answers_owed(self.pk, interview_id)
        owed = owed_by_addressees if addressees.exists() else owed_by_lineup
        return Guest.objects.filter(pk__in=owed.values("guest_id"))


class Answer(PartOfTranscript, models.Model):
    interview_path = "question__segment__interview_id"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    guest = models.ForeignKey(Guest, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    # False while the text is blank or a placeholder ("…"); kept current by save().
    has_text = models.BooleanField(default=False, editable=False)

    objects = TranscriptQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "guest"], name="one_answer_per_guest"),
        ]

    def __str__(self):
        return f"{self.guest.short_name}: {Truncator(plain_text(self.text)).words(8)}"

    def save(self, *args, **kwargs):
        self.text = clean_html(self.text)
        self.has_text = not is_blank_answer(self.text)  # has_answer_text(), sanitised once
        if kwargs.get("update_fields") is not None and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "has_text"}
        super().save(*args, **kwargs)


class InterviewRedirect(models.Model):
    """A slug an interview used to have: its old address answers with a permanent redirect."""

    old_slug = models.SlugField(max_length=200, unique=True)
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.old_slug


class InterviewPreviewLink(BasePreviewLink):
    """A preview link for an interview (see articles.models.BasePreviewLink)."""

    target_field = "interview"

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE,
                                  related_name="preview_links")

    class Meta(BasePreviewLink.Meta):
        pass
# An interview's revision holds its line-up, parts, questions, answers and tag links
# (articles.history); registered before the admin is loaded.
history.register(Interview, follow=["lineup", "segments", "tagged_items"])
history.register(InterviewGuest)
history.register(Segment, follow=["questions"])
history.register(Question, follow=["answers"])
history.register(Answer)
