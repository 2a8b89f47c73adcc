"""Security settings a deployment sets from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "failure_limit": s.AXES_FAILURE_LIMIT,
    "cooloff_seconds": s.AXES_COOLOFF_TIME.total_seconds(),
    "csp": s.CONTENT_SECURITY_POLICY,
    "csp_report_only": getattr(s, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
    "require_2fa": s.NEWSROOM_REQUIRE_2FA,
    "idle_minutes": s.NEWSROOM_STAFF_SESSION_IDLE_MINUTES,
}))
"""


def settings_with(**env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env}
    for name in ["CSP_REPORT_URI", "CSP_REPORT_ONLY", "NEWSROOM_LOGIN_FAILURE_LIMIT",
                 "NEWSROOM_LOGIN_COOLOFF_MINUTES", "NEWSROOM_REQUIRE_2FA",
                 "NEWSROOM_STAFF_SESSION_IDLE_MINUTES"]:
        if name not in env:
            environment.pop(name, None)
    result = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults():
    shown = settings_with()
    assert shown["failure_limit"] == 5
    assert shown["cooloff_seconds"] == 30 * 60
    assert shown["csp"]["DIRECTIVES"]["script-src"] == ["'self'"]
    assert "report-uri" not in shown["csp"]["DIRECTIVES"]
    assert shown["csp_report_only"] is None
    assert shown["require_2fa"] is False
    assert shown["idle_minutes"] == 60


def test_lockout_and_policy_reporting_from_the_environment():
    shown = settings_with(NEWSROOM_LOGIN_FAILURE_LIMIT="8", NEWSROOM_LOGIN_COOLOFF_MINUTES="5",
                          CSP_REPORT_URI="https://reports.example.org/csp")
    assert shown["failure_limit"] == 8
    assert shown["cooloff_seconds"] == 5 * 60
    assert shown["csp"]["DIRECTIVES"]["report-uri"] == "https://reports.example.org/csp"


def test_report_only_mode_enforces_nothing_and_reports_everything():
    shown = settings_with(CSP_REPORT_ONLY="1", CSP_REPORT_URI="/csp-reports")
    assert shown["csp"] is None
    assert shown["csp_report_only"]["DIRECTIVES"]["script-src"] == ["'self'"]
    assert shown["csp_report_only"]["DIRECTIVES"]["report-uri"] == "/csp-reports"


def test_two_factor_can_be_required():
    assert settings_with(NEWSROOM_REQUIRE_2FA="1")["require_2fa"] is True


def test_the_staff_idle_time_is_read_from_the_environment():
    assert settings_with(NEWSROOM_STAFF_SESSION_IDLE_MINUTES="15")["idle_minutes"] == 15
