"""The front page, rendered once and served from the cache until something changes.

Every save or delete of published content (stories, sections, authors, photos, tags,
interviews) bumps a version number in the cache, and the cached page is keyed by it, so an
editor's change shows at once. A scheduled story must appear by itself when its time comes,
so the page is never kept past the next scheduled publication time.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_started
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .cache import CacheUnavailable, available

# Redis's INCR works only on a key created with an int (a float is stored pickled).
VERSION_KEY = "newsroom:pages:version"
WATCHED_APPS = {"articles", "interviews", "taggit"}

# A change saved while the cache was unreachable could not raise the version; pages cached
# before the outage would come back with the cache. This process owes the bump until it lands.
_bump_owed = False


def content_version():
    """The current version, or None when the cache cannot be reached (serve uncached).

    A new version starts from the clock in milliseconds, so it is above any version whose
    pages may still be cached, even after the version key itself was evicted.
    """
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, int(time.time() * 1000), None)
        version = cache.get(VERSION_KEY)
    return version


def bump_version():
    global _bump_owed
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        pass  # no version yet, so no page is cached under one: the next read starts one
    except CacheUnavailable:
        _bump_owed = True
        return
    _bump_owed = False


def content_changed(sender, **kwargs):
    if sender._meta.app_label in WATCHED_APPS:
        bump_version()


def settle_owed_bump(**kwargs):
    if _bump_owed and available(cache):
        bump_version()


def connect():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(content_changed, dispatch_uid=f"newsroom-pagecache-{signal!r}")
    request_started.connect(settle_owed_bump, dispatch_uid="newsroom-pagecache-owed-bump")


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
    version = content_version()
    if version is None:  # the cache is unreachable: every reader gets a fresh page
        return render()
    key = f"newsroom:page:{name}:{version}"
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
