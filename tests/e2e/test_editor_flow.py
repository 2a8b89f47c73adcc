"""An editor writes a story in CKEditor with a photo and tags, publishes it, and readers see it;
a reporter trying to publish is refused. Driven in Debian's Chromium."""

import re

import pytest

from articles.models import Article, Section
from tests.articles.factories import image_bytes

from .helpers import log_in, pick_autocomplete, staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_writes_and_publishes_a_story_readers_see(page, live_server, tmp_path):
    staff("editor", "Editor")
    Section.objects.create(name="Harbour", slug="harbour")
    photo_file = tmp_path / "ferry.jpg"
    photo_file.write_bytes(image_bytes(size=(1400, 800), color=(30, 110, 150)))

    log_in(page, live_server, "editor")

    # The photo first: upload, alt text, caption, credit.
    page.goto(f"{live_server.url}/admin/articles/photo/add/")
    page.set_input_files("#id_image", str(photo_file))
    page.fill("#id_alt_text", "The night ferry leaving the east pier")
    page.fill("#id_caption", "The last ferry of the season leaves the east pier.")
    page.fill("#id_credit", "Desk photographer")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    # Then the story, written in CKEditor.
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_title", "Night ferry returns for the winter timetable")
    page.fill("#id_standfirst", "The harbour board restores the late crossing after protests.")
    pick_autocomplete(page, "section", "Harbour")
    editable = page.locator(".ck-editor__editable").first
    editable.click()
    page.keyboard.type("The late crossing is back from Monday.")
    page.keyboard.press("Enter")
    page.keyboard.type("Commuters had collected four thousand signatures.")
    pick_autocomplete(page, "lead_photo", "The last ferry")
    page.fill("#id_tags", "Ferries, Harbour board")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    story = Article.objects.get(title="Night ferry returns for the winter timetable")
    assert story.status == Article.Status.PUBLISHED
    assert "<p>The late crossing is back from Monday.</p>" in story.body

    # Readers see it on the front page, its section and its tag pages.
    for path in ["/", "/harbour/", "/tags/ferries/"]:
        page.goto(live_server.url + path)
        link = page.get_by_role("link", name="Night ferry returns for the winter timetable")
        assert link.first.is_visible(), path

    page.goto(live_server.url + story.get_absolute_url())
    assert page.locator("h1").inner_text() == "Night ferry returns for the winter timetable"
    assert "four thousand signatures" in page.locator(".story__body").inner_text()
    figure = page.locator("figure.story__photo")
    assert "The last ferry of the season" in figure.locator("figcaption").inner_text()
    image = figure.locator("img")
    assert image.get_attribute("alt") == "The night ferry leaving the east pier"
    assert re.search(r"\.webp \d+w", image.get_attribute("srcset"))
    # The image really loads (served locally, decoded by the browser).
    assert page.evaluate("() => document.querySelector('figure.story__photo img').naturalWidth") > 0
    assert page.get_by_role("link", name="#Ferries").is_visible()


def test_reporter_cannot_publish(page, live_server):
    staff("reporter", "Reporter")
    Section.objects.create(name="Harbour", slug="harbour")
    log_in(page, live_server, "reporter")

    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_title", "Pier lights fail again")
    pick_autocomplete(page, "section", "Harbour")
    page.locator(".ck-editor__editable").first.click()
    page.keyboard.type("Half the pier was dark on Tuesday.")
    # The status list offers a reporter what they may choose.
    options = page.locator("#id_status option")
    assert [options.nth(i).get_attribute("value") for i in range(options.count())] == [
        "draft", "review"]
    # A forged choice is refused on the server.
    page.evaluate("""() => document.querySelector('#id_status')
                                   .add(new Option('Published', 'published'))""")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")

    page.wait_for_selector(".errornote")
    assert "Reporters cannot publish" in page.locator(".field-status .errorlist").inner_text()
    assert not Article.objects.filter(title="Pier lights fail again").exists()

    # Sending it for review works.
    page.select_option("#id_status", "review")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    story = Article.objects.get(title="Pier lights fail again")
    assert story.status == Article.Status.REVIEW
    page.goto(live_server.url + "/harbour/")
    assert "Pier lights fail again" not in page.content()
