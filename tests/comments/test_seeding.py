"""The demo comments: loaded by `manage.py seed`, idempotent, and they train the filter."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article
from comments.models import Comment, ModerationDecision, SpamFilterTotals, WordRule
from comments.seeding import load_comments

pytestmark = pytest.mark.django_db


def test_seed_loads_comments_of_every_kind_once(monkeypatch, client):
    # One test for the whole seed: drawing the demo photos is the slow part.
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "seed-test-password-1")
    out = StringIO()
    call_command("seed", stdout=out)
    assert "seeds/comments.json: 28 new comments" in out.getvalue()

    statuses = set(Comment.objects.values_list("status", flat=True))
    assert statuses == {"approved", "pending", "rejected", "spam"}
    assert Comment.objects.filter(featured=True, status="approved").exists()
    assert Comment.objects.filter(parent__isnull=False, status="approved").exists()
    assert Comment.objects.filter(interview__isnull=False).exists()
    assert WordRule.objects.filter(kind="blocked").exists()
    decided = Comment.objects.exclude(status="pending")
    assert decided.filter(moderated_by__username="moderator").count() == decided.count()
    assert ModerationDecision.objects.count() == decided.count()
    # Replies belong to the same story as their parent.
    for reply in Comment.objects.filter(parent__isnull=False).select_related("parent"):
        assert (reply.article_id, reply.interview_id) == (reply.parent.article_id,
                                                          reply.parent.interview_id)
    # The filter learned from the seeded decisions; spam carries its reasons.
    totals = SpamFilterTotals.objects.get()
    assert totals.spam_count == Comment.objects.filter(status="spam").count()
    assert totals.ham_count == Comment.objects.filter(status="approved").count()
    for comment in Comment.objects.filter(status="spam"):
        assert comment.spam_score >= 0.9 and comment.spam_reasons

    # The demo story shows its approved comments only.
    story = Article.objects.get(slug="militias-break-through-lines-near-tervan")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Mira Kostenko" in html and "Featured" in html
    assert "casino" not in html.lower() and "Jonas Pell" not in html

    # Loading again changes nothing.
    before = list(Comment.objects.order_by("pk").values())
    assert load_comments() == 0
    assert list(Comment.objects.order_by("pk").values()) == before


def test_bad_seed_file_names_the_problem(tmp_path):
    path = tmp_path / "comments.json"
    path.write_text(json.dumps({"comments": [
        {"key": "a", "story": "no-such-story", "author": "A", "email": "a@example.org",
         "body": "x", "status": "approved", "minutes_after": 1},
    ]}))
    with pytest.raises(CommandError, match="no published story 'no-such-story'"):
        load_comments(path)
    path.write_text(json.dumps({"comments": [
        {"key": "a", "story": "x", "author": "A", "email": "a@example.org", "body": "x",
         "status": "maybe", "minutes_after": 1, "parent": "zzz"},
    ]}))
    with pytest.raises(CommandError) as error:
        load_comments(path)
    assert str(path) in str(error.value)
    assert "status must be one of" in str(error.value) and "parent 'zzz'" in str(error.value)
    path.write_text("{ not json")
    with pytest.raises(CommandError, match=r"comments.json:1: not valid JSON"):
        load_comments(path)
