"""Two-factor sign-in for staff (django-otp): an authenticator app (TOTP) and recovery codes.

Every rule about it is here: who must have it, how a device is enrolled, how a code given at
sign-in is checked. The login form, the enrolment page and the middleware call these.
"""

import secrets

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# The roles NEWSROOM_REQUIRE_2FA applies to.
REQUIRED_FOR_GROUPS = ("Editor", "Moderator")


def has_two_factor(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_enrol(user):
    """True when the setting requires two-factor sign-in of this user and it is not set up."""
    if not settings.NEWSROOM_REQUIRE_2FA or not user.is_staff:
        return False
    in_role = user.is_superuser or user.groups.filter(name__in=REQUIRED_FOR_GROUPS).exists()
    return in_role and not has_two_factor(user)


def pending_device(user):
    """The app device being enrolled: one secret per user until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def otpauth_url(device):
    return device.config_url


@transaction.atomic
def confirm_enrolment(device, code):
    """Turn the pending device on when `code` is right; returns the recovery codes (shown once),
    or None for a wrong code. Any earlier app device is replaced."""
    if not device.verify_token(normalise(code)):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user):
    """Replace the user's recovery codes with fresh ones; each works once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE,
                                                   defaults={"confirmed": True})
    device.token_set.all().delete()
    # 48 random bits each, as xxxx-xxxx-xxxx (django-otp keeps at most 16 characters).
    codes = ["-".join(secrets.token_hex(2) for _ in range(3))
             for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def normalise(code):
    return "".join((code or "").split()).lower()


def check_code(user, code):
    """The device that accepts `code` (a six-digit app code or a recovery code), or None.
    django-otp slows down repeated wrong codes per device; a code is accepted only once."""
    code = normalise(code)
    if code.isdigit():
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return device
    return None
