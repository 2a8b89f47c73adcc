"""The moderation queue's size on the admin's front page."""

from django import template

from comments import services
from comments.models import Comment

register = template.Library()


@register.inclusion_tag("comments/admin/queue_summary.html", takes_context=True)
def moderation_summary(context):
    """A box with the queue's size, and "Comments (12 pending)" in the app list below it.

    Shown only to staff who may see comments; costs one query.
    """
    request = context.get("request")
    if request is None or not request.user.has_perm("comments.view_comment"):
        return {"show": False}
    pending = Comment.objects.pending().count()
    for app in context.get("app_list") or []:
        if app.get("app_label") != "comments":
            continue
        for model in app["models"]:
            if model.get("object_name") == "Comment" and pending:
                model["name"] = f"Comments ({pending} pending)"
    return {"show": True, "pending": pending,
            "can_moderate": services.can_moderate(request.user)}
