"""Staff sessions: ended after inactivity, and all of a person's sessions ended at once.

Each sign-in records its session key (StaffSession); ending them asks the configured session
engine to delete each one, so it works with database, cache and cached_db sessions alike.
"""

import time
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

from .models import StaffSession

SEEN_KEY = "_staff_seen"
# The last-seen time is written at most this often, so pages do not each save the session.
SEEN_PRECISION = 60


def _store(session_key=None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def record_sign_in(request, user):
    if not user.is_staff:
        return
    request.session[SEEN_KEY] = int(time.time())
    if request.session.session_key is None:
        request.session.save()
    stale = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    StaffSession.objects.filter(user=user, created_at__lt=stale).delete()
    StaffSession.objects.create(user=user, session_key=request.session.session_key)


def forget_sign_out(request, user):
    key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and key:
        StaffSession.objects.filter(user=user, session_key=key).delete()


def end_sessions(user, keep=None):
    """End every session `user` signed in with, except the session key `keep`. Returns how
    many were ended."""
    ended = 0
    for record in StaffSession.objects.filter(user=user).exclude(session_key=keep or ""):
        _store(record.session_key).delete()
        record.delete()
        ended += 1
    return ended


def idle_too_long(request):
    """Signs out a staff session unused for NEWSROOM_STAFF_SESSION_IDLE_MINUTES; True if so."""
    seen = request.session.get(SEEN_KEY)
    if seen is None:
        return False
    now = int(time.time())
    if now - seen > settings.NEWSROOM_STAFF_SESSION_IDLE_MINUTES * 60:
        logout(request)
        return True
    if now - seen >= SEEN_PRECISION:
        request.session[SEEN_KEY] = now
    return False
