"""RSS 2.0 feeds: the whole site, a section and a tag, as a feed reader sees them."""

import calendar
from datetime import UTC, timedelta

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services
from articles.images import prepare_upload
from articles.models import Article
from interviews.models import Interview
from tests.articles.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    SectionFactory,
    image_upload,
)
from tests.interviews.factories import build_interview

pytestmark = pytest.mark.django_db


def parse(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    return feed


def by_link(feed):
    return {entry.link: entry for entry in feed.entries}


def absolute(article):
    return f"http://testserver{article.get_absolute_url()}"


@pytest.fixture
def newsroom():
    """Public stories in two sections, and one of every kind that must stay out of feeds."""
    world = SectionFactory(slug="world", name="World")
    sport = SectionFactory(slug="sport", name="Sport")
    dana = AuthorFactory(name="Dana Whitfield", slug="dana-whitfield")
    omar = AuthorFactory(name="Omar Haddad", slug="omar-haddad")
    now = timezone.now()
    photo = PhotoFactory(caption="Delegates leave the hall.", credit="Ana Ruiz / Agency")
    stories = {
        "ceasefire": ArticleFactory(
            title="Ceasefire agreed after night of talks", slug="ceasefire",
            standfirst="Both sides sign a truce brokered overnight.", section=world,
            authors=[dana, omar], tags=["Diplomacy", "Middle East"], lead_photo=photo,
            publish_at=now - timedelta(hours=2),
        ),
        "summit": ArticleFactory(
            title="Summit opens in Geneva", slug="summit", standfirst="Leaders arrive.",
            section=world, authors=[omar], tags=["Diplomacy"],
            publish_at=now - timedelta(hours=5),
        ),
        "final": ArticleFactory(
            title="Cup final goes to penalties", slug="final",
            standfirst="A night to remember.", section=sport, authors=[dana],
            tags=["Football"], publish_at=now - timedelta(hours=1),
        ),
    }
    hidden = {
        "draft": ArticleFactory(title="Draft story", slug="draft", section=world,
                                status=Article.Status.DRAFT, tags=["Diplomacy"]),
        "review": ArticleFactory(title="Story in review", slug="review", section=world,
                                 status=Article.Status.REVIEW, tags=["Diplomacy"]),
        "scheduled": ArticleFactory(title="Scheduled story", slug="scheduled", section=world,
                                    publish_at=now + timedelta(hours=3), tags=["Diplomacy"]),
        "unpublished": ArticleFactory(title="Pulled story", slug="pulled", section=world,
                                      tags=["Diplomacy"]),
    }
    services.unpublish_article(hidden["unpublished"])
    return stories, hidden


def test_site_feed_lists_every_public_story_with_its_details(client, newsroom):
    stories, _ = newsroom
    feed = parse(client, "/feed/")
    assert feed.feed.title == "Newsroom: latest stories"
    assert feed.feed.link == "http://testserver/"
    entries = by_link(feed)
    assert set(entries) == {absolute(story) for story in stories.values()}
    # Newest first.
    assert [entry.title for entry in feed.entries] == [
        "Cup final goes to penalties", "Ceasefire agreed after night of talks",
        "Summit opens in Geneva",
    ]

    story = stories["ceasefire"]
    entry = entries[absolute(story)]
    assert entry.title == story.title
    assert entry.link.startswith("http://testserver/world/")
    assert entry.description == "Both sides sign a truce brokered overnight."
    assert entry.author == "Dana Whitfield, Omar Haddad"
    assert calendar.timegm(entry.published_parsed) == int(story.publish_at.timestamp())
    assert sorted(tag.term for tag in entry.tags) == ["Diplomacy", "Middle East"]
    [media] = entry.media_content
    assert media["url"].startswith("http://testserver/media/")
    assert media["url"] == f"http://testserver{story.lead_photo.best_url}"
    assert media["medium"] == "image"
    assert entry.media_credit[0]["content"] == "Ana Ruiz / Agency"

    plain = entries[absolute(stories["summit"])]
    assert "media_content" not in plain
    assert plain.author == "Omar Haddad"
    assert [tag.term for tag in plain.tags] == ["Diplomacy"]


def test_media_type_matches_the_file_that_is_linked(client, newsroom):
    stories, _ = newsroom
    photo = stories["ceasefire"].lead_photo
    entry = by_link(parse(client, "/feed/"))[absolute(stories["ceasefire"])]
    extension = photo.best_url.rsplit(".", 1)[-1].lower()
    expected = {"webp": "image/webp", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                "png": "image/png", "gif": "image/gif"}[extension]
    assert entry.media_content[0]["type"] == expected


def test_photo_without_renditions_is_described_by_its_own_type(client, newsroom):
    stories, _ = newsroom
    photo = stories["ceasefire"].lead_photo
    type(photo).objects.filter(pk=photo.pk).update(renditions={"source": photo.image.name})
    entry = by_link(parse(client, "/feed/"))[absolute(stories["ceasefire"])]
    media = entry.media_content[0]
    assert media["url"] == f"http://testserver{photo.image.url}"
    assert photo.image.name.endswith(".jpg")
    assert media["type"] == "image/jpeg"
    assert (media["width"], media["height"]) == (str(photo.width), str(photo.height))


def test_media_size_is_the_size_of_the_linked_rendition(client, db):
    photo = PhotoFactory(image=prepare_upload(image_upload(size=(1600, 900))))
    story = ArticleFactory(slug="wide", lead_photo=photo)
    [media] = by_link(parse(client, "/feed/"))[absolute(story)].media_content
    assert media["url"].endswith("/1440w.webp")
    assert media["type"] == "image/webp"
    assert (media["width"], media["height"]) == ("1440", "810")


@pytest.mark.parametrize("path", ["/feed/", "/world/feed/", "/tags/diplomacy/feed/"])
def test_feeds_leave_out_every_story_that_is_not_public(client, newsroom, path):
    _, hidden = newsroom
    feed = parse(client, path)
    titles = {entry.title for entry in feed.entries}
    links = set(by_link(feed))
    for story in hidden.values():
        assert story.title not in titles
        assert absolute(story) not in links
        assert story.get_absolute_url() not in feed.feed.get("link", "")


def test_section_feed_has_only_that_section(client, newsroom):
    stories, _ = newsroom
    feed = parse(client, "/world/feed/")
    assert feed.feed.title == "Newsroom: World"
    assert feed.feed.link == "http://testserver/world/"
    assert set(by_link(feed)) == {absolute(stories["ceasefire"]), absolute(stories["summit"])}
    sport = parse(client, "/sport/feed/")
    assert set(by_link(sport)) == {absolute(stories["final"])}


def test_tag_feed_has_only_that_tag(client, newsroom):
    stories, _ = newsroom
    feed = parse(client, "/tags/diplomacy/feed/")
    assert feed.feed.title == "Newsroom: Diplomacy"
    assert feed.feed.link == "http://testserver/tags/diplomacy/"
    assert set(by_link(feed)) == {absolute(stories["ceasefire"]), absolute(stories["summit"])}
    football = parse(client, "/tags/football/feed/")
    assert set(by_link(football)) == {absolute(stories["final"])}


@pytest.mark.parametrize("path", ["/no-such-section/feed/", "/tags/no-such-tag/feed/"])
def test_unknown_section_or_tag_feed_is_404(client, newsroom, path):
    assert client.get(path).status_code == 404


def test_empty_feed_is_still_valid(client, db):
    feed = parse(client, "/feed/")
    assert feed.entries == []


def test_markup_in_headlines_and_standfirsts_is_escaped(client, db):
    title = 'Tom & Jerry say "no" to <script>alert(1)</script> & \'quotes\''
    standfirst = "Less < more & more > less, \"quoted\" and 'single'."
    author = AuthorFactory(name="O'Brien & <Sons>", slug="obrien")
    story = ArticleFactory(title=title, slug="tom-and-jerry", standfirst=standfirst,
                           authors=[author], tags=["R&D <lab>"])
    response = client.get("/feed/")
    assert b"<script>" not in response.content
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    [entry] = feed.entries
    assert entry.title == title
    assert entry.link == absolute(story)
    assert entry.author == "O'Brien & <Sons>"
    assert [tag.term for tag in entry.tags] == ["R&D <lab>"]
    # feedparser sanitises HTML in descriptions; the raw XML must carry the text escaped.
    assert "Less &lt; more &amp; more &gt; less" in response.content.decode()


def test_odd_unicode_in_a_headline_keeps_the_feed_valid(client, db):
    title = "Emoji 🌍, RTL \u202eevil\u202c, combining e\u0301 and Ωmega"
    ArticleFactory(title=title, slug="odd-unicode")
    feed = parse(client, "/feed/")
    assert feed.entries[0].title == title


def _feed_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize("path", ["/feed/", "/world/feed/", "/tags/diplomacy/feed/"])
def test_feed_query_count_does_not_grow_with_stories(client, db, settings, path):
    # The feed rendered every time (a kept copy runs no query: test_fragment_lists.py).
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 0
    world = SectionFactory(slug="world", name="World")
    photo = PhotoFactory()
    authors = [AuthorFactory(), AuthorFactory()]

    def add(count):
        for _ in range(count):
            ArticleFactory(section=world, authors=authors, tags=["Diplomacy", "Peace"],
                           lead_photo=photo)

    add(5)
    few = _feed_queries(client, path)
    add(25)
    many = _feed_queries(client, path)
    assert len(feedparser.parse(client.get(path).content).entries) == 30
    assert many == few
    assert many <= 5


def test_feed_is_capped(client, db):
    world = SectionFactory(slug="world", name="World")
    now = timezone.now()
    Article.objects.bulk_create([
        Article(title=f"Bulk {n}", slug=f"bulk-{n}", section=world,
                status=Article.Status.PUBLISHED, publish_at=now - timedelta(minutes=n))
        for n in range(60)
    ])
    feed = parse(client, "/feed/")
    assert len(feed.entries) == 50
    assert feed.entries[0].title == "Bulk 0"


def test_published_dates_are_rfc822_in_utc(client, db):
    when = timezone.now().replace(microsecond=0) - timedelta(days=2)
    ArticleFactory(slug="dated", publish_at=when)
    entry = parse(client, "/feed/").entries[0]
    assert calendar.timegm(entry.published_parsed) == int(when.astimezone(UTC).timestamp())


def test_a_tag_only_unpublished_stories_carry_has_no_feed(client):
    ArticleFactory(tags=["Embargoed merger"], status=Article.Status.DRAFT, publish_at=None)
    assert client.get("/tags/embargoed-merger/feed/").status_code == 404
    ArticleFactory(tags=["Embargoed merger"])
    assert client.get("/tags/embargoed-merger/feed/").status_code == 200


def test_each_item_in_the_site_feed_carries_its_own_tags(client, db):
    # A story and an interview with the same primary key: their tags must not mix.
    story = ArticleFactory(pk=7_000_001, title="Story with tags", slug="story-with-tags",
                           tags=["Harbour", "Strikes"])
    interview = build_interview(pk=7_000_001, title="Talking ports", slug="talking-ports",
                                status=Interview.Status.PUBLISHED,
                                publish_at=timezone.now() - timedelta(minutes=5))
    interview.tags.set(["Ports"])
    untagged = ArticleFactory(title="No tags here", slug="no-tags-here")
    assert story.pk == interview.pk
    feed = parse(client, "/feed/")
    terms = {entry.title: sorted(tag.term for tag in entry.get("tags", []))
             for entry in feed.entries}
    assert terms["Story with tags"] == ["Harbour", "Strikes"]
    assert terms["Talking ports"] == ["Ports"]
    assert terms[untagged.title] == []
