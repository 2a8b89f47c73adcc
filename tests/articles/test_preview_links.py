"""Preview links: a signed, expiring, revocable address that shows a story that is not public
to someone without an account, marked noindex, never cached, listed nowhere."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from articles import previews
from articles.models import Article, PreviewLink

from .admin_forms import change_url
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def draft(**fields):
    return ArticleFactory(title="Harbour deal draft", status=Article.Status.DRAFT,
                          publish_at=None, **fields)


def later(**delta):
    return timezone.now() + timedelta(**delta)


def travel(monkeypatch, **delta):
    moment = later(**delta)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_the_link_shows_the_draft_as_readers_will_see_it(editor):
    story = draft()
    link, url = previews.create_link(story, by=editor, lifetime="24h")
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbour deal draft" in html
    assert "Preview — not published; link expires" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert 'id="comment-form"' not in html and "application/ld+json" not in html
    assert link.expires_at - link.created_at == timedelta(hours=24)


def test_only_the_hash_of_the_token_is_stored(editor):
    link, url = previews.create_link(draft(), by=editor, lifetime="1h")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40
    assert token not in link.token_hash and not PreviewLink.objects.filter(
        token_hash=token).exists()


def test_the_link_is_never_stored_in_the_page_cache(editor, django_assert_max_num_queries):
    _, url = previews.create_link(draft(), by=editor, lifetime="1h")
    reader = Client()
    reader.get(url)
    with django_assert_max_num_queries(20) as queries:
        assert reader.get(url).status_code == 200
    assert len(queries) > 0  # rendered again, not served from the cache


@pytest.mark.parametrize("spoil", ["expire", "revoke", "tamper", "unknown"])
def test_a_link_that_is_no_longer_valid_never_shows_the_story(editor, monkeypatch, spoil):
    story = draft()
    link, url = previews.create_link(story, by=editor, lifetime="1h")
    if spoil == "expire":
        travel(monkeypatch, hours=1, seconds=1)
    elif spoil == "revoke":
        previews.revoke_link(link, by=editor)
    elif spoil == "tamper":
        url = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    else:
        url = "/preview/link/not-a-token/"
    response = Client().get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "This preview link is no longer valid" in html
    assert "Harbour deal draft" not in html
    assert response["X-Robots-Tag"].startswith("noindex")


def test_an_embargoed_story_opens_only_through_a_link_allowed_before_the_embargo(editor,
                                                                                monkeypatch):
    story = draft(embargo_until=later(hours=5))
    _, plain = previews.create_link(story, by=editor, lifetime="24h")
    _, allowed = previews.create_link(story, by=editor, lifetime="24h",
                                      allow_before_embargo=True)
    assert Client().get(plain).status_code == 404
    assert "Harbour deal draft" in Client().get(allowed).content.decode()
    travel(monkeypatch, hours=6)
    assert Client().get(plain).status_code == 200  # the embargo is over; still a draft


def test_a_story_that_went_public_sends_the_reader_to_its_address(editor):
    story = draft()
    _, url = previews.create_link(story, by=editor, lifetime="1h")
    story.status, story.publish_at = Article.Status.PUBLISHED, later(minutes=-1)
    story.save()
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"] == story.get_absolute_url()


def test_a_public_story_gets_no_link_and_a_bad_lifetime_is_refused(editor):
    with pytest.raises(ValidationError, match="already public"):
        previews.create_link(ArticleFactory(), by=editor, lifetime="1h")
    with pytest.raises(ValidationError, match="Choose how long"):
        previews.create_link(draft(), by=editor, lifetime="forever")
    assert not PreviewLink.objects.exists()


def test_a_reporter_shares_their_own_draft_but_not_someone_elses(reporter):
    own = draft()
    own.created_by = reporter
    own.save()
    previews.create_link(own, by=reporter, lifetime="1h")
    with pytest.raises(PermissionDenied):
        previews.create_link(draft(), by=reporter, lifetime="1h")


# The admin ---------------------------------------------------------------------------------


def make_link(client, story, **fields):
    data = {"preview_lifetime": "24h", **fields}
    return client.post(f"/admin/articles/article/{story.pk}/preview-links/", data, follow=True)


def test_editor_makes_sees_and_revokes_a_link_on_the_change_form(editor_client):
    story = draft()
    page = editor_client.get(change_url(story)).content.decode()
    assert "Make preview link" in page and "No active preview links." in page
    response = make_link(editor_client, story)
    html = response.content.decode()
    url = re.search(r'value="(http://testserver/preview/link/[^"]+)"', html).group(1)
    assert "it is not shown again" in html
    assert "Revoke" in html and "No active preview links." not in html
    assert "Harbour deal draft" in Client().get(url).content.decode()
    link = PreviewLink.objects.get()
    response = editor_client.post(
        f"/admin/articles/article/{story.pk}/preview-links/{link.pk}/revoke/", follow=True)
    assert "Preview link revoked" in response.content.decode()
    assert Client().get(url).status_code == 404


def test_making_a_link_does_not_save_the_story(editor_client):
    story = draft()
    make_link(editor_client, story, title="Unsaved headline")
    story.refresh_from_db()
    assert story.title == "Harbour deal draft"


def test_a_bad_lifetime_in_the_admin_is_a_message_and_makes_nothing(editor_client):
    response = make_link(editor_client, draft(), preview_lifetime="100y")
    assert "Choose how long the link works" in response.content.decode()
    assert not PreviewLink.objects.exists()


def test_a_reporter_cannot_make_or_revoke_links_for_others_stories(reporter_client, editor):
    story = draft()
    assert "Make preview link" not in reporter_client.get(change_url(story)).content.decode()
    assert make_link(reporter_client, story).status_code == 403
    link, url = previews.create_link(story, by=editor, lifetime="1h")
    response = reporter_client.post(
        f"/admin/articles/article/{story.pk}/preview-links/{link.pk}/revoke/")
    assert response.status_code == 403
    assert Client().get(url).status_code == 200


def test_a_reporter_shares_their_own_draft_from_the_admin(reporter_client, reporter):
    story = draft()
    story.created_by = reporter
    story.save()
    assert "preview/link/" in make_link(reporter_client, story).content.decode()


def test_moderators_and_readers_cannot_make_links(client, moderator):
    story = draft()
    response = client.post(f"/admin/articles/article/{story.pk}/preview-links/",
                           {"preview_lifetime": "1h"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(moderator)
    assert make_link(client, story).status_code == 403
    assert not PreviewLink.objects.exists()


def test_only_posting_makes_a_link(editor_client):
    story = draft()
    assert editor_client.get(
        f"/admin/articles/article/{story.pk}/preview-links/").status_code == 405


def test_embargo_choice_shows_only_for_an_embargoed_story(editor_client):
    assert "Allow before the embargo" not in editor_client.get(
        change_url(draft())).content.decode()
    story = draft(embargo_until=later(hours=2))
    assert "Allow before the embargo" in editor_client.get(change_url(story)).content.decode()
    make_link(editor_client, story, preview_allow_before_embargo="on")
    assert PreviewLink.objects.get().allow_before_embargo
