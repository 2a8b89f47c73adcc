from django.conf import settings
from django.core.exceptions import DisallowedHost

from articles.models import Section


def sections_for(request):
    """The menu's sections, read once per request however many parts of the page use them."""
    if not hasattr(request, "_nav_sections"):
        request._nav_sections = list(Section.objects.all())
    return request._nav_sections


def site(request):
    try:
        base = settings.NEWSROOM_SITE_URL or request.build_absolute_uri("/").rstrip("/")
    except DisallowedHost:  # the 400 page for a host we do not serve still renders
        base = ""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": base,
        "nav_sections": lambda: sections_for(request),
    }
