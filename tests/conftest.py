import os

import pytest
from django.contrib.auth.models import Group, User

from tests.servers import REDIS_HOST, REDIS_PORT, redis_cache_settings, redis_is_listening


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings, tmp_path):
    """Uploads go to a throwaway folder, and no test sees another's cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache_off(settings):
    """For tests that count what rendering a page costs: every request renders it."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


@pytest.fixture(params=["page cache off", "page cache on"])
def page_cache(request, settings):
    """Each test twice: every request rendered (parts still kept as fragments), and as
    production runs, where a change must also reach the stored pages."""
    if request.param == "page cache off":
        settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    return request.param


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


@pytest.fixture
def redis_cache(settings, redis_server):
    """The project's Redis backend on a real server (database 14, kept for tests)."""
    from django.core.cache import cache

    settings.CACHES = redis_cache_settings(f"{redis_server}/14")
    cache.clear()
    yield cache
    cache.clear()
