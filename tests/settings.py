"""The project's settings, as the test suite runs them.

Tests talk plain HTTP (test client, live server), so the production HTTPS redirect and secure
cookies are off; static files are served without a collectstatic run. Everything else is
newsroom.settings unchanged, including DATABASE_URL and REDIS_URL from the environment.
"""

import os

os.environ["DJANGO_HTTPS"] = "0"

from newsroom.settings import *  # noqa: E402,F403
from newsroom.settings import STORAGES  # noqa: E402

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
