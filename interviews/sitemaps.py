from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from articles.sitemaps import SITEMAP_PAGE_SIZE

from .models import Interview


def _last_change(modified_at, publish_at):
    """When the public page last changed: a scheduled interview appears at publish_at, after
    its last save."""
    return max(filter(None, (modified_at, publish_at)), default=None)


class InterviewSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return (
            Interview.objects.published()
            .only("slug", "modified_at", "publish_at")
            .order_by("-publish_at", "-pk")
        )

    def lastmod(self, interview):
        return _last_change(interview.modified_at, interview.publish_at)


class InterviewListSitemap(Sitemap):
    """/interviews/, once there is a published interview to list."""

    changefreq = "daily"
    priority = 0.7

    def items(self):
        newest = Interview.objects.published().aggregate(
            modified=Max("modified_at"), published=Max("publish_at"))
        if newest["published"] is None:
            return []
        return [_last_change(newest["modified"], newest["published"])]

    def location(self, newest):
        return reverse("interviews:list")

    def lastmod(self, newest):
        return newest
