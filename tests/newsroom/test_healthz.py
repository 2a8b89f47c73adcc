"""/healthz: what a load balancer asks before it sends readers to an instance."""

import pytest
from django.db import DatabaseError
from django.test import override_settings

pytestmark = pytest.mark.django_db

def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_answers_plain_http_even_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert client.get("/").status_code == 301


def test_no_trailing_slash_redirect_is_needed(client):
    assert client.get("/healthz").status_code == 200


def test_cache_that_raises_is_reported(client, monkeypatch):
    from django.core.cache import cache

    backend = type(cache._connections[cache._alias])

    def broken(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(backend, "set", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}


def test_cache_that_forgets_is_reported(client, settings):
    # DummyCache accepts every write and remembers nothing: not a working cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}


def test_cache_that_fails_on_read_is_reported(client, monkeypatch):
    import newsroom.views

    class ReadFails:
        def set(self, *args, **kwargs):
            return None

        def get(self, *args, **kwargs):
            raise TimeoutError("read timed out")

    monkeypatch.setattr(newsroom.views, "cache", ReadFails())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error"


def test_broken_database_is_reported(client, monkeypatch):
    import newsroom.views

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("could not connect to server")

    monkeypatch.setattr(newsroom.views.connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}


def test_database_failing_on_query_is_reported(client, monkeypatch):
    import newsroom.views

    class Cursor:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, sql, params=None):
            raise DatabaseError("server closed the connection unexpectedly")

    class Connection:
        def cursor(self):
            return Cursor()

    monkeypatch.setattr(newsroom.views, "connection", Connection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_both_broken(client, monkeypatch, settings):
    import newsroom.views

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(newsroom.views.connection, "cursor", broken_cursor)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "error"}


def test_failure_details_are_not_shown(client, monkeypatch):
    import newsroom.views

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("password authentication failed for user newsroom at db.internal")

    monkeypatch.setattr(newsroom.views.connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert b"password" not in response.content
    assert b"db.internal" not in response.content


def test_healthy_with_redis(client, redis_cache):
    from django.core.cache import cache

    assert type(cache._connections[cache._alias]).__name__ == "ResilientRedisCache"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_redis_that_is_down_is_reported(client):
    # Nothing listens on port 1: the connection is refused at once. override_settings (not the
    # settings fixture) so the suite's own cache.clear() at teardown meets a working cache.
    down = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/15",
        }
    }
    with override_settings(CACHES=down):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error"
