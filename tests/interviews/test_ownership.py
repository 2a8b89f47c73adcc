"""A reporter's interview desk holds their own interviews only (those they created or conduct):
they never open, change, delete, answer, preview or share a colleague's, and never change a
published one; editors work on every interview."""

import importlib

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from articles import history
from interviews import services
from interviews.models import Answer, Interview
from tests.articles.factories import AuthorFactory

from ..conftest import make_staff
from .dom import form_values
from .factories import build_interview

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/interviews/interview/"


def url(interview, view="change"):
    return f"{LIST_URL}{interview.pk}/{view}/"


@pytest.fixture
def colleague(db):
    return make_staff("colleague", "Reporter")


@pytest.fixture
def editor_desk(editor):
    """The editor's own browser, next to `reporter_client`."""
    desk = Client()
    desk.force_login(editor)
    return desk


def unpublished(title, **fields):
    return build_interview(guests=1, segments=1, questions=1, title=title,
                           status=Interview.Status.PREPARING, publish_at=None,
                           prep_notes=f"PREP NOTES OF {title}", **fields)


def edited_form(client, interview, title, answer):
    """The interview's change form as `client` sees it, with a new title and answer text."""
    data = form_values(client.get(url(interview)).content.decode())
    data["title"] = [title]
    answer_field = next(name for name in data if name.endswith("-text")
                        and "answers" in name)
    data[answer_field] = [answer]
    data["_save"] = ["Save"]
    return data


def answers_of(interview):
    return list(Answer.objects.filter(question__segment__interview=interview)
                .values_list("text", flat=True))


@pytest.fixture
def theirs(colleague, editor):
    """Unpublished interviews a reporter does not own: a colleague's and an editor's."""
    return [unpublished("Colleague's interview", created_by=colleague),
            unpublished("Editor's interview", created_by=editor,
                        interviewer=AuthorFactory(user=editor))]


def test_reporter_cannot_open_change_or_delete_someone_elses_interview(
        reporter_client, editor_desk, theirs):
    for interview in theirs:
        data = edited_form(editor_desk, interview, "Hijacked", "<p>Hijacked answer.</p>")
        before = answers_of(interview)

        opened = reporter_client.get(url(interview), follow=True)
        html = opened.content.decode()
        assert "doesn’t exist" in html
        assert interview.title not in html and "PREP NOTES" not in html

        reporter_client.post(url(interview), data)
        assert reporter_client.get(url(interview, "delete")).status_code == 403
        assert reporter_client.post(url(interview, "delete"), {"post": "yes"}).status_code \
            == 403

        interview.refresh_from_db()
        assert interview.title != "Hijacked"
        assert answers_of(interview) == before


def test_reporter_edits_the_interviews_they_created_or_conduct(reporter_client, reporter,
                                                               colleague):
    created = unpublished("Mine", created_by=reporter)
    conducted = unpublished("Conducted by me", created_by=colleague,
                            interviewer=AuthorFactory(user=reporter))
    for interview in (created, conducted):
        data = edited_form(reporter_client, interview, f"{interview.title}, revised",
                           "<p>A real answer.</p>")
        response = reporter_client.post(url(interview), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        interview.refresh_from_db()
        assert interview.title.endswith(", revised")
        assert "<p>A real answer.</p>" in answers_of(interview)


def test_an_interview_added_by_a_reporter_is_theirs(reporter, colleague):
    interview = Interview(title="Fresh", slug="fresh", interviewer=AuthorFactory())
    services.save_interview(interview, by=reporter)
    assert Interview.objects.get(pk=interview.pk).created_by == reporter
    mine, other = Client(), Client()
    mine.force_login(reporter)
    other.force_login(colleague)
    assert mine.get(url(interview)).status_code == 200
    assert other.get(url(interview)).status_code == 302  # to the admin's index


def test_editor_edits_every_interview(editor_desk, reporter, colleague):
    for interview in (unpublished("A reporter's", created_by=reporter),
                      unpublished("Nobody's"), build_interview(title="Live one")):
        data = edited_form(editor_desk, interview, "Edited by the desk",
                           "<p>Edited answer.</p>")
        response = editor_desk.post(url(interview), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        interview.refresh_from_db()
        assert interview.title == "Edited by the desk"


def test_change_list_shows_a_reporter_only_their_own(reporter_client, editor_desk, reporter,
                                                       theirs):
    mine = unpublished("My own draft", created_by=reporter)
    my_live = build_interview(title="My live one", created_by=reporter)
    conducted = build_interview(title="I conducted this",
                                interviewer=AuthorFactory(user=reporter))
    someone_elses_live = build_interview(title="A colleague's live one")

    def listed(client):
        response = client.get(LIST_URL)
        return {row.title for row in response.context["cl"].result_list}

    assert listed(reporter_client) == {mine.title, my_live.title, conducted.title}
    html = reporter_client.get(LIST_URL).content.decode()
    assert "Colleague's interview" not in html and someone_elses_live.title not in html
    assert listed(editor_desk) == {mine.title, my_live.title, conducted.title,
                                     someone_elses_live.title, *(i.title for i in theirs)}


def test_reporter_cannot_mark_someone_elses_interview_answered(reporter_client, theirs):
    for interview in theirs:
        reporter_client.post(LIST_URL, {"action": "mark_answered",
                                        "_selected_action": [interview.pk], "index": 0})
        interview.refresh_from_db()
        assert interview.status == Interview.Status.PREPARING


def test_reporter_reaches_no_colleague_s_interview_by_its_other_pages(reporter_client, theirs):
    for interview in theirs:
        assert reporter_client.get(url(interview, "history")).status_code == 404
        assert reporter_client.get(url(interview, "history/compare")).status_code == 404
        assert reporter_client.post(url(interview, "editing")).status_code == 404
        response = reporter_client.post(url(interview, "preview-links"),
                                        {"preview_lifetime": "24h"})
        assert response.status_code == 403
        assert not interview.preview_links.exists()
        preview = reporter_client.get(interview.get_preview_url())
        assert preview.status_code == 404
        assert "PREP NOTES" not in preview.content.decode()
        assert interview.title not in preview.content.decode()


def test_reporter_previews_their_own_interview(reporter_client, reporter):
    interview = unpublished("Mine to preview", created_by=reporter)
    response = reporter_client.get(interview.get_preview_url())
    assert response.status_code == 200
    assert "Mine to preview" in response.content.decode()


def test_only_editors_see_and_recover_deleted_interviews(editor_desk, reporter_client,
                                                        reporter):
    interview = unpublished("Deleted one", created_by=reporter)
    data = edited_form(editor_desk, interview, "Deleted one", "<p>Said.</p>")
    assert editor_desk.post(url(interview), data).status_code == 302  # a revision
    assert editor_desk.post(url(interview, "delete"), {"post": "yes"}).status_code == 302
    deleted = history.deleted_versions(Interview).get(object_id=str(interview.pk))

    assert "Recover deleted interviews" not in reporter_client.get(LIST_URL).content.decode()
    assert reporter_client.get(f"{LIST_URL}recover/").status_code == 403
    assert reporter_client.get(f"{LIST_URL}recover/{deleted.pk}/").status_code == 403
    assert reporter_client.post(f"{LIST_URL}recover/{deleted.pk}/").status_code == 403
    assert not Interview.objects.filter(pk=interview.pk).exists()

    assert "Recover deleted interviews" in editor_desk.get(LIST_URL).content.decode()
    assert "Deleted one" in editor_desk.get(f"{LIST_URL}recover/").content.decode()


def test_existing_interviews_belong_to_whoever_the_admin_log_says_added_them(reporter,
                                                                            colleague):
    logged = unpublished("Added in the admin")
    unknown = unpublished("Loaded from the seeds")
    content_type = ContentType.objects.get_for_model(Interview)
    for user in (colleague, reporter):  # an older entry for the same id: a deleted one's
        LogEntry.objects.create(user=user, content_type=content_type,
                                object_id=str(logged.pk), object_repr=logged.title,
                                action_flag=ADDITION)
    LogEntry.objects.filter(user=colleague).update(
        action_time=logged.created_at.replace(year=logged.created_at.year - 1))
    migration = importlib.import_module("interviews.migrations.0007_interview_created_by")

    migration.creators_from_the_admin_log(apps, None)

    logged.refresh_from_db()
    unknown.refresh_from_db()
    assert (logged.created_by, unknown.created_by) == (reporter, None)
