"""Embargoes: a story under embargo is on no public surface until it ends, whatever its
publication time; publishing earlier is refused except for those allowed to lift embargoes,
and each lift is recorded and logged."""

import logging
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from articles import services
from articles.models import Article
from comments.models import Comment
from tests.comments.helpers import post
from tests.conftest import make_staff

from .admin_forms import change_url, form_errors, post_admin_form, run_action
from .factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def later(**delta):
    return timezone.now() + timedelta(**delta)


@pytest.fixture
def lifter(db):
    user = make_staff("chief", "Editor")
    user.user_permissions.add(Permission.objects.get(codename="lift_embargo_article"))
    return user


@pytest.fixture
def embargoed(db):
    """Published an hour ago as far as its publication time goes, but embargoed for two."""
    return ArticleFactory(title="Budget leak embargoed", slug="budget-leak",
                          section=SectionFactory(name="Harbour", slug="harbour"),
                          tags=["Budget"], embargo_until=later(hours=2))


def travel(monkeypatch, **delta):
    moment = later(**delta)
    monkeypatch.setattr(timezone, "now", lambda: moment)


# The visibility rule --------------------------------------------------------------------------


def test_an_embargoed_story_is_not_public_until_the_embargo_ends(embargoed, monkeypatch):
    assert not Article.objects.published().filter(pk=embargoed.pk).exists()
    assert Article.objects.scheduled().filter(pk=embargoed.pk).exists()
    assert not embargoed.is_public and embargoed.is_scheduled
    assert Article.objects.next_public_at() == embargoed.embargo_until
    travel(monkeypatch, hours=2, minutes=1)
    assert Article.objects.published().filter(pk=embargoed.pk).exists()
    assert embargoed.is_public


def surfaces(story):
    return {
        "front": "/", "section": "/harbour/", "feed": "/feed/", "section feed": "/harbour/feed/",
        "sitemap": "/sitemap-articles.xml", "news sitemap": "/news-sitemap.xml",
        "search": "/search/?q=budget", "corrections": "/corrections/",
    }


def test_no_public_surface_shows_it_while_cached_pages_wait_for_the_embargo(embargoed,
                                                                            monkeypatch):
    reader = Client()
    other = ArticleFactory(title="Ferry fares", section=embargoed.section, related=[embargoed])
    pages = {**surfaces(embargoed), "related": other.get_absolute_url()}
    for name, path in pages.items():
        for _ in range(2):  # the second answer comes from the page cache where it may
            response = reader.get(path)
            assert response.status_code == 200, name
            assert "budget-leak" not in response.content.decode(), name
    assert reader.get(embargoed.get_absolute_url()).status_code == 404
    assert reader.get("/tags/budget/").status_code == 404
    travel(monkeypatch, hours=2, minutes=1)
    for name, path in pages.items():
        if name != "corrections":  # it has no correction to list
            assert "budget-leak" in reader.get(path).content.decode(), name
    assert reader.get(embargoed.get_absolute_url()).status_code == 200
    assert reader.get("/tags/budget/").status_code == 200


def test_readers_cannot_comment_under_embargo(embargoed, monkeypatch):
    response = post(Client(), embargoed)
    assert response.status_code == 404
    assert not Comment.objects.filter(article=embargoed).exists()
    travel(monkeypatch, hours=2, minutes=1)
    assert post(Client(), embargoed).status_code in (200, 302)


def test_staff_preview_still_shows_it(embargoed, editor_client):
    response = editor_client.get(embargoed.get_preview_url())
    assert response.status_code == 200
    assert "Budget leak embargoed" in response.content.decode()


# Publishing before the embargo ----------------------------------------------------------------


def draft_under_embargo(**fields):
    return ArticleFactory(status=Article.Status.DRAFT, publish_at=None,
                          embargo_until=later(hours=3), **fields)


def test_an_editor_cannot_publish_before_the_embargo(editor):
    story = draft_under_embargo()
    with pytest.raises(PermissionDenied, match="under embargo until"):
        services.publish_article(story, by=editor)
    with pytest.raises(PermissionDenied, match="lift embargoes"):
        services.publish_article(Article.objects.get(pk=story.pk), by=editor, at=later(hours=1))
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT and story.publish_at is None


def test_an_editor_may_schedule_it_for_the_embargo_or_later(editor):
    story = draft_under_embargo()
    services.publish_article(story, by=editor, at=story.embargo_until)
    story.refresh_from_db()
    assert story.is_scheduled and story.embargo_until is not None
    assert story.embargo_lifted_at is None


def test_admin_form_refuses_early_publication_with_a_clear_message(editor_client):
    story = draft_under_embargo()
    response = post_admin_form(editor_client, change_url(story), {
        "status": "published", "publish_at": timezone.now(), "title": "Changed headline"})
    assert response.status_code == 200
    assert "under embargo until" in form_errors(response)
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT and story.title != "Changed headline"


@pytest.mark.parametrize("embargo", [None, "earlier"])
def test_an_editor_cannot_remove_or_bring_forward_an_embargo(editor_client, embargo):
    story = draft_under_embargo()
    stored = story.embargo_until
    value = None if embargo is None else stored - timedelta(hours=2)
    response = post_admin_form(editor_client, change_url(story), {"embargo_until": value})
    assert "lift embargoes" in form_errors(response)
    story.refresh_from_db()
    assert story.embargo_until == stored


def test_an_editor_may_extend_an_embargo(editor_client):
    story = draft_under_embargo()
    response = post_admin_form(editor_client, change_url(story),
                               {"embargo_until": story.embargo_until + timedelta(days=1)})
    assert response.status_code == 302, form_errors(response)


def test_the_publish_action_reports_the_refusal(editor_client):
    story = draft_under_embargo()
    response = run_action(editor_client, "publish", story)
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("under embargo until" in message for message in messages), messages
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


def test_a_reporter_may_embargo_their_draft_but_not_lift_it(reporter_client, reporter):
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    story.created_by = reporter
    story.save()
    response = post_admin_form(reporter_client, change_url(story),
                               {"embargo_until": later(hours=5)})
    assert response.status_code == 302, form_errors(response)
    response = post_admin_form(reporter_client, change_url(story), {"embargo_until": None})
    assert "lift embargoes" in form_errors(response)


# Lifting ----------------------------------------------------------------------------------------


def test_a_lift_is_recorded_and_logged(lifter, caplog):
    story = draft_under_embargo(title="Early release")
    with caplog.at_level(logging.WARNING, logger="newsroom"):
        services.publish_article(story, by=lifter)
    story.refresh_from_db()
    assert story.is_public and story.embargo_until is None
    assert story.embargo_lifted_by == lifter and story.embargo_lifted_at is not None
    entry = LogEntry.objects.get(object_id=str(story.pk))
    assert entry.user == lifter and "Lifted the embargo" in entry.get_change_message()
    assert any("Embargo lifted" in record.getMessage() and "chief" in record.getMessage()
               for record in caplog.records)


def test_a_lifter_publishes_early_in_the_admin(lifter, client):
    client.force_login(lifter)
    story = draft_under_embargo(title="Early release")
    response = post_admin_form(client, change_url(story), {
        "status": "published", "publish_at": timezone.now() - timedelta(minutes=1)})
    assert response.status_code == 302, form_errors(response)
    assert Client().get(Article.objects.get(pk=story.pk).get_absolute_url()).status_code == 200
    assert LogEntry.objects.filter(object_id=str(story.pk),
                                   change_message__contains="Lifted").exists()
    page = client.get(change_url(story)).content.decode()
    assert "by chief" in page


def test_no_group_holds_the_lift_permission_by_default(editor):
    assert not editor.has_perm("articles.lift_embargo_article")


def test_the_story_list_says_when_an_embargoed_story_goes_out(editor_client, embargoed):
    listing = editor_client.get("/admin/articles/article/").content.decode()
    when = timezone.localtime(embargoed.embargo_until)
    assert f"Embargoed until {when:%d %b %Y %H:%M}" in listing
