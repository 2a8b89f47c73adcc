"""The publishing policy: who may edit, publish, schedule and unpublish stories and interviews.

One place answers for the admin (change permissions, the status choices it offers, the list
actions), the forms, the services, the story importer (command and admin page) and the staff
preview. `interviews` asks it too; it knows nothing of `interviews` itself.

- Editors hold the `<app>.publish_<model>` permission: they may do everything.
- Reporters add stories and interviews and edit them until they are published, and only their
  own: a story they created or carry the byline of, an interview they created or conduct (its
  interviewer). At the interview desk they see only their own interviews at all: an
  interview's preparation notes are for whoever prepares it. They never publish, schedule,
  set a publication time or unpublish: their status choices stop before "published".
- What readers already see is the editors' to change.
- An embargo keeps a story off every public surface until it ends (the visibility rule in
  models.py). Publishing it for a time before its end, or removing or bringing forward an
  embargo still running, "lifts" it: only users holding `articles.lift_embargo_article` may,
  and each lift is recorded on the story, in the admin's history and in the `newsroom` log.
- A preview link (articles/previews.py) shows a story that is not public to someone without
  an account: whoever may preview stories and edit this one may make one, and revoke it.
- `user=None` is the system itself (migrations, seed loaders, the import command run by the
  operator without --as): it may do anything. Forms never run as the system.

The services raise PermissionDenied when the policy says no, so every caller gets the same
answer whether or not it asked first.
"""

import logging

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .models import PUBLISHED

log = logging.getLogger("newsroom.publishing")


def permission(model, action):
    """`"articles.publish_article"` for (Article or an article, "publish")."""
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def _noun(model):
    return model._meta.verbose_name_plural


def can_add(user, model):
    return user is None or user.has_perm(permission(model, "add"))


def can_publish(user, model):
    """Publish, schedule, unpublish, set the publication time, change what readers see."""
    return user is None or user.has_perm(permission(model, "publish"))


def is_own(user, obj):
    """`obj` (a story or an interview) is `user`'s: see PublishableQuerySet.owned_by. Asked of
    the stored row; its creator also of a deleted one being recovered."""
    if obj.created_by_id is not None and obj.created_by_id == user.pk:
        return True
    return type(obj).objects.filter(pk=obj.pk).owned_by(user).exists()


def at_desk(user, queryset):
    """The rows of `queryset` (interviews) `user` sees at the desk: every one for those who
    may publish them, their own for the others."""
    if can_publish(user, queryset.model):
        return queryset
    return queryset.owned_by(user)


def can_edit(user, obj):
    """Change `obj` (a story or an interview, as stored). A new one: whoever may add one."""
    if obj.pk is None:
        return can_add(user, obj)
    if user is None:
        return True
    if not user.has_perm(permission(obj, "change")):
        return False
    return can_publish(user, obj) or (obj.status != PUBLISHED and is_own(user, obj))


def allowed_statuses(user, obj):
    """The statuses `user` may give `obj`: what its form offers and its save accepts."""
    statuses = [value for value, _ in type(obj).Status.choices]
    if can_publish(user, obj):
        return statuses
    return [status for status in statuses if status != PUBLISHED]


def can_preview(user, model):
    """Open /preview/… for a `model` row that is not public: the desk only."""
    return (user is not None and user.is_active and user.is_staff
            and user.has_perm(permission(model, "view")))


def can_lift_embargo(user, model):
    return user is None or user.has_perm(permission(model, "lift_embargo"))


def can_share_preview(user, obj):
    """Make (and revoke) preview links for `obj`: the desk, for a story they may change."""
    return can_preview(user, type(obj)) and can_edit(user, obj)


def lifted_embargo(obj, stored_embargo, now=None):
    """The embargo that saving `obj` (changed in memory) would lift, or None.

    `stored_embargo` is the embargo as stored (None for a new row). A save lifts an embargo
    still running when it publishes `obj` for a time before the embargo ends, or when it
    removes the stored embargo or brings it forward.
    """
    now = now or timezone.now()
    embargo = getattr(obj, "embargo_until", None)
    if (embargo is not None and embargo > now and obj.status == PUBLISHED
            and (obj.publish_at or now) < embargo):
        return embargo
    if stored_embargo is not None and stored_embargo > now and (
            embargo is None or embargo < stored_embargo):
        return stored_embargo
    return None


def embargo_refusal(embargo):
    when = timezone.localtime(embargo)
    return (f"This story is under embargo until {when:%d %b %Y %H:%M}. Publish it for that "
            "time or later: only editors allowed to lift embargoes can publish it earlier, "
            "bring the embargo forward or remove it.")


# Asking and refusing -------------------------------------------------------------------------


def require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


def require_publisher(user, model):
    require(can_publish(user, model),
            f"Only editors can publish, schedule or unpublish {_noun(model)}.")


def require_editor_of(user, obj):
    """`user` may change `obj` as it is stored."""
    if obj.pk is None:
        require(can_add(user, obj), f"You may not add {_noun(obj)}.")
    elif obj.status == PUBLISHED and not can_publish(user, obj):
        require(False, f"Only editors can change published {_noun(obj)}.")
    else:
        require(can_edit(user, obj), f"You may not change “{obj}”: it is not yours.")


def check_save(user, obj, before):
    """Refuse to save `obj` (changed in memory; `before` is the stored row, None for a new
    one) when the policy does not let `user` make these changes. A lift of its embargo that
    `user` may make is settled on `obj` (settle_embargo); the embargo lifted is returned for
    record_lift once `obj` is saved, else None."""
    require_editor_of(user, before if before is not None else obj)
    status_changed = before is None or before.status != obj.status
    if status_changed and obj.status not in allowed_statuses(user, obj):
        require_publisher(user, obj)
    publish_at = before.publish_at if before is not None else None
    if obj.publish_at != publish_at:
        require(can_publish(user, obj), "Only editors can set or change the publication time.")
    return settle_embargo(user, obj, getattr(before, "embargo_until", None))


def settle_embargo(user, obj, stored_embargo):
    """Before saving `obj`: refuse a lift `user` may not make. When they may, a lift that
    publishes early ends the embargo (the story goes out at its publication time) and notes
    who lifted it; returns the embargo lifted (for record_lift once saved), else None."""
    embargo = lifted_embargo(obj, stored_embargo)
    if embargo is None:
        return None
    require(can_lift_embargo(user, obj), embargo_refusal(embargo))
    if obj.embargo_until == embargo:
        obj.embargo_until = None  # published before its end: the embargo no longer holds
    obj.embargo_lifted_at = timezone.now()
    obj.embargo_lifted_by = user
    return embargo


def record_lift(obj, user, embargo):
    """Once saved: a lift goes into the story's admin history and the `newsroom` log."""
    if embargo is None:
        return
    when = timezone.localtime(embargo)
    message = f"Lifted the embargo until {when:%Y-%m-%d %H:%M %Z}."
    log.warning("Embargo lifted: story %s (“%s”), embargo until %s, by %s", obj.pk, obj,
                embargo.isoformat(), user.get_username() if user is not None else "the system")
    if user is not None:
        LogEntry.objects.log_actions(user.pk, [obj], CHANGE, change_message=message,
                                     single_object=True)


# The shared publish service ------------------------------------------------------------------


def publish(obj, *, by=None, at=None):
    """Publish `obj` now, or at `at` (a future time schedules it), and save it.

    Callers check what their model needs first (a headline, every answer) and run this in
    their transaction.
    """
    require_publisher(by, obj)
    obj.status = PUBLISHED
    if at is not None:
        obj.publish_at = at
    elif obj.publish_at is None:
        obj.publish_at = timezone.now()
    lifted = settle_embargo(by, obj, getattr(obj, "embargo_until", None))
    obj.save()
    record_lift(obj, by, lifted)


def unpublish(obj, status, *, by=None):
    """Take `obj` off the site, back to `status`."""
    require_publisher(by, obj)
    obj.status = status
    obj.save(update_fields=["status", "modified_at"])
