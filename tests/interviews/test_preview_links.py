"""Preview links for interviews: the same secret, expiring, revocable address as for stories
(articles/previews.py), made and revoked on the interview's change form."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from articles import previews
from interviews.models import Interview, InterviewPreviewLink

from .factories import build_interview

pytestmark = pytest.mark.django_db


def preparing():
    return build_interview(title="The harbour master, unedited", guests=1, segments=1,
                           questions=1, answered=False, status=Interview.Status.PREPARING,
                           publish_at=None)


def test_the_link_shows_the_interview_with_the_banner_and_no_comments(editor):
    interview = preparing()
    _, url = previews.create_link(interview, by=editor, lifetime="1h")
    assert url.startswith("/preview/interview-link/")
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The harbour master, unedited" in html
    assert "Preview — not published; link expires" in html
    assert "this interview is not public" not in html  # the staff banner is for staff
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"]
    assert 'id="comment-form"' not in html and "comments-heading" not in html


def test_a_revoked_or_foreign_token_opens_nothing(editor):
    interview = preparing()
    link, url = previews.create_link(interview, by=editor, lifetime="1h")
    # A story's address does not open an interview's token, and the reverse.
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert Client().get(f"/preview/link/{token}/").status_code == 404
    previews.revoke_link(link, by=editor)
    response = Client().get(url)
    assert response.status_code == 404
    assert "The harbour master" not in response.content.decode()


def test_editor_makes_and_revokes_a_link_on_the_interview_form(editor_client):
    interview = preparing()
    change = f"/admin/interviews/interview/{interview.pk}/change/"
    assert "Make preview link" in editor_client.get(change).content.decode()
    response = editor_client.post(f"/admin/interviews/interview/{interview.pk}/preview-links/",
                                  {"preview_lifetime": "7d"}, follow=True)
    html = response.content.decode()
    url = re.search(r'value="http://testserver(/preview/interview-link/[^"]+)"', html).group(1)
    assert Client().get(url).status_code == 200
    link = InterviewPreviewLink.objects.get()
    editor_client.post(
        f"/admin/interviews/interview/{interview.pk}/preview-links/{link.pk}/revoke/")
    assert Client().get(url).status_code == 404


def test_moderators_cannot_share_interviews(moderator):
    with pytest.raises(PermissionDenied):
        previews.create_link(preparing(), by=moderator, lifetime="1h")
