from django import forms
from django.core.exceptions import ValidationError
from django_ckeditor_5.widgets import CKEditor5Widget

from .models import Answer, Interview, InterviewGuest, Question, Segment
from .services import can_publish


class InterviewForm(forms.ModelForm):
    """The interview form; who may set which status is checked here, on the server.

    Whether the interview is complete enough to publish is decided after its questions and
    answers are saved, by services.publish_interview; when that refuses, the admin shows this
    form again with the refusal as `refusal` (see InterviewAdmin.changeform_view).
    """

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

    def __init__(self, *args, user=None, refusal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.refusal = refusal

    def clean_status(self):
        status = self.cleaned_data["status"]
        was_published = self.instance.pk and self.instance.status == Interview.Status.PUBLISHED
        published = Interview.Status.PUBLISHED
        if status == published and not was_published and not can_publish(self.user):
            raise ValidationError(
                "Reporters cannot publish. Choose “Answered” to tell an editor it is ready."
            )
        if was_published and status != published and not can_publish(self.user):
            raise ValidationError("Only editors can unpublish an interview.")
        return status

    def clean_publish_at(self):
        publish_at = self.cleaned_data.get("publish_at")
        if publish_at != self.instance.publish_at and not can_publish(self.user):
            raise ValidationError("Only editors can set or change the publication time.")
        return publish_at

    def clean(self):
        cleaned = super().clean()
        if self.refusal:
            # Nothing was saved: the whole attempt was rolled back. Say why, on the status.
            self.add_error("status", ValidationError(self.refusal))
        return cleaned


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
