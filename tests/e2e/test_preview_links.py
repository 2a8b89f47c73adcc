"""An editor makes a preview link for a draft in the admin; someone without an account opens
it in another browser and sees the story with the preview banner; the editor revokes it and
the link stops working. Driven in Debian's Chromium."""

import pytest

from articles.models import Article
from tests.articles.factories import ArticleFactory, SectionFactory

from .helpers import log_in, staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_shares_a_draft_and_revokes_the_link(browser, page, live_server):
    staff("editor", "Editor")
    story = ArticleFactory(title="Harbour deal terms", section=SectionFactory(slug="harbour"),
                           status=Article.Status.DRAFT, publish_at=None,
                           body="<p>The board signs on Friday.</p>")
    log_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    page.select_option("#id_preview_lifetime", "1h")
    page.click("button[name=_preview_link]")
    page.wait_for_selector(".messagelist .success")
    url = page.input_value(".newsroom-preview-url")
    assert "/preview/link/" in url
    assert page.locator("#preview-links tbody tr").count() == 1

    outsider = browser.new_context()
    try:
        reader = outsider.new_page()
        response = reader.goto(url)
        assert response.status == 200
        banner = reader.locator(".preview-banner")
        assert banner.inner_text().startswith("Preview — not published; link expires")
        assert reader.locator("h1").inner_text() == "Harbour deal terms"
        assert "The board signs on Friday." in reader.locator(".story__body").inner_text()
        assert reader.locator("#comment-form").count() == 0
        assert response.headers["x-robots-tag"].startswith("noindex")

        page.click("#preview-links button[name=_revoke_preview_link]")
        page.wait_for_selector(".messagelist .success")
        assert "No active preview links." in page.locator("#preview-links").inner_text()

        response = reader.goto(url)
        assert response.status == 404
        assert "This preview link is no longer valid" in reader.locator("h1").inner_text()
        assert reader.locator("text=The board signs on Friday.").count() == 0
    finally:
        outsider.close()
