"""Old WordPress addresses keep working: a permanent redirect to the imported story.

Links and search engines know a WordPress post by its permalink (whatever structure the site
used: /slug/, /2024/05/03/slug/, /news/slug/ …) and by /?p=ID. The importer stores the
permalinks as the stories' old addresses (articles.ArticleRedirect, the same table that keeps a
story reachable after its slug or date changes) and the post IDs in newsroom.WordPressPost.

WordPress's archives have addresses too: /category/world/europe/ (a nested category maps to
the section its top level became), /tag/harbour/ and /author/login/, each with /feed/ and
/page/N/ forms, and /?tag=slug. They lead to the section, tag or author page (page numbers
are not carried over: the pages hold different numbers of stories), or to its feed.

Permalinks rarely look like our addresses, so the URL patterns cannot catch them: this
middleware looks an address up only when the site has nothing there (a 404), and /?p=ID before
the front page answers it. Only stories readers may see are redirected to; everything else
stays a 404 (or the front page), so a redirect never reveals a draft.
"""

import re
from urllib.parse import unquote

from django.contrib.auth import get_user_model
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.text import slugify
from taggit.models import Tag

from articles.models import Article, Author, Section
from articles.services import find_moved_article

from ..models import WordPressPost

READ_METHODS = ("GET", "HEAD")
ID_PARAMETERS = ("p", "page_id")


def post_address(query):
    """The address of the published story imported from the post in `?p=` (or `?page_id=`)."""
    for name in ID_PARAMETERS:
        value = query.get(name, "")
        if value.isdigit() and len(value) < 19:
            mapping = (WordPressPost.objects
                       .filter(wordpress_id=int(value), article__in=Article.objects.published())
                       .select_related("article__section").first())
            if mapping is not None:
                return mapping.article.get_absolute_url()
    return None


def old_address(path):
    """The address of the published story that `path` (with or without its final slash)
    used to lead to on the WordPress site."""
    alternative = path[:-1] if path.endswith("/") else f"{path}/"
    for candidate in (path, alternative):
        article = find_moved_article(candidate)
        if article is not None:
            return article.get_absolute_url()
    return None


ARCHIVE = re.compile(r"^/(?P<kind>category|tag|author)/(?P<names>(?:[^/]+/)*?[^/]+)/?"
                     r"(?P<feed>feed/?)?(?:page/\d+/?)?$")


def archive_address(path):
    """Our address for a WordPress category, tag or author archive (or its feed), or None."""
    match = ARCHIVE.match(path)
    if match is None:
        return None
    kind, feed = match.group("kind"), bool(match.group("feed"))
    names = [unquote(name) for name in match.group("names").split("/") if name]
    if not names or len(names) > 10 or any(len(name) > 200 for name in names):
        return None
    if kind == "category":
        # The innermost category first (it may have been mapped to a section of its own),
        # then its parents up to the top level, which became the section by default.
        for name in reversed(names):
            section = Section.objects.filter(slug=slugify(name)).first()
            if section is not None:
                name = "articles:section-feed" if feed else "articles:section"
                return reverse(name, kwargs={"section": section.slug})
        return None
    if len(names) != 1:
        return None
    if kind == "tag":
        return tag_address(names[0], feed=feed)
    user = get_user_model().objects.filter(username=names[0]).first()
    author = Author.objects.filter(user=user).first() if user is not None else None
    return author.get_absolute_url() if author is not None else None


def tag_address(slug, *, feed=False):
    tag = Tag.objects.filter(slug=slugify(slug)).first() if slug else None
    if tag is None:
        return None
    return reverse("articles:tag-feed" if feed else "articles:tag", kwargs={"slug": tag.slug})


class WordPressRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in READ_METHODS and request.path_info == "/" and request.GET:
            target = post_address(request.GET) or tag_address(request.GET.get("tag", "")[:200])
            if target:
                return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code == 404 and request.method in READ_METHODS:
            target = old_address(request.path) or archive_address(request.path)
            if target and target != request.path:
                return HttpResponsePermanentRedirect(target)
        return response
