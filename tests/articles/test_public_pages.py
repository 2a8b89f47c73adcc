"""What a reader sees on the article, section, tag, author and front pages."""

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Section

from .factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    PhotoFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(html):
    return [json.loads(block) for block in JSON_LD.findall(html)]


def meta(html, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    assert match, f"no <meta {attribute}={name!r}>"
    return match.group(1)


@pytest.fixture
def story():
    section = SectionFactory(slug="world", name="World")
    authors = [AuthorFactory(name="Dana Whitfield", slug="dana-whitfield"),
               AuthorFactory(name="Omar Haddad", slug="omar-haddad")]
    related = ArticleFactory(title="Earlier: talks stall", section=section)
    article = ArticleFactory(
        title="Ceasefire agreed after night of talks", slug="ceasefire-agreed",
        kicker="Breaking", standfirst="Both sides sign a truce brokered overnight.",
        body="<p>The agreement was signed at dawn.</p>", section=section, authors=authors,
        tags=["Diplomacy", "Middle East"], related=[related], lead_photo=PhotoFactory(
            caption="Delegates leave the hall.", credit="Ana Ruiz / Agency",
            alt_text="Delegates walking out of a hall"),
        discussion_prompt="Will the truce hold?",
        publish_at=timezone.now() - timedelta(hours=3),
    )
    CorrectionFactory(article=article, text="An earlier version gave the wrong city.")
    return article


def test_article_page_shows_the_whole_story(client, story):
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()

    breadcrumb = html.split('class="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/">Home</a>' in breadcrumb
    assert '<a href="/world/">World</a>' in breadcrumb
    assert '<p class="kicker">Breaking</p>' in html
    assert '<h1 class="story__title">Ceasefire agreed after night of talks</h1>' in html
    assert "Both sides sign a truce brokered overnight." in html
    assert "<p>The agreement was signed at dawn.</p>" in html
    assert '<a href="/authors/dana-whitfield/" rel="author">Dana Whitfield</a>' in html
    assert '<a href="/authors/omar-haddad/" rel="author">Omar Haddad</a>' in html
    # To the second: the HTML standard allows at most three decimals in a datetime.
    published = timezone.localtime(story.publish_at).replace(microsecond=0).isoformat()
    assert f'Published <time datetime="{published}">' in html

    figure = re.search(r'<figure class="story__photo">(.*?)</figure>', html, re.S)
    assert figure, "no lead photo figure"
    assert "<img " in figure.group(1)
    assert 'alt="Delegates walking out of a hall"' in figure.group(1)
    assert "srcset=" in figure.group(1)
    assert "Delegates leave the hall." in figure.group(1)
    assert "Ana Ruiz / Agency" in figure.group(1)

    assert '<a href="/tags/diplomacy/" rel="tag">#Diplomacy</a>' in html
    assert '<a href="/tags/middle-east/" rel="tag">#Middle East</a>' in html
    related = html.split('id="related-heading"', 1)[1]
    assert "Earlier: talks stall" in related
    assert "Will the truce hold?" in html
    assert "An earlier version gave the wrong city." in html


def test_article_page_meta_for_search_and_social(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    canonical = f"http://testserver{story.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert meta(html, "property", "og:title") == "Ceasefire agreed after night of talks"
    assert meta(html, "property", "og:type") == "article"
    image = meta(html, "property", "og:image")
    assert image.startswith("http://testserver/media/")
    assert meta(html, "name", "twitter:card") == "summary_large_image"
    assert meta(html, "name", "twitter:image") == image
    assert meta(html, "name", "twitter:title") == "Ceasefire agreed after night of talks"
    assert 'name="robots"' not in html

    (data,) = [d for d in json_ld(html) if d.get("@type") == "NewsArticle"]
    assert data["headline"] == "Ceasefire agreed after night of talks"
    assert data["datePublished"] == story.publish_at.isoformat()
    assert [a["name"] for a in data["author"]] == ["Dana Whitfield", "Omar Haddad"]
    assert data["publisher"]["name"]
    assert data["image"] == [image]
    assert data["mainEntityOfPage"] == canonical


def test_article_without_photo_has_a_small_card_and_no_image(client):
    article = ArticleFactory()
    html = client.get(article.get_absolute_url()).content.decode()
    assert meta(html, "name", "twitter:card") == "summary"
    assert 'property="og:image"' not in html
    (data,) = json_ld(html)
    assert "image" not in data
    assert "<figure" not in html


def test_json_ld_cannot_be_broken_out_of(client):
    article = ArticleFactory(title="Quote </script><script>alert(1)</script> end")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    (data,) = json_ld(html)
    assert data["headline"] == "Quote </script><script>alert(1)</script> end"


def test_section_page_lists_stories_with_breadcrumb_schema(client):
    section = SectionFactory(slug="politics", name="Politics")
    ArticleFactory(title="Cabinet reshuffle", section=section)
    ArticleFactory(title="Elsewhere entirely")
    response = client.get("/politics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Politics</h1>" in html
    assert "Cabinet reshuffle" in html
    assert "Elsewhere entirely" not in html
    (crumbs,) = [d for d in json_ld(html) if d["@type"] == "BreadcrumbList"]
    items = crumbs["itemListElement"]
    assert [(i["position"], i["name"], i["item"]) for i in items] == [
        (1, "Home", "http://testserver/"), (2, "Politics", "http://testserver/politics/"),
    ]


def test_tag_page_lists_stories_with_breadcrumb_schema(client):
    ArticleFactory(title="Grain exports resume", tags=["Grain"])
    ArticleFactory(title="Untagged story")
    response = client.get("/tags/grain/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Grain exports resume" in html
    assert "Untagged story" not in html
    (crumbs,) = [d for d in json_ld(html) if d["@type"] == "BreadcrumbList"]
    assert [i["name"] for i in crumbs["itemListElement"]] == ["Home", "Grain"]
    assert crumbs["itemListElement"][1]["item"] == "http://testserver/tags/grain/"


def test_author_page_shows_the_author_and_their_stories(client):
    author = AuthorFactory(name="Lena Park", slug="lena-park", role="Economics editor",
                           bio="Covers trade.")
    ArticleFactory(title="Rates held", authors=[author])
    ArticleFactory(title="Someone else's story")
    html = client.get("/authors/lena-park/").content.decode()
    assert "<h1>Lena Park</h1>" in html
    assert "Economics editor" in html
    assert "Covers trade." in html
    assert "Rates held" in html
    assert "Someone else&#x27;s story" not in html and "Someone else's story" not in html


def test_front_page_shows_latest_and_section_blocks(client):
    world = SectionFactory(slug="world", name="World", order=1)
    sport = SectionFactory(slug="sport", name="Sport", order=2)
    for n in range(8):  # more than the lead, top stories and headlines take
        for section in (world, sport):
            ArticleFactory(title=f"Older {section.slug} story {n}", section=section,
                           publish_at=timezone.now() - timedelta(days=1, hours=n))
    ArticleFactory(title="Newest sport story", section=sport)
    html = client.get("/").content.decode()
    top = html.split('aria-label="Lead story"', 1)[1].split("</section>", 1)[0]
    assert "Newest sport story" in top
    assert 'id="section-world"' in html
    assert 'id="section-sport"' in html
    assert html.index('id="section-world"') < html.index('id="section-sport"')


def test_front_page_without_stories(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing has been published yet." in response.content.decode()


# --- pagination ----------------------------------------------------------------------------


@pytest.fixture
def crowded_section():
    section = SectionFactory(slug="business", name="Business")
    now = timezone.now()
    for number in range(25):
        ArticleFactory(title=f"Business story {number:02d}", section=section,
                       publish_at=now - timedelta(hours=number + 1))
    return section


def test_second_page_has_the_older_stories(client, crowded_section):
    first = client.get("/business/").content.decode()
    assert "Business story 00" in first
    assert "Business story 19" in first
    assert "Business story 20" not in first
    assert 'href="?page=2"' in first

    response = client.get("/business/?page=2")
    assert response.status_code == 200
    second = response.content.decode()
    assert "Business story 20" in second
    assert "Business story 24" in second
    assert "Business story 19" not in second
    assert "Page 2 of 2" in second


@pytest.mark.parametrize("page", ["abc", "999", "0", "-1", "1.5", "3"])
def test_bad_page_numbers_are_404(client, crowded_section, page):
    response = client.get(f"/business/?page={page}")
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


def test_an_empty_or_last_page_value_is_fine(client, crowded_section):
    assert "Business story 00" in client.get("/business/?page=").content.decode()
    assert "Business story 24" in client.get("/business/?page=last").content.decode()


@pytest.mark.parametrize("url", ["/tags/trade/?page=abc", "/tags/trade/?page=9",
                                 "/authors/ann/?page=0", "/authors/ann/?page=x"])
def test_bad_page_numbers_on_tag_and_author_pages_are_404(client, url):
    ArticleFactory(tags=["Trade"], authors=[AuthorFactory(slug="ann")])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/no-such-section/", "/tags/no-such-tag/",
                                 "/authors/nobody/", "/no-such-section/?page=2"])
def test_unknown_listing_is_404(client, url):
    ArticleFactory()
    response = client.get(url)
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


# --- sections ------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["admin", "tags", "authors", "preview", "search", "feed"])
def test_section_cannot_take_a_slug_the_site_uses(slug):
    section = Section(name=f"The {slug}", slug=slug)
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert "slug" in error.value.message_dict


def test_an_ordinary_section_slug_is_fine(client):
    section = Section(name="Culture", slug="culture")
    section.full_clean()  # a slug the site uses would raise ValidationError here
    section.save()
    story = ArticleFactory(section=section)
    response = client.get("/culture/")
    assert response.status_code == 200
    assert story.title in response.content.decode()
    assert client.get(story.get_absolute_url()).status_code == 200


def test_tags_with_letters_outside_ascii_have_pages_and_links(client):
    story = ArticleFactory(tags=["Zürich", "日本"])
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'href="/tags/z%C3%BCrich/"' in html or 'href="/tags/zürich/"' in html
    for slug in ["zürich", "日本"]:
        assert client.get(f"/tags/{slug}/").status_code == 200
        assert client.get(f"/tags/{slug}/feed/").status_code == 200


def test_a_tag_typed_without_letters_or_digits_is_dropped(editor_client):
    from articles.forms import parse_tags

    assert parse_tags("Harbour, #, !!, Port Alder") == ["Harbour", "Port Alder"]
    story = ArticleFactory(tags=["#"])  # set in code, past the form: shown, not linked
    response = editor_client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert "<li>##</li>" in response.content.decode()  # the "#" tag, as text
