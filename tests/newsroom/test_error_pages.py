"""Error pages: in the site's design, saying what the reader can do, leaking nothing, never
indexed and with no canonical or Open Graph address of the page that failed."""

import pytest
from django.db import OperationalError
from django.test import Client

from tests.articles.factories import ArticleFactory, SectionFactory
from tests.comments.helpers import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_views(settings):
    settings.ROOT_URLCONF = "tests.newsroom.error_urls"


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


def assert_error_page(response, status, heading):
    assert response.status_code == status
    html = response.content.decode()
    assert "text/html" in response["Content-Type"]
    assert heading in html
    assert 'class="site-header"' in html  # the site's own design
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html
    assert 'property="og:url"' not in html
    assert "SECRET-INTERNAL-DETAIL" not in html and "Traceback" not in html
    assert 'href="/"' in html  # somewhere to go next
    return html


def test_404_for_a_missing_page(visitor):
    SectionFactory(name="World", slug="world")
    html = assert_error_page(visitor.get("/no-such-page/"), 404, "We can’t find that page")
    assert "may have moved" in html
    assert 'action="/search/"' in html
    assert ">World</a>" in html  # the section menu, as on every page


def test_404_for_a_bad_page_number(visitor):
    section = SectionFactory()
    ArticleFactory(section=section)
    assert_error_page(visitor.get(f"/{section.slug}/?page=999"), 404, "We can’t find that page")


def test_403(visitor, failing_views):
    html = assert_error_page(visitor.get("/test-errors/forbidden/"), 403,
                             "You cannot open this page")
    assert 'href="/admin/"' in html


def test_400(visitor, failing_views):
    assert_error_page(visitor.get("/test-errors/suspicious/"), 400,
                      "We could not understand that request")


def test_400_for_a_host_we_do_not_serve(visitor):
    response = visitor.get("/", HTTP_HOST="evil.example")
    assert_error_page(response, 400, "We could not understand that request")
    assert "evil.example" not in response.content.decode()


def test_405_keeps_the_allowed_methods(visitor):
    story = ArticleFactory()
    response = visitor.get(f"/comments/article/{story.pk}/")
    html = assert_error_page(response, 405, "That cannot be done at this address")
    assert response["Allow"] == "POST"
    assert "go back to the story" in html


def test_429_for_too_many_comments(visitor, settings):
    settings.COMMENTS_RATE_LIMITS = [("ip", 1, 600)]
    story = ArticleFactory()
    post(visitor, story)
    response = post(visitor, story, body="And another thing about the tides.")
    assert_error_page(response, 429, "Please wait a little")


def test_429_page_for_a_bare_answer():
    from django.test import RequestFactory

    from newsroom.views import error_page

    response = error_page(RequestFactory().get("/"), 429)
    assert_error_page(response, 429, "Please slow down a little")


def test_500_says_sorry_and_leaks_nothing(visitor, failing_views):
    html = assert_error_page(visitor.get("/test-errors/crash/"), 500,
                             "Something went wrong on our side")
    assert "RuntimeError" not in html and "settings.py" not in html


def test_503_when_the_database_is_away(visitor, monkeypatch):
    from articles import pages

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(pages, "front_page", down, raising=False)
    monkeypatch.setattr("newsroom.views.HomeView.get_context_data", down)
    response = visitor.get("/")
    html = assert_error_page(response, 503, "We will be back in a moment")
    assert response["Retry-After"]
    assert "connection refused" not in html
