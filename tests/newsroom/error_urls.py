"""The site's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from newsroom.urls import handler400, handler500  # noqa: F401
from newsroom.urls import urlpatterns as site_urls


def crash(request):
    raise RuntimeError("SECRET-INTERNAL-DETAIL in /srv/newsroom/settings.py")


def forbidden(request):
    raise PermissionDenied("SECRET-INTERNAL-DETAIL")


def suspicious(request):
    raise SuspiciousOperation("SECRET-INTERNAL-DETAIL")


urlpatterns = [
    path("test-errors/crash/", crash),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
    *site_urls,
]
