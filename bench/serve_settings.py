"""Settings for bench/suite.py: the project's own settings exactly as production reads them
from the environment (DEBUG off, DATABASE_URL, REDIS_URL, DJANGO_STATIC_ROOT, …), plus the bare
comparison page of bench/urls.py."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
