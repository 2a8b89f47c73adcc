import os
import socket

import pytest
from django.contrib.auth.models import Group, User

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings, tmp_path):
    """Uploads go to a throwaway folder, and no test sees another's cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_staff(username, role):
    user = User.objects.create_user(username, f"{username}@example.org", "pw-for-tests-1234",
                                    is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(db):
    return make_staff("editor", "Editor")


@pytest.fixture
def reporter(db):
    return make_staff("reporter", "Reporter")


@pytest.fixture
def moderator(db):
    return make_staff("moderator", "Moderator")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


def redis_is_listening():
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_server():
    """A real Redis on loopback. CI sets NEWSROOM_REQUIRE_REDIS=1: then a missing server fails
    the tests that need it instead of skipping them."""
    if not redis_is_listening():
        message = f"no Redis on {REDIS_HOST}:{REDIS_PORT} (apt-get install -y redis-server)"
        if os.environ.get("NEWSROOM_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return f"redis://{REDIS_HOST}:{REDIS_PORT}"


def redis_cache_settings(location):
    return {"default": {
        "BACKEND": "newsroom.cache.ResilientRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": "newsroom-tests",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}


@pytest.fixture
def redis_cache(settings, redis_server):
    """The project's Redis backend on a real server (database 14, kept for tests)."""
    from django.core.cache import cache

    settings.CACHES = redis_cache_settings(f"{redis_server}/14")
    cache.clear()
    yield cache
    cache.clear()
