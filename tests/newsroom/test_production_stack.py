"""The site on every cache the README promises, and while Redis or the database is away.

Redis tests talk to a real server on loopback (CI starts one and sets NEWSROOM_REQUIRE_REDIS=1,
so they fail rather than skip there); an outage is a TCP proxy in front of it being cut.
"""

import logging
import multiprocessing
import time

import pytest
from django.core.cache import cache, caches
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory, override_settings

from articles import services
from articles.models import Article
from comments import ratelimit
from comments.models import Comment
from newsroom import pagecache
from newsroom.cache import ResilientRedisCache
from newsroom.views import server_error
from tests.articles.factories import ArticleFactory, PhotoFactory
from tests.comments.helpers import post
from tests.proxy import Proxy
from tests.servers import REDIS_HOST, REDIS_PORT, redis_cache_settings

pytestmark = pytest.mark.django_db

ARTICLES_ADMIN = "/admin/articles/article/"


@pytest.fixture(params=["embedded", "redis", "locmem"])
def any_cache(request, settings, tmp_path):
    """Each cache backend the site may run on: the embedded default, Redis, local memory."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    elif request.param == "embedded":
        settings.CACHES = {"default": {"BACKEND": "newsroom.cache.SharedDiskCache",
                                       "LOCATION": str(tmp_path / "cache")}}
    else:
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    return request.param


@pytest.fixture(params=["embedded", "redis"])
def shared_cache(request, settings, tmp_path):
    """The backends that several worker processes can share."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    else:
        settings.CACHES = {"default": {"BACKEND": "newsroom.cache.SharedDiskCache",
                                       "LOCATION": str(tmp_path / "cache")}}
    cache.clear()
    return request.param


def front(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


# Every backend: a reader's visit never breaks an editor's save ------------------------------


def test_editors_save_after_readers_opened_the_front_page(any_cache, client, editor):
    story = ArticleFactory(title="Ferry timetable", status=Article.Status.DRAFT, publish_at=None)
    ArticleFactory(title="Already out")
    assert "Already out" in front(client)
    assert "Already out" in front(client)  # now from the cache: the version key exists

    desk = Client()
    desk.force_login(editor)
    response = desk.post(ARTICLES_ADMIN, {"action": "publish", "_selected_action": [story.pk],
                                          "index": 0})
    assert response.status_code == 302
    assert "Ferry timetable" in front(client)

    story.refresh_from_db()
    story.title = "Ferry timetable restored"
    story.save()
    PhotoFactory()  # a photo saved after the page was cached (the reported 500)
    assert "Ferry timetable restored" in front(client)

    response = desk.post(ARTICLES_ADMIN, {"action": "unpublish", "_selected_action": [story.pk],
                                          "index": 0})
    assert response.status_code == 302
    assert "Ferry timetable" not in front(client)


def test_page_versions_are_integers_redis_can_increment(redis_cache):
    version = pagecache.tag_versions({"list:front"})["list:front"]
    assert isinstance(version, int)
    pagecache.bump("list:front")
    assert pagecache.tag_versions({"list:front"}) == {"list:front": version + 1}


def test_cached_front_page_runs_no_query(any_cache, client, django_assert_max_num_queries):
    ArticleFactory.create_batch(3)
    first = front(client)
    with django_assert_max_num_queries(0):
        assert front(client) == first


# Several processes, one cache ---------------------------------------------------------------


def _hit_limits(attempts, email, queue):
    # A forked process, like a gunicorn worker: its own connection to the shared cache.
    from django.db import connections

    connections.close_all()
    caches["default"].close()
    queue.put([ratelimit.hit(email=email) is None for _ in range(attempts)])


def test_rate_limits_hold_across_worker_processes(shared_cache, settings):
    settings.COMMENTS_RATE_LIMITS = [("email", 7, 600)]
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_hit_limits, args=(5, "busy@example.org", queue))
               for _ in range(4)]
    for worker in workers:
        worker.start()
    answers = [allowed for _ in workers for allowed in queue.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=60)
    assert len(answers) == 20
    assert sum(answers) == 7


def _bump_in_another_process():
    caches["default"].close()
    pagecache.bump("list:front")


def test_a_change_in_one_worker_shows_in_every_other(shared_cache, client):
    """The page cached by this process goes stale the moment another process saves."""
    ArticleFactory(title="Before the change")
    before = front(client)
    version = pagecache.tag_versions({"list:front"})["list:front"]
    worker = multiprocessing.get_context("fork").Process(target=_bump_in_another_process)
    worker.start()
    worker.join(timeout=60)
    assert worker.exitcode == 0
    assert pagecache.tag_versions({"list:front"})["list:front"] == version + 1
    Article.objects.update(title="After the change")  # no signal: only the version tells
    assert front(client) != before
    assert "After the change" in front(client)


# Redis going away ---------------------------------------------------------------------------


@pytest.fixture
def redis_behind_proxy(settings, redis_server, monkeypatch):
    """The site's Redis cache through a proxy the test can cut; retries due after 0.2 s."""
    proxy = Proxy(REDIS_HOST, REDIS_PORT)
    monkeypatch.setattr(ResilientRedisCache, "RETRY_SECONDS", 0.2)
    ResilientRedisCache._breakers.clear()
    settings.CACHES = redis_cache_settings(f"redis://{proxy.url_host}/13")
    cache.clear()
    yield proxy
    proxy.close()
    ResilientRedisCache._breakers.clear()
    # Forget what a cut left owed.
    pagecache._owed.clear()


def wait_for_retry():
    time.sleep(0.25)


def test_pages_are_served_uncached_while_redis_is_down(redis_behind_proxy, client,
                                                       django_assert_max_num_queries):
    story = ArticleFactory(title="Harbour reopens")
    assert "Harbour reopens" in front(client)
    with django_assert_max_num_queries(0):
        front(client)

    redis_behind_proxy.cut()
    for _ in range(3):
        assert "Harbour reopens" in front(client)  # rendered afresh, no error
    assert client.get(story.get_absolute_url()).status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "error", "database": "ok", "cache": "error"}


def test_a_redis_outage_is_logged_once_not_per_request(redis_behind_proxy, client, caplog):
    ArticleFactory()
    redis_behind_proxy.cut()
    with caplog.at_level(logging.WARNING, logger="newsroom.cache"):
        for _ in range(10):
            front(client)
            wait_for_retry()  # every request may try Redis again, and fails again
    outages = [r for r in caplog.records if r.name == "newsroom.cache"]
    assert len(outages) == 1
    assert "Cache unreachable" in outages[0].getMessage()
    assert outages[0].exc_info is None  # a line, not a traceback


def test_caching_resumes_with_no_stale_page_when_redis_returns(redis_behind_proxy, client, editor,
                                                               django_assert_max_num_queries):
    ArticleFactory(title="Morning edition")
    front(client)  # cached under the current version

    redis_behind_proxy.cut()
    late = ArticleFactory(title="Late story", status=Article.Status.DRAFT, publish_at=None)
    services.publish_article(late, by=editor)  # the version bump cannot reach Redis
    assert "Late story" in front(client)

    redis_behind_proxy.restore()
    wait_for_retry()
    # Redis kept the page cached before the outage; it must not come back.
    assert "Late story" in front(client)
    with django_assert_max_num_queries(0):
        assert "Late story" in front(client)  # cached again
    assert client.get("/healthz").status_code == 200


def test_comments_posted_while_limits_cannot_be_checked_are_held(redis_behind_proxy, client,
                                                                 settings):
    settings.COMMENTS_TRUSTED_MIN_APPROVED = 0  # this reader would go live at once otherwise
    story = ArticleFactory(comment_mode=Article.CommentMode.TRUSTED)
    assert post(client, story, body="Live when the limits are checked.").status_code == 302
    assert Comment.objects.get().status == Comment.Status.APPROVED

    redis_behind_proxy.cut()
    response = post(client, story, email="later@example.org", body="Sent during the outage.")
    assert response.status_code == 302
    held = Comment.objects.get(body="Sent during the outage.")
    assert held.status == Comment.Status.PENDING
    assert any("rate limits could not be checked" in reason for reason in held.spam_reasons)
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Sent during the outage." not in page


def test_comments_are_held_whatever_the_backend_raises(client, monkeypatch):
    story = ArticleFactory()

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(type(cache._connections[cache._alias]), "incr", unreachable)
    assert post(client, story).status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING


# The database going away --------------------------------------------------------------------


@pytest.fixture
def database_down(monkeypatch):
    """Every new query fails as it does when PostgreSQL is stopped."""
    state = {"down": False}
    connect = BaseDatabaseWrapper.ensure_connection

    def ensure_connection(self):
        if state["down"]:
            raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: '
                                   "Connection refused")
        return connect(self)

    def cursor(self):
        if state["down"]:
            raise OperationalError("server closed the connection unexpectedly")
        return original_cursor(self)

    original_cursor = BaseDatabaseWrapper.cursor
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", ensure_connection)
    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", cursor)
    return state


def test_readers_get_a_503_page_in_the_site_design(database_down, client):
    story = ArticleFactory(title="Bridge closed")
    database_down["down"] = True
    for path in [story.get_absolute_url(), f"/{story.section.slug}/", "/search/?q=bridge",
                 "/interviews/"]:
        response = client.get(path)
        assert response.status_code == 503, path
        assert response["Retry-After"] == "30"
        assert "no-store" in response["Cache-Control"]
        html = response.content.decode()
        assert "We will be back in a moment" in html
        assert 'class="site-header"' in html and ".site-header {" in html  # the stylesheet inlined
        assert "Traceback" not in html and "OperationalError" not in html
        assert "5432" not in html


def test_cached_pages_keep_being_served_without_the_database(database_down, client):
    ArticleFactory(title="Storm warning")
    cached = front(client)
    database_down["down"] = True
    assert front(client) == cached
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["database"] == "error"


def test_the_site_recovers_by_itself(database_down, client):
    story = ArticleFactory(title="Power restored")
    database_down["down"] = True
    assert client.get(story.get_absolute_url()).status_code == 503
    database_down["down"] = False
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert "Power restored" in response.content.decode()


def test_a_database_outage_is_logged_once(database_down, client, caplog):
    from newsroom import outage

    story = ArticleFactory()
    outage._last_logged = 0.0
    database_down["down"] = True
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            assert client.get(story.get_absolute_url()).status_code == 503
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1
    assert "Database unreachable" in records[0].getMessage()


def test_an_outage_met_outside_a_view_is_a_503_too():
    """A middleware (saving the session, say) that meets the outage reaches handler500."""
    request = RequestFactory().get("/politics/")
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500


@override_settings(DEBUG=False)
def test_the_503_page_carries_no_address_of_the_missing_page(database_down, client):
    story = ArticleFactory()
    database_down["down"] = True
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'rel="canonical"' not in html
    assert 'property="og:url"' not in html
    assert '<meta name="robots" content="noindex">' in html
