"""An interview's history holds its guests, parts, questions and answers: the difference shows
an answer edited in the admin, and restoring brings back a deleted question and its answers."""

import pytest
from django.test import Client

from articles import history
from interviews.models import Answer, Interview, Question

from ..conftest import make_staff
from .dom import form_values
from .factories import build_interview

pytestmark = pytest.mark.django_db


def change_url(interview):
    return f"/admin/interviews/interview/{interview.pk}/change/"


def save_form(client, interview, edit):
    data = form_values(client.get(change_url(interview)).content.decode())
    edit(data)
    data["_save"] = ["Save"]
    response = client.post(change_url(interview), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def answer_field(data, text):
    return next(name for name, values in data.items()
                if name.endswith("-text") and text in values)


def test_an_edited_answer_shows_in_the_difference_and_restore_brings_back_a_question(
        editor_client):
    interview = build_interview(guests=2, segments=1, questions=2,
                                status=Interview.Status.PREPARING, publish_at=None)
    answer = Answer.objects.filter(question__segment__interview=interview).order_by("pk")[0]
    save_form(editor_client, interview, lambda data: None)
    first = history.versions_of(interview)[0]

    def edit(data):
        data[answer_field(data, answer.text)] = ["<p>We will <em>never</em> agree.</p>"]
    save_form(editor_client, interview, edit)
    second = history.versions_of(interview)[0]

    url = f"/admin/interviews/interview/{interview.pk}/history/compare/"
    page = editor_client.get(f"{url}?from={first.pk}&to={second.pk}").content.decode()
    assert "Answer “" in page
    assert "<ins>We will never agree" in page or "<ins>never" in page
    assert "<em>" not in page

    question = Question.objects.filter(segment__interview=interview).order_by("pk")[1]
    question_pk, question_text = question.pk, question.text
    question.delete()
    response = editor_client.post(
        f"/admin/interviews/interview/{interview.pk}/history/{first.pk}/restore/")
    assert response.status_code == 302
    restored = Question.objects.get(pk=question_pk)
    assert restored.text == question_text
    assert restored.answers.count() == 2
    assert Answer.objects.get(pk=answer.pk).text == answer.text
    assert history.versions_of(interview)[0].revision.comment.startswith("Restored")


def test_publishing_an_interview_in_the_form_says_so(editor_client):
    interview = build_interview(guests=1, segments=1, questions=1,
                                status=Interview.Status.ANSWERED, publish_at=None)

    def publish(data):
        data["status"] = ["published"]
    save_form(editor_client, interview, publish)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.PUBLISHED
    comment = history.versions_of(interview)[0].revision.comment
    assert comment.startswith("Published.")
    assert comment.count("Published.") == 1


def test_a_second_save_of_an_interview_is_refused(editor_client):
    interview = build_interview(guests=1, segments=1, questions=1,
                                status=Interview.Status.PREPARING, publish_at=None)
    other = Client()
    other.force_login(make_staff("bo", "Editor"))
    mine = form_values(editor_client.get(change_url(interview)).content.decode())
    save_form(other, interview, lambda data: data.update(title=["Their title"]))

    mine["title"] = ["My title"]
    mine["_save"] = ["Save"]
    response = editor_client.post(change_url(interview), mine)
    assert response.status_code == 200
    text = response.content.decode()
    assert "bo saved this interview at" in text
    assert 'value="My title"' in text
    interview.refresh_from_db()
    assert interview.title == "Their title"


def test_reporter_cannot_restore_a_published_interview_revision(editor_client, reporter):
    interview = build_interview(guests=1, segments=1, questions=1,
                                status=Interview.Status.ANSWERED, publish_at=None,
                                created_by=reporter)
    save_form(editor_client, interview, lambda data: data.update(status=["published"]))
    published = history.versions_of(interview)[0]
    editor_client.post("/admin/interviews/interview/", {
        "action": "unpublish", "_selected_action": [interview.pk], "index": 0})
    assert history.versions_of(interview)[0].revision.comment == "Unpublished."

    reporter_client = Client()
    reporter_client.force_login(reporter)
    response = reporter_client.post(
        f"/admin/interviews/interview/{interview.pk}/history/{published.pk}/restore/",
        follow=True)
    assert "Nothing was restored" in response.content.decode()
    interview.refresh_from_db()
    assert interview.status != Interview.Status.PUBLISHED


def test_moderator_sees_no_interview_history(client, moderator):
    interview = build_interview(guests=1, segments=1, questions=1)
    client.force_login(moderator)
    assert client.get(f"/admin/interviews/interview/{interview.pk}/history/").status_code == 403


def test_a_deleted_interview_is_recovered_with_its_transcript(editor_client):
    interview = build_interview(guests=2, segments=2, questions=1,
                                status=Interview.Status.PREPARING, publish_at=None)
    save_form(editor_client, interview, lambda data: None)
    pk = interview.pk
    assert editor_client.post(f"/admin/interviews/interview/{pk}/delete/",
                              {"post": "yes"}).status_code == 302
    assert not Interview.objects.filter(pk=pk).exists()

    listing = editor_client.get("/admin/interviews/interview/")
    assert "Recover deleted interviews" in listing.content.decode()
    deleted = history.deleted_versions(Interview).get(object_id=str(pk))
    assert editor_client.post(f"/admin/interviews/interview/recover/{deleted.pk}/").status_code \
        == 302
    interview = Interview.objects.get(pk=pk)
    assert interview.lineup.count() == 2
    assert interview.segments.count() == 2
    assert Answer.objects.filter(question__segment__interview=interview).count() == 4
