"""Settings for the page benchmark: the real project settings, a throwaway SQLite database
(unless DATABASE_URL is set), DEBUG off, and one extra bare page to compare against."""

import os
import tempfile

os.environ["DJANGO_HTTPS"] = "0"
os.environ.setdefault("DJANGO_DEBUG", "0")

from newsroom.settings import *  # noqa: E402,F403
from newsroom.settings import DATABASES, STORAGES  # noqa: E402

_workdir = tempfile.mkdtemp(prefix="newsroom-bench-")
if not os.environ.get("DATABASE_URL"):
    DATABASES["default"]["NAME"] = os.path.join(_workdir, "bench.sqlite3")
MEDIA_ROOT = os.path.join(_workdir, "media")
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["*"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
