from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost

from articles.listing import menu_sections

from .models import Page

FOOTER_PAGES_KEY = "newsroom:footer-pages"


def sections_for(request):
    """The menu's sections, read once per request however many parts of the page use them."""
    return menu_sections(request)


def site(request):
    try:
        base = settings.NEWSROOM_SITE_URL or request.build_absolute_uri("/").rstrip("/")
    except DisallowedHost:  # the 400 page for a host we do not serve still renders
        base = ""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": base,
        "nav_sections": lambda: sections_for(request),
        "footer_pages": footer_pages,
    }


def footer_pages():
    """[(title, url)] of the pages linked from every page's footer. Kept in the cache until a
    page changes (pagecache.page_changed), so the footer adds no query to a page."""
    links = cache.get(FOOTER_PAGES_KEY)
    if links is None:
        links = [(page.title, page.get_absolute_url())
                 for page in Page.objects.filter(in_footer=True)]
        cache.set(FOOTER_PAGES_KEY, links, None)
    return links
