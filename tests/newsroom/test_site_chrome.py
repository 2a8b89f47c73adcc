"""The menu and the footer on every page are kept rendered (base.html's fragments, named `nav`):
a renamed section or a new simple page shows at once on every page, with the page cache off
and on; what differs per page (the marked menu item, the search box) is never taken from
another page's copy; and a page whose menu is kept asks no query for it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Section
from newsroom.context_processors import FOOTER_PAGES_KEY
from newsroom.models import Page
from tests.articles.factories import ArticleFactory, SectionFactory
from tests.interviews.factories import InterviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    world = SectionFactory(name="World", slug="world", order=1)
    SectionFactory(name="Politics", slug="politics", order=2)
    story = ArticleFactory(title="Harbour reopens", section=world)
    interview = InterviewFactory(title="Talking harbours")
    return {"story": story.get_absolute_url(), "interview": interview.get_absolute_url(),
            "section": "/world/", "front": "/", "interviews": "/interviews/",
            "search": "/search/?q=harbour", "missing": "/no-such-page/"}


def html_of(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404), path
    return response.content.decode()


def menu(html):
    return html.split('<nav class="site-nav" aria-label="Main">', 1)[1].split("</nav>", 1)[0]


def footer(html):
    return html.split('<footer class="site-footer">', 1)[1]


def test_a_renamed_section_shows_at_once_in_every_menu_and_footer(client, page_cache, site):
    for path in site.values():  # every page's menu and footer kept, and pages cached
        html_of(client, path)
    section = Section.objects.get(slug="politics")
    section.name = "Government"
    section.save()
    for path in site.values():
        html = html_of(client, path)
        assert ">Government</a>" in menu(html), path
        assert ">Politics</a>" not in html, path
        assert '<a href="/politics/feed/">Government (RSS)</a>' in footer(html), path


def test_a_section_renamed_in_the_admin_shows_in_the_menu(client, admin_client, page_cache,
                                                          site):
    html_of(client, site["story"])
    section = Section.objects.get(slug="politics")
    response = admin_client.post(f"/admin/articles/section/{section.pk}/change/",
                                 {"name": "Government", "slug": "politics", "description": "",
                                  "order": 2})
    assert response.status_code == 302
    html = html_of(client, site["story"])
    assert '<a href="/politics/">Government</a>' in menu(html)


def test_a_new_section_and_a_removed_one_show_in_the_menu(client, page_cache, site):
    html_of(client, site["front"])
    SectionFactory(name="Science", slug="science", order=3)
    assert '<a href="/science/">Science</a>' in menu(html_of(client, site["front"]))
    Section.objects.get(slug="science").delete()
    assert "Science" not in html_of(client, site["front"])


def test_a_new_simple_page_shows_in_every_footer(client, page_cache, site):
    for path in site.values():
        html_of(client, path)
    Page.objects.create(title="About us", slug="about")
    for path in site.values():
        assert '<a href="/pages/about/">About us</a>' in footer(html_of(client, path)), path
    Page.objects.filter(slug="about").get().delete()
    for path in site.values():
        assert "About us" not in html_of(client, path), path


def test_each_page_marks_its_own_menu_item_whatever_was_kept(client, page_cache, site):
    marked = {"story": "World", "section": "World", "interview": "Interviews",
              "interviews": "Interviews", "front": None, "search": None, "missing": None}
    for _round in range(2):  # the second round reads every menu from the cache
        for name, path in site.items():
            html = menu(html_of(client, path))
            current = [item for item in ("World", "Politics", "Interviews")
                       if f'aria-current="page">{item}</a>' in html]
            assert current == ([marked[name]] if marked[name] else []), (name, html)
    politics = menu(html_of(client, "/politics/"))
    assert '<a href="/politics/" aria-current="page">Politics</a>' in politics
    assert '<a href="/world/">World</a>' in politics


def test_the_search_box_holds_each_readers_own_words(client, site):
    html_of(client, "/search/?q=harbour")
    html = html_of(client, "/search/?q=%22%3Eships")
    assert 'name="q" placeholder="Search" value="&quot;&gt;ships"' in html
    assert 'value="harbour"' not in html


def test_a_warm_page_asks_nothing_for_its_menu_or_footer(client, settings, site):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    Page.objects.create(title="About us", slug="about")
    menu_query = str(Section.objects.all().query)
    # A story that is not there: a 404 page whose view reads no section either.
    missing_story = "/world/2020/01/01/no-such-story/"
    for path in (site["story"], site["interview"], missing_story):
        cold = html_of(client, path)
        cache.delete(FOOTER_PAGES_KEY)  # the footer's own cache is not even read
        with CaptureQueriesContext(connection) as queries:
            warm = html_of(client, path)
        assert menu(warm) == menu(cold) and footer(warm) == footer(cold)
        asked = [query["sql"] for query in queries.captured_queries]
        assert menu_query not in asked, path
        assert not any('FROM "newsroom_page"' in sql for sql in asked), path
        assert '<a href="/pages/about/">About us</a>' in footer(warm)


def test_pages_drawn_without_the_database_show_no_kept_menu(client, monkeypatch, settings,
                                                           site):
    from django.db import OperationalError

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    html_of(client, "/")  # the menu is kept

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("newsroom.views.HomeView.get_context_data", down)
    response = client.get("/")
    assert response.status_code == 503
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert ">World</a>" not in html
