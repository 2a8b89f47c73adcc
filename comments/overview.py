"""The moderation overview in the admin: the queue, and comments per day and outcome over the
last 30 days as a chart (charts.py) with its numbers. CommentAdmin serves it at
/admin/comments/comment/overview/ to staff who may see comments."""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.template.response import TemplateResponse
from django.utils import timezone

from . import charts
from .models import Comment

OVERVIEW_DAYS = 30


def daily_counts(days=OVERVIEW_DAYS):
    """(the last `days` days, [(status, label, [comments posted that day with that status])])
    from one aggregate query; days in the current time zone, today last."""
    zone = timezone.get_current_timezone()
    first_day = timezone.localdate() - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first_day, time.min), zone)
    rows = (
        Comment.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    dates = [first_day + timedelta(days=n) for n in range(days)]
    counts = {status: dict.fromkeys(dates, 0) for status in Comment.Status.values}
    for row in rows:
        if row["day"] in counts[row["status"]]:
            counts[row["status"]][row["day"]] = row["n"]
    series = [(status, label, [counts[status][day] for day in dates])
              for status, label in Comment.Status.choices]
    return dates, series


def overview_view(model_admin, request):
    """The overview page, in the admin of `model_admin` (the CommentAdmin)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    days, series = daily_counts()
    queue = Comment.objects.pending().aggregate(size=Count("pk"), oldest=Min("created_at"))
    totals = {status: sum(values) for status, _, values in series}
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Moderation overview",
        "opts": model_admin.model._meta,
        "chart": charts.stacked_bar_chart(days, series, colours=charts.STATUS_COLOURS),
        "series": series,
        "rows": list(zip(days, *[values for _, _, values in series], strict=True)),
        "queue": queue,
        "totals": totals,
        "total": sum(totals.values()),
        "days": OVERVIEW_DAYS,
    }
    return TemplateResponse(request, "comments/admin/overview.html", context)
