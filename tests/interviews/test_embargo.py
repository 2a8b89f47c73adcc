"""An interview that accompanies an embargoed story stays off the site with it: its page, the
lists, search, feeds and sitemaps would otherwise give the story away before the embargo ends."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles import previews
from tests.articles.factories import ArticleFactory

from .factories import build_interview

pytestmark = pytest.mark.django_db

SURFACES = ["/", "/interviews/", "/search/?q=harbour+master", "/feed/",
            "/sitemap-interviews.xml", "/news-sitemap.xml"]


def later(**delta):
    return timezone.now() + timedelta(**delta)


@pytest.fixture
def story():
    return ArticleFactory(title="Budget leak embargoed", slug="budget-leak",
                          embargo_until=later(hours=2))


@pytest.fixture
def interview(story):
    return build_interview(title="The harbour master on the budget", slug="harbour-master",
                           article=story, guests=1, segments=1, questions=1)


def shown(reader, path):
    response = reader.get(path)
    assert response.status_code == 200, path
    return "harbour-master" in response.content.decode()


def test_it_is_on_no_public_surface_until_the_story_goes_out(interview, monkeypatch):
    reader = Client()
    for _ in range(2):  # the second answer may come from the page cache
        assert not any(shown(reader, path) for path in SURFACES)
        assert reader.get("/interviews/harbour-master/").status_code == 404
    moment = later(hours=2, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    assert all(shown(reader, path) for path in SURFACES)
    assert reader.get("/interviews/harbour-master/").status_code == 200


def test_embargoing_the_story_takes_its_cached_interview_pages_down(interview, story):
    story.embargo_until = None
    story.save()
    reader = Client()
    assert shown(reader, "/interviews/") and shown(reader, "/")
    assert reader.get("/interviews/harbour-master/").status_code == 200
    story.embargo_until = later(hours=1)
    story.save()
    assert not shown(reader, "/interviews/") and not shown(reader, "/")
    assert reader.get("/interviews/harbour-master/").status_code == 404


def test_a_preview_link_opens_it_only_when_allowed_before_the_embargo(interview, editor):
    _, plain = previews.create_link(interview, by=editor, lifetime="1h")
    _, allowed = previews.create_link(interview, by=editor, lifetime="1h",
                                      allow_before_embargo=True)
    assert Client().get(plain).status_code == 404
    assert Client().get(allowed).status_code == 200


def test_the_interview_form_offers_the_embargo_choice(interview, editor_client):
    html = editor_client.get(f"/admin/interviews/interview/{interview.pk}/change/")
    assert "Allow before the embargo ends" in html.content.decode()
