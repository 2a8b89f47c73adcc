"""Rate limits for posting, held in the Django cache so every gunicorn worker shares them.

Fixed windows: one counter per (who, window length, window number). `cache.add` creates the
counter only if it is missing and `cache.incr` bumps it; both are single atomic commands on
Redis (SET NX, INCRBY), and transactions on the embedded file cache, so concurrent requests
in different workers never lose a count. When the cache cannot be reached, `hit` raises
`LimitsUnavailable`: the caller decides what an uncounted attempt may do.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

from . import conf

log = logging.getLogger(__name__)


class LimitsUnavailable(Exception):
    """The counters could not be reached, so nothing was counted."""


@dataclass
class Limited:
    scope: str
    limit: int
    window: int
    retry_after: int  # seconds until the window that was exceeded ends


def _key(scope, value, window, number):
    digest = hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()[:32]
    return f"comments:rate:{scope}:{window}:{number}:{digest}"


def _increment(key, timeout):
    for _ in range(3):
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:
            continue  # expired between add and incr: create it again
    return 1


def hit(*, now=None, **who):
    """Count one attempt for each of `who` (e.g. ip=..., email=...).

    Returns None when every limit holds, else the exceeded limit that frees up last. Raises
    LimitsUnavailable when the counters cannot be reached.
    """
    now = time.time() if now is None else now
    exceeded = []
    for scope, limit, window in conf.get("COMMENTS_RATE_LIMITS"):
        value = who.get(scope)
        if not value:
            continue
        number = int(now // window)
        key = _key(scope, str(value).lower(), window, number)
        try:
            count = _increment(key, window + 5)
        except Exception as error:
            # Whatever the backend raises for "unreachable" (the Redis backend's
            # CacheUnavailable, a database or file error of another backend).
            log.warning("Rate limits not checked: %s: %s", type(error).__name__, error)
            raise LimitsUnavailable(str(error)) from error
        if count > limit:
            retry_after = max(1, math.ceil((number + 1) * window - now))
            exceeded.append(Limited(scope, limit, window, retry_after))
    return max(exceeded, key=lambda limited: limited.retry_after) if exceeded else None
