"""Crawling: /sitemap.xml, the Google News sitemap and robots.txt."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.articles.factories import ArticleFactory, SectionFactory

from .sitemap_xml import BASE, NS, all_entries, entries, fetch_xml, sitemap_pages

pytestmark = pytest.mark.django_db

def same_moment(lastmod, when):
    """<lastmod> is W3C datetime; Django writes the day only (YYYY-MM-DD), which is enough."""
    if len(lastmod) == 10:
        return lastmod == f"{timezone.localtime(when):%Y-%m-%d}"
    return datetime.fromisoformat(lastmod).replace(microsecond=0) == when.replace(microsecond=0)


@pytest.fixture
def newsroom():
    now = timezone.now()
    world = SectionFactory(slug="world", name="World")
    sport = SectionFactory(slug="sport", name="Sport")
    empty = SectionFactory(slug="culture", name="Culture")
    public = {
        "recent": ArticleFactory(title="Ceasefire agreed", slug="ceasefire", section=world,
                                 tags=["Diplomacy"], publish_at=now - timedelta(hours=2)),
        "yesterday": ArticleFactory(title="Cup final", slug="final", section=sport,
                                    tags=["Football"], publish_at=now - timedelta(hours=47)),
        "old": ArticleFactory(title="Three days ago", slug="old", section=world,
                              publish_at=now - timedelta(days=3)),
    }
    public["old"].updated_at = now - timedelta(hours=6)
    public["old"].save()
    hidden = {
        "draft": ArticleFactory(title="Draft", slug="draft", section=empty,
                                status=Article.Status.DRAFT, tags=["Secret"]),
        "review": ArticleFactory(title="In review", slug="review", section=empty,
                                 status=Article.Status.REVIEW, tags=["Secret"]),
        "scheduled": ArticleFactory(title="Scheduled", slug="scheduled", section=empty,
                                    publish_at=now + timedelta(hours=2), tags=["Secret"]),
        "unpublished": ArticleFactory(title="Pulled", slug="pulled", section=empty,
                                      publish_at=now - timedelta(hours=1), tags=["Secret"]),
    }
    services.unpublish_article(hidden["unpublished"])
    return public, hidden


def test_sitemap_lists_every_public_story_with_lastmod(client, newsroom):
    public, hidden = newsroom
    urls = all_entries(client)
    for story in public.values():
        url = urls[BASE + story.get_absolute_url()]
        assert same_moment(url.findtext("s:lastmod", namespaces=NS),
                           story.updated_at or story.publish_at)
    for story in hidden.values():
        assert BASE + story.get_absolute_url() not in urls
        assert not any(f"/{story.slug}/" in loc for loc in urls)


def test_sitemap_lists_home_sections_and_tags_with_public_stories(client, newsroom):
    urls = all_entries(client)
    assert f"{BASE}/" in urls
    assert f"{BASE}/world/" in urls
    assert f"{BASE}/sport/" in urls
    assert f"{BASE}/tags/diplomacy/" in urls
    assert f"{BASE}/tags/football/" in urls
    # Only non-public stories in them: not worth a crawler's visit, and not to be revealed.
    assert f"{BASE}/culture/" not in urls
    assert f"{BASE}/tags/secret/" not in urls
    assert urls[f"{BASE}/world/"].findtext("s:lastmod", namespaces=NS)


def test_section_lastmod_is_its_newest_public_story(client, newsroom):
    public, _ = newsroom
    urls = all_entries(client)
    lastmod = urls[f"{BASE}/world/"].findtext("s:lastmod", namespaces=NS)
    assert same_moment(lastmod, public["recent"].publish_at)


@pytest.mark.usefixtures("page_cache_off")
def test_sitemap_query_count_does_not_grow(client, db):
    world = SectionFactory(slug="world", name="World")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/sitemap.xml").status_code == 200
            for page in sitemap_pages(client):
                assert client.get(page).status_code == 200
        return len(queries)

    for _ in range(3):
        ArticleFactory(section=world, tags=["Peace"])
    few = count()
    for _ in range(12):
        ArticleFactory(section=world, tags=["Peace", "War"])
    assert count() == few


def test_the_index_pages_the_whole_archive(client, db, monkeypatch):
    from articles.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    world = SectionFactory(slug="world", name="World")
    stories = [ArticleFactory(section=world) for _ in range(5)]
    pages = sitemap_pages(client)
    assert [page for page in pages if page.startswith("/sitemap-articles.xml")] == [
        "/sitemap-articles.xml", "/sitemap-articles.xml?p=2", "/sitemap-articles.xml?p=3"]
    urls = all_entries(client)
    for story in stories:
        assert BASE + story.get_absolute_url() in urls
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_no_sitemap_page_is_over_the_protocols_limit():
    from newsroom.urls import sitemaps

    for name, sitemap in sitemaps.items():
        assert sitemap.limit <= 50_000, name


def test_news_sitemap_has_the_last_two_days_in_google_news_format(client, newsroom):
    public, hidden = newsroom
    root = fetch_xml(client, "/news-sitemap.xml")
    urls = entries(root)
    assert set(urls) == {BASE + public["recent"].get_absolute_url(),
                         BASE + public["yesterday"].get_absolute_url()}
    # Newest first.
    assert list(urls) == [BASE + public["recent"].get_absolute_url(),
                          BASE + public["yesterday"].get_absolute_url()]
    for story in (public["recent"], public["yesterday"]):
        news = urls[BASE + story.get_absolute_url()].find("news:news", NS)
        assert news is not None
        assert news.findtext("news:publication/news:name", namespaces=NS) == "Newsroom"
        assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
        published = datetime.fromisoformat(news.findtext("news:publication_date", namespaces=NS))
        assert published.tzinfo is not None
        assert published.replace(microsecond=0) == story.publish_at.replace(microsecond=0)
        assert news.findtext("news:title", namespaces=NS) == story.title
    for story in [public["old"], *hidden.values()]:
        assert BASE + story.get_absolute_url() not in urls


def test_news_sitemap_escapes_titles(client, db):
    title = 'Tom & Jerry say "no" to <b>bold</b> \'claims\''
    ArticleFactory(title=title, slug="tom")
    root = fetch_xml(client, "/news-sitemap.xml")
    assert root.findtext("s:url/news:news/news:title", namespaces=NS) == title


def test_control_characters_in_a_headline_do_not_break_the_xml(client, db):
    ArticleFactory(title="Form\x0cfeed and\x1b escape", slug="ctrl", tags=["Odd\x0btag"])
    root = fetch_xml(client, "/news-sitemap.xml")
    assert root.findtext("s:url/news:news/news:title", namespaces=NS) == "Formfeed and escape"
    feed = client.get("/feed/")
    assert feed.status_code == 200
    ET.fromstring(feed.content)  # noqa: S314 -- our own test server's output


@pytest.mark.usefixtures("page_cache_off")
def test_news_sitemap_holds_at_most_1000_stories(client, db):
    world = SectionFactory(slug="world", name="World")
    now = timezone.now()
    Article.objects.bulk_create(
        [
            Article(title=f"Story {n}", slug=f"bulk-{n}", section=world, body_text="Words.",
                    status=Article.Status.PUBLISHED,
                    publish_at=now - timedelta(minutes=1, seconds=n * 10))
            for n in range(1005)
        ],
        batch_size=200,
    )
    with CaptureQueriesContext(connection) as queries:
        root = fetch_xml(client, "/news-sitemap.xml")
    urls = root.findall("s:url", NS)
    assert len(urls) == 1000
    # The newest thousand.
    assert urls[0].findtext("news:news/news:title", namespaces=NS) == "Story 0"
    assert urls[-1].findtext("news:news/news:title", namespaces=NS) == "Story 999"
    assert len(queries) <= 2


def test_empty_news_sitemap_is_valid(client, db):
    root = fetch_xml(client, "/news-sitemap.xml")
    assert root.findall("s:url", NS) == []


def test_robots_txt_points_to_both_sitemaps_and_keeps_crawlers_out_of_the_desk(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /preview/" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert f"Sitemap: {BASE}/news-sitemap.xml" in lines
    # Everything readers see stays open to crawlers.
    disallowed = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow")]
    for path in ("/", "/world/", "/search/", "/feed/", "/tags/"):
        assert path not in disallowed


def test_robots_txt_uses_the_configured_site_address(client, db, settings):
    settings.NEWSROOM_SITE_URL = "https://news.example.org"
    lines = client.get("/robots.txt").content.decode().splitlines()
    assert "Sitemap: https://news.example.org/sitemap.xml" in lines
    assert "Sitemap: https://news.example.org/news-sitemap.xml" in lines


def test_preview_addresses_are_covered_by_robots(client, newsroom):
    _, hidden = newsroom
    lines = client.get("/robots.txt").content.decode().splitlines()
    preview = hidden["draft"].get_preview_url()
    assert any(
        line.startswith("Disallow: ") and preview.startswith(line.split(": ", 1)[1])
        for line in lines
    )


# --- the desk's simple pages (about, contact) ------------------------------------------------


def _cache_hit(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries) == 0


def test_simple_pages_are_in_the_sitemap_with_lastmod(client, db):
    from newsroom.models import Page

    about = Page.objects.create(title="About us", slug="about", body="<p>Who we are.</p>")
    contact = Page.objects.create(title="Contact", slug="contact", in_footer=False)
    assert "/sitemap-pages.xml" in sitemap_pages(client)
    urls = all_entries(client)
    for page in (about, contact):
        url = urls[BASE + page.get_absolute_url()]
        assert same_moment(url.findtext("s:lastmod", namespaces=NS), page.updated_at)
        assert client.get(page.get_absolute_url()).status_code == 200


def test_the_cached_sitemap_follows_the_simple_pages(client, db):
    """With the page cache on (the default): the sitemaps come from the cache until a page is
    added, edited (a new address) or deleted, and then show the change at once."""
    from newsroom.models import Page

    ArticleFactory(section=SectionFactory(slug="world", name="World"))
    about = Page.objects.create(title="About us", slug="about")
    assert BASE + "/pages/about/" in all_entries(client)
    assert _cache_hit(client, "/sitemap.xml")
    assert _cache_hit(client, "/sitemap-pages.xml")

    Page.objects.create(title="Contact", slug="contact")
    assert BASE + "/pages/contact/" in entries(fetch_xml(client, "/sitemap-pages.xml"))

    about.slug = "about-the-newsroom"
    about.save()
    urls = entries(fetch_xml(client, "/sitemap-pages.xml"))
    assert BASE + "/pages/about-the-newsroom/" in urls
    assert BASE + "/pages/about/" not in urls
    assert _cache_hit(client, "/sitemap-pages.xml")

    about.delete()
    urls = all_entries(client)
    assert BASE + "/pages/about-the-newsroom/" not in urls
    assert BASE + "/pages/contact/" in urls
    assert client.get("/pages/about-the-newsroom/").status_code == 404


def test_an_edit_moves_the_pages_lastmod_in_the_cached_sitemap(client, db):
    from newsroom.models import Page

    page = Page.objects.create(title="About us", slug="about")
    Page.objects.filter(pk=page.pk).update(updated_at=timezone.now() - timedelta(days=40))
    old = entries(fetch_xml(client, "/sitemap-pages.xml"))[BASE + "/pages/about/"]
    assert old.findtext("s:lastmod", namespaces=NS) == \
        f"{timezone.localtime(timezone.now() - timedelta(days=40)):%Y-%m-%d}"
    page.refresh_from_db()
    page.body = "<p>New text.</p>"
    page.save()
    new = entries(fetch_xml(client, "/sitemap-pages.xml"))[BASE + "/pages/about/"]
    assert same_moment(new.findtext("s:lastmod", namespaces=NS), page.updated_at)
