"""Settings for the search benchmark: the page benchmark's settings (real project settings,
DEBUG off, the bare comparison page), with connections kept open between requests as a
production server keeps them."""

from bench.settings import *  # noqa: F403
from bench.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
