"""Old WordPress addresses keep working: a permanent redirect to the imported story.

Links and search engines know a WordPress post by its permalink (whatever structure the site
used: /slug/, /2024/05/03/slug/, /news/slug/ …) and by /?p=ID. The importer stores the
permalinks as the stories' old addresses (articles.ArticleRedirect, the same table that keeps a
story reachable after its slug or date changes) and the post IDs in newsroom.WordPressPost.

Permalinks rarely look like our addresses, so the URL patterns cannot catch them: this
middleware looks an address up only when the site has nothing there (a 404), and /?p=ID before
the front page answers it. Only stories readers may see are redirected to; everything else
stays a 404 (or the front page), so a redirect never reveals a draft.
"""

from django.http import HttpResponsePermanentRedirect

from articles.models import Article
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


class WordPressRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in READ_METHODS and request.path_info == "/" and request.GET:
            target = post_address(request.GET)
            if target:
                return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code == 404 and request.method in READ_METHODS:
            target = old_address(request.path)
            if target and target != request.path:
                return HttpResponsePermanentRedirect(target)
        return response
