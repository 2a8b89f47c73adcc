"""What readers get while the database cannot be reached: a 503 "back soon" page, never a 500.

Django keeps no broken connection past the next request (CONN_HEALTH_CHECKS), so the site
recovers by itself when the database returns. The outage is logged when it is first seen and
then at most once a minute, instead of a traceback for every request.
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render

log = logging.getLogger("newsroom.outage")

RETRY_AFTER_SECONDS = 30
LOG_EVERY_SECONDS = 60
# Connection refused, reset or timed out, the server shutting down, a file that cannot be
# opened: all are OperationalError or InterfaceError in every backend Django ships.
OUTAGES = (OperationalError, InterfaceError)

_lock = threading.Lock()
_last_logged = 0.0


def is_outage(error):
    return isinstance(error, OUTAGES)


def _log(error):
    global _last_logged
    now = time.monotonic()
    with _lock:
        if now - _last_logged < LOG_EVERY_SECONDS:
            return
        _last_logged = now
    log.error("Database unreachable (%s: %s): readers get the 503 page",
              type(error).__name__, str(error).strip())


def outage_response(request, error):
    _log(error)
    try:
        # No section menu: it would need the database that just failed.
        response = render(request, "503.html", {"nav_sections": [], "footer_pages": [],
                                                "chrome_from_cache": False}, status=503)
    except Exception:  # noqa: BLE001 - the page must go out whatever else is broken
        response = HttpResponse(
            "<!doctype html><title>Back soon</title><h1>We will be back in a moment</h1>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-cache, no-store, must-revalidate"
    # Logged above, once per interval: Django need not log each request again.
    response._has_been_logged = True
    return response


class DatabaseOutageMiddleware:
    """Turns a database outage raised by a view or its template into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            return outage_response(request, exception)
        return None
