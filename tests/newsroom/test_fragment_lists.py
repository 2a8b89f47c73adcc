"""The front page, the list pages and the feeds keep their cards, counts and bodies rendered
(newsroom/fragments.py): a change shows on the next request, with the page cache off or on,
and a page whose parts are kept runs none of their queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services as article_services
from newsroom.models import FrontPage
from tests.articles.factories import ArticleFactory
from tests.interviews.factories import InterviewFactory
from tests.newsroom import test_page_cache
from tests.newsroom.test_page_cache import get, text

pytestmark = pytest.mark.django_db

site = test_page_cache.site  # the same small site: a section, two stories, an interview


def story_lists(site):
    return ["/", "/harbour/", "/tags/tides/", site["author"].get_absolute_url(), "/feed/",
            "/harbour/feed/", "/tags/tides/feed/"]


def warm(client, paths):
    for path in paths:
        get(client, path)
        get(client, path)


def test_a_new_story_appears_on_every_list_it_belongs_to(site, client, page_cache):
    paths = story_lists(site)
    warm(client, paths)
    ArticleFactory(title="Pilots strike at dawn", section=site["section"],
                   authors=[site["author"]], tags=["Tides"])
    for path in paths:
        assert "Pilots strike at dawn" in text(client, path), path


def test_an_edited_story_and_a_renamed_author_show_on_every_list(site, client, editor,
                                                                 page_cache):
    paths = story_lists(site)
    warm(client, paths)
    story = site["first"]
    story.title = "Tide gauges mended"
    article_services.save_article(story, by=editor)
    for path in paths:
        page = text(client, path)
        assert "Tide gauges mended" in page and "Tide gauges fail" not in page, path
    author = site["author"]
    author.name = "Mira Quayle"
    author.save()
    for path in paths:
        # The section and front pages show the byline on each card, the feeds as <author>.
        assert "Mira Quayle" in text(client, path), path


def test_a_renamed_guest_shows_on_the_interview_cards(site, client, page_cache):
    guest = site["guest"]
    paths = ["/", "/interviews/", guest.get_absolute_url()]
    warm(client, paths)
    guest.name = "Ines Harbourmaster"
    guest.save()
    for path in paths:
        assert re.search(r'class="interview-card__guests">With <a href="[^"]+">[^<]*'
                         r"Ines Harbourmaster</a>", text(client, path)), path


def test_a_renamed_section_shows_in_its_front_page_block_and_feed(site, client, page_cache):
    # Enough stories that the section keeps a block under the lead, top stories and latest.
    for n in range(16):
        ArticleFactory(section=site["section"], title=f"Quay story {n}",
                       publish_at=timezone.now() - timedelta(hours=2, minutes=n))
    warm(client, ["/", "/harbour/feed/"])
    site["section"].name = "Harbourside"
    site["section"].save()
    assert '<a href="/harbour/">Harbourside</a></h2>' in text(client, "/")
    assert "<title>Newsroom: Harbourside</title>" in text(client, "/harbour/feed/")


def test_the_desks_curation_shows_at_once(site, client, page_cache):
    warm(client, ["/"])
    lead = re.compile(r'aria-label="Lead story">.*?</section>', re.S)
    assert "Tide gauges fail" not in lead.search(text(client, "/")).group()
    FrontPage.objects.create(is_live=True, lead=site["first"])
    assert "Tide gauges fail" in lead.search(text(client, "/")).group()


def test_the_kept_count_follows_the_list(site, client, page_cache):
    """The count decides "Page 1 of N" and which pages exist: kept, it must change with the
    list."""
    for n in range(18):
        ArticleFactory(section=site["section"], title=f"Quay story {n}")
    assert "Page 1 of 2" not in text(client, "/harbour/")
    assert client.get("/harbour/?page=2").status_code == 404
    ArticleFactory(section=site["section"], title="The twenty-first")
    assert "Page 1 of 2" in text(client, "/harbour/")
    assert client.get("/harbour/?page=2").status_code == 200


def test_scheduled_stories_and_interviews_appear_on_kept_lists_at_their_time(
        site, client, editor, page_cache, monkeypatch):
    story = ArticleFactory(title="Budget day", section=site["section"], tags=["Tides"],
                           authors=[site["author"]], status="draft", publish_at=None)
    article_services.publish_article(story, by=editor, at=timezone.now() + timedelta(minutes=30))
    InterviewFactory(title="The budget explained", status="published",
                     publish_at=timezone.now() + timedelta(minutes=30))
    paths = [*story_lists(site), "/interviews/"]
    warm(client, paths)
    for path in paths:
        page = text(client, path)
        assert "Budget day" not in page and "The budget explained" not in page, path
    later = timezone.now() + timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for path in paths:
        expected = "The budget explained" if path == "/interviews/" else "Budget day"
        assert expected in text(client, path), path


# What a page whose parts are kept still asks the database ------------------------------------

# Reading a list (its stories, their bylines, an interview's line-up) or counting it.
LIST_QUERIES = re.compile(r'COUNT\(|"articles_articleauthor"|"interviews_interviewguest"'
                          r'|"newsroom_frontpage"')


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize("path, most", [
    ("/", 1), ("/harbour/", 1), ("/tags/tides/", 2), ("author", 2), ("/interviews/", 1),
    ("guest", 2), ("/feed/", 0), ("/harbour/feed/", 1), ("/tags/tides/feed/", 2),
])
def test_a_kept_list_runs_none_of_its_queries(site, client, path, most,
                                              django_assert_max_num_queries):
    path = {"author": site["author"].get_absolute_url(),
            "guest": site["guest"].get_absolute_url()}.get(path, path)
    with CaptureQueriesContext(connection) as cold:
        first = text(client, path)
    assert any(LIST_QUERIES.search(query["sql"]) for query in cold.captured_queries)
    # `most`: the menu's sections (a section's page finds itself there), and the page's own
    # row (tag, author, guest; a tag feed asks whether the tag has a public story).
    with django_assert_max_num_queries(most) as warm:
        assert text(client, path) == first
    assert not [query["sql"] for query in warm.captured_queries
                if LIST_QUERIES.search(query["sql"])]
