"""The two cache backends Newsroom runs on, chosen in settings by REDIS_URL.

- `SharedDiskCache` (no REDIS_URL): a SQLite-backed cache in a folder on the machine
  (diskcache). Every gunicorn worker of one machine opens the same files, so a page cached or
  a counter bumped by one worker is seen by all the others on their next request, and
  `add`/`incr` are atomic across processes (SQLite transactions).
- `ResilientRedisCache` (REDIS_URL set): Django's Redis backend that survives Redis going
  away. A failed call opens a breaker: for `RETRY_SECONDS` every call answers like an empty
  cache at once (no connection attempt, no traceback), then the next call tries Redis again.
  The outage is logged when it starts, at most once a minute while it lasts, and when it ends.

Reads and writes degrade to "nothing cached", which is always safe for a page cache. A counter
has no safe answer, so `incr` raises `CacheUnavailable` and its callers decide (the page
cache owes a version bump, a rate limit counts the post as unchecked).
"""

import logging
import threading
import time

import redis
from diskcache import DjangoCache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

log = logging.getLogger("newsroom.cache")

# Redis errors that mean "not reachable now" (refused, reset, timed out, loading after a
# restart). A ResponseError is a bug in what we asked and is not swallowed.
OUTAGES = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class Memory(dict):
    """What this process learned about the pages it served (their tags, their fragments, their
    policy hashes), bounded: forgotten all at once when full, so it never grows with the
    archive. Losing it costs a round trip or a re-read, never a wrong answer."""

    def __init__(self, limit=4096):
        super().__init__()
        self.limit = limit

    def remember(self, key, value):
        if self.get(key) != value:
            if len(self) >= self.limit and key not in self:
                self.clear()
            self[key] = value
        return value


class CacheUnavailable(Exception):
    """The shared cache could not be reached, so a counter could not be read or changed."""


class SharedDiskCache(DjangoCache):
    """diskcache's Django backend, with its connections kept for the life of the process.

    Django closes every cache at the end of each request; for SQLite files that would mean
    reopening them on every page view. Keeping them open is safe: diskcache sees other
    processes' writes through SQLite itself.
    """

    def close(self, **kwargs):
        pass


class _Breaker:
    """Shared by every thread of one process, per Redis address."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.down_since = None
        self.last_logged = 0.0


class _ReusedClient(RedisCacheClient):
    """Django's Redis client, keeping one redis.Redis per connection pool. Django builds a new
    one, with its table of some 170 reply handlers, for every call: a third of the time of a
    page served from the cache. A redis.Redis over a pool is safe to share between threads,
    and its pool opens new connections after a fork."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    RETRY_SECONDS = 5
    LOG_EVERY_SECONDS = 60
    _breakers = {}

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClient
        self._breaker = self._breakers.setdefault(str(server), _Breaker())

    def make_and_validate_key(self, key, version=None):
        # Redis takes any key; memcached's limits, which Django checks by scanning every
        # character of every key, do not apply (a cached page's check reads dozens of keys).
        return self.make_key(key, version=version)

    # The breaker ---------------------------------------------------------------------------

    @property
    def available(self):
        """False while the breaker is open, i.e. until the next attempt is due."""
        return time.monotonic() >= self._breaker.down_until

    def _call(self, method, fallback, *args, **kwargs):
        if not self.available:
            return fallback()
        try:
            result = method(*args, **kwargs)
        except OUTAGES as error:
            self._failed(error)
            return fallback()
        if self._breaker.down_since is not None:
            self._recovered()
        return result

    def _failed(self, error):
        breaker, now = self._breaker, time.monotonic()
        with breaker.lock:
            breaker.down_until = now + self.RETRY_SECONDS
            starting = breaker.down_since is None
            if starting:
                breaker.down_since = now
            if not starting and now - breaker.last_logged < self.LOG_EVERY_SECONDS:
                return
            breaker.last_logged = now
        log.warning(
            "Cache unreachable (%s: %s): serving pages uncached, retrying every %s s",
            type(error).__name__, error, self.RETRY_SECONDS,
        )

    def _recovered(self):
        breaker = self._breaker
        with breaker.lock:
            if breaker.down_since is None:
                return
            lasted = time.monotonic() - breaker.down_since
            breaker.down_since = None
        log.warning("Cache reachable again after %.0f s: caching resumed", lasted)

    @staticmethod
    def _unavailable():
        raise CacheUnavailable("the cache server could not be reached")

    # Django's cache API --------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._call(super().get, lambda: default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, dict, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, lambda: False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, lambda: None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, lambda: False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, lambda: False, key, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, lambda: list(data), data, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, lambda: False, key, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, lambda: None, keys, version)

    def clear(self):
        return self._call(super().clear, lambda: False)

    def incr(self, key, delta=1, version=None):
        return self._call(super().incr, self._unavailable, key, delta, version)


def available(cache):
    """Whether `cache` can be asked right now (always, but for a Redis cache in an outage)."""
    return getattr(cache, "available", True)
