from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost

from articles import pages
from articles.listing import menu_sections

from .models import Page

FOOTER_PAGES_KEY = "newsroom:footer-pages"
INTERVIEWS_PREFIX = "/interviews/"


def sections_for(request):
    """The menu's sections, read once per request however many parts of the page use them,
    and named (`nav`) for the page or fragment that shows them, each time they are asked for."""
    pages.show(request, "nav")
    return menu_sections(request)


def site(request):
    """What base.html's header and footer show. Nothing here is read from the database or the
    cache until the template asks for it, so a page whose menu and footer come from the
    fragment cache (base.html) asks for neither."""
    try:
        request.get_host()
        known_host = True
    except DisallowedHost:  # the 400 page for a host we do not serve still renders
        known_host = False
    base = settings.NEWSROOM_SITE_URL or (
        request.build_absolute_uri("/").rstrip("/") if known_host else "")
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": base,
        "nav_sections": lambda: sections_for(request),
        "footer_pages": lambda: footer_pages(request),
        # The menu marks "Interviews" on the interview pages: one of two copies of the menu
        # fragment, whatever the address.
        "in_interviews": request.path.startswith(INTERVIEWS_PREFIX),
        # Fragments are kept per host; the pages drawn without the database (500, 503) give
        # their own empty menu instead.
        "chrome_from_cache": known_host,
    }


def footer_pages(request=None):
    """[(title, url)] of the pages linked from every page's footer. Kept in the cache until a
    page changes (pagecache.page_changed), so the footer adds no query to a page; named `nav`
    (articles/pages.py), which a page's change bumps too."""
    pages.show(request, "nav")
    links = cache.get(FOOTER_PAGES_KEY)
    if links is None:
        links = [(page.title, page.get_absolute_url())
                 for page in Page.objects.filter(in_footer=True)]
        cache.set(FOOTER_PAGES_KEY, links, None)
    return links
