"""An editor builds an interview on the one nested admin page (guest, section, questions, rich
text answers), is refused when publishing with a question unanswered, answers it, publishes,
and a reader sees the transcript. Driven in Debian's Chromium."""

import pytest

from articles.models import Author
from interviews.models import Answer, Guest, Interview

from .helpers import log_in, pick_autocomplete, staff, watch_csp

pytestmark = pytest.mark.django_db(transaction=True)


def add_inline(page, within, model):
    """Click nested-admin's “Add another …” link for `model` inside the form `within`."""
    page.locator(f"{within} a.djn-add-handler.djn-model-interviews-{model}:visible").first.click()


def write_rich_text(page, within, text):
    editable = page.locator(f"{within} .ck-editor__editable").first
    editable.click()
    page.keyboard.type(text)


def test_editor_builds_an_interview_and_publishes_it_once_answered(page, live_server, browser):
    staff("editor", "Editor")
    Author.objects.create(name="Mara Ellison", slug="mara-ellison")
    Guest.objects.create(name="Omar Hassan", slug="omar-hassan", honorific="Dr.",
                         credentials="Historian of the Calvessan civil war")
    log_in(page, live_server, "editor")

    page.goto(f"{live_server.url}/admin/interviews/interview/add/")
    page.fill("#id_title", "A new front near Tervan")
    pick_autocomplete(page, "interviewer", "Mara Ellison")
    write_rich_text(page, ".field-introduction", "Today: the offensive near Tervan.")

    add_inline(page, "body", "interviewguest")
    pick_autocomplete(page, "lineup-0-guest", "Omar Hassan")

    add_inline(page, "body", "segment")
    page.fill("#id_segments-0-title", "The militia offensive")
    add_inline(page, "#segments-0", "question")
    page.fill("#id_segments-0-questions-0-text", "Who are these militias?")
    add_inline(page, "#segments-0-questions-0", "answer")
    pick_autocomplete(page, "segments-0-questions-0-answers-0-guest", "Omar Hassan")
    write_rich_text(page, "#segments-0-questions-0-answers-0",
                    "A loose coalition of village defence groups.")
    add_inline(page, "#segments-0", "question")
    page.fill("#id_segments-0-questions-1-text", "What comes next for the city?")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    interview = Interview.objects.get(title="A new front near Tervan")
    assert interview.slug == "a-new-front-near-tervan"
    assert interview.status == Interview.Status.PREPARING
    assert Answer.objects.get().text == "<p>A loose coalition of village defence groups.</p>"

    # Publishing with the second question unanswered is refused, and says which one.
    page.select_option("#id_status", "published")
    page.click("input[name=_continue]")
    page.wait_for_selector(".errornote")
    refusal = page.locator(".field-status .errorlist").inner_text()
    assert "Unanswered: Part 1, question 2 (Dr. Hassan): What comes next for the city?" \
        in refusal
    interview.refresh_from_db()
    assert interview.status == Interview.Status.PREPARING

    # The editor answers it on the same page and publishes.
    add_inline(page, "#segments-0-questions-1", "answer")
    pick_autocomplete(page, "segments-0-questions-1-answers-0-guest", "Omar Hassan")
    write_rich_text(page, "#segments-0-questions-1-answers-0", "More fighting before any talks.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    interview.refresh_from_db()
    assert interview.status == Interview.Status.PUBLISHED

    # A reader (no login) sees the transcript.
    reader = browser.new_context()
    reader_violations = watch_csp(reader)
    try:
        public = reader.new_page()
        response = public.goto(f"{live_server.url}/interviews/a-new-front-near-tervan/")
        assert response.status == 200
        assert public.locator("h1").inner_text() == "A new front near Tervan"
        assert public.locator(".guest-card__name").inner_text() == "Dr. Omar Hassan"
        assert public.locator(".interview__toc a").get_attribute("href") == "#segment-1"
        exchanges = public.locator("#segment-1 dl.exchange")
        assert exchanges.count() == 2
        second = exchanges.nth(1)
        # The interviewer asks; the answer sits under the guest's name.
        speakers = [text.strip() for text in second.locator("dt").all_text_contents()]
        assert speakers == ["Mara Ellison", "Dr. Hassan"]
        assert second.locator(".exchange__answer").inner_text() == (
            "More fighting before any talks.")
        public.goto(f"{live_server.url}/interviews/")
        assert public.get_by_role("link", name="A new front near Tervan").is_visible()
    finally:
        reader.close()
    assert reader_violations == []
