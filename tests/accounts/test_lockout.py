"""Login guessing: failed sign-ins lock out a username and an address, each on its own."""

import logging

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1234"


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def sign_in(client, username, password, ip="203.0.113.5"):
    return client.post("/admin/login/?next=/admin/",
                       {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_right_password_signs_in(client, editor):
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, editor, caplog):
    for _ in range(2):
        response = sign_in(client, "editor", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    with caplog.at_level(logging.WARNING, logger="axes"):
        response = sign_in(client, "editor", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page
    assert "paused for 30 minutes" in page
    assert "Newsroom desk" in page  # the admin's own header, not a bare message
    assert any("editor" in record.getMessage() for record in caplog.records)

    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302  # not signed in


def test_the_lock_is_per_username_from_any_address(client, editor):
    for n in range(3):
        sign_in(client, "editor", "wrong", ip=f"198.51.100.{n}")
    assert sign_in(client, "editor", PASSWORD, ip="192.0.2.77").status_code == 429


def test_the_lock_is_per_address_for_any_username(client, editor):
    make_staff("reporter", "Reporter")
    for name in ["alice", "bob", "carol"]:
        sign_in(client, name, "wrong", ip="203.0.113.9")
    assert sign_in(client, "reporter", PASSWORD, ip="203.0.113.9").status_code == 429
    # Another address is not locked out for an unrelated account.
    assert sign_in(client, "reporter", PASSWORD, ip="203.0.113.10").status_code == 302


def test_an_administrator_unlocks_with_the_command(client, editor):
    for _ in range(3):
        sign_in(client, "editor", "wrong", ip="203.0.113.1")
    assert sign_in(client, "editor", PASSWORD, ip="192.0.2.1").status_code == 429
    call_command("axes_reset_username", "editor", verbosity=0)
    assert sign_in(client, "editor", PASSWORD, ip="192.0.2.1").status_code == 302


def test_an_administrator_unlocks_in_the_admin(client, editor, admin_user):
    for _ in range(3):
        sign_in(client, "editor", "wrong")
    attempts = AccessAttempt.objects.filter(username="editor")
    assert attempts.exists()

    admin = client.__class__()
    admin.force_login(admin_user)
    page = admin.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "editor" in page.content.decode()
    response = admin.post("/admin/axes/accessattempt/", {
        "action": "delete_selected", "_selected_action": [a.pk for a in attempts],
        "post": "yes",
    })
    assert response.status_code == 302
    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_success_forgets_earlier_failures(client, editor):
    for _ in range(2):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.post("/admin/logout/")
    for _ in range(2):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_the_passwords_tried_are_not_stored(client, editor):
    sign_in(client, "editor", "hunter2-secret")
    assert "hunter2-secret" not in AccessAttempt.objects.get(username="editor").post_data


def test_editors_cannot_unlock_accounts(client, editor):
    client.force_login(editor)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
