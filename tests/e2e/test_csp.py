"""The Content-Security-Policy in the browser: every public page, and the admin's story and
interview forms with CKEditor 5 and the nested inlines at work, with zero violations reported
by Chromium (the `page` fixture fails a test on any; see helpers.watch_csp)."""

import pytest

from tests.articles.factories import ArticleFactory, AuthorFactory, PhotoFactory
from tests.comments.factories import CommentFactory
from tests.interviews.factories import build_interview

from .helpers import log_in, staff, watch_csp

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_watch_sees_a_violation(browser, live_server):
    """The check can fail: an image from another host is refused and reported."""
    context = browser.new_context()
    violations = watch_csp(context)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        page.evaluate("""() => {
            const img = document.createElement("img");
            img.src = "https://tracker.invalid/pixel.gif";
            document.body.append(img);
        }""")
        page.wait_for_function("() => true")
        page.wait_for_timeout(300)
    finally:
        context.close()
    assert any("img-src" in v and "tracker.invalid" in v for v in violations), violations


def test_public_pages_run_without_violations(page, live_server):
    author = AuthorFactory(name="Dana Whitfield", photo=PhotoFactory())
    story = ArticleFactory(title="Harbour bridge reopens", authors=[author], tags=["Transport"],
                           lead_photo=PhotoFactory(), discussion_prompt="Will you use it?")
    CommentFactory(article=story, body="Finally, a way across.")
    interview = build_interview(guests=1, segments=1, questions=1, article=story)
    for path in ["/", story.get_absolute_url(), story.section.get_absolute_url(),
                 "/tags/transport/", author.get_absolute_url(), "/interviews/",
                 interview.get_absolute_url(), "/search/?q=bridge", "/corrections/",
                 "/no-such-page/"]:
        page.goto(live_server.url + path)
        assert page.locator("h1").first.is_visible(), path
    # The comment form's script runs: it fills the token the cached page left out.
    page.goto(live_server.url + story.get_absolute_url())
    page.fill("textarea[name=body]", "A comment typed under the policy.")


def test_admin_story_and_interview_forms_run_without_violations(page, live_server):
    staff("editor", "Editor")
    story = ArticleFactory(title="Harbour bridge reopens",
                           body="<p>The first paragraph.</p><blockquote>A quote</blockquote>")
    interview = build_interview(guests=2, segments=2, questions=2, answered=True)
    log_in(page, live_server, "editor")

    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    editable = page.locator(".ck-editor__editable").first
    editable.click()
    page.keyboard.type(" More from the bridge.")
    page.click(".ck-toolbar button[data-cke-tooltip-text^='Bold']")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert page.locator(".ck-editor__editable").first.is_visible()

    page.goto(f"{live_server.url}/admin/interviews/interview/{interview.pk}/change/")
    page.locator(".ck-editor__editable").first.wait_for()
    assert page.locator(".ck-editor__editable").count() > 4  # answers in nested inlines
    page.locator("#segments-0 a.djn-add-handler.djn-model-interviews-question:visible").first \
        .click()
    page.locator(".ck-editor__editable").last.wait_for()
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success, .errornote")
