import logging
import sys
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from articles import pages
from articles import search as article_search
from articles.feeds import xml_safe
from articles.models import Article
from interviews import search as interview_search
from interviews.models import Interview

from . import front, outage
from .context_processors import sections_for
from .forms import SearchForm
from .models import Page

log = logging.getLogger(__name__)

class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        request = self.request

        def content():
            built = front.build(front.Curation.live(), sections_for(request))
            show_front_page(request, built)
            return built

        # Built when the template first reads it, inside the page's fragment (home.html): a
        # page whose fragment is kept runs none of the front page's queries.
        return super().get_context_data(front=SimpleLazyObject(content), front_kept=True,
                                        **kwargs)


def show_front_page(request, content):
    """Tell the page cache what the front page shows, and when its curation runs out. The
    cards name their own bylines, interviewers and guests as they render."""
    pages.show(request, "list:front", "list:interviews")
    pages.expires(request, content.expires)


def page(request, slug):
    """An about, contact or other simple page the desk keeps."""
    flat_page = get_object_or_404(Page, slug=slug)
    pages.show(request, f"page:{flat_page.pk}")
    return render(request, "page.html", {"page": flat_page})


def server_error(request):
    """handler500. A database outage met outside a view (a middleware saving the session, say)
    is still the 503 page; anything else is the 500 page in the site's design, drawn without
    the database (no section menu), or a plain page if even that fails."""
    error = sys.exc_info()[1]
    if outage.is_outage(error):
        return outage.outage_response(request, error)
    try:
        return render(request, "500.html", {"nav_sections": [], "chrome_from_cache": False},
                      status=500)
    except Exception:  # noqa: BLE001 - the page must go out whatever else is broken
        return defaults.server_error(request, template_name="500-plain.html")


def bad_request(request, exception):
    """handler400 (a bad Host header, a malformed upload...): Django's own renders the template
    without the request, so without the site's name and menu."""
    return render(request, "400.html", status=400)


def error_page(request, status):
    """The site's page for an error status a view answered with an empty body (405 from a
    view that does not take the method, a bare 429)."""
    return render(request, f"{status}.html", status=status)


def favicon(request):
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@never_cache
def healthz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            # A table of ours, not just a connection: an empty SQLite file answers "SELECT 1".
            cursor.execute("SELECT 1 FROM django_migrations LIMIT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:
        # One line per probe: a load balancer asks every few seconds, a traceback each time
        # would bury the log.
        log.warning("healthz: database check failed: %s: %s", type(error).__name__, error)
        checks["database"] = "error"
    try:
        cache.set("healthz", "ok", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "error"
    except Exception as error:
        log.warning("healthz: cache check failed: %s: %s", type(error).__name__, error)
        checks["cache"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks},
                        status=200 if healthy else 503)


NEWS_SITEMAP_WINDOW = timedelta(hours=48)
NEWS_SITEMAP_LIMIT = 1000


def news_sitemap(request):
    """Google News sitemap: stories and interviews of the last two days, newest first, at most
    1,000 in all."""
    pages.show(request, "sitemaps")
    since = timezone.now() - NEWS_SITEMAP_WINDOW
    articles = list(
        Article.objects.published().filter(publish_at__gte=since)
        .select_related("section").order_by("-publish_at", "-pk")[:NEWS_SITEMAP_LIMIT]
    )
    interviews = list(
        Interview.objects.published().filter(publish_at__gte=since)
        .only("title", "slug", "publish_at").order_by("-publish_at", "-pk")[:NEWS_SITEMAP_LIMIT]
    )
    items = sorted(articles + interviews, key=lambda item: item.publish_at,
                   reverse=True)[:NEWS_SITEMAP_LIMIT]
    for item in items:
        # XML 1.0 cannot carry control characters; a pasted headline may hold one.
        item.news_title = xml_safe(item.title)
    return render(request, "news_sitemap.xml", {
        "items": items,
        "language": settings.LANGUAGE_CODE.split("-")[0],
    }, content_type="application/xml")


def sitemap_index(request, sitemaps):
    """/sitemap.xml: the index of every sitemap and its pages (`?p=N`), so the whole archive is
    listed however large it grows. Kept in the page cache until a public story changes."""
    pages.show(request, "sitemaps")
    return sitemap_views.index(request, sitemaps, sitemap_url_name="sitemap-part")


def sitemap(request, sitemaps, section):
    """One sitemap of the index, a page of at most its `limit` addresses."""
    pages.show(request, "sitemaps")
    return sitemap_views.sitemap(request, sitemaps, section=section)


def robots_txt(request):
    pages.show(request, "robots")  # no change refreshes it: only a new release or setting
    base = settings.NEWSROOM_SITE_URL or request.build_absolute_uri("/").rstrip("/")
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /editor/",
        "",
        f"Sitemap: {base}{reverse('sitemap')}",
        f"Sitemap: {base}{reverse('news-sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


SEARCH_PAGE_SIZE = 20
# The best interview matches shown beside the stories (type=interviews lists them all).
INTERVIEW_BLOCK_SIZE = 5


def _stories_for(data):
    stories = Article.objects.for_listing()
    if data["section"]:
        stories = stories.filter(section=data["section"])
    if data["start"]:
        stories = stories.filter(publish_at__date__gte=data["start"])
    if data["end"]:
        stories = stories.filter(publish_at__date__lte=data["end"])
    return stories


def _interviews_for(data):
    """Published interviews the filters allow. An interview has no section of its own: with a
    section chosen, only interviews accompanying a story of that section qualify."""
    interviews = Interview.objects.published().select_related("interviewer").with_lineup()
    if data["section"]:
        interviews = interviews.filter(article__section=data["section"])
    if data["start"]:
        interviews = interviews.filter(publish_at__date__gte=data["start"])
    if data["end"]:
        interviews = interviews.filter(publish_at__date__lte=data["end"])
    return interviews


def _page(request, found):
    try:
        return Paginator(found, SEARCH_PAGE_SIZE).page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404("No such page of results") from error


def _search_url(data, **changes):
    params = {"q": data["q"], "type": data["type"],
              "section": data["section"].slug if data["section"] else "",
              "start": data["start"].isoformat() if data["start"] else "",
              "end": data["end"].isoformat() if data["end"] else "", **changes}
    return f"{reverse('search')}?{urlencode({k: v for k, v in params.items() if v})}"


def search(request):
    """Search published stories and interviews; a bad filter gets a form error, a bad page a
    404.

    By default the results are stories, with the best INTERVIEW_BLOCK_SIZE interviews in a
    block of their own on each page and a link to all of them (type=interviews); type=stories
    leaves the interviews out. The query count does not depend on what is found.
    """
    form = SearchForm(request.GET or None)
    context = {"form": form, "query": "", "page_obj": None, "truncated": False,
               "result_limit": article_search.RESULT_LIMIT, "kind": SearchForm.STORIES,
               "interviews": None}
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        query = context["query"] = data["q"]
        if data["type"] == SearchForm.INTERVIEWS:
            found = interview_search.search(_interviews_for(data), query)
            results = _page(request, found)
            for interview in results:
                interview.snippet = interview_search.snippet(interview, query)
            context["kind"] = SearchForm.INTERVIEWS
        else:
            found = article_search.search(_stories_for(data), query)
            results = _page(request, found)
            for article in results:
                article.snippet = article_search.snippet(article, query)
            if data["type"] != SearchForm.STORIES:
                context.update(_interview_block(data, query))
        context.update(page_obj=results, truncated=found.truncated)
    return render(request, "search.html", context)


def _interview_block(data, query):
    found = interview_search.search(_interviews_for(data), query)
    interviews = found[:INTERVIEW_BLOCK_SIZE]
    for interview in interviews:
        interview.snippet = interview_search.snippet(interview, query)
    return {
        "interviews": interviews,
        "more_interviews": len(found) > INTERVIEW_BLOCK_SIZE,
        "all_interviews_url": _search_url(data, type=SearchForm.INTERVIEWS),
        "section_filter": data["section"],
    }
