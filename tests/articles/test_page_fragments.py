"""The story and interview pages keep their parts rendered (newsroom/fragments.py): a reader
sees every change to what a part shows on the next request, with the page cache off or on,
and a page whose parts are kept asks the database for nothing they show."""

from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from articles.models import Correction
from comments import services as comment_services
from comments.models import Comment
from interviews.models import Answer
from tests.articles.factories import ArticleFactory, AuthorFactory, PhotoFactory
from tests.comments.factories import CommentFactory
from tests.interviews.factories import build_interview

pytestmark = pytest.mark.django_db


def page(client, story):
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def story():
    related = ArticleFactory(title="An older story")
    return ArticleFactory(title="Harbour reopens", authors=[AuthorFactory(name="Ann Writer")],
                          tags=["Harbour"], related=[related], lead_photo=PhotoFactory())


def test_the_story_shows_changes_to_itself_its_byline_tags_and_notes(client, page_cache, story):
    page(client, story)
    story.title = "Harbour reopens at last"
    story.body = "<p>A new first paragraph.</p>"
    story.save()
    author = story.authors.get()
    author.name = "Ann Editor"
    author.save()
    tag = Tag.objects.get(name="Harbour")
    tag.name = "Harbours"
    tag.save()
    Correction.objects.create(article=story, text="The date was wrong.",
                              published_at=timezone.now())
    html = page(client, story)
    assert '<h1 class="story__title">Harbour reopens at last</h1>' in html
    assert "A new first paragraph." in html
    assert ">Ann Editor</a>" in html and "Ann Writer" not in html
    assert "#Harbours</a>" in html
    assert '<meta property="article:tag" content="Harbours">' in html
    assert '"keywords": ["Harbours"]' in html  # the JSON-LD in the head
    assert "The date was wrong." in html


def test_the_story_shows_a_related_story_changing_or_going(client, page_cache, story):
    related = story.related.get()
    page(client, story)
    related.title = "An older story, retitled"
    related.save()
    assert "An older story, retitled" in page(client, story)
    related.status = related.Status.DRAFT
    related.save()
    assert "An older story" not in page(client, story)


def test_the_discussion_shows_an_approved_comment_and_loses_its_reply_links_once_closed(
        client, page_cache, story):
    first = CommentFactory(article=story, body="First thoughts.")
    waiting = CommentFactory(article=story, body="Second thoughts.",
                             status=Comment.Status.PENDING)
    html = page(client, story)
    assert "1 comment</p>" in html and "Second thoughts." not in html
    comment_services.approve_comment(waiting)
    html = page(client, story)
    assert "2 comments</p>" in html and "Second thoughts." in html
    assert f"?reply={first.pk}#comment-form" in html

    # Comments close by themselves 14 days after publication: no form, no reply links.
    story.publish_at = timezone.now() - timedelta(days=20)
    story.save()
    html = page(client, story)
    assert "Second thoughts." in html
    assert "?reply=" not in html and 'id="comment-form"' not in html


def test_a_warm_story_page_asks_only_for_the_story_row(client, django_assert_max_num_queries,
                                                       settings, story):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    for n in range(30):
        CommentFactory(article=story, body=f"Comment {n}.")
    cold = page(client, story)  # renders every fragment once
    # The story's row; no menu, byline, tags, notes, related stories, interviews or comments.
    with django_assert_max_num_queries(1):
        warm = page(client, story)
    for shown in ("Ann Writer", "#Harbour", "An older story", "Comment 29.", "30 comments"):
        assert shown in cold and shown in warm


def test_the_interview_shows_changes_to_its_answers_guests_and_discussion(client, page_cache):
    interview = build_interview(guests=1, segments=1, questions=1)
    page(client, interview)
    guest = interview.lineup.get().guest
    answer = Answer.objects.get(question__segment__interview=interview)
    answer.text = "<p>A longer answer.</p>"
    answer.save()
    guest.name = "Renamed Guest"
    guest.save()
    CommentFactory(article=None, interview=interview, body="On the interview.")
    html = page(client, interview)
    assert "A longer answer." in html
    assert "Renamed Guest" in html
    assert "On the interview." in html and "1 comment</p>" in html


def test_a_warm_interview_page_asks_only_for_the_interview_row(
        client, django_assert_max_num_queries, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    interview = build_interview(guests=2, segments=3, questions=2, tags=["Harbour"])
    page(client, interview)
    with django_assert_max_num_queries(1):  # the interview's row; the menu is kept too
        html = page(client, interview)
    assert html.count('class="exchange__answer"') == 12
    assert "#Harbour" in html and "Section title 3" in html


def test_a_kept_story_row_follows_its_sections_new_address(client, story, page_cache):
    old_address = story.get_absolute_url()
    page(client, story)
    page(client, story)
    section = story.section
    section.slug = "waterfront"
    section.save()
    story.refresh_from_db()
    assert story.get_absolute_url().startswith("/waterfront/")
    assert "Harbour reopens" in page(client, story)
    assert client.get(old_address).status_code in (301, 404)


def test_a_withdrawn_story_or_interview_is_gone_though_its_row_was_kept(client, story,
                                                                         page_cache, editor):
    from articles import services

    page(client, story)
    page(client, story)
    services.unpublish_article(story, by=editor)
    assert client.get(story.get_absolute_url()).status_code == 404
    interview = build_interview()
    address = interview.get_absolute_url()
    assert client.get(address).status_code == 200
    assert client.get(address).status_code == 200
    from interviews import services as interview_services

    interview_services.unpublish_interview(interview, by=editor)
    assert client.get(address).status_code == 404
