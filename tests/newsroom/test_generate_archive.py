"""`manage.py generate_archive`: a made-up archive for the benchmarks, in bulk, searchable.

Small sizes here (the benchmark makes 100,000 stories and 1,000,000 comments). A second run
adds another archive of the same size (documented in newsroom/archive.py)."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.db.models.signals import post_save
from taggit.models import TaggedItem

from articles.models import Article
from articles.search import plain_lines
from comments.models import Comment, ModerationDecision
from interviews.models import Answer, Interview
from newsroom import archive

pytestmark = pytest.mark.django_db

SMALL = ["--articles", "50", "--comments", "300", "--interviews", "3", "--photos", "1",
         "--authors", "12", "--guests", "6", "--tags", "40"]


def generate(*extra):
    out = StringIO()
    call_command("generate_archive", *SMALL, *extra, stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    return lines, json.loads(lines[-1])


@pytest.fixture
def made():
    return generate("--json", "--seed", "7")


def test_it_writes_the_sizes_asked_for(made):
    _lines, report = made
    assert Article.objects.count() == 50
    assert Interview.objects.count() == 3
    assert Comment.objects.count() == 300
    assert report["counts"]["comments"] == 300
    assert Article.objects.published().count() == report["counts"]["public stories"]
    assert Article.objects.scheduled().exists()
    # Stories carry bylines, tags and photos.
    assert not Article.objects.filter(articleauthor__isnull=True).exists()
    assert TaggedItem.objects.filter(content_type__model="article").count() >= 50
    assert Article.objects.filter(lead_photo__isnull=False).count() > 20


def test_comments_come_in_every_state_with_their_decisions(made):
    states = dict(Comment.objects.values_list("status").annotate(n=Count("pk")))
    assert set(states) == {"pending", "approved", "rejected", "spam"}
    assert states["approved"] > states["pending"] + states["rejected"] + states["spam"]
    decided = Comment.objects.exclude(status="pending")
    assert ModerationDecision.objects.count() == decided.count()
    for comment in decided.prefetch_related("decisions")[:50]:
        (decision,) = comment.decisions.all()
        assert (decision.from_status, decision.to_status) == ("pending", comment.status)
    assert not Comment.objects.filter(fingerprint="").exists()


def test_replies_are_one_level_deep_on_the_same_story(made):
    replies = Comment.objects.filter(parent__isnull=False).select_related("parent")
    assert replies.exists()
    for reply in replies:
        assert reply.parent.parent_id is None
        assert (reply.article_id, reply.interview_id) == \
            (reply.parent.article_id, reply.parent.interview_id)
        assert reply.created_at >= reply.parent.created_at


def test_one_story_has_exactly_200_approved_comments_an_interview_and_the_rest(made, client):
    _lines, report = made
    story = Article.objects.get(slug__endswith=archive.SHOWCASE_SUFFIX)
    assert story.is_public
    assert Comment.objects.filter(article=story, status="approved").count() == 200
    assert Interview.objects.published().filter(article=story).exists()
    assert story.tags.exists() and story.lead_photo_id and story.related.exists()
    page = client.get(report["urls"]["article"])
    assert page.status_code == 200
    assert re.search(r"\b200 comments\b", page.content.decode())
    assert page.content.decode().count('class="comment-thread"') <= 200


def test_the_printed_pages_answer(made, client):
    lines, report = made
    urls = report["urls"]
    for key in ("front", "article", "interview", "section", "tag", "search", "feed"):
        assert client.get(urls[key]).status_code == 200, key
        assert urls[key] in "\n".join(lines)


def test_search_finds_a_generated_story(made, client):
    _lines, report = made
    story = Article.objects.get(slug__endswith=archive.SHOWCASE_SUFFIX)
    page = client.get(report["urls"]["search"])
    assert story.title in page.content.decode()


def test_search_text_is_what_saving_would_store(made):
    for story in Article.objects.all():
        assert story.body_text == plain_lines(story.body)
    interview = Interview.objects.published().first()
    assert interview.search_text
    guest = interview.guests.first()
    assert guest.name in interview.search_text
    assert "Keep it short" not in interview.search_text  # prep notes stay private


def test_published_interviews_have_every_answer(made):
    for interview in Interview.objects.published():
        assert interview.unanswered_questions() == []
    assert Answer.objects.filter(has_text=True).exists()


def test_nothing_is_saved_row_by_row(settings):
    saved = []

    def count(sender, **kwargs):
        saved.append(sender)

    post_save.connect(count, dispatch_uid="test-generate-archive")
    try:
        call_command("generate_archive", *SMALL, "--photos", "0", stdout=StringIO())
    finally:
        post_save.disconnect(dispatch_uid="test-generate-archive")
    assert Article not in saved and Comment not in saved and Interview not in saved


def test_a_second_run_adds_another_archive(made):
    first = archive.showcase_urls()
    _lines, report = generate("--json", "--seed", "8")
    assert Article.objects.count() == 100
    assert Comment.objects.count() == 600
    assert Interview.objects.count() == 6
    assert Article.objects.filter(slug__endswith=archive.SHOWCASE_SUFFIX).count() == 2
    assert report["urls"]["article"] != first["article"]
    # Shared things are found again, not duplicated.
    from articles.models import Author, Photo, Section
    assert Photo.objects.filter(credit=archive.PHOTO_CREDIT).count() == 1
    assert Author.objects.count() == 12
    assert Section.objects.count() == len(archive.SECTIONS)


def test_show_prints_the_pages_of_the_newest_archive(made):
    out = StringIO()
    call_command("generate_archive", "--show", "--json", stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1])["urls"] == made[1]["urls"]


def test_show_without_an_archive_says_so():
    with pytest.raises(CommandError, match="No generated archive"):
        call_command("generate_archive", "--show", stdout=StringIO())


@pytest.mark.parametrize("option, value", [("--articles", "0"), ("--comments", "100"),
                                           ("--interviews", "0")])
def test_sizes_too_small_are_refused_before_anything_is_written(option, value):
    with pytest.raises(CommandError, match=option):
        call_command("generate_archive", *SMALL, option, value, stdout=StringIO())
    assert not Article.objects.exists()
