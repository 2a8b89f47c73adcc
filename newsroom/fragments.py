"""Parts of a page kept rendered in the cache, refreshed exactly when what they show changes.

A page the page cache cannot serve (the cache is off, a member of staff asks, a reader has a
message waiting, or the page changed) is rendered again; its parts that did not change need
not be. A fragment stores its HTML with the versions of the page-cache tags (articles/pages.py)
named *while it rendered*, and is used again only while all those versions are current, before
the next scheduled publication and before any expiry named inside it. The same signal handlers
that refresh pages (newsroom/pagecache.py) therefore refresh fragments: nothing new to keep in
step.

On a hit the fragment's tags and expiry are named again on the enclosing page, so a page
stored in the page cache still knows everything it shows.

Rules for a fragment's content (the template tag in newsroom/templatetags/fragments.py):
- everything it shows is named with `pages.show()` during its own rendering, or it is never
  refreshed; a fragment that names nothing is not stored at all;
- it is the same for every reader: no CSRF token, user, message or preview banner inside;
- what it queries is evaluated inside it (lazy querysets), so a hit runs no query for it.

A hit costs one cache round trip once this process has met the fragment (its copy and its
tags' versions are read together), two otherwise; and once this process has drawn a page,
every fragment it drew there is read in one round trip, on the first fragment's turn.

Staff are always drawn every part afresh, as the page cache never serves them.

NEWSROOM_FRAGMENT_CACHE_SECONDS bounds how long a fragment is kept (0 turns fragments off).
A cache that does not answer means the fragment is rendered, as if it were not stored.
"""

import hashlib
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from articles import pages

from .cache import CacheUnavailable, Memory
from .pagecache import CHANGED_KEY, TAG_PREFIX, next_scheduled, release, tag_versions

PREFIX = "newsroom:fragment:"


def enabled():
    return settings.NEWSROOM_FRAGMENT_CACHE_SECONDS > 0


def fragment_key(request, name, parts):
    host = request.get_host() if request is not None else ""
    raw = "\x1f".join([release(), host, name, *(str(part) for part in parts)])
    return f"{PREFIX}{hashlib.sha256(raw.encode()).hexdigest()}"


def render(request, name, parts, produce):
    """The fragment `name` for `parts` (what makes one copy differ from another: a story's
    id, a page number): from the cache when still current, else `produce()`, stored."""
    if not enabled() or request is None or _for_staff(request):
        return produce()
    key = fragment_key(request, name, parts)
    try:
        entry = _fetch(key, _prefetched(request, key))
        if entry is not None:
            _known_tags.remember(key, frozenset(entry["tags"]))
            if entry["fresh"]:
                _name_on_page(request, entry["tags"], _when(entry["expires"]))
                return entry["html"]
    except CacheUnavailable:
        return produce()
    html, tags, expires, started = _render_collecting(request, produce)
    _name_on_page(request, tags, expires)
    if tags:
        _store(key, html, tags, expires, started)
        _known_tags.remember(key, frozenset(tags))
    return html


def _for_staff(request):
    """Staff always see the live page, every part drawn for them (the page cache never serves
    them either): what they check is what the database holds, not a kept copy."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # a reader: asking for the user would touch the session (Vary: Cookie)
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_staff)


# The tags each fragment this process met last carried: asked for in the same round trip as
# the fragment itself, a copy that still carries them needs no second one for their versions.
_known_tags = Memory()

# The fragments each page (by address) drew last time in this process: the first fragment a
# request asks for reads them all, with their tags' versions, in one round trip.
_page_fragments = Memory()


def _prefetched(request, key):
    """What the request's one read of its page's known fragments found, or None when `key`
    was not among them (it is then read on its own)."""
    read = getattr(request, "_fragments_read", None)
    if read is None:
        page = f"{request.get_host()}{request.get_full_path()}"
        known = _page_fragments.get(page, ())
        found = {}
        if known:
            found = cache.get_many([*known, *{f"{TAG_PREFIX}{tag}" for fragment in known
                                              for tag in _known_tags.get(fragment, ())}])
        read = request._fragments_read = (page, frozenset(known), found)
    page, read_keys, found = read
    known = _page_fragments.get(page, ())
    if key not in known:
        _page_fragments.remember(page, (*known, key))
    return found if key in read_keys else None


def _fetch(key, batch=None):
    """The stored copy with `fresh` set, in one round trip when its tags are known here (none
    when it was read with the page's other fragments, `batch`)."""
    expected = _known_tags.get(key, frozenset())
    found = dict(batch) if batch is not None else \
        cache.get_many([key, *(f"{TAG_PREFIX}{tag}" for tag in expected)])
    entry = found.pop(key, None)
    if entry is None:
        return None
    if not entry["tags"].keys() <= expected:
        found = None  # it carries other tags than last time: ask for them
    return {**entry, "fresh": _fresh(entry, found)}


def _render_collecting(request, produce):
    """Render with a fresh record of tags, then give the outer page its own record back."""
    outer = getattr(request, "page_tags", None), getattr(request, "page_expires", None)
    request.page_tags, request.page_expires = set(), None
    started = _now_us()
    try:
        html = produce()
        tags, expires = request.page_tags, request.page_expires
    finally:
        request.page_tags, request.page_expires = outer
    return html, tags, expires, started


def _name_on_page(request, tags, expires):
    pages.show(request, *tags)
    pages.expires(request, expires)


def _when(timestamp):
    return None if timestamp is None else datetime.fromtimestamp(timestamp, tz=UTC)


def _fresh(entry, current=None):
    """Before its time runs out, and carrying the current version of each of its tags
    (`current`: those versions, if already read)."""
    if timezone.now().timestamp() >= entry["until"]:
        return False
    if current is None:
        current = cache.get_many([f"{TAG_PREFIX}{tag}" for tag in entry["tags"]])
    return all(current.get(f"{TAG_PREFIX}{tag}") == version
               for tag, version in entry["tags"].items())


def _store(key, html, tags, expires, started):
    try:
        now = timezone.now()
        until = now + timedelta(seconds=settings.NEWSROOM_FRAGMENT_CACHE_SECONDS)
        scheduled = next_scheduled()
        if scheduled is not None:
            until = min(until, scheduled)
        if expires is not None:
            until = min(until, expires)
        keep = (until - now).total_seconds()
        if keep <= 0:
            return
        versions = tag_versions(tags)
        if len(versions) != len(tags):
            return  # the cache did not answer
        changed = cache.get(CHANGED_KEY)
        if changed is not None and changed >= started:
            return  # something changed while it was rendered: this copy may be old
        cache.set(key, {"html": html, "tags": versions, "until": until.timestamp(),
                        "expires": expires.timestamp() if expires else None}, keep)
    except CacheUnavailable:
        return


def _now_us():
    return time.time_ns() // 1000
