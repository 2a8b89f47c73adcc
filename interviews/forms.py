from django import forms
from django.core.exceptions import ValidationError
from django_ckeditor_5.widgets import CKEditor5Widget

from articles.forms import PublishingFormMixin

from . import services
from .models import (
    Answer,
    Guest,
    Interview,
    InterviewGuest,
    Question,
    Segment,
    guests_owing,
    has_answer_text,
)

# The statuses that need every question answered, and how a refusal names them.
NEEDS_ANSWERS = {Interview.Status.ANSWERED: "marked as answered",
                 Interview.Status.PUBLISHED: "published"}


class InterviewForm(PublishingFormMixin, forms.ModelForm):
    """The interview form; who may set which status is checked here, on the server.

    An interview marked as answered or published needs every question answered: with the
    `transcript` its guests, parts, questions and answers were submitted in (the admin's
    nested formsets, SubmittedTranscript), the form refuses before anything is saved and names
    each unanswered question on the status field.
    """

    publish_refusal = "Reporters cannot publish. Choose “Answered” to tell an editor it is ready."
    unpublish_refusal = "Only editors can unpublish an interview."

    class Meta:
        model = Interview
        fields = [
            "title", "slug", "article", "interviewer", "introduction", "closing", "prep_notes",
            "status", "publish_at", "tags", "comment_mode",
        ]
        widgets = {
            "introduction": CKEditor5Widget(config_name="default"),
            "closing": CKEditor5Widget(config_name="default"),
            "prep_notes": forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, transcript=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.transcript = transcript

    def clean(self):
        cleaned = super().clean()
        what = NEEDS_ANSWERS.get(cleaned.get("status"))
        # Formsets with errors of their own say so first; this waits for a clean submission.
        if what and self.transcript is not None and self.transcript.is_valid():
            problems = services.readiness_problems(
                bool(self.transcript.lineup()), self.transcript.unanswered, what)
            if problems:
                self.add_error("status", ValidationError(problems))
        return cleaned


class SubmittedTranscript:
    """The line-up and the parts, questions and answers as submitted with an interview
    form, read from the admin's (nested) formsets before anything is saved.

    `formsets` is every formset of the page, set by the admin once it has made them.
    """

    def __init__(self):
        self.formsets = []

    def _top(self, model):
        return [formset for formset in self.formsets
                if formset.model is model and not getattr(formset, "is_nested", False)]

    def is_valid(self):
        """Known (the admin has made the formsets) and every formset valid. Each formset
        validates once: the admin reads the same results afterwards."""
        return bool(self.formsets) and all([formset.is_valid() for formset in self.formsets])

    def lineup(self):
        """The guests' ids, in billing order."""
        rows = [form.cleaned_data for formset in self._top(InterviewGuest)
                for form in _kept(formset)]
        rows.sort(key=lambda row: row.get("position") or 0)
        return [_pk(row["guest"]) for row in rows]

    def unanswered(self):
        """The questions some guest has yet to answer, numbered as readers count them and with
        `awaiting`, like Interview.unanswered_questions() for the stored interview."""
        lineup = self.lineup()
        found = []
        segments = [form for formset in self._top(Segment) for form in _in_order(formset)]
        for segment_number, segment in enumerate(segments, start=1):
            questions = [form for formset in _nested(segment) for form in _in_order(formset)]
            for number, asked in enumerate(questions, start=1):
                answered = {_pk(form.cleaned_data["guest"]) for formset in _nested(asked)
                            for form in _kept(formset)
                            if has_answer_text(form.cleaned_data.get("text"))}
                addressees = [_pk(guest) for guest in asked.cleaned_data.get("addressed_to")
                              or []]
                owing = guests_owing(addressees, lineup, answered)
                if owing:
                    question = Question(text=asked.cleaned_data.get("text", ""))
                    question.segment_number, question.number = segment_number, number
                    question.awaiting = owing
                    found.append(question)
        # The guests' names, in billing order.
        billing = {pk: index for index, pk in enumerate(lineup)}
        guests = Guest.objects.in_bulk({pk for question in found for pk in question.awaiting})
        for question in found:
            question.awaiting = sorted(
                (guests[pk] for pk in question.awaiting),
                key=lambda guest: (billing.get(guest.pk, len(billing)), guest.name),
            )
        return found


def _pk(guest):
    # A row the user may only view comes back as its initial values: ids, not objects.
    return getattr(guest, "pk", guest)


def _kept(formset):
    """The forms of `formset` that stay: filled in and not marked for deletion."""
    return [form for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")]


def _in_order(formset):
    """_kept forms in the order the rows will have (their position, then as they stand)."""
    kept = _kept(formset)
    return sorted(kept, key=lambda form: (form.cleaned_data.get("position") or 0,
                                          kept.index(form)))


def _nested(form):
    """The formsets nested-admin hangs under a form (a section's questions, a question's
    answers)."""
    return getattr(form, "nested_formsets", [])


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "addressed_to", "is_follow_up", "position"]
        # The order is set by dragging; nested-admin writes the position.
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
                   "position": forms.HiddenInput}


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["title", "position"]
        widgets = {"title": forms.TextInput(attrs={"class": "vTextField", "size": 60}),
                   "position": forms.HiddenInput}


class InterviewGuestForm(forms.ModelForm):
    class Meta:
        model = InterviewGuest
        fields = ["guest", "position"]
        widgets = {"position": forms.HiddenInput}


class AnswerForm(forms.ModelForm):
    class Meta:
        model = Answer
        fields = ["guest", "text"]
        widgets = {"text": CKEditor5Widget(config_name="default")}
