"""Moderators clear the queue in the admin; every decision is recorded; roles hold."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import Ban, Comment, ModerationDecision, WordRule
from tests.articles.factories import ArticleFactory
from tests.interviews.factories import InterviewFactory

from .factories import CommentFactory, ReplyFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/comment/"
OVERVIEW = "/admin/comments/comment/overview/"


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def act(client, action, comments):
    return client.post(QUEUE, {"action": action, "_selected_action": [c.pk for c in comments]},
                       follow=True)


def status_of(comment):
    comment.refresh_from_db()
    return comment.status


# Services ---------------------------------------------------------------------------------


def test_every_decision_records_who_and_when(moderator):
    comment = CommentFactory(status=Comment.Status.PENDING)
    before = timezone.now()
    services.approve_comment(comment, by=moderator)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == moderator and comment.moderated_at >= before
    services.mark_spam(comment, by=moderator)
    log = list(ModerationDecision.objects.filter(comment=comment).order_by("pk")
               .values_list("action", "from_status", "to_status", "moderator"))
    assert log == [("approve", "pending", "approved", moderator.pk),
                   ("spam", "approved", "spam", moderator.pk)]


def test_not_spam_only_applies_to_spam(moderator):
    with pytest.raises(ValidationError):
        services.mark_not_spam(CommentFactory(status=Comment.Status.PENDING), by=moderator)
    spam = CommentFactory(status=Comment.Status.SPAM)
    services.mark_not_spam(spam, by=moderator)
    assert status_of(spam) == Comment.Status.APPROVED


def test_feature_rules(moderator):
    comment = CommentFactory()
    assert services.feature_comment(comment, by=moderator)
    assert Comment.objects.get(pk=comment.pk).featured
    with pytest.raises(ValidationError, match="approved"):
        services.feature_comment(CommentFactory(status="pending"), by=moderator)
    with pytest.raises(ValidationError, match="first comment"):
        services.feature_comment(ReplyFactory(), by=moderator)
    # Taking a featured comment off the site unfeatures it.
    services.reject_comment(comment, by=moderator)
    assert not Comment.objects.get(pk=comment.pk).featured


def test_services_check_the_role(reporter, editor):
    comment = CommentFactory(status="pending")
    for user in (reporter, editor):
        with pytest.raises(PermissionDenied):
            services.approve_comment(comment, by=user)
        with pytest.raises(PermissionDenied):
            services.ban(email="x@example.org", by=user)
    assert status_of(comment) == "pending"
    with pytest.raises(PermissionDenied):
        services.close_comments(comment.article, by=reporter)


def test_exactly_one_story_per_comment():
    from django.db import IntegrityError, transaction

    article, interview = ArticleFactory(), InterviewFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(author_name="A", email="a@example.org", body="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(article=article, interview=interview, author_name="A",
                               email="a@example.org", body="x")


# The queue --------------------------------------------------------------------------------


def test_queue_shows_pending_first_cleanest_first_with_history_and_reasons(moderator_client):
    story = ArticleFactory(title="Bridge tolls rise")
    CommentFactory.create_batch(2, email="regular@example.org", body="Older approved words.")
    CommentFactory(email="regular@example.org", status=Comment.Status.REJECTED)
    risky = CommentFactory(article=story, status="pending", spam_score=0.8,
                           spam_reasons=["3 links (more than 2)"], body="Risky <b>words</b>")
    clean = CommentFactory(article=story, status="pending", spam_score=0.05,
                           email="regular@example.org", body="Clean words.\nSecond line.")
    old_spam = CommentFactory(status="spam", spam_score=1.0, body="Old spam words.")

    html = moderator_client.get(QUEUE).content.decode()
    positions = [html.index(f'value="{c.pk}"') for c in (clean, risky, old_spam)]
    assert positions == sorted(positions)
    assert "2 pending" in html
    assert "Clean words.<br>Second line." in html  # in full, escaped
    assert "Risky &lt;b&gt;words&lt;/b&gt;" in html
    assert "3 links (more than 2)" in html
    assert "2 approved · 1 rejected · 0 spam" in html
    assert f'href="{story.get_absolute_url()}#comments">Bridge tolls rise</a>' in html
    assert 'href="/admin/comments/comment/overview/"' in html


def test_queue_costs_the_same_queries_for_5_or_60_comments(moderator_client,
                                                          django_assert_max_num_queries):
    counts = {}
    for size in (5, 60):
        Comment.objects.all().delete()
        for n in range(size):
            story = ArticleFactory() if n % 2 else InterviewFactory()
            field = "article" if n % 2 else "interview"
            parent = CommentFactory(**{field: story, "article": story if n % 2 else None})
            ReplyFactory(parent=parent, status="pending", email=f"r{n}@example.org",
                         article=parent.article, interview=parent.interview)
        moderator_client.get(QUEUE)
        with CaptureQueriesContext(connection) as queries:
            assert moderator_client.get(QUEUE).status_code == 200
        counts[size] = len(queries)
    assert counts[5] == counts[60], counts


def test_queue_search_by_words_email_or_ip(moderator_client):
    CommentFactory(author_name="Jonas Pell", ip="198.51.100.23", body="About the ferry.")
    CommentFactory(author_name="Other", email="other@example.org", ip="2001:db8::5",
                   body="About the bridge.")
    for term, expected in [("Jonas", "About the ferry."), ("198.51.100.23", "About the ferry."),
                           ("2001:DB8::5", "About the bridge."),
                           ("other@example.org", "About the bridge.")]:
        response = moderator_client.get(QUEUE, {"q": term})
        assert response.status_code == 200, term
        html = response.content.decode()
        assert expected in html, term
        assert html.count('name="_selected_action"') == 1, term
    response = moderator_client.get("/admin/comments/ban/", {"q": "not an address"})
    assert response.status_code == 200


def test_bulk_actions(moderator_client, moderator):
    a, b, c = (CommentFactory(status="pending") for _ in range(3))
    response = act(moderator_client, "approve", [a, b])
    assert "2 comments approved." in response.content.decode()
    assert status_of(a) == status_of(b) == "approved"
    assert Comment.objects.get(pk=a.pk).moderated_by == moderator

    act(moderator_client, "mark_spam", [c])
    assert status_of(c) == "spam"
    act(moderator_client, "mark_not_spam", [c])
    assert status_of(c) == "approved"
    act(moderator_client, "reject", [c])
    assert status_of(c) == "rejected"

    act(moderator_client, "feature", [a])
    assert Comment.objects.get(pk=a.pk).featured
    act(moderator_client, "unfeature", [a])
    assert not Comment.objects.get(pk=a.pk).featured
    response = act(moderator_client, "feature", [c])
    assert "Only approved comments can be featured." in response.content.decode()
    assert ModerationDecision.objects.filter(moderator=moderator).count() == 7


def test_approval_shows_on_the_page_at_once(moderator_client, client):
    from django.test import Client

    comment = CommentFactory(status="pending", body="Visible after approval.")
    reader = Client()
    url = comment.article.get_absolute_url()
    assert "Visible after approval." not in reader.get(url).content.decode()
    act(moderator_client, "approve", [comment])
    assert "Visible after approval." in reader.get(url).content.decode()


def test_ban_actions(moderator_client):
    comment = CommentFactory(status="pending", email="troll@example.org", ip="203.0.113.5")
    other = CommentFactory(status="pending", email="other@example.org", ip="203.0.113.5")
    response = act(moderator_client, "ban_email", [comment])
    assert "Banned troll@example.org; 1 pending comment moved to spam." in \
        response.content.decode()
    assert status_of(comment) == "spam" and status_of(other) == "pending"
    act(moderator_client, "ban_ip", [comment])
    assert status_of(other) == "spam"
    assert set(Ban.objects.values_list("email", "ip")) == {
        ("troll@example.org", None), ("", "203.0.113.5")}


def test_ban_and_word_rule_admin(moderator_client):
    waiting = CommentFactory(status="pending", email="pest@example.org")
    response = moderator_client.post("/admin/comments/ban/add/", {
        "email": "pest@example.org", "ip": "", "reason": "Abuse", "expires_at_0": "",
        "expires_at_1": "",
    }, follow=True)
    assert response.status_code == 200
    assert Ban.objects.get().email == "pest@example.org"
    assert status_of(waiting) == "spam"
    response = moderator_client.post("/admin/comments/ban/add/", {"email": "", "ip": ""})
    assert "Give an email address, an IP address, or both." in response.content.decode()

    moderator_client.post("/admin/comments/wordrule/add/",
                          {"phrase": "  Free   Money ", "kind": "blocked", "note": ""})
    assert WordRule.objects.get().phrase == "free money"


def test_change_form_decision_buttons_go_to_the_next_comment(moderator_client):
    first = CommentFactory(status="pending", spam_score=0.1)
    second = CommentFactory(status="pending", spam_score=0.2)
    page = moderator_client.get(f"/admin/comments/comment/{first.pk}/change/").content.decode()
    assert 'value="approve"' in page and "Moderation history" in page
    decide = f"/admin/comments/comment/{first.pk}/decide/"
    response = moderator_client.post(decide, {"decision": "approve"})
    assert response["Location"] == f"/admin/comments/comment/{second.pk}/change/"
    assert status_of(first) == "approved"
    response = moderator_client.post(f"/admin/comments/comment/{second.pk}/decide/",
                                     {"decision": "spam"})
    assert response["Location"] == QUEUE
    assert moderator_client.get(decide).status_code == 405


def test_admin_index_shows_the_queue_size(moderator_client, editor_client):
    CommentFactory.create_batch(3, status="pending")
    html = moderator_client.get("/admin/").content.decode()
    assert "Comments (3 pending)" in html
    assert "3 comments waiting" in html


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_one_permission_decides_who_is_offered_moderation(moderator, editor):
    """Moderators get the decision buttons and "Open the queue"; editors, who may see
    comments but not moderate them, get neither; the permission alone is what counts."""
    comment = CommentFactory(status="pending")
    change = f"/admin/comments/comment/{comment.pk}/change/"
    staff = User.objects.create_user("desk", password="pw-for-tests-1234", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="comments", codename__in=["view_comment", "moderate_comment"]))

    for user, moderates in [(moderator, True), (editor, False), (staff, True)]:
        client = logged_in(user)
        page = client.get(change).content.decode()
        index = client.get("/admin/").content.decode()
        assert ('name="decision" value="approve"' in page) is moderates, user
        assert ("Back to the list" in page) is not moderates, user
        assert ("Open the queue" in index) is moderates, user
        assert ("See comments" in index) is not moderates, user


def test_overview_draws_a_chart_of_the_last_30_days(moderator_client,
                                                    django_assert_max_num_queries):
    now = timezone.now()
    CommentFactory.create_batch(2, created_at=now - timedelta(days=2))
    CommentFactory(status="spam", created_at=now - timedelta(days=2))
    CommentFactory(status="pending", created_at=now)
    CommentFactory(status="rejected", created_at=now - timedelta(days=40))  # too old
    moderator_client.get(OVERVIEW)
    with django_assert_max_num_queries(6):
        response = moderator_client.get(OVERVIEW)
    html = response.content.decode()
    assert response.status_code == 200
    svg = re.search(r"<svg class=\"comments-chart\".*?</svg>", html, re.S).group(0)
    assert "<script" not in svg
    assert "2 approved" in svg and "1 spam" in svg and "1 pending" in svg
    assert "0 rejected" in svg
    assert svg.count("<rect") >= 3 + 4  # bars + legend keys
    assert "waiting in the queue" in html
    table = html.split('class="comments-overview__table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 31  # header + 30 days


# Roles --------------------------------------------------------------------------------------


def test_moderator_can_moderate_but_not_edit_articles(moderator_client):
    story = ArticleFactory()
    assert moderator_client.get(QUEUE).status_code == 200
    assert moderator_client.get(OVERVIEW).status_code == 200
    assert moderator_client.get(f"/admin/articles/article/{story.pk}/change/").status_code == 403
    assert moderator_client.get("/admin/articles/article/").status_code == 403
    response = moderator_client.post(f"/admin/articles/article/{story.pk}/change/",
                                     {"title": "Hijacked"})
    assert response.status_code == 403
    assert Article.objects.get(pk=story.pk).title != "Hijacked"
    # Moderators cannot close the discussion (an editorial decision).
    comment = CommentFactory(article=story)
    act(moderator_client, "close_discussion", [comment])
    assert Article.objects.get(pk=story.pk).comment_mode == "moderated"


def test_reporter_gets_403_on_the_comment_queue(reporter_client):
    comment = CommentFactory(status="pending")
    assert reporter_client.get(QUEUE).status_code == 403
    assert reporter_client.get(OVERVIEW).status_code == 403
    assert reporter_client.get(f"/admin/comments/comment/{comment.pk}/change/").status_code == 403
    response = act(reporter_client, "approve", [comment])
    assert response.status_code == 403
    assert reporter_client.post(f"/admin/comments/comment/{comment.pk}/decide/",
                                {"decision": "approve"}).status_code == 403
    assert status_of(comment) == "pending"
    assert "pending" not in reporter_client.get("/admin/").content.decode()


def test_editor_sees_comments_and_closes_discussions_but_does_not_moderate(editor_client):
    story = ArticleFactory()
    comment = CommentFactory(article=story, status="pending")
    html = editor_client.get(QUEUE).content.decode()
    assert 'value="close_discussion"' in html and 'value="approve"' not in html
    act(editor_client, "approve", [comment])
    assert status_of(comment) == "pending"
    assert editor_client.post(f"/admin/comments/comment/{comment.pk}/decide/",
                              {"decision": "approve"}).status_code == 403
    act(editor_client, "close_discussion", [comment])
    assert Article.objects.get(pk=story.pk).comment_mode == Article.CommentMode.CLOSED
    # Editors also set the mode on the article itself (existing article permission).
    assert User.objects.get(username="editor").has_perm("articles.change_article")


def test_roles_come_from_the_migration():
    moderator = set(Group.objects.get(name="Moderator").permissions
                    .values_list("content_type__app_label", "codename"))
    assert ("comments", "moderate_comment") in moderator
    assert ("comments", "add_ban") in moderator
    assert not {perm for perm in moderator if perm[0] in ("articles", "interviews")}
    editor = set(Group.objects.get(name="Editor").permissions
                 .filter(content_type__app_label="comments").values_list("codename", flat=True))
    assert editor == {"view_comment", "close_comments", "view_moderationdecision"}
    assert not Group.objects.get(name="Reporter").permissions.filter(
        content_type__app_label="comments").exists()
