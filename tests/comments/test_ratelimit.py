"""Rate limits per IP address and per email address, held in the cache (Redis in production)."""

import threading

import pytest
import redis
from django.core.cache import caches
from django.test import RequestFactory

from comments import ratelimit
from comments.models import Comment
from comments.views import client_ip
from tests.articles.factories import ArticleFactory

from .helpers import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return ArticleFactory()


def test_per_ip_limit_gives_429_with_retry_after(client, settings, story):
    settings.COMMENTS_RATE_LIMITS = [("ip", 3, 600)]
    for n in range(3):
        assert post(client, story, email=f"r{n}@example.org", body=f"Comment {n}").status_code \
            == 302
    response = post(client, story, email="r9@example.org", body="One too many")
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 600
    html = response.content.decode()
    assert "Please try again in" in html and "minute" in html
    assert Comment.objects.count() == 3
    # Another address is not affected.
    assert post(client, story, ip="192.0.2.99", email="x@example.org").status_code == 302


def test_per_email_limit_follows_the_address_across_ips(client, settings, story):
    settings.COMMENTS_RATE_LIMITS = [("email", 2, 3600)]
    assert post(client, story, ip="192.0.2.1", body="One").status_code == 302
    assert post(client, story, ip="192.0.2.2", body="Two").status_code == 302
    response = post(client, story, ip="192.0.2.3", email="ANA@example.org", body="Three")
    assert response.status_code == 429
    assert Comment.objects.count() == 2


def test_invalid_forms_do_not_use_up_the_limit(client, settings, story):
    settings.COMMENTS_RATE_LIMITS = [("ip", 1, 600)]
    assert post(client, story, email="bad").status_code == 400
    assert post(client, story).status_code == 302


def test_fixed_windows_reset(settings):
    settings.COMMENTS_RATE_LIMITS = [("ip", 2, 60)]
    start = 1_000_020.0  # 1_000_020 // 60 is a whole window number
    assert ratelimit.hit(ip="192.0.2.1", now=start) is None
    assert ratelimit.hit(ip="192.0.2.1", now=start + 1) is None
    limited = ratelimit.hit(ip="192.0.2.1", now=start + 2)
    assert limited is not None and limited.scope == "ip"
    assert limited.retry_after == 58
    assert ratelimit.hit(ip="192.0.2.1", now=start + 60) is None  # the next window


def test_the_longest_exceeded_window_says_when_to_retry(settings):
    settings.COMMENTS_RATE_LIMITS = [("ip", 1, 60), ("ip", 1, 3600)]
    ratelimit.hit(ip="192.0.2.1", now=7200.0)
    limited = ratelimit.hit(ip="192.0.2.1", now=7201.0)
    assert limited.window == 3600 and limited.retry_after == 3599


def hammer(limit_calls, **who):
    """`limit_calls` threads hit the limiter at the same moment; returns their answers."""
    barrier = threading.Barrier(limit_calls)
    answers = []

    def one():
        barrier.wait()
        answers.append(ratelimit.hit(**who))

    threads = [threading.Thread(target=one) for _ in range(limit_calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_limits_hold_across_connections_on_redis(redis_cache, settings, client, story):
    """Each thread has its own Redis connection, as each gunicorn worker would: atomic
    add + incr means exactly `limit` attempts get through."""
    assert type(caches["default"]).__name__ == "ResilientRedisCache"
    settings.COMMENTS_RATE_LIMITS = [("ip", 5, 600)]
    answers = hammer(20, ip="198.51.100.1")
    assert sum(answer is None for answer in answers) == 5
    assert all(answer.retry_after <= 600 for answer in answers if answer)

    # And through the view, with the counter kept in Redis.
    settings.COMMENTS_RATE_LIMITS = [("ip", 2, 600)]
    assert post(client, story, ip="198.51.100.2", body="One").status_code == 302
    assert post(client, story, ip="198.51.100.2", body="Two").status_code == 302
    assert post(client, story, ip="198.51.100.2", body="Three").status_code == 429
    keys = redis.Redis.from_url("redis://127.0.0.1:6379/14").keys("newsroom-tests:*")
    assert any(b"comments:rate:ip" in key for key in keys)


def test_limits_hold_across_threads_on_the_default_cache(settings):
    settings.COMMENTS_RATE_LIMITS = [("email", 3, 600)]
    answers = hammer(12, email="busy@example.org")
    assert sum(answer is None for answer in answers) == 3


# Which address is the reader's ------------------------------------------------------------


def request_from(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().post("/", REMOTE_ADDR=remote, **extra)


def test_client_ip_is_remote_addr_by_default(settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 0
    # A forged header changes nothing.
    assert client_ip(request_from("192.0.2.7", "203.0.113.1")) == "192.0.2.7"


def test_client_ip_behind_trusted_proxies(settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    request = request_from("10.0.0.2", "6.6.6.6, 203.0.113.50")
    assert client_ip(request) == "203.0.113.50"  # the one our proxy saw; not the forged one
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.2", "203.0.113.50, 10.0.0.1")) == "203.0.113.50"
    # Too few entries or garbage: fall back to the socket's address.
    assert client_ip(request_from("10.0.0.2", "")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2", "not-an-ip, also-not")) == "10.0.0.2"
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2", "2001:db8::1")) == "2001:db8::1"


def test_rate_limit_uses_the_proxied_address(client, settings, story):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    settings.COMMENTS_RATE_LIMITS = [("ip", 1, 600)]
    from .helpers import form_data, post_url

    def send(forwarded, body):
        return client.post(post_url(story), form_data(story, body=body, email=f"{body}@x.org"),
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert send("203.0.113.1", "one").status_code == 302
    assert send("203.0.113.2", "two").status_code == 302  # a different reader, same proxy
    assert send("203.0.113.1", "three").status_code == 429
    assert Comment.objects.get(body="one").ip == "203.0.113.1"
