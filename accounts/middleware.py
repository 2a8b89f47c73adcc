from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from . import two_factor


class TwoFactorMiddleware:
    """Keeps the admin behind two-factor sign-in for the accounts that have it (or must).

    A session that signed in without the code (say, before the app was added) is signed out
    and sent to the login, which asks for it. A staff member whose role needs two-factor
    sign-in (NEWSROOM_REQUIRE_2FA) and has not set it up is sent to set it up first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: public pages never load the user for this.
        if request.path.startswith(reverse("admin:index")):
            user = request.user
            if user.is_authenticated and user.is_staff:
                response = self._check(request, user)
                if response is not None:
                    return response
        return self.get_response(request)

    @staticmethod
    def _check(request, user):
        enrol = reverse("two-factor")
        exempt = {reverse("admin:logout"), reverse("admin:login"), enrol,
                  reverse("admin:jsi18n")}
        if request.path in exempt:
            return None
        if not user.is_verified() and two_factor.has_two_factor(user):
            logout(request)
            return redirect(f"{reverse('admin:login')}?next={request.path}")
        if two_factor.must_enrol(user):
            return redirect(enrol)
        return None
