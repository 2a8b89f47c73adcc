"""Settings from the environment: what a deployment may set, and a clear refusal of bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW = ("from django.conf import settings as s; print(s.PHOTO_MAX_BYTES, s.PHOTO_MAX_PIXELS, "
        "s.PHOTO_RENDITION_WIDTHS, s.COMMENTS_RATE_LIMITS, s.COMMENTS_SPAM_THRESHOLD, "
        "s.COMMENTS_TRUSTED_MAX_SCORE, s.COMMENTS_MAX_LENGTH, s.COMMENTS_MAX_LINKS)")


def settings_with(**env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env}
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {SHOW}"],
                          cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=60)


def test_defaults_come_from_one_place():
    from comments.conf import DEFAULTS

    result = settings_with()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 2)[:2] == [str(25 * 1024 * 1024), "40000000"]
    assert str(DEFAULTS["COMMENTS_RATE_LIMITS"]) in result.stdout


def test_limits_and_thresholds_are_read_from_the_environment():
    result = settings_with(NEWSROOM_PHOTO_MAX_MB="10", NEWSROOM_PHOTO_MAX_MEGAPIXELS="24",
                           NEWSROOM_PHOTO_WIDTHS="640,320",
                           COMMENTS_RATE_LIMITS="ip:3/60, email:2/600",
                           COMMENTS_SPAM_THRESHOLD="0.8", COMMENTS_TRUSTED_MAX_SCORE="0.2",
                           COMMENTS_MAX_LENGTH="2000", COMMENTS_MAX_LINKS="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        str(10 * 1024 * 1024), "24000000", "[320,", "640]", "[('ip',", "3,", "60),",
        "('email',", "2,", "600)]", "0.8", "0.2", "2000", "1"]


@pytest.mark.parametrize(("name", "value", "message"), [
    ("COMMENTS_RATE_LIMITS", "six per minute", "COMMENTS_RATE_LIMITS='six per minute': expected"),
    ("COMMENTS_RATE_LIMITS", "bot:1/60", "who:posts/seconds"),
    ("COMMENTS_SPAM_THRESHOLD", "high", "COMMENTS_SPAM_THRESHOLD='high': expected a number"),
    ("NEWSROOM_PHOTO_MAX_MB", "25MB", "NEWSROOM_PHOTO_MAX_MB='25MB': expected a whole number"),
    ("NEWSROOM_PHOTO_WIDTHS", "small,large", "NEWSROOM_PHOTO_WIDTHS='small,large'"),
    ("NEWSROOM_IMPORT_SECTION", "x" * 81, "expected a section name of at most 80 characters"),
])
def test_a_bad_value_is_refused_with_its_name(name, value, message):
    result = settings_with(**{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
