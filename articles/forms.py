import re
from types import SimpleNamespace

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django_ckeditor_5.widgets import CKEditor5Widget
from taggit.forms import TagWidget
from taggit.utils import _parse_tags

from . import publishing
from .images import ALLOWED_EXTENSIONS, prepare_upload, save_photo
from .models import Article, Photo


class PhotoForm(forms.ModelForm):
    class Meta:
        model = Photo
        fields = ["image", "alt_text", "caption", "credit"]
        widgets = {
            "image": forms.ClearableFileInput(
                attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)}
            ),
        }

    def clean_image(self):
        image = self.cleaned_data.get("image")
        # A new upload arrives as an UploadedFile; an unchanged one is the stored FieldFile.
        if image and hasattr(image, "content_type"):
            return prepare_upload(image)
        return image

    def save(self, commit=True):
        photo = super().save(commit=False)
        if commit:
            save_photo(photo)
        return photo


class PublishingFormMixin:
    """The status and publication time of a story or an interview, as the policy
    (articles.publishing) lets `user` set them.

    The status list offers only what the user may choose; a forged choice gets the policy's
    reason rather than "not a valid choice". Without a user, the form allows what an
    anonymous visitor may: no publishing.
    """

    publish_refusal = "Reporters cannot publish."
    unpublish_refusal = "Only editors can unpublish this."

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None else AnonymousUser()
        self.allowed_statuses = publishing.allowed_statuses(self.user, self.instance)
        status = self.fields.get("status")
        if status is not None:
            # Only the widget's list: validation still knows every status (see clean_status).
            status.widget.choices = [choice for choice in status.choices
                                     if choice[0] in self.allowed_statuses]

    def clean_status(self):
        status = self.cleaned_data["status"]
        stored = self.instance.status if self.instance.pk else None
        if status != stored and status not in self.allowed_statuses:
            raise ValidationError(self.unpublish_refusal if stored == publishing.PUBLISHED
                                  else self.publish_refusal)
        return status

    def clean_publish_at(self):
        publish_at = self.cleaned_data.get("publish_at")
        stored = self.instance.publish_at
        # The form shows whole seconds: an unchanged time comes back without its fraction
        # (publishing from the list stamps one), and is the stored time, not a change of it.
        if publish_at is not None and stored is not None and publish_at == stored.replace(
                microsecond=0):
            publish_at = stored
        if (publish_at != self.instance.publish_at
                and not publishing.can_publish(self.user, self.instance)):
            raise ValidationError("Only editors can set or change the publication time.")
        return publish_at


class ArticleForm(PublishingFormMixin, forms.ModelForm):
    """The story form; who may set which status is checked here, on the server."""

    publish_refusal = ("Reporters cannot publish. "
                       "Choose “In review” to send the story to an editor.")
    unpublish_refusal = "Only editors can unpublish a story."

    class Meta:
        model = Article
        fields = [
            "kicker", "title", "slug", "standfirst", "section", "body", "lead_photo", "status",
            "publish_at", "embargo_until", "updated_at", "tags", "related",
            "discussion_prompt", "comment_mode",
        ]
        widgets = {
            "body": CKEditor5Widget(config_name="default"),
            "title": forms.TextInput(attrs={"class": "vLargeTextField", "size": 80}),
            "slug": forms.TextInput(attrs={"class": "vLargeTextField", "size": 80}),
            "standfirst": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "tags": TagWidget(attrs={"class": "vLargeTextField", "size": 80}),
            "discussion_prompt": forms.TextInput(attrs={"class": "vLargeTextField",
                                                        "size": 80}),
        }

    def clean_embargo_until(self):
        embargo = self.cleaned_data.get("embargo_until")
        stored = self.instance.embargo_until if self.instance.pk else None
        # The form shows whole seconds: an unchanged embargo comes back without its fraction.
        if embargo is not None and stored is not None and embargo == stored.replace(
                microsecond=0):
            return stored
        return embargo

    def clean(self):
        """Publishing before an embargo ends, or removing or bringing one forward, is for
        those allowed to lift embargoes (articles.publishing): anyone else is told why."""
        cleaned = super().clean()
        if "embargo_until" not in self.fields:
            return cleaned
        stored = self.instance.embargo_until if self.instance.pk else None
        wanted = SimpleNamespace(
            status=cleaned.get("status", self.instance.status),
            publish_at=cleaned.get("publish_at", self.instance.publish_at),
            embargo_until=cleaned.get("embargo_until"),
        )
        embargo = publishing.lifted_embargo(wanted, stored)
        if embargo is not None and not publishing.can_lift_embargo(self.user, Article):
            self.add_error("embargo_until", publishing.embargo_refusal(embargo))
        return cleaned


def parse_tags(text):
    """Tags as editors type them, without those that hold no letter or digit ("#", "!"):
    such a tag could have no address of its own."""
    return [name for name in _parse_tags(text) if re.search(r"\w", name)]
