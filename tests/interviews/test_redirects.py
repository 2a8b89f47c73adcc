"""Interviews keep their old addresses: a published interview whose slug changes answers 301
at the old one, as stories do."""

import pytest
from django.test import Client

from interviews import services
from interviews.models import Interview, InterviewRedirect

from .dom import form_values
from .factories import build_interview

pytestmark = pytest.mark.django_db


def rename(interview, slug, by):
    before = Interview.objects.get(pk=interview.pk)
    interview.slug = slug
    services.save_interview(interview, by=by, before=before)


def test_editor_changes_the_slug_in_the_admin_and_the_old_address_redirects(editor_client):
    interview = build_interview(title="The harbour master speaks", slug="harbour-master")
    reader = Client()
    assert reader.get("/interviews/harbour-master/").status_code == 200  # now cached
    html = editor_client.get(f"/admin/interviews/interview/{interview.pk}/change/")
    data = form_values(html.content.decode())
    data["slug"] = ["harbour-master-speaks"]
    data["_save"] = ["Save"]
    response = editor_client.post(f"/admin/interviews/interview/{interview.pk}/change/", data)
    assert response.status_code == 302
    response = reader.get("/interviews/harbour-master/")
    assert response.status_code == 301
    assert response["Location"] == "/interviews/harbour-master-speaks/"
    assert reader.get("/interviews/harbour-master-speaks/").status_code == 200


def test_moving_back_to_an_old_slug_makes_that_address_live_again(editor):
    interview = build_interview(slug="first")
    rename(interview, "second", editor)
    rename(interview, "third", editor)
    assert Client().get("/interviews/second/")["Location"] == "/interviews/third/"
    rename(interview, "first", editor)
    assert Client().get("/interviews/first/").status_code == 200
    assert Client().get("/interviews/third/")["Location"] == "/interviews/first/"
    assert not InterviewRedirect.objects.filter(old_slug="first").exists()


def test_a_draft_renamed_leaves_no_redirect(editor):
    interview = build_interview(slug="draft-one", status=Interview.Status.PREPARING,
                                publish_at=None)
    rename(interview, "draft-two", editor)
    assert not InterviewRedirect.objects.exists()


def test_an_old_address_of_an_unpublished_interview_is_a_plain_404(editor):
    interview = build_interview(slug="was-live")
    rename(interview, "now-live", editor)
    services.unpublish_interview(Interview.objects.get(pk=interview.pk), by=editor)
    assert Client().get("/interviews/was-live/").status_code == 404
    assert Client().get("/interviews/never-was/").status_code == 404
