"""What every reader gets from the stylesheet: the dark scheme when the system asks for it, a
visible focus, and a story on paper without the site around it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Section

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def story_url(live_server):
    section = Section.objects.create(name="Harbour", slug="harbour")
    story = Article.objects.create(
        title="Night ferry returns", slug="night-ferry-returns", section=section,
        body="<p>The late crossing is back from Monday.</p>", status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=2))
    return live_server.url + story.get_absolute_url()


def background(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_the_dark_scheme_follows_the_system_setting(browser, story_url):
    for scheme, expected in (("light", "rgb(255, 255, 255)"), ("dark", "rgb(18, 19, 22)")):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(story_url)
        assert background(page) == expected, scheme
        context.close()


def test_keyboard_focus_is_visible(page, story_url):
    page.goto(story_url)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the site's name
    outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.outlineWidth]; }""")
    assert outline == ["solid", "3px"]


def test_a_printed_story_has_no_menu_footer_or_comments(page, story_url):
    page.goto(story_url)
    page.emulate_media(media="print")
    for selector in (".site-header", ".site-footer"):
        assert not page.locator(selector).is_visible(), selector
    assert page.locator(".story__title").is_visible()
    assert "The late crossing" in page.locator(".story__body").inner_text()
