"""Staff sessions: they end after inactivity, can all be ended at once, and passwords are
checked by Django's validators."""

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.models import StaffSession
from accounts.sessions import SEEN_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1234"


def signed_in(user):
    client = Client()
    assert client.post("/admin/login/", {"username": user.username,
                                         "password": PASSWORD}).status_code == 302
    return client


def age_session(client, seconds):
    session = client.session
    session[SEEN_KEY] -= seconds
    session.save()


def test_a_staff_session_ends_after_the_idle_time(editor, settings):
    settings.NEWSROOM_STAFF_SESSION_IDLE_MINUTES = 30
    client = signed_in(editor)
    age_session(client, 29 * 60)
    assert client.get("/admin/").status_code == 200  # still in time, and the clock restarts
    age_session(client, 29 * 60)
    assert client.get("/admin/").status_code == 200
    age_session(client, 31 * 60)
    response = client.get("/admin/articles/article/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/articles/article/"
    page = client.get(response["Location"]).content.decode()
    assert "signed out after a while without activity" in page
    assert client.get("/admin/").status_code == 302


def test_activity_does_not_save_the_session_on_every_page(editor):
    client = signed_in(editor)
    seen = client.session[SEEN_KEY]
    client.get("/admin/")
    assert client.session[SEEN_KEY] == seen
    age_session(client, 120)
    client.get("/admin/")
    assert client.session[SEEN_KEY] >= int(time.time()) - 5


def test_sign_out_everywhere_else_ends_the_other_sessions(editor):
    laptop, phone, here = signed_in(editor), signed_in(editor), signed_in(editor)
    response = here.post("/admin/two-factor/", {"action": "sign-out-elsewhere"}, follow=True)
    assert "Signed out of 2 other sessions." in response.content.decode()
    assert laptop.get("/admin/").status_code == 302
    assert phone.get("/admin/").status_code == 302
    assert here.get("/admin/").status_code == 200
    assert StaffSession.objects.filter(user=editor).count() == 1


def test_an_administrator_signs_a_user_out_everywhere(editor, reporter, admin_user):
    editor_laptop, editor_phone = signed_in(editor), signed_in(editor)
    reporter_client = signed_in(reporter)
    admin = Client()
    admin.force_login(admin_user)
    response = admin.post("/admin/auth/user/", {
        "action": "end_sessions", "_selected_action": [editor.pk]}, follow=True)
    assert "Ended 2 sessions of 1 account." in response.content.decode()
    assert editor_laptop.get("/admin/").status_code == 302
    assert editor_phone.get("/admin/").status_code == 302
    assert reporter_client.get("/admin/").status_code == 200
    assert admin.get("/admin/").status_code == 200


def test_editors_cannot_sign_other_people_out(editor_client, reporter):
    reporter_client = signed_in(reporter)
    response = editor_client.post("/admin/auth/user/", {
        "action": "end_sessions", "_selected_action": [reporter.pk]})
    assert response.status_code == 403
    assert reporter_client.get("/admin/").status_code == 200


def test_signing_out_forgets_the_session(editor):
    client = signed_in(editor)
    assert StaffSession.objects.filter(user=editor).count() == 1
    client.post("/admin/logout/")
    assert not StaffSession.objects.filter(user=editor).exists()


def test_readers_get_no_session(client, settings):
    response = client.get("/")
    assert settings.SESSION_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("password, message", [
    ("short1", "This password is too short"),
    ("password123", "This password is too common"),
    ("4820571936", "This password is entirely numeric"),
    ("newsdesk-editor", "The password is too similar to the username"),
])
def test_weak_passwords_are_refused_when_an_administrator_sets_one(admin_client, password,
                                                                   message):
    response = admin_client.post("/admin/auth/user/add/", {
        "username": "newsdesk-editor", "password1": password, "password2": password,
        "usable_password": "true",
    })
    assert message in response.content.decode()
    assert not User.objects.filter(username="newsdesk-editor").exists()
