"""The front page, rendered once and served from the cache until something changes.

Every save or delete of published content (stories, sections, authors, photos, tags,
interviews) bumps a version number in the cache, and the cached page is keyed by it, so an
editor's change shows at once. A scheduled story must appear by itself when its time comes,
so the page is never kept past the next scheduled publication time.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

VERSION_KEY = "newsroom:content-version"
WATCHED_APPS = {"articles", "interviews", "taggit"}


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = timezone.now().timestamp()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def content_changed(sender, **kwargs):
    if sender._meta.app_label in WATCHED_APPS:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # nothing cached yet: the next read starts a new version
            cache.delete(VERSION_KEY)


def connect():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(content_changed, dispatch_uid=f"newsroom-pagecache-{signal!r}")


def valid_until(*scheduled_querysets):
    """When a page rendered now goes stale: the setting's lifetime, cut short by the next
    scheduled publication."""
    until = timezone.now() + timedelta(seconds=settings.NEWSROOM_PAGE_CACHE_SECONDS)
    for queryset in scheduled_querysets:
        upcoming = queryset.aggregate(next=Min("publish_at"))["next"]
        if upcoming is not None:
            until = min(until, upcoming)
    return until


def cached_page(request, name, render, *scheduled_querysets):
    """`render()`'s HTML for anonymous readers from the cache; staff always get it fresh."""
    keep = settings.NEWSROOM_PAGE_CACHE_SECONDS
    if keep <= 0 or request.user.is_authenticated or request.method != "GET":
        return render()
    key = f"newsroom:page:{name}:{content_version()}"
    cached = cache.get(key)
    # The clock is checked here, not left to the cache's own expiry, so that a story
    # scheduled for 12:00 is on the page at 12:00 whatever the cache backend does.
    if cached is not None and timezone.now() < cached[0]:
        return cached[1]
    until = valid_until(*scheduled_querysets)
    html = render()
    keep = (until - timezone.now()).total_seconds()
    if keep > 0:
        cache.set(key, (until, html), keep)
    return html
