"""An editor turns on two-factor sign-in in the browser, then signs in with the app's code."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from .helpers import PASSWORD, log_in, staff

pytestmark = pytest.mark.django_db(transaction=True)


def app_code(key, offset=0):
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = totp.time + offset * 30
    return f"{totp.token():06d}"


def test_editor_turns_on_two_factor_and_signs_in_with_the_code(page, live_server, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    staff("editor", "Editor")
    log_in(page, live_server, "editor")
    page.click("#user-tools a:has-text('Two-factor sign-in')")
    assert page.locator(".two-factor__qr svg").is_visible()
    secret = page.locator(".two-factor__secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", app_code(key))
    page.click("input[type=submit]")
    assert page.locator(".messagelist .success").inner_text() == "Two-factor sign-in is on."
    assert page.locator(".two-factor__codes li").count() == 10

    page.click("#logout-form button")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    assert "This account has two-factor sign-in" in page.locator(".errornote").inner_text()

    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", app_code(key, offset=1))
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    assert "The desk" in page.locator("h1").inner_text()
