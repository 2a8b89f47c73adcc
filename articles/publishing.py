"""The publishing policy: who may edit, publish, schedule and unpublish stories and interviews.

One place answers for the admin (change permissions, the status choices it offers, the list
actions), the forms, the services, the story importer (command and admin page) and the staff
preview. `interviews` asks it too; it knows nothing of `interviews` itself.

- Editors hold the `<app>.publish_<model>` permission: they may do everything.
- Reporters add stories and interviews and edit them until they are published: a story only
  when it is their own (they created it or carry its byline), an interview while it is being
  prepared (the desk prepares interviews together). They never publish, schedule, set a
  publication time or unpublish: their status choices stop before "published".
- What readers already see is the editors' to change.
- `user=None` is the system itself (migrations, seed loaders, the import command run by the
  operator without --as): it may do anything. Forms never run as the system.

The services raise PermissionDenied when the policy says no, so every caller gets the same
answer whether or not it asked first.
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .models import PUBLISHED


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
    """A story belongs to whoever created it and to the reporters in its byline; anything
    else (an interview) belongs to the whole desk."""
    if not hasattr(obj, "created_by_id"):
        return True
    return obj.created_by_id == user.pk or obj.authors.filter(user=user).exists()


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
    one) when the policy does not let `user` make these changes."""
    require_editor_of(user, before if before is not None else obj)
    status_changed = before is None or before.status != obj.status
    if status_changed and obj.status not in allowed_statuses(user, obj):
        require_publisher(user, obj)
    publish_at = before.publish_at if before is not None else None
    if obj.publish_at != publish_at:
        require(can_publish(user, obj), "Only editors can set or change the publication time.")


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
    obj.save()


def unpublish(obj, status, *, by=None):
    """Take `obj` off the site, back to `status`."""
    require_publisher(by, obj)
    obj.status = status
    obj.save(update_fields=["status", "modified_at"])
