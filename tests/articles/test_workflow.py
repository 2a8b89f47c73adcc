"""The publishing workflow: draft, review, scheduled, published, corrected, moved."""

import copy
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleRedirect, Correction

from .admin_forms import change_url, form_errors, post_admin_form, run_action
from .factories import ArticleFactory, CorrectionFactory, SectionFactory

pytestmark = pytest.mark.django_db


def page(client, article):
    response = client.get(article.get_absolute_url())
    return response.status_code, response.content.decode()


def time_tag(value):
    # To the second: the HTML standard allows at most three decimals in a datetime.
    return f'<time datetime="{timezone.localtime(value).replace(microsecond=0).isoformat()}">'


# --- services ------------------------------------------------------------------------------


def test_draft_goes_to_review_then_is_published(client, editor):
    story = ArticleFactory(title="Budget vote tonight", status=Article.Status.DRAFT,
                           publish_at=None)
    assert page(client, story)[0] == 404

    services.submit_for_review(story)
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
    assert page(client, story)[0] == 404

    services.publish_article(story, by=editor)
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED
    status, html = page(client, story)
    assert status == 200
    assert "Budget vote tonight" in html


def test_a_published_story_cannot_be_sent_back_to_review():
    story = ArticleFactory()
    with pytest.raises(ValidationError):
        services.submit_for_review(story)
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED


def test_publishing_sets_the_time_when_missing(editor):
    story = ArticleFactory(status=Article.Status.REVIEW, publish_at=None)
    before = timezone.now()
    services.publish_article(story, by=editor)
    story.refresh_from_db()
    assert before <= story.publish_at <= timezone.now()


def test_publishing_keeps_a_time_already_chosen(editor):
    chosen = timezone.now() - timedelta(days=3)
    story = ArticleFactory(status=Article.Status.REVIEW, publish_at=chosen)
    services.publish_article(story, by=editor)
    story.refresh_from_db()
    assert story.publish_at == chosen


def test_a_future_time_schedules_the_story(client, editor, monkeypatch):
    story = ArticleFactory(title="Embargoed report", status=Article.Status.REVIEW,
                           publish_at=None)
    services.publish_article(story, by=editor, at=timezone.now() + timedelta(hours=2))
    story.refresh_from_db()
    assert story.is_scheduled
    assert page(client, story)[0] == 404
    assert "Embargoed report" not in client.get("/").content.decode()

    # The embargo passes: three hours later, with nobody touching the story.
    later = timezone.now() + timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    status, html = page(client, story)
    assert status == 200
    assert "Embargoed report" in html
    assert "Embargoed report" in client.get("/").content.decode()


def test_reporters_cannot_publish_through_services(reporter):
    story = ArticleFactory(status=Article.Status.REVIEW, publish_at=None)
    with pytest.raises(PermissionDenied):
        services.publish_article(story, by=reporter)
    with pytest.raises(PermissionDenied):
        services.unpublish_article(ArticleFactory(), by=reporter)
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == 1


def test_services_refuse_what_the_policy_refuses_a_reporter(reporter):
    from django.contrib.auth.models import User

    colleague = User.objects.create_user("colleague", is_staff=True)
    theirs = ArticleFactory(title="Their draft", status=Article.Status.DRAFT, publish_at=None,
                            created_by=colleague)
    with pytest.raises(PermissionDenied):
        services.submit_for_review(theirs, by=reporter)
    before = Article.objects.get(pk=theirs.pk)
    theirs.title = "Rewritten"
    with pytest.raises(PermissionDenied):
        services.save_article(theirs, by=reporter, before=before)

    own = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, created_by=reporter)
    before = Article.objects.get(pk=own.pk)
    own.status = Article.Status.PUBLISHED
    with pytest.raises(PermissionDenied):
        services.save_article(own, by=reporter, before=before)
    own.status, own.publish_at = Article.Status.DRAFT, timezone.now() + timedelta(days=1)
    with pytest.raises(PermissionDenied):
        services.save_article(own, by=reporter, before=before)

    live = ArticleFactory(title="Live story", created_by=reporter)
    before = Article.objects.get(pk=live.pk)
    live.title = "Changed by a reporter"
    with pytest.raises(PermissionDenied):
        services.save_article(live, by=reporter, before=before)

    assert Article.objects.get(pk=theirs.pk).title == "Their draft"
    assert Article.objects.get(pk=own.pk).status == Article.Status.DRAFT
    assert Article.objects.get(pk=own.pk).publish_at is None
    assert Article.objects.get(pk=live.pk).title == "Live story"
    # What the policy allows goes through.
    services.submit_for_review(own, by=reporter)
    assert Article.objects.get(pk=own.pk).status == Article.Status.REVIEW


def test_a_story_without_headline_is_not_published(editor):
    story = ArticleFactory(title="  ", status=Article.Status.REVIEW, publish_at=None)
    with pytest.raises(ValidationError):
        services.publish_article(story, by=editor)
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW


def test_unpublishing_hides_the_story_everywhere(client, editor):
    story = ArticleFactory(title="Retracted claim", tags=["Claims"])
    assert page(client, story)[0] == 200
    services.unpublish_article(story, by=editor)
    assert page(client, story)[0] == 404
    for url in ["/", f"/{story.section.slug}/", "/tags/claims/"]:
        assert "Retracted claim" not in client.get(url).content.decode(), url


# --- admin actions -------------------------------------------------------------------------


def test_publish_action_with_a_future_time_schedules(editor_client):
    when = timezone.now() + timedelta(days=1)
    story = ArticleFactory(title="Tomorrow's story", status=Article.Status.REVIEW,
                           publish_at=when)
    run_action(editor_client, "publish", story)
    story.refresh_from_db()
    assert story.is_scheduled
    listing = editor_client.get("/admin/articles/article/").content.decode()
    assert "Scheduled for" in listing
    editor_client.logout()
    assert page(editor_client, story)[0] == 404


def test_editor_schedules_through_the_form(editor_client):
    when = timezone.now() + timedelta(days=2)
    story = ArticleFactory(title="Scheduled by form", status=Article.Status.REVIEW,
                           publish_at=None)
    response = post_admin_form(editor_client, change_url(story),
                               {"status": Article.Status.PUBLISHED, "publish_at": when})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.is_scheduled
    assert story.publish_at == when.replace(microsecond=0)
    editor_client.logout()
    assert page(editor_client, story)[0] == 404
    assert "Scheduled by form" not in editor_client.get("/").content.decode()


def test_publish_action_reports_what_it_did(editor_client):
    stories = ArticleFactory.create_batch(2, status=Article.Status.REVIEW, publish_at=None)
    response = run_action(editor_client, "publish", *stories)
    shown = [str(m) for m in response.wsgi_request._messages]
    assert "2 stories published." in shown
    assert all(Article.objects.get(pk=s.pk).is_public for s in stories)


# --- updated time and corrections ----------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "body"])
def test_editing_a_live_story_shows_updated(editor_client, field):
    story = ArticleFactory(title="Flood warning", body="<p>Rivers rise.</p>")
    assert story.updated_at is None
    new_value = {"title": "Flood warning lifted", "body": "<p>Rivers fall again.</p>"}[field]
    response = post_admin_form(editor_client, change_url(story), {field: new_value})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.updated_at is not None
    assert timezone.now() - story.updated_at < timedelta(minutes=1)
    editor_client.logout()
    status, html = page(editor_client, story)
    assert status == 200
    assert f"Updated {time_tag(story.updated_at)}" in html


def test_editing_other_fields_of_a_live_story_is_not_an_update(editor_client):
    story = ArticleFactory(body='<p>See <a href="https://example.org/report">the report</a>.</p>')
    # CKEditor sends links back without the rel the sanitiser added when the body was saved.
    posted_body = '<p>See <a href="https://example.org/report">the report</a>.</p>'
    response = post_admin_form(editor_client, change_url(story),
                               {"discussion_prompt": "What would you ask?", "body": posted_body,
                                "tags": "Reports"})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.discussion_prompt == "What would you ask?"
    assert story.updated_at is None
    editor_client.logout()
    assert "Updated" not in page(editor_client, story)[1]


def test_editing_a_scheduled_story_is_not_an_update(editor_client):
    story = ArticleFactory(publish_at=timezone.now() + timedelta(days=1))
    response = post_admin_form(editor_client, change_url(story), {"title": "Sharper headline"})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.title == "Sharper headline"
    assert story.updated_at is None


def test_editing_a_draft_is_not_an_update(editor_client):
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    post_admin_form(editor_client, change_url(story), {"title": "New draft headline"})
    story.refresh_from_db()
    assert story.title == "New draft headline"
    assert story.updated_at is None


def test_corrections_are_shown_with_their_date(client):
    story = ArticleFactory()
    when = timezone.now() - timedelta(days=2)
    CorrectionFactory(article=story, text="The bridge is 40 metres long, not 400.",
                      published_at=when)
    status, html = page(client, story)
    assert status == 200
    assert "Corrections" in html
    assert "The bridge is 40 metres long, not 400." in html
    local = timezone.localtime(when)
    assert f"{time_tag(when)}{local.day} {local:%B %Y}</time>" in html


def test_editor_adds_a_correction_in_the_admin(editor_client):
    story = ArticleFactory()
    response = post_admin_form(editor_client, change_url(story),
                               corrections=[{"text": "We misnamed the port."}])
    assert response.status_code == 302, form_errors(response)
    correction = Correction.objects.get(article=story)
    editor_client.logout()
    html = page(editor_client, story)[1]
    assert "We misnamed the port." in html
    assert time_tag(correction.published_at.replace(microsecond=0)) in html


# --- old addresses keep working ------------------------------------------------------------


def assert_moved(client, old_url, new_url):
    response = client.get(old_url)
    assert response.status_code == 301, (old_url, response.status_code)
    assert response["Location"] == new_url
    assert client.get(new_url).status_code == 200


def test_changing_the_slug_redirects_the_old_address(editor_client):
    story = ArticleFactory(slug="old-slug")
    old_url = story.get_absolute_url()
    response = post_admin_form(editor_client, change_url(story), {"slug": "new-slug"})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.get_absolute_url().endswith("/new-slug/")
    editor_client.logout()
    assert_moved(editor_client, old_url, story.get_absolute_url())


def test_changing_the_section_redirects_the_old_address(editor_client):
    story = ArticleFactory(section=SectionFactory(slug="world"))
    old_url = story.get_absolute_url()
    politics = SectionFactory(slug="politics", name="Politics")
    response = post_admin_form(editor_client, change_url(story), {"section": politics.pk})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.get_absolute_url().startswith("/politics/")
    editor_client.logout()
    assert_moved(editor_client, old_url, story.get_absolute_url())


def test_changing_the_publication_date_redirects_the_old_address(editor_client):
    story = ArticleFactory(publish_at=timezone.now() - timedelta(days=10))
    old_url = story.get_absolute_url()
    response = post_admin_form(editor_client, change_url(story),
                               {"publish_at": timezone.now() - timedelta(days=3)})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.get_absolute_url() != old_url
    editor_client.logout()
    assert_moved(editor_client, old_url, story.get_absolute_url())


def test_save_article_remembers_the_old_address(client, editor):
    story = ArticleFactory(slug="first-name")
    old_url = story.get_absolute_url()
    before = copy.deepcopy(Article.objects.get(pk=story.pk))
    story.slug = "second-name"
    services.save_article(story, by=editor, before=before)
    assert_moved(client, old_url, story.get_absolute_url())


def test_an_address_can_move_several_times(client, editor):
    story = ArticleFactory(slug="one")
    urls = [story.get_absolute_url()]
    for slug in ["two", "three"]:
        before = Article.objects.get(pk=story.pk)
        story.slug = slug
        services.save_article(story, by=editor, before=before)
        urls.append(story.get_absolute_url())
    assert_moved(client, urls[0], urls[2])
    assert_moved(client, urls[1], urls[2])


def test_changing_the_slug_back_does_not_loop(editor_client):
    story = ArticleFactory(slug="original")
    original_url = story.get_absolute_url()
    post_admin_form(editor_client, change_url(story), {"slug": "renamed"})
    story.refresh_from_db()
    renamed_url = story.get_absolute_url()
    post_admin_form(editor_client, change_url(story), {"slug": "original"})
    story.refresh_from_db()
    assert story.get_absolute_url() == original_url
    editor_client.logout()
    response = editor_client.get(original_url, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert_moved(editor_client, renamed_url, original_url)
    assert not ArticleRedirect.objects.filter(old_path=original_url).exists()


def test_wrong_date_or_section_redirects_to_the_canonical_address(client):
    SectionFactory(slug="sport", name="Sport")
    story = ArticleFactory(slug="cup-final", section=SectionFactory(slug="world"),
                           publish_at=timezone.now() - timedelta(days=5))
    canonical = story.get_absolute_url()
    wrong_date = "/world/2001/01/01/cup-final/"
    wrong_section = canonical.replace("/world/", "/sport/")
    unknown_section = canonical.replace("/world/", "/no-such-section/")
    for url in [wrong_date, wrong_section, unknown_section]:
        response = client.get(url)
        assert response.status_code == 301, url
        assert response["Location"] == canonical


def test_unknown_story_addresses_are_404(client):
    story = ArticleFactory(section=SectionFactory(slug="world"))
    assert client.get("/world/2024/01/02/no-such-story/").status_code == 404
    assert client.get(story.get_absolute_url().replace(story.slug, story.slug + "-x")
                      ).status_code == 404


def test_an_old_address_of_an_unpublished_story_is_404(client, editor):
    story = ArticleFactory(slug="to-be-pulled")
    old_url = story.get_absolute_url()
    before = Article.objects.get(pk=story.pk)
    story.slug = "pulled"
    services.save_article(story, by=editor, before=before)
    assert client.get(old_url).status_code == 301
    services.unpublish_article(story, by=editor)
    assert client.get(old_url).status_code == 404
    assert client.get(story.get_absolute_url()).status_code == 404


def test_republishing_with_a_new_time_redirects_the_address_readers_had(client):
    story = ArticleFactory(publish_at=timezone.now() - timedelta(days=3))
    old_url = story.get_absolute_url()
    # The editor edits the object in memory and publishes it with today's date.
    story.publish_at = timezone.now() - timedelta(minutes=5)
    services.publish_article(story, at=story.publish_at)
    assert story.get_absolute_url() != old_url
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


def test_an_editors_save_keeps_the_publication_time_to_the_microsecond(editor_client):
    # Publishing from the list stamps the time with its fraction; the form shows whole seconds.
    stored = (timezone.now() - timedelta(hours=1)).replace(microsecond=303195)
    story = ArticleFactory(publish_at=stored)
    response = post_admin_form(editor_client, change_url(story), {"kicker": "Update"})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.kicker == "Update"
    assert story.publish_at == stored
