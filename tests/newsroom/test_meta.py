"""What search engines and link previews read from every public page: title, description,
canonical address, Open Graph and Twitter tags, and schema.org JSON-LD."""

import json
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from tests.articles.factories import ArticleFactory, AuthorFactory, PhotoFactory, SectionFactory

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


class Head(HTMLParser):
    """The parts of a page this file checks, read with a real HTML parser."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.titles, self.meta, self.links, self.json_ld = [], [], [], []
        self._in_title = self._in_json = False
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title, self._text = True, []
        elif tag == "meta":
            self.meta.append(attrs)
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json, self._text = True, []

    def handle_data(self, data):
        if self._in_title or self._in_json:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "title" and self._in_title:
            self.titles.append("".join(self._text))
            self._in_title = False
        elif tag == "script" and self._in_json:
            self.json_ld.append("".join(self._text))
            self._in_json = False

    def content(self, **match):
        (key, value), = match.items()
        found = [m.get("content") for m in self.meta if m.get(key) == value]
        assert len(found) == 1, f"expected one <meta {key}={value!r}>, found {len(found)}"
        return found[0]

    def canonical(self):
        found = [link["href"] for link in self.links if link.get("rel") == "canonical"]
        assert len(found) == 1, f"expected one canonical link, found {found}"
        return found[0]

    def schemas(self):
        return [json.loads(text) for text in self.json_ld]


def head(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    parser = Head()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def site():
    world = SectionFactory(slug="world", name="World", description="News from every continent.")
    dana = AuthorFactory(name="Dana Whitfield", slug="dana-whitfield",
                         bio="Dana covers diplomacy.")
    omar = AuthorFactory(name="Omar Haddad", slug="omar-haddad")
    story = ArticleFactory(
        title="Ceasefire agreed after night of talks", slug="ceasefire",
        standfirst="Both sides sign a truce brokered overnight.", section=world,
        authors=[dana, omar], tags=["Diplomacy", "Middle East"],
        lead_photo=PhotoFactory(alt_text="Delegates walking out of a hall"),
        publish_at=timezone.now() - timedelta(hours=3),
    )
    story.updated_at = timezone.now() - timedelta(hours=1)
    story.save()
    plain = ArticleFactory(title="Summit opens", slug="summit", section=world, authors=[omar])
    return {
        "home": "/",
        "section": world.get_absolute_url(),
        "tag": "/tags/diplomacy/",
        "author": dana.get_absolute_url(),
        "article": story.get_absolute_url(),
        "plain article": plain.get_absolute_url(),
        "search": "/search/?q=ceasefire",
        "empty search": "/search/",
        "story": story,
    }


PAGES = ["home", "section", "tag", "author", "article", "plain article", "search",
         "empty search"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_the_basic_tags(client, site, page):
    parsed = head(client, site[page])
    assert len(parsed.titles) == 1
    assert parsed.titles[0].strip()
    assert parsed.content(name="description").strip()
    assert parsed.canonical().startswith(f"{BASE}/")
    assert parsed.content(property="og:title").strip()
    assert parsed.content(property="og:url").startswith(f"{BASE}/")
    assert parsed.content(property="og:type") in {"website", "article", "profile"}
    assert parsed.content(name="twitter:card") in {"summary", "summary_large_image"}
    for text in parsed.json_ld:
        json.loads(text)


def test_titles_are_unique(client, site):
    titles = [head(client, site[page]).titles[0] for page in PAGES]
    assert len(set(titles)) == len(titles), titles


def test_second_pages_have_their_own_titles(client, site):
    world = site["story"].section
    for n in range(25):
        ArticleFactory(section=world, slug=f"more-{n}", tags=["Diplomacy"])
    for path in (world.get_absolute_url(), "/tags/diplomacy/", "/search/?q=story"):
        first = head(client, path).titles[0]
        joiner = "&" if "?" in path else "?"
        second = head(client, f"{path}{joiner}page=2").titles[0]
        assert first != second
        assert "page 2" in second


def test_canonical_and_og_url_name_the_page_itself(client, site):
    for page in ("home", "section", "tag", "author", "article"):
        parsed = head(client, site[page])
        assert parsed.canonical() == BASE + site[page]
        assert parsed.content(property="og:url") == BASE + site[page]


def test_search_pages_point_to_the_search_page_and_stay_out_of_the_index(client, site):
    parsed = head(client, site["search"])
    assert parsed.canonical() == f"{BASE}/search/"
    assert "noindex" in parsed.content(name="robots")


def test_article_tags(client, site):
    story = site["story"]
    parsed = head(client, site["article"])
    assert parsed.titles[0] == "Ceasefire agreed after night of talks — Newsroom"
    assert parsed.content(name="description") == story.standfirst
    assert parsed.content(property="og:type") == "article"
    assert parsed.content(property="og:title") == story.title
    assert parsed.content(property="og:image").startswith(f"{BASE}/media/")
    assert parsed.content(name="twitter:card") == "summary_large_image"
    assert parsed.content(name="twitter:image") == parsed.content(property="og:image")
    published = datetime.fromisoformat(parsed.content(property="article:published_time"))
    assert published.replace(microsecond=0) == story.publish_at.replace(microsecond=0)


def test_article_json_ld_is_a_news_article(client, site):
    story = site["story"]
    [data] = head(client, site["article"]).schemas()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == story.title
    assert data["image"] == [f"{BASE}{story.lead_photo.best_url}"]
    published = datetime.fromisoformat(data["datePublished"])
    modified = datetime.fromisoformat(data["dateModified"])
    assert published.tzinfo is not None and modified.tzinfo is not None
    assert published.replace(microsecond=0) == story.publish_at.replace(microsecond=0)
    assert modified.replace(microsecond=0) == story.updated_at.replace(microsecond=0)
    assert [author["name"] for author in data["author"]] == ["Dana Whitfield", "Omar Haddad"]
    assert all(author["@type"] == "Person" for author in data["author"])
    assert data["author"][0]["url"] == f"{BASE}/authors/dana-whitfield/"
    assert data["publisher"]["name"] == "Newsroom"
    assert data["publisher"]["@type"] in {"Organization", "NewsMediaOrganization"}
    assert data["mainEntityOfPage"] == BASE + story.get_absolute_url()


def test_article_json_ld_without_a_photo_or_update(client, site):
    [data] = head(client, site["plain article"]).schemas()
    assert data["@type"] == "NewsArticle"
    assert "image" not in data or data["image"]
    assert data["dateModified"] == data["datePublished"]


def test_json_ld_survives_hostile_text(client, db):
    world = SectionFactory(slug="world", name="World </script><script>alert(1)</script>")
    title = 'Quote " backslash \\ </script><script>alert(2)</script> & \u2028 line'
    story = ArticleFactory(title=title, slug="hostile", section=world,
                           authors=[AuthorFactory(name="</script>Eve")])
    response = client.get(story.get_absolute_url())
    html = response.content.decode()
    assert "<script>alert" not in html
    [data] = head(client, story.get_absolute_url()).schemas()
    assert data["headline"] == title
    assert data["author"][0]["name"] == "</script>Eve"
    [crumbs] = head(client, world.get_absolute_url()).schemas()
    assert crumbs["itemListElement"][1]["name"] == world.name


@pytest.mark.parametrize(("page", "last_name"), [("section", "World"), ("tag", "Diplomacy")])
def test_listing_pages_have_a_breadcrumb_list(client, site, page, last_name):
    [data] = head(client, site[page]).schemas()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "BreadcrumbList"
    items = data["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    assert all(item["@type"] == "ListItem" for item in items)
    assert items[0]["name"] == "Home"
    assert items[0]["item"] == f"{BASE}/"
    assert items[-1]["name"] == last_name
    assert items[-1]["item"] == BASE + site[page]


def test_descriptions_describe_the_page(client, site):
    assert head(client, site["section"]).content(name="description") == (
        "News from every continent.")
    assert "Diplomacy" in head(client, site["tag"]).content(name="description")
    assert head(client, site["author"]).content(name="description") == "Dana covers diplomacy."
