"""Who may do what at the article desk, enforced on the server through the admin."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from articles.models import Article

from .admin_forms import (
    ADD_URL,
    CHANGELIST_URL,
    action_choices,
    change_url,
    form_errors,
    post_admin_form,
    read_admin_form,
    run_action,
)
from .factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def status_options(client, url):
    """The values the status select of the admin form at `url` offers, in order."""
    html = client.get(url).content.decode()
    select = re.search(r'<select name="status"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no status select on the page"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def new_story_fields(section, **extra):
    return {"title": "Ferry strike ends after talks", "slug": "ferry-strike-ends",
            "section": section.pk, "body": "<p>The ferries run again.</p>",
            "status": Article.Status.DRAFT, **extra}


# --- roles ---------------------------------------------------------------------------------


def test_fresh_database_has_the_three_roles():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Reporter", "Editor", "Moderator"} <= names
    publish = "publish_article"
    assert Group.objects.get(name="Editor").permissions.filter(codename=publish).exists()
    assert not Group.objects.get(name="Reporter").permissions.filter(codename=publish).exists()
    assert not Group.objects.get(name="Moderator").permissions.filter(
        content_type__app_label="articles").exists()


def test_moderator_cannot_open_the_article_desk(client, moderator):
    client.force_login(moderator)
    assert client.get(CHANGELIST_URL).status_code == 403
    assert client.get(ADD_URL).status_code == 403
    story = ArticleFactory()
    assert client.get(change_url(story)).status_code == 403


# --- reporters -----------------------------------------------------------------------------


def test_reporter_adds_a_draft_with_a_byline(reporter_client, reporter):
    section = SectionFactory()
    author = AuthorFactory(name="Mira Okafor", user=reporter)
    response = post_admin_form(reporter_client, ADD_URL, new_story_fields(section),
                               bylines=[author])
    assert response.status_code == 302, form_errors(response)
    story = Article.objects.get(slug="ferry-strike-ends")
    assert story.status == Article.Status.DRAFT
    assert story.created_by == reporter
    assert list(story.authors.all()) == [author]
    assert story.publish_at is None


def test_reporter_sends_a_new_story_to_review(reporter_client):
    section = SectionFactory()
    response = post_admin_form(reporter_client, ADD_URL,
                               new_story_fields(section, status=Article.Status.REVIEW))
    assert response.status_code == 302, form_errors(response)
    assert Article.objects.get(slug="ferry-strike-ends").status == Article.Status.REVIEW


def test_reporter_cannot_publish_a_new_story(reporter_client):
    section = SectionFactory()
    response = post_admin_form(reporter_client, ADD_URL,
                               new_story_fields(section, status=Article.Status.PUBLISHED))
    assert response.status_code == 200
    assert "Reporters cannot publish" in form_errors(response)
    assert "Reporters cannot publish" in response.content.decode()
    assert not Article.objects.exists()


def test_reporter_cannot_publish_their_own_draft(reporter_client, reporter):
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, created_by=reporter)
    response = post_admin_form(reporter_client, change_url(story),
                               {"status": Article.Status.PUBLISHED})
    assert response.status_code == 200
    assert "Reporters cannot publish" in form_errors(response)
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def test_reporter_edits_and_submits_their_own_draft(reporter_client, reporter):
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, created_by=reporter)
    response = post_admin_form(reporter_client, change_url(story),
                               {"title": "A better headline", "status": Article.Status.REVIEW})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert (story.title, story.status) == ("A better headline", Article.Status.REVIEW)


def test_reporter_named_in_the_byline_may_edit_the_draft(reporter_client, reporter):
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None,
                           authors=[AuthorFactory(user=reporter)])
    response = post_admin_form(reporter_client, change_url(story), {"title": "Byline edit"})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.title == "Byline edit"


def test_reporter_cannot_set_the_publication_time(reporter_client, reporter):
    section = SectionFactory()
    page = reporter_client.get(ADD_URL).content.decode()
    assert 'name="publish_at_0"' not in page
    assert 'name="status"' in page
    when = timezone.now() + timedelta(days=2)
    response = post_admin_form(reporter_client, ADD_URL, new_story_fields(section,
                               publish_at=when))
    assert response.status_code == 302, form_errors(response)
    assert Article.objects.get(slug="ferry-strike-ends").publish_at is None

    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, created_by=reporter)
    post_admin_form(reporter_client, change_url(draft), {"publish_at": when})
    draft.refresh_from_db()
    assert draft.publish_at is None


def test_reporter_is_offered_only_draft_and_review(reporter_client, reporter):
    assert status_options(reporter_client, ADD_URL) == ["draft", "review"]
    own = ArticleFactory(status=Article.Status.REVIEW, publish_at=None, created_by=reporter)
    assert status_options(reporter_client, change_url(own)) == ["draft", "review"]


def test_editor_is_offered_every_status(editor_client):
    assert status_options(editor_client, ADD_URL) == ["draft", "review", "published"]
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    assert status_options(editor_client, change_url(story)) == ["draft", "review", "published"]


def test_reporter_is_not_offered_publish_or_unpublish(reporter_client):
    choices = action_choices(reporter_client)
    assert "submit_for_review" in choices
    assert "publish" not in choices
    assert "unpublish" not in choices


def test_editor_is_offered_publish_and_unpublish(editor_client):
    assert {"publish", "unpublish", "submit_for_review"} <= action_choices(editor_client)


@pytest.mark.parametrize(("action", "status"), [
    ("publish", Article.Status.REVIEW),
    ("unpublish", Article.Status.PUBLISHED),
])
def test_reporter_posting_a_publish_action_changes_nothing(reporter_client, reporter, action,
                                                          status):
    story = ArticleFactory(status=status, created_by=reporter)
    response = run_action(reporter_client, action, story)
    assert response.status_code in {200, 302, 403}
    story.refresh_from_db()
    assert story.status == status


def test_reporter_cannot_change_a_published_story(reporter_client, reporter):
    story = ArticleFactory(title="Original headline", created_by=reporter,
                           authors=[AuthorFactory(user=reporter)])
    page = reporter_client.get(change_url(story))
    assert page.status_code == 200  # reporters may read it
    html = page.content.decode()
    assert 'name="title"' not in html
    assert 'name="_save"' not in html
    data = {"title": "Rewritten by a reporter", "slug": story.slug,
            "section": story.section_id, "status": Article.Status.PUBLISHED,
            "articleauthor_set-TOTAL_FORMS": "0", "articleauthor_set-INITIAL_FORMS": "0",
            "corrections-TOTAL_FORMS": "0", "corrections-INITIAL_FORMS": "0", "_save": "Save"}
    response = reporter_client.post(change_url(story), data)
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.title == "Original headline"


def test_reporter_cannot_unpublish_a_story_through_the_form(reporter_client, reporter):
    story = ArticleFactory(created_by=reporter)
    data = {"title": story.title, "slug": story.slug, "section": story.section_id,
            "status": Article.Status.DRAFT, "_save": "Save"}
    assert reporter_client.post(change_url(story), data).status_code == 403
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED


def test_reporter_cannot_change_someone_elses_draft(reporter_client):
    colleague = User.objects.create_user("colleague", is_staff=True)
    story = ArticleFactory(title="Colleague's draft", status=Article.Status.DRAFT,
                           publish_at=None, created_by=colleague)
    html = reporter_client.get(change_url(story)).content.decode()
    assert 'name="title"' not in html
    data = {"title": "Hijacked", "slug": story.slug, "section": story.section_id,
            "status": Article.Status.REVIEW, "_save": "Save"}
    assert reporter_client.post(change_url(story), data).status_code == 403
    run_action(reporter_client, "submit_for_review", story)
    story.refresh_from_db()
    assert (story.title, story.status) == ("Colleague's draft", Article.Status.DRAFT)


def test_reporter_submit_for_review_action_on_own_draft(reporter_client, reporter):
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, created_by=reporter)
    run_action(reporter_client, "submit_for_review", story)
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW


def test_reporter_cannot_add_a_correction(reporter_client, reporter):
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, created_by=reporter)
    data = read_admin_form(reporter_client, change_url(story))
    assert "corrections-TOTAL_FORMS" in data  # the inline is there, read-only
    response = post_admin_form(reporter_client, change_url(story),
                               corrections=[{"text": "A reporter's own correction."}])
    assert response.status_code in {200, 302}
    assert not story.corrections.exists()


# --- editors -------------------------------------------------------------------------------


def test_editor_publishes_through_the_form(editor_client, client):
    story = ArticleFactory(title="Desk approves", status=Article.Status.REVIEW, publish_at=None)
    assert client.get(story.get_absolute_url()).status_code == 404
    before = timezone.now()
    response = post_admin_form(editor_client, change_url(story),
                               {"status": Article.Status.PUBLISHED, "publish_at": None})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED
    assert before - timedelta(seconds=1) <= story.publish_at <= timezone.now()
    client.logout()
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    assert "Desk approves" in page.content.decode()


def test_editor_adds_and_publishes_a_story_with_byline(editor_client, client):
    section = SectionFactory()
    author = AuthorFactory(name="Ines Dahl")
    response = post_admin_form(
        editor_client, ADD_URL,
        new_story_fields(section, status=Article.Status.PUBLISHED, tags="Ferries, Strikes"),
        bylines=[author],
    )
    assert response.status_code == 302, form_errors(response)
    story = Article.objects.get(slug="ferry-strike-ends")
    assert story.is_public
    client.logout()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Ines Dahl" in html
    assert "/tags/ferries/" in html


def test_editor_publishes_and_unpublishes_with_actions(editor_client, client):
    story = ArticleFactory(status=Article.Status.REVIEW, publish_at=None)
    response = run_action(editor_client, "publish", story)
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.is_public
    assert client.get(story.get_absolute_url()).status_code == 200

    run_action(editor_client, "unpublish", story)
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    client.logout()
    assert client.get(story.get_absolute_url()).status_code == 404


def test_reporter_cannot_change_photos_readers_already_see(reporter_client):
    from articles.models import Photo

    from .factories import AuthorFactory, PhotoFactory

    live = PhotoFactory(caption="On the front page")
    ArticleFactory(lead_photo=live)
    byline = PhotoFactory(caption="A byline portrait")
    AuthorFactory(photo=byline)
    unused = PhotoFactory(caption="Not used yet")
    for photo in (live, byline):
        url = f"/admin/articles/photo/{photo.pk}/change/"
        response = reporter_client.post(url, {"alt_text": "x", "caption": "Hijacked"})
        assert response.status_code == 403
        assert Photo.objects.get(pk=photo.pk).caption != "Hijacked"
    url = f"/admin/articles/photo/{unused.pk}/change/"
    response = reporter_client.post(url, {"alt_text": "A street", "caption": "Fixed typo",
                                          "credit": ""})
    assert response.status_code == 302
    assert Photo.objects.get(pk=unused.pk).caption == "Fixed typo"
