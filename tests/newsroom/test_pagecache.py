"""The cached front page: fast for readers, never stale after an editor's change."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.articles.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def front(client):
    return client.get("/").content.decode()


def test_readers_get_the_front_page_from_the_cache(client, django_assert_max_num_queries):
    ArticleFactory.create_batch(5)
    first = front(client)
    with django_assert_max_num_queries(0):
        assert front(client) == first


def test_publishing_and_unpublishing_show_at_once(client, editor):
    ArticleFactory(title="Already out")
    assert "Already out" in front(client)
    story = ArticleFactory(title="Fresh off the desk", status=Article.Status.DRAFT,
                           publish_at=None)
    assert "Fresh off the desk" not in front(client)
    services.publish_article(story, by=editor)
    assert "Fresh off the desk" in front(client)
    services.unpublish_article(story, by=editor)
    assert "Fresh off the desk" not in front(client)


def test_a_renamed_section_shows_at_once(client):
    section = SectionFactory(name="Harbour")
    ArticleFactory(section=section)
    assert "Harbour" in front(client)
    section.name = "Waterfront"
    section.save()
    html = front(client)
    assert "Waterfront" in html and "Harbour" not in html


def test_a_scheduled_story_appears_when_its_time_comes(client, editor, monkeypatch):
    ArticleFactory(title="Morning story")
    embargoed = ArticleFactory(title="Embargoed budget", status=Article.Status.DRAFT,
                               publish_at=None)
    services.publish_article(embargoed, by=editor, at=timezone.now() + timedelta(minutes=30))
    assert "Embargoed budget" not in front(client)
    assert "Embargoed budget" not in front(client)  # served from the cache
    later = timezone.now() + timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Embargoed budget" in front(client)


def test_staff_always_get_a_fresh_page(client, editor, settings, django_assert_max_num_queries):
    # Counting queries tells a rendered page from a stored one only with no part of it kept
    # (fragments are kept for staff too, and refreshed by the same rules: test_fragments.py).
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 0
    ArticleFactory(title="Desk view")
    front(client)
    client.force_login(editor)
    with django_assert_max_num_queries(12) as queries:
        assert "Desk view" in front(client)
    assert len(queries) > 2


def test_the_cache_can_be_turned_off(client, settings):
    # Both of them: the page cache, and the fragments the front page is drawn from.
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 0
    ArticleFactory(title="First")
    front(client)
    Article.objects.update(title="Changed behind the desk's back")
    assert "Changed behind the desk" in front(client)
