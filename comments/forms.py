import hashlib
import math
import secrets
import time

from django import forms
from django.core import signing

from . import conf
from .models import Comment

SALT = "comments.form"
# Hidden fields and the trap take no more than this; longer is a bot or a broken page.
OTHER_FIELD_LIMIT = 1000


def story_key(story):
    return f"{Comment.target_field(story)}:{story.pk}"


def make_token(story, now=None):
    """A signed note of which story's form this is and when it was drawn."""
    now = time.time() if now is None else now
    # Rounded down, so the form never looks younger than it is.
    return signing.dumps({"s": story_key(story), "t": math.floor(now * 100) / 100,
                          "n": secrets.token_urlsafe(9)}, salt=SALT)


class CommentForm(forms.Form):
    email = forms.EmailField(
        label="Email", max_length=254,
        help_text="Never shown or shared (see below).",
        error_messages={"required": "Give your email address; it is never shown.",
                        "invalid": "Enter a valid email address, like name@example.org."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput,
                            error_messages={"required": "This form is incomplete: reload the "
                                                        "page and send your comment again."})
    # The trap: hidden from people by CSS (and from screen readers), filled in by bots.
    website = forms.CharField(
        label="Leave this field empty", required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, story, **kwargs):
        super().__init__(*args, **kwargs)
        self.story = story
        self.elapsed = None
        self.nonce = ""
        # Limits come from settings at form time, so tests and deployments can change them.
        self.fields["author_name"] = forms.CharField(
            label="Name", help_text="Shown with your comment.",
            max_length=Comment._meta.get_field("author_name").max_length,
            error_messages={"required": "Give a name to show with your comment.",
                            "max_length": "Keep your name under %(limit_value)d characters."},
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
        )
        self.fields["body"] = forms.CharField(
            label="Comment", max_length=conf.get("COMMENTS_MAX_LENGTH"),
            error_messages={"required": "Write a comment before sending it.",
                            "max_length": "Keep it under %(limit_value)d characters "
                                          "(it has %(show_value)d)."},
            widget=forms.Textarea(attrs={"rows": 6}),
        )
        self.order_fields(["author_name", "email", "body", "parent", "token", "website"])
        if not self.is_bound:
            self.initial.setdefault("token", make_token(story))
        self.oversized = self._cut_oversized() if self.is_bound else {}

    def _cut_oversized(self):
        """Values over their field's limit are cut to it before anything else reads them, so a
        refused form shows at most the limit back, never the megabyte that was sent."""
        oversized, data = {}, self.data.copy()
        for name, field in self.fields.items():
            limit = getattr(field, "max_length", None) or OTHER_FIELD_LIMIT
            value = data.get(name)
            if isinstance(value, str) and len(value) > limit:
                oversized[name] = len(value)
                data[name] = value[:limit]
        if oversized:
            self.data = data
        return oversized

    def clean(self):
        for name, length in self.oversized.items():
            field = self.fields[name]
            limit = getattr(field, "max_length", None) or OTHER_FIELD_LIMIT
            message = field.error_messages.get("max_length") or (
                "Ensure this value has at most %(limit_value)d characters "
                "(it has %(show_value)d).")
            self.add_error(name, forms.ValidationError(
                message, code="max_length", params={"limit_value": limit, "show_value": length}))
        return super().clean()

    def clean_author_name(self):
        return " ".join(self.cleaned_data["author_name"].split())

    def clean_token(self):
        token = self.cleaned_data["token"]
        try:
            data = signing.loads(token, salt=SALT)
            drawn, nonce, key = float(data["t"]), str(data["n"]), data["s"]
        except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
            raise forms.ValidationError(
                "This form is damaged or out of date: reload the page and send your comment "
                "again.", code="bad_token") from error
        if key != story_key(self.story):
            raise forms.ValidationError("This form belongs to another page: reload the page "
                                        "and send your comment again.", code="bad_token")
        self.elapsed = time.time() - drawn
        if self.elapsed > conf.get("COMMENTS_MAX_FORM_AGE"):
            raise forms.ValidationError(
                "This form has expired (it was opened more than a day ago). Your comment is "
                "still below: send it again.", code="stale")
        self.nonce = nonce
        return token

    @property
    def token_value(self):
        """The token to draw: the one sent back, or a fresh one if it was unusable; a blank
        form's own, drawn when it was made."""
        if not self.is_bound:
            return self.initial["token"]
        if not self.errors.get("token") and self.data.get("token"):
            return self.data["token"]
        return make_token(self.story)

    def submission_key(self):
        """Same form, same words: the same comment, however often the browser sends it."""
        data = self.cleaned_data
        raw = "\x1f".join([self.nonce, data["email"].lower(), data["body"],
                           str(data.get("parent") or "")])
        return hashlib.sha256(raw.encode()).hexdigest()
