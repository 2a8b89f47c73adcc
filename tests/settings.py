"""The project's settings, as the test suite runs them.

Tests talk plain HTTP (test client, live server), so the production HTTPS redirect and secure
cookies are off; static files are served without a collectstatic run. Everything else is
newsroom.settings unchanged, including DATABASE_URL and REDIS_URL from the environment; without
REDIS_URL the embedded file cache lives in a temporary folder of the run's own.
"""

import atexit
import os
import shutil
import tempfile

os.environ["DJANGO_HTTPS"] = "0"

from newsroom.settings import *  # noqa: E402,F403
from newsroom.settings import CACHES, REDIS_URL, STORAGES  # noqa: E402

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if not REDIS_URL:
    # The embedded file cache, in a folder of this run's own: never the developer's pages.
    _cache_dir = tempfile.mkdtemp(prefix="newsroom-test-cache-")
    atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)
    CACHES = {"default": {**CACHES["default"], "LOCATION": _cache_dir}}
