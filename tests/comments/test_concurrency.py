"""Twenty readers (and moderators) at once on PostgreSQL: every accepted comment is stored
exactly once, a form sent twice at the same moment is stored once, and a decision taken by
several moderators at the same moment is recorded and learned once."""

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from comments import services
from comments.models import Comment, ModerationDecision, SpamFilterTotals
from tests.articles.factories import ArticleFactory

from .helpers import form_data, post_url

# Skipped at collection on other databases, so a skipped run never flushes the test database.
pytestmark = [
    pytest.mark.skipif("postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
                       reason="concurrency is tested on PostgreSQL (DATABASE_URL=postgres://…)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 20


@pytest.fixture(autouse=True)
def _postgresql_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (DATABASE_URL=postgres://…)")
    settings.COMMENTS_MIN_SECONDS = 0


def at_once(work):
    """Run work(n) in THREADS threads released together; return what each returned."""
    barrier = threading.Barrier(THREADS)
    results, errors = [None] * THREADS, []

    def run(n):
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_twenty_readers_posting_at_once_are_each_stored_once():
    story = ArticleFactory()

    def send(n):
        response = Client().post(
            post_url(story),
            form_data(story, author_name=f"Reader {n}", email=f"reader{n}@example.org",
                      body=f"Comment number {n} on the harbour plan."),
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )
        return response.status_code

    assert at_once(send) == [302] * THREADS
    bodies = list(Comment.objects.values_list("body", flat=True))
    assert sorted(bodies) == sorted(f"Comment number {n} on the harbour plan."
                                    for n in range(THREADS))


def test_twenty_service_calls_at_once_are_each_stored_once():
    story = ArticleFactory()

    def send(n):
        return services.post_comment(
            story, author_name=f"Reader {n}", email=f"svc{n}@example.org",
            body=f"Service comment {n}.", ip="192.0.2.1",
        ).pk

    pks = at_once(send)
    assert len(set(pks)) == THREADS
    assert Comment.objects.filter(pk__in=pks).count() == THREADS


def test_one_form_sent_twenty_times_at_once_is_stored_once(settings):
    settings.COMMENTS_RATE_LIMITS = []  # one reader sending 20 times would be limited first
    story = ArticleFactory()
    data = form_data(story, body="Double-clicked, and the network retried too.")

    def send(n):
        return Client().post(post_url(story), data, REMOTE_ADDR="192.0.2.8").status_code

    assert at_once(send) == [302] * THREADS
    assert Comment.objects.count() == 1


def test_moderators_deciding_at_once_record_and_learn_once(moderator):
    comment = Comment.objects.create(article=ArticleFactory(), author_name="Ana",
                                     email="ana@example.org", body="Fine words indeed.")

    changed = at_once(lambda n: services.approve_comment(comment, by=moderator))
    assert sum(changed) == 1
    assert ModerationDecision.objects.filter(comment=comment).count() == 1
    assert SpamFilterTotals.objects.get().ham_count == 1
