import re

from django import forms
from django.core.exceptions import ValidationError
from django_ckeditor_5.widgets import CKEditor5Widget
from taggit.forms import TagWidget
from taggit.utils import _parse_tags

from .images import ALLOWED_EXTENSIONS, prepare_upload, save_photo
from .models import Article, Photo
from .services import can_publish


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


class ArticleForm(forms.ModelForm):
    """The story form; who may set which status is checked here, on the server."""

    class Meta:
        model = Article
        fields = [
            "kicker", "title", "slug", "standfirst", "section", "body", "lead_photo", "status",
            "publish_at", "updated_at", "tags", "related", "discussion_prompt", "comment_mode",
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

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_status(self):
        status = self.cleaned_data["status"]
        was_published = self.instance.pk and self.instance.status == Article.Status.PUBLISHED
        if status == Article.Status.PUBLISHED and not was_published and not can_publish(self.user):
            raise ValidationError(
                "Reporters cannot publish. Choose “In review” to send the story to an editor."
            )
        if was_published and status != Article.Status.PUBLISHED and not can_publish(self.user):
            raise ValidationError("Only editors can unpublish a story.")
        return status

    def clean_publish_at(self):
        publish_at = self.cleaned_data.get("publish_at")
        if publish_at != self.instance.publish_at and not can_publish(self.user):
            raise ValidationError("Only editors can set or change the publication time.")
        return publish_at


def parse_tags(text):
    """Tags as editors type them, without those that hold no letter or digit ("#", "!"):
    such a tag could have no address of its own."""
    return [name for name in _parse_tags(text) if re.search(r"\w", name)]
