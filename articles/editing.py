"""Two people with one story or interview open: nothing is silently overwritten.

- **Edit token.** A change form carries a token naming the state it was opened in (the row's
  `modified_at` and its latest revision). Saving compares it with the stored row, locked
  (`select_for_update`) inside the admin's transaction: when someone saved in between, the save
  is refused with who and when, the form comes back with the person's own text, and the token
  becomes the current one, so that saving again is a deliberate choice to replace theirs.
- **Presence.** While a change form is open, its page tells the server so every
  NEWSROOM_EDIT_HEARTBEAT_SECONDS (static/admin_extra/editing.js); the form shows who else has
  it open. The record lives in the shared cache and lapses NEWSROOM_EDIT_PRESENCE_SECONDS after
  the last sign of life: a soft lock, a notice, never a refusal. The same request keeps the
  editor's session alive.
"""

import logging
import time
from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import history

logger = logging.getLogger(__name__)


# Edit token ------------------------------------------------------------------------------------


def token(obj):
    """The state `obj` is in as stored: “<modified_at>|<latest revision id>”."""
    latest = history.latest_version(obj)
    return f"{obj.modified_at.isoformat()}|{latest.pk if latest else ''}"


def opened_version_id(value):
    _, _, version_id = (value or "").partition("|")
    return int(version_id) if version_id.isdigit() else None


class Conflict:
    """Someone saved `obj` after the form was opened with `sent` (a token)."""

    def __init__(self, obj, sent):
        self.obj = obj
        self.token = token(obj)
        self.latest = history.latest_version(obj)
        self.opened = opened_version_id(sent)
        if self.latest is not None and self.latest.pk != self.opened:
            self.saved_by = history.who(self.latest.revision)
            self.saved_at = self.latest.revision.date_created
        else:
            self.saved_by, self.saved_at = "Someone", obj.modified_at

    @property
    def short_message(self):
        when = timezone.localtime(self.saved_at)
        return (f"Not saved: {self.saved_by} saved it at {when:%H:%M}, after you opened it "
                "(see above).")

    @property
    def message(self):
        noun = self.obj._meta.verbose_name
        if noun == "article":
            noun = "story"
        when = timezone.localtime(self.saved_at)
        return (f"{self.saved_by} saved this {noun} at {when:%H:%M} ({when:%d %b %Y}), after "
                "you opened it, so your changes were not saved. Your version is still in the "
                "form below, and how it differs from theirs is shown above it. Save again to "
                "replace their version with yours, or reload the page to start from theirs.")


def conflict(model, pk, sent):
    """A Conflict when the stored row no longer is what `sent` names; None when it is (or when
    no token was sent: a form from outside the admin's pages). Locks the row until the
    transaction ends, so that two saves cannot both pass."""
    if not sent:
        return None
    stored = model._base_manager.select_for_update().filter(pk=pk).first()
    if stored is None:
        return None
    modified, _, _ = sent.partition("|")
    if modified == stored.modified_at.isoformat():
        return None
    return Conflict(stored, sent)


def with_edit_token(form_class):
    """`form_class` with the hidden edit token, checked when it is saved."""

    class EditTokenForm(form_class):
        edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.conflict = None
            if self.instance.pk is not None:
                self.fields["edit_token"].initial = token(self.instance)

        def clean(self):
            cleaned = super().clean()
            if self.instance.pk is not None:
                name = self.add_prefix("edit_token")
                self.conflict = conflict(type(self.instance), self.instance.pk,
                                         self.data.get(name, ""))
                if self.conflict is not None:
                    self.add_error(None, self.conflict.short_message)
                    # Sent again, the form replaces what they saved: a choice, not an accident.
                    data = self.data.copy()
                    data[name] = self.conflict.token
                    self.data = data
            return cleaned

    EditTokenForm.__name__ = form_class.__name__
    return EditTokenForm


# Presence --------------------------------------------------------------------------------------


def _key(obj):
    return f"newsroom:editing:{obj._meta.label_lower}:{obj.pk}"


def _name(user):
    return user.get_full_name() or user.get_username()


def _people(obj):
    now = time.time()
    people = cache.get(_key(obj)) or {}
    lapse = settings.NEWSROOM_EDIT_PRESENCE_SECONDS
    return {pk: entry for pk, entry in people.items() if entry["seen"] > now - lapse}


def _clock(timestamp):
    return f"{timezone.localtime(datetime.fromtimestamp(timestamp, tz=UTC)):%H:%M}"


def _others(people, user):
    ordered = sorted(people.items(), key=lambda item: item[1]["since"])
    return [{"name": entry["name"], "since": _clock(entry["since"])}
            for pk, entry in ordered if pk != str(user.pk)]


def here(obj, user):
    """`user` has `obj` open now. Returns the others who have it open: [{name, since}]."""
    try:
        people = _people(obj)
        now = time.time()
        mine = people.get(str(user.pk))
        people[str(user.pk)] = {"name": _name(user), "since": mine["since"] if mine else now,
                                "seen": now}
        cache.set(_key(obj), people, settings.NEWSROOM_EDIT_PRESENCE_SECONDS)
        return _others(people, user)
    except Exception:  # noqa: BLE001 - a notice, not a lock: without the cache, no notice
        logger.warning("Could not record who has %s open", _key(obj), exc_info=True)
        return []


def gone(obj, user):
    """`user` closed `obj`'s form."""
    try:
        people = _people(obj)
        if people.pop(str(user.pk), None) is not None:
            cache.set(_key(obj), people, settings.NEWSROOM_EDIT_PRESENCE_SECONDS)
    except Exception:  # noqa: BLE001 - see here()
        logger.warning("Could not record who has %s open", _key(obj), exc_info=True)
