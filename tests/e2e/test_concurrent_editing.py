"""Two editors with one story open see each other, and the second save is refused with the
first editor's name while the second keeps their text; a session lost mid-edit gives the text
back after logging in again. Driven in Debian's Chromium."""

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session

from articles.models import Article, Section

from .helpers import log_in, staff

pytestmark = pytest.mark.django_db(transaction=True)


def named_editor(username, first, last):
    user = staff(username, "Editor")
    User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)
    return user


def story():
    section = Section.objects.create(name="Harbour", slug="harbour")
    return Article.objects.create(title="Harbour closes", slug="harbour-closes",
                                  section=section, body="<p>The harbour closed at noon.</p>")


def test_two_editors_see_each_other_and_the_second_save_is_refused(browser, live_server,
                                                                    settings):
    settings.NEWSROOM_EDIT_HEARTBEAT_SECONDS = 1
    named_editor("ana", "Ana", "Editor")
    named_editor("ben", "Ben", "Sub")
    article = story()
    url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in "ab"]
    try:
        ana, ben = (context.new_page() for context in contexts)
        for page, name in ((ana, "ana"), (ben, "ben")):
            page.set_default_timeout(15_000)
            log_in(page, live_server, name)
            page.goto(url)

        # Each sees the other: Ben at once, Ana at her form's next heartbeat.
        ben.wait_for_selector(".desk-presence__person:has-text('Ana Editor has this story open')")
        ana.wait_for_selector(".desk-presence__person:has-text('Ben Sub has this story open')")

        ana.fill("#id_title", "Harbour closes early")
        ana.click("input[name=_save]")
        ana.wait_for_selector(".messagelist .success")

        ben.fill("#id_title", "Harbour shuts for the storm")
        ben.locator(".ck-editor__editable").first.click()
        ben.keyboard.press("End")
        ben.keyboard.type(" The storm arrived.")
        ben.click("input[name=_save]")

        alert = ben.locator("#desk-conflict")
        alert.wait_for()
        assert "Ana Editor saved this story at" in alert.inner_text()
        assert "your changes were not saved" in alert.inner_text()
        assert ben.input_value("#id_title") == "Harbour shuts for the storm"
        assert "The storm arrived." in ben.locator(".ck-editor__editable").first.inner_text()
        assert ben.locator("#desk-conflict del", has_text="early").count() == 1
        assert ben.locator("#desk-conflict ins", has_text="for the storm").count() == 1
        article.refresh_from_db()
        assert article.title == "Harbour closes early"

        # Saving again is Ben's deliberate choice: now it goes through.
        ben.click("input[name=_save]")
        ben.wait_for_selector(".messagelist .success")
        article.refresh_from_db()
        assert article.title == "Harbour shuts for the storm"
        assert "The storm arrived." in article.body
    finally:
        for context in contexts:
            context.close()


def test_text_typed_before_the_session_expired_comes_back_after_logging_in(page, live_server):
    named_editor("ana", "Ana", "Editor")
    article = story()
    url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    log_in(page, live_server, "ana")
    page.goto(url)
    page.fill("#id_title", "Harbour closes for the winter")
    page.locator(".ck-editor__editable").first.click()
    page.keyboard.press("End")
    page.keyboard.type(" Ferries will use the east pier.")
    key = f"newsroom:unsaved:/admin/articles/article/{article.pk}/change/"
    page.wait_for_function(
        "key => (localStorage.getItem(key) || '').includes('east pier')", arg=key)

    # The session ends on the server while the form is open; the save meets the login page.
    Session.objects.all().delete()
    page.click("input[name=_save]")
    page.wait_for_selector("#id_username")
    article.refresh_from_db()
    assert article.title == "Harbour closes"

    page.fill("#id_username", "ana")
    page.fill("#id_password", "e2e-password-4821")
    page.click("input[type=submit]")
    page.wait_for_url(url)
    assert page.input_value("#id_title") == "Harbour closes"

    banner = page.locator(".desk-unsaved")
    banner.wait_for()
    assert "Restore unsaved changes from" in banner.inner_text()
    banner.get_by_role("button", name="Restore").click()
    assert page.input_value("#id_title") == "Harbour closes for the winter"
    page.wait_for_function(
        "() => document.querySelector('.ck-editor__editable').innerText.includes('east pier')")

    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    article.refresh_from_db()
    assert article.title == "Harbour closes for the winter"
    assert "Ferries will use the east pier." in article.body
    # Saved: the kept copy is gone, and the form offers nothing next time.
    assert page.evaluate("key => localStorage.getItem(key)", key) is None
    page.goto(url)
    assert page.locator(".desk-unsaved").count() == 0

