"""Two-factor sign-in: enrolment with a real authenticator code, the login asking for it,
recovery codes, and the setting that makes it required for editors and moderators."""

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1234"


def app_code(secret_bytes, offset=0):
    """What an authenticator app shows now (offset: steps of 30 s later)."""
    totp = TOTP(secret_bytes, step=30, t0=0, digits=6)
    totp.time = totp.time + offset * 30
    return f"{totp.token():06d}"


def sign_in(client, username, code="", next_url="/admin/"):
    return client.post(f"/admin/login/?next={next_url}",
                       {"username": username, "password": PASSWORD, "otp_token": code})


def enrol(client):
    """Open the page, read the key shown to the user, answer with the app's code."""
    page = client.get("/admin/two-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code, drawn here: no outside service
    secret = re.search(r'two-factor__secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    from base64 import b32decode

    key = b32decode(secret + "=" * (-len(secret) % 8))
    response = client.post("/admin/two-factor/", {"code": app_code(key)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code></li>",
                       response.content.decode())
    return key, codes


@pytest.fixture
def enrolled_editor(client, editor):
    client.force_login(editor)
    key, codes = enrol(client)
    client.post("/admin/logout/")
    return editor, key, codes


def test_enrolment_shows_a_qr_code_and_turns_on_with_the_apps_code(client, editor):
    client.force_login(editor)
    page = client.get("/admin/two-factor/").content.decode()
    assert "Turn on two-factor sign-in" in page
    key, codes = enrol(client)
    device = TOTPDevice.objects.get(user=editor)
    assert device.confirmed and device.bin_key == key
    assert len(codes) == 10
    assert "Two-factor sign-in is on" in client.get("/admin/two-factor/").content.decode()
    # The session that set it up stays signed in and may use the desk.
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_does_not_turn_it_on(client, editor):
    client.force_login(editor)
    client.get("/admin/two-factor/")
    response = client.post("/admin/two-factor/", {"code": "000000"})
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_the_qr_code_carries_the_key_the_page_shows(client, editor):
    client.force_login(editor)
    client.get("/admin/two-factor/")
    device = TOTPDevice.objects.get(user=editor)
    url = urlsplit(device.config_url)
    assert url.scheme == "otpauth" and unquote(url.path).endswith("editor")
    assert parse_qs(url.query)["issuer"] == ["Newsroom"]


def test_login_asks_for_the_code_once_it_is_on(client, enrolled_editor):
    editor, key, _ = enrolled_editor
    response = sign_in(client, "editor")
    assert response.status_code == 200
    assert "This account has two-factor sign-in" in response.content.decode()
    assert client.get("/admin/").status_code == 302

    response = sign_in(client, "editor", "123456" if app_code(key) != "123456" else "654321")
    assert "That code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_apps_code_signs_in(client, enrolled_editor, settings):
    editor, key, _ = enrolled_editor
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    response = sign_in(client, "editor", app_code(key, offset=1))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_once(client, enrolled_editor, settings):
    # django-otp makes the next try wait after a wrong code; here it need not.
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    _, _, codes = enrolled_editor
    assert sign_in(client, "editor", codes[0]).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")
    response = sign_in(client, "editor", codes[0])
    assert "That code is not right, or has been used already" in response.content.decode()
    assert sign_in(client, "editor", codes[1].upper()).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, enrolled_editor):
    editor, _, codes = enrolled_editor
    sign_in(client, "editor", codes[0])
    page = client.post("/admin/two-factor/", {"action": "recovery-codes"}).content.decode()
    fresh = re.findall(r"<li><code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code></li>", page)
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert set(StaticToken.objects.filter(device__user=editor)
               .values_list("token", flat=True)) == set(fresh)


def test_staff_without_two_factor_sign_in_with_the_password_alone(client, editor):
    assert sign_in(client, "editor").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_session_from_before_the_app_was_added_must_sign_in_again(client, editor):
    other = Client()
    other.force_login(editor)
    assert other.get("/admin/").status_code == 200
    client.force_login(editor)
    enrol(client)
    response = other.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_wrong_codes_count_towards_the_lockout(client, enrolled_editor, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        sign_in(client, "editor", "9999-wrong")
    assert sign_in(client, "editor", "9999-wrong").status_code == 429


class TestRequired:
    @pytest.fixture(autouse=True)
    def _required(self, settings):
        settings.NEWSROOM_REQUIRE_2FA = True

    @pytest.mark.parametrize("role", ["Editor", "Moderator"])
    def test_editors_and_moderators_are_sent_to_set_it_up_first(self, client, role):
        make_staff("person", role)
        assert sign_in(client, "person").status_code == 302
        for path in ["/admin/", "/admin/articles/article/", "/admin/comments/comment/"]:
            response = client.get(path)
            assert response.status_code == 302, path
            assert response["Location"] == "/admin/two-factor/"
        page = client.get("/admin/two-factor/").content.decode()
        assert "Your role needs two-factor sign-in" in page
        enrol(client)
        assert client.get("/admin/").status_code == 200

    def test_reporters_are_not_required(self, client, reporter):
        assert sign_in(client, "reporter").status_code == 302
        assert client.get("/admin/").status_code == 200

    def test_off_by_default(self, client, editor, settings):
        settings.NEWSROOM_REQUIRE_2FA = False
        sign_in(client, "editor")
        assert client.get("/admin/").status_code == 200


def test_anonymous_visitors_cannot_open_the_enrolment_page(client):
    response = client.get("/admin/two-factor/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
