"""An editor curates the front page on the desk: picks the lead, adds two featured slots, drags
the second above the first, previews the page in a new tab (nothing live yet), saves, and a
reader sees the new order. No Content-Security-Policy violation on the way. Debian's Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Section
from newsroom.models import FrontPage

from .helpers import log_in, pick_autocomplete, staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stories():
    section = Section.objects.create(name="Harbour", slug="harbour")
    now = timezone.now()
    titles = ["Ferry fares rise", "Tide gauges fail", "Lighthouse reopens", "Dock strike ends",
              "Gulls return", "Quay repaired"]
    return {title: Article.objects.create(
        title=title, slug=f"story-{n}", section=section, status=Article.Status.PUBLISHED,
        publish_at=now - timedelta(minutes=n + 1)) for n, title in enumerate(titles)}


def featured(page):
    return page.locator(".front-featured .card__title").all_inner_texts()


def test_editor_orders_previews_and_publishes_the_front_page(page, live_server, stories):
    staff("editor", "Editor")
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/newsroom/frontpage/")
    assert page.url.endswith("/admin/newsroom/frontpage/add/")

    pick_autocomplete(page, "lead", "Quay repaired")
    for n, title in enumerate(["Dock strike ends", "Gulls return"]):
        page.locator("a.djn-add-handler:visible").first.click()
        pick_autocomplete(page, f"slots-{n}-article", title)

    # Drag "Gulls return" above "Dock strike ends".
    rows = page.locator(".djn-tbody:not(.djn-empty-form)")
    handle = rows.nth(1).locator(".djn-drag-handler")
    target = rows.nth(0)
    handle.hover()
    page.mouse.down()
    box = target.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 2, steps=12)
    page.mouse.move(box["x"] + 20, box["y"] + 1, steps=3)
    page.mouse.up()
    order = rows.locator("select[name$='-article'] option:checked").all_inner_texts()
    assert order == ["Gulls return", "Dock strike ends"], order

    with page.expect_popup() as opened:
        page.get_by_role("button", name="Preview the front page").click()
    preview = opened.value
    preview.wait_for_load_state()
    assert "Preview of the front page" in preview.locator(".preview-banner").inner_text()
    assert preview.locator(".front-lead .card__title").inner_text() == "Quay repaired"
    assert featured(preview)[:2] == ["Gulls return", "Dock strike ends"]
    assert not FrontPage.objects.exists()  # a preview saves nothing

    page.locator("input[name=_save]").click()
    page.wait_for_selector(".messagelist")
    reader = page.context.browser.new_page()
    reader.goto(live_server.url + "/")
    assert reader.locator(".front-lead .card__title").inner_text() == "Quay repaired"
    assert featured(reader) == ["Gulls return", "Dock strike ends", "Ferry fares rise",
                                "Tide gauges fail"]
    reader.close()
    assert violations == []
