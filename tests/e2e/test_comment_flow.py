"""A reader comments on a story and is told it is held; the moderator approves it in the queue;
readers then see it. Driven in Debian's Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Section
from comments.models import Comment

from .helpers import log_in, staff, watch_csp

pytestmark = pytest.mark.django_db(transaction=True)

COMMENT = "The night ferry matters to shift workers more than anyone: thank you for this."


@pytest.fixture
def story():
    section = Section.objects.create(name="Harbour", slug="harbour")
    return Article.objects.create(
        title="Night ferry returns for the winter timetable", slug="night-ferry-returns",
        section=section, body="<p>The late crossing is back from Monday.</p>",
        status=Article.Status.PUBLISHED, publish_at=timezone.now() - timedelta(hours=2),
        discussion_prompt="Will you use the late crossing?",
    )


def test_reader_comment_is_held_then_approved_by_the_moderator(page, browser, live_server,
                                                                settings, story):
    # The live server shares this settings object: no waiting for the anti-bot delay.
    settings.COMMENTS_MIN_SECONDS = 0
    staff("moderator", "Moderator")
    url = live_server.url + story.get_absolute_url()

    # A reader posts, without an account.
    page.goto(url)
    assert "Will you use the late crossing?" in page.locator("#comments").inner_text()
    page.fill("#id_author_name", "Rosa Lind")
    page.fill("#id_email", "rosa.lind@example.org")
    page.fill("#id_body", COMMENT)
    page.get_by_role("button", name="Send comment").click()
    notice = page.locator(".comments__notice")
    notice.wait_for()
    assert "held for moderation" in notice.inner_text()
    assert page.url.endswith("#comments")
    assert COMMENT not in page.locator("#comments").inner_text()
    assert Comment.objects.get().status == Comment.Status.PENDING

    # The moderator finds it in the queue and approves it.
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(15_000)
    desk_violations = watch_csp(desk)
    moderator = desk.new_page()
    try:
        log_in(moderator, live_server, "moderator")
        assert "Comments (1 pending)" in moderator.locator("#content-main").inner_text()
        moderator.goto(f"{live_server.url}/admin/comments/comment/")
        row = moderator.locator("#result_list tbody tr", has_text="The night ferry matters")
        assert "Rosa Lind" in row.inner_text() and "Pending" in row.inner_text()
        row.locator("input[name=_selected_action]").check()
        moderator.select_option("select[name=action]", "approve")
        moderator.click("button[name=index]")
        success = moderator.locator(".messagelist .success")
        success.wait_for()
        assert "1 comment approved." in success.inner_text()
    finally:
        desk.close()
    assert desk_violations == []

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by.username == "moderator"

    # Readers see it now.
    page.goto(url)
    comments = page.locator("#comments")
    assert COMMENT in comments.inner_text()
    assert "Rosa Lind" in comments.inner_text()
    assert "1 comment" in page.locator(".comments__count").inner_text()
