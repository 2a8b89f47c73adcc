"""Readers post comments: what they see afterwards, and every way bad input is refused."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from articles.models import Article
from comments.forms import SALT, make_token
from comments.models import Comment
from tests.articles.factories import ArticleFactory
from tests.interviews.factories import InterviewFactory

from .factories import CommentFactory, ReplyFactory
from .helpers import form_data, post, post_url, tokens_on_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return ArticleFactory(title="Harbour bridge reopens", discussion_prompt="Will you use it?")


def assert_refused(response, status, text):
    assert response.status_code == status, response.content.decode()[:2000]
    assert text in response.content.decode()
    assert not Comment.objects.exists()


# Posting and seeing the result ------------------------------------------------------------


def test_comment_is_held_for_moderation_and_hidden_from_others(client, story):
    response = post(client, story, body="Finally! The ferry queue was an hour.")
    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url() + "#comments"

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.article == story and comment.ip == "192.0.2.55"
    assert comment.email == "ana@example.org"

    page = client.get(response["Location"]).content.decode()
    assert "your comment is held for moderation" in page
    assert "The ferry queue was an hour" not in page
    # The notice is shown once.
    assert "held for moderation" not in client.get(story.get_absolute_url()).content.decode()
    assert "The ferry queue" not in Client().get(story.get_absolute_url()).content.decode()


def test_page_form_works_as_a_browser_sends_it(client, settings, story):
    settings.COMMENTS_MIN_SECONDS = 0
    html = client.get(story.get_absolute_url()).content.decode()
    hidden = tokens_on_page(html)
    assert 'action="/comments/article/' in html
    response = client.post(post_url(story), {
        "author_name": "Bo", "email": "bo@example.org", "body": "From the real form.",
        "website": "", **hidden,
    })
    assert response.status_code == 302, response.content.decode()
    assert Comment.objects.get().body == "From the real form."


def test_approved_comments_show_oldest_first_with_replies_and_featured_on_top(client, story):
    now = timezone.now()
    first = CommentFactory(article=story, body="First in time.",
                           created_at=now - timedelta(hours=3))
    second = CommentFactory(article=story, body="Second in time.",
                            created_at=now - timedelta(hours=2))
    featured = CommentFactory(article=story, body="The featured one.", featured=True,
                              created_at=now - timedelta(hours=1))
    ReplyFactory(parent=first, body="A reply to the first.", created_at=now)
    CommentFactory(article=story, body="Pending words.", status=Comment.Status.PENDING)
    CommentFactory(article=story, body="Spam words.", status=Comment.Status.SPAM)
    ReplyFactory(parent=second, body="Rejected reply.", status=Comment.Status.REJECTED)

    html = client.get(story.get_absolute_url()).content.decode()
    order = [html.index(text) for text in
             ["The featured one.", "First in time.", "A reply to the first.", "Second in time."]]
    assert order == sorted(order)
    assert "4 comments" in html
    assert "Pending words." not in html and "Spam words." not in html
    assert "Rejected reply." not in html
    assert f'id="comment-{featured.pk}"' in html
    assert "Will you use it?" in html


def test_reply_link_prefills_the_form_and_reply_is_stored_under_it(client, settings, story):
    settings.COMMENTS_MIN_SECONDS = 0
    parent = CommentFactory(article=story, author_name="Dana")
    html = client.get(f"{story.get_absolute_url()}?reply={parent.pk}").content.decode()
    assert "Reply to Dana" in html
    assert tokens_on_page(html)["parent"] == str(parent.pk)
    post(client, story, parent=parent.pk)
    assert Comment.objects.get(parent=parent).status == Comment.Status.PENDING


def test_comment_on_an_interview(client):
    interview = InterviewFactory()
    response = post(client, interview, body="Ask them about the prisoners next time.")
    assert response["Location"] == interview.get_absolute_url() + "#comments"
    comment = Comment.objects.get()
    assert comment.interview == interview and comment.article is None
    CommentFactory(article=None, interview=interview, body="Approved on the interview.")
    html = client.get(interview.get_absolute_url()).content.decode()
    assert "Approved on the interview." in html
    assert f'action="/comments/interview/{interview.pk}/"' in html


def test_output_is_escaped_and_links_are_nofollow_ugc(client, story):
    CommentFactory(
        article=story, author_name='<b onmouseover="x()">Eve</b>',
        body='<script>alert(1)</script> see https://example.net/a?b=1&c=2 or www.example.com\n'
             'second line <a href="http://evil.example">x</a> mail eve@example.org',
    )
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b onmouseover" not in html and "&lt;b onmouseover=" in html
    assert '<a href="https://example.net/a?b=1&amp;c=2" rel="nofollow ugc">' in html
    assert '<a href="http://www.example.com" rel="nofollow ugc">www.example.com</a>' in html
    assert '<a href="http://evil.example">' not in html
    assert "mailto:" not in html
    assert "<br>second line" in html


def test_posting_needs_no_account_and_get_is_not_allowed(client, story):
    assert client.get(post_url(story)).status_code == 405
    assert post(client, story).status_code == 302


def test_same_form_sent_twice_stores_one_comment(client, story):
    data = form_data(story)
    first = client.post(post_url(story), data)
    second = client.post(post_url(story), data)
    assert first.status_code == second.status_code == 302
    assert Comment.objects.count() == 1
    # Same form, different words (a second comment from a reopened tab): both kept.
    client.post(post_url(story), {**data, "body": "And another thought."})
    assert Comment.objects.count() == 2


# Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("body, message", [
    ("", "Write a comment before sending it."),
    ("   \n  ", "Write a comment before sending it."),
    ("x" * 5001, "Keep it under 5000 characters (it has 5001)."),
])
def test_empty_or_too_long_body_is_refused(client, story, body, message):
    response = post(client, story, body=body)
    assert_refused(response, 400, message)
    assert "Nothing has been saved" in response.content.decode()


def test_body_limit_follows_the_setting(client, settings, story):
    settings.COMMENTS_MAX_LENGTH = 20
    assert_refused(post(client, story, body="x" * 21), 400, "Keep it under 20 characters")


def test_five_thousand_characters_are_fine(client, story):
    assert post(client, story, body="y" * 5000).status_code == 302


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "ana@@example.org",
                                   "ana@exa mple.org"])
def test_bad_email_is_refused(client, story, email):
    response = post(client, story, email=email)
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_missing_name_and_nul_bytes_are_refused(client, story):
    assert_refused(post(client, story, author_name=" "), 400,
                   "Give a name to show with your comment.")
    assert_refused(post(client, story, body="bad\x00byte"), 400, "Null characters")


def test_refused_form_keeps_what_the_reader_wrote(client, story):
    response = post(client, story, email="nope", body="Keep <this> text")
    html = response.content.decode()
    assert "Keep &lt;this&gt; text</textarea>" in html
    assert "Enter a valid email address" in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize("change", [
    {"status": Article.Status.DRAFT},
    {"status": Article.Status.REVIEW},
    {"publish_at": timezone.now() + timedelta(days=1)},
])
def test_comment_on_unpublished_story_is_404(client, story, change):
    Article.objects.filter(pk=story.pk).update(**change)
    assert_refused(post(client, story), 404, "")


def test_unknown_story_or_kind_is_404(client, story):
    data = form_data(story)
    assert client.post(f"/comments/article/{story.pk + 999}/", data).status_code == 404
    assert client.post(f"/comments/photo/{story.pk}/", data).status_code == 404
    assert not Comment.objects.exists()


def test_closed_story_refuses_comments(client, story):
    Article.objects.filter(pk=story.pk).update(comment_mode=Article.CommentMode.CLOSED)
    story.refresh_from_db()
    assert_refused(post(client, story), 403, "Comments are closed for this story.")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Comments are closed for this story." in html
    assert 'id="comment-form"' not in html


def test_comments_close_automatically_after_the_configured_days(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    old = ArticleFactory(publish_at=timezone.now() - timedelta(days=15))
    recent = ArticleFactory(publish_at=timezone.now() - timedelta(days=13))
    assert_refused(post(client, old), 403, "Comments close 14 days after publication.")
    assert post(client, recent).status_code == 302
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0  # never
    assert post(client, old, body="Late but fine.").status_code == 302


def test_reply_to_a_reply_is_refused(client, story):
    reply = ReplyFactory(parent=CommentFactory(article=story))
    before = Comment.objects.count()
    response = post(client, story, parent=reply.pk)
    assert response.status_code == 400
    assert "Replies go under the first comment of a thread" in response.content.decode()
    assert Comment.objects.count() == before


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM])
def test_reply_to_a_hidden_comment_is_refused(client, story, status):
    hidden = CommentFactory(article=story, status=status)
    response = post(client, story, parent=hidden.pk)
    assert response.status_code == 400
    assert "not available" in response.content.decode()
    assert Comment.objects.count() == 1


def test_reply_to_a_comment_on_another_story_is_refused(client, story):
    elsewhere = CommentFactory()
    response = post(client, story, parent=elsewhere.pk)
    assert response.status_code == 400
    assert "same story" in response.content.decode()
    assert post(client, story, parent=999999).status_code == 400
    assert Comment.objects.count() == 1


def test_missing_csrf_token_is_refused(story):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(post_url(story), form_data(story))
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_honeypot_is_refused(client, story):
    assert_refused(post(client, story, website="http://spam.example"), 400,
                   "Your comment could not be accepted")


def test_instant_submission_is_refused_then_accepted_when_resent(client, settings, story):
    settings.COMMENTS_MIN_SECONDS = 3
    data = form_data(story, age=0)
    response = client.post(post_url(story), data)
    assert_refused(response, 400, "That was quick")
    # The refused page keeps the original token, so sending again later works.
    assert tokens_on_page(response.content.decode())["token"] == data["token"]
    signed = signing.loads(data["token"], salt=SALT)
    data["token"] = signing.dumps({**signed, "t": time.time() - 5}, salt=SALT)
    assert client.post(post_url(story), data).status_code == 302


def test_stale_form_is_refused_with_a_fresh_token(client, story):
    response = post(client, story, age=60 * 60 * 24 + 60)
    assert_refused(response, 400, "This form has expired")
    fresh = tokens_on_page(response.content.decode())["token"]
    assert signing.loads(fresh, salt=SALT)["t"] > time.time() - 10


@pytest.mark.parametrize("token", ["", "garbage", "eyJ0IjoxfQ:1abc:forged"])
def test_missing_or_forged_token_is_refused(client, story, token):
    assert post(client, story, token=token).status_code == 400
    assert not Comment.objects.exists()


def test_token_from_another_story_is_refused(client, story):
    other = ArticleFactory()
    response = post(client, story, token=make_token(other, now=time.time() - 60))
    assert_refused(response, 400, "belongs to another page")


def test_interviews_follow_the_same_rules(client):
    from interviews.models import Interview

    closed = InterviewFactory(comment_mode=Interview.CommentMode.CLOSED)
    assert_refused(post(client, closed), 403, "Comments are closed for this story.")
    preparing = InterviewFactory(status=Interview.Status.PREPARING)
    assert_refused(post(client, preparing), 404, "")
    reply_elsewhere = CommentFactory()  # on an article
    open_one = InterviewFactory()
    response = post(client, open_one, parent=reply_elsewhere.pk)
    assert response.status_code == 400 and "same story" in response.content.decode()


@pytest.mark.parametrize("value", ["%C2%B2", "9" * 5000, "-1", "abc", ""])
def test_odd_reply_parameters_show_the_page(client, value):
    from .factories import CommentFactory

    comment = CommentFactory()
    response = client.get(f"{comment.article.get_absolute_url()}?reply={value}")
    assert response.status_code == 200
    assert comment.body in response.content.decode()
