from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from . import sessions, two_factor


class StaffSessionMiddleware:
    """Staff sessions end after NEWSROOM_STAFF_SESSION_IDLE_MINUTES without a request, and the
    staff whose role needs two-factor sign-in (NEWSROOM_REQUIRE_2FA) set it up before they
    reach the admin. Readers have no session, so their requests skip all of this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        in_admin = request.path.startswith(reverse("admin:index"))
        if settings.SESSION_COOKIE_NAME in request.COOKIES and sessions.idle_too_long(request) \
                and in_admin:
            messages.info(request, "You were signed out after a while without activity. "
                                   "Please sign in again.")
            return redirect(f"{reverse('admin:login')}?next={request.path}")
        if settings.NEWSROOM_REQUIRE_2FA and in_admin:
            response = self._enrol_first(request)
            if response is not None:
                return response
        return self.get_response(request)

    @staticmethod
    def _enrol_first(request):
        user = request.user
        if not (user.is_authenticated and user.is_staff) or user.is_verified():
            return None
        exempt = {reverse("admin:logout"), reverse("admin:login"), reverse("two-factor"),
                  reverse("admin:jsi18n")}
        if request.path not in exempt and two_factor.must_enrol(user):
            return redirect("two-factor")
        return None
