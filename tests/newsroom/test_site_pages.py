"""The desk's simple pages (about, contact) at /pages/<slug>/, linked from every page's footer
with the sections and feeds; "Interviews" in every page's menu."""

import pytest
from django.core.exceptions import ValidationError

from articles.models import Section
from newsroom.models import Page
from tests.articles.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def footer(html):
    return html.split('<footer class="site-footer">', 1)[1]


def test_a_page_is_shown_with_its_cleaned_body(client):
    Page.objects.create(title="About us", slug="about",
                        body="<p>We are <b>independent</b>.</p><script>alert(1)</script>")
    response = client.get("/pages/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="story__title">About us</h1>' in html
    assert "<p>We are <b>independent</b>.</p>" in html
    assert "alert(1)" not in html
    assert client.get("/pages/nowhere/").status_code == 404


def test_the_footer_lists_sections_feeds_and_pages(client):
    SectionFactory(name="World", slug="world")
    Page.objects.create(title="Contact", slug="contact", position=2)
    Page.objects.create(title="About us", slug="about", position=1)
    Page.objects.create(title="Internal", slug="internal", in_footer=False)
    html = footer(client.get("/").content.decode())
    assert '<a href="/world/">World</a>' in html
    assert '<a href="/world/feed/">World (RSS)</a>' in html
    assert '<a href="/feed/">Latest stories (RSS)</a>' in html
    assert html.index('href="/pages/about/"') < html.index('href="/pages/contact/"')
    assert "Internal" not in html
    assert '<a href="/corrections/">Corrections</a>' in html
    assert '<a href="/corrections/feed/">Corrections (RSS)</a>' in html


def test_a_changed_page_refreshes_the_footer_of_cached_pages(client):
    story = ArticleFactory()
    page = Page.objects.create(title="About us", slug="about")
    assert "About us" in footer(client.get(story.get_absolute_url()).content.decode())
    page.title = "Who we are"
    page.save()
    assert "Who we are" in footer(client.get(story.get_absolute_url()).content.decode())
    page.delete()
    assert "Who we are" not in client.get(story.get_absolute_url()).content.decode()


def test_no_section_can_take_the_pages_address():
    with pytest.raises(ValidationError, match="used by the site itself"):
        Section(name="Pages", slug="pages").full_clean()


def test_interviews_are_in_every_menu_and_marked_on_their_pages(client):
    menu = client.get("/").content.decode().split('aria-label="Main"', 1)[1].split("</nav>")[0]
    assert '<a href="/interviews/">Interviews</a>' in menu
    menu = (client.get("/interviews/").content.decode()
            .split('aria-label="Main"', 1)[1].split("</nav>")[0])
    assert '<a href="/interviews/" aria-current="page">Interviews</a>' in menu
