"""The one publishing policy (articles.publishing) that the admin, the forms, the services, the
importer and the previews all ask: who may edit, publish and schedule stories and interviews."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles import publishing
from articles.models import Article
from interviews.models import Interview
from tests.interviews.factories import InterviewFactory

from .factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

STORY_STATUSES = ["draft", "review", "published"]
INTERVIEW_STATUSES = ["preparing", "answered", "published"]


@pytest.fixture
def colleague(db):
    return User.objects.create_user("colleague", is_staff=True)


def test_editors_may_do_everything(editor, colleague):
    for thing in (ArticleFactory(created_by=colleague), InterviewFactory(),
                  ArticleFactory(status=Article.Status.DRAFT, publish_at=None)):
        assert publishing.can_edit(editor, thing)
        assert publishing.can_publish(editor, thing)
    assert publishing.allowed_statuses(editor, Article()) == STORY_STATUSES
    assert publishing.allowed_statuses(editor, Interview()) == INTERVIEW_STATUSES


def test_reporters_edit_their_own_stories_until_they_are_published(reporter, colleague):
    own = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, created_by=reporter)
    bylined = ArticleFactory(status=Article.Status.REVIEW, publish_at=None,
                             authors=[AuthorFactory(user=reporter)])
    someone_elses = ArticleFactory(status=Article.Status.DRAFT, publish_at=None,
                                   created_by=colleague)
    own_but_live = ArticleFactory(created_by=reporter)
    assert publishing.can_edit(reporter, own)
    assert publishing.can_edit(reporter, bylined)
    assert not publishing.can_edit(reporter, someone_elses)
    assert not publishing.can_edit(reporter, own_but_live)
    assert publishing.can_edit(reporter, Article())  # a new one
    assert not publishing.can_publish(reporter, own)


def test_reporters_prepare_their_own_interviews_until_they_are_published(reporter,
                                                                          colleague):
    own = InterviewFactory(status=Interview.Status.PREPARING, publish_at=None,
                           created_by=reporter)
    conducted = InterviewFactory(status=Interview.Status.ANSWERED, publish_at=None,
                                 interviewer=AuthorFactory(user=reporter), created_by=colleague)
    someone_elses = InterviewFactory(status=Interview.Status.PREPARING, publish_at=None,
                                     created_by=colleague)
    nobodys = InterviewFactory(status=Interview.Status.PREPARING, publish_at=None)
    own_but_live = InterviewFactory(created_by=reporter)
    assert publishing.can_edit(reporter, own)
    assert publishing.can_edit(reporter, conducted)
    assert not publishing.can_edit(reporter, someone_elses)
    assert not publishing.can_edit(reporter, nobodys)
    assert not publishing.can_edit(reporter, own_but_live)
    assert publishing.can_edit(reporter, Interview())  # a new one
    assert not publishing.can_publish(reporter, Interview)


def test_reporters_are_offered_every_status_but_published(reporter):
    assert publishing.allowed_statuses(reporter, Article()) == ["draft", "review"]
    assert publishing.allowed_statuses(reporter, Interview()) == ["preparing", "answered"]


def test_moderators_and_strangers_may_do_nothing_here(moderator):
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, created_by=moderator)
    for who in (moderator, AnonymousUser()):
        assert not publishing.can_edit(who, story)
        assert not publishing.can_edit(who, Article())
        assert not publishing.can_publish(who, story)
        assert not publishing.can_preview(who, Article)
        assert publishing.allowed_statuses(who, story) == ["draft", "review"]


def test_the_system_may_do_everything():
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    assert publishing.can_edit(None, story) and publishing.can_publish(None, story)
    assert publishing.allowed_statuses(None, story) == STORY_STATUSES
    assert not publishing.can_preview(None, Article)


def test_only_active_staff_with_the_view_permission_preview(editor, reporter):
    assert publishing.can_preview(editor, Article)
    assert publishing.can_preview(reporter, Interview)
    reporter.is_staff = False
    assert not publishing.can_preview(reporter, Interview)
    editor.is_active = False
    assert not publishing.can_preview(editor, Article)


def test_check_save_refuses_what_the_policy_refuses(reporter, colleague):
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, created_by=reporter)
    before = Article.objects.get(pk=draft.pk)
    draft.status = Article.Status.PUBLISHED
    with pytest.raises(PermissionDenied, match="Only editors can publish"):
        publishing.check_save(reporter, draft, before)
    draft.status, draft.publish_at = Article.Status.REVIEW, timezone.now()
    with pytest.raises(PermissionDenied, match="publication time"):
        publishing.check_save(reporter, draft, before)
    draft.publish_at = None
    publishing.check_save(reporter, draft, before)  # in review: fine

    theirs = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, created_by=colleague)
    with pytest.raises(PermissionDenied, match="not yours"):
        publishing.check_save(reporter, theirs, Article.objects.get(pk=theirs.pk))
    live = ArticleFactory(created_by=reporter)
    with pytest.raises(PermissionDenied, match="Only editors can change published"):
        publishing.check_save(reporter, live, Article.objects.get(pk=live.pk))
