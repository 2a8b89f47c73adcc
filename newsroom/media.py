"""Uploads (photos and their renditions), served before the rest of the site's middleware.

With DEBUG off neither Django nor whitenoise serves the media root; a front server or object
storage should (NEWSROOM_SERVE_MEDIA=0). Until one does, Newsroom serves it itself. A page
asks for a dozen photos at once, so a photo is answered here, next to whitenoise's static
files: no session, no page cache, no database, no template, and none of the page's security
policy, which means nothing to an image. Read-only and confined to the media root.
"""

import mimetypes
import posixpath
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, HttpResponseNotAllowed, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.static import was_modified_since

# A rendition's address changes with its image (articles.images.store_renditions): keep it a
# year. An original may be replaced under the same name by hand: a day.
RENDITION_MAX_AGE = 365 * 24 * 3600
ORIGINAL_MAX_AGE = 24 * 3600
# What the photo desk stores (articles.images.FORMATS) and the renditions made from it.
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def media_file(media_root, name):
    """The file under media_root that `name` (the address after MEDIA_URL) names, or None for
    anything else: a folder, a missing file, a way out of the root."""
    name = posixpath.normpath(name).lstrip("/")
    if not name or name == ".":
        return None
    try:
        path = Path(safe_join(media_root, name))
    except (SuspiciousFileOperation, ValueError):
        return None
    return path if path.is_file() else None


def file_response(request, path, name):
    stat = path.stat()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        response = HttpResponseNotModified()
    else:
        content_type, encoding = mimetypes.guess_type(path.name)
        # Anything else put in the folder by hand is a download, never something a browser
        # would run or lay out as a page (an SVG or HTML file under the site's address).
        if encoding or content_type not in IMAGE_TYPES:
            content_type = "application/octet-stream"
        response = FileResponse(path.open("rb"), content_type=content_type)
        if content_type == "application/octet-stream":
            response["Content-Disposition"] = "attachment"
            response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        else:
            del response["Content-Disposition"]  # an image is shown where it is, by default
        response["Last-Modified"] = http_date(stat.st_mtime)
        response["X-Content-Type-Options"] = "nosniff"
    if name.startswith("renditions/"):
        patch_cache_control(response, public=True, max_age=RENDITION_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=ORIGINAL_MAX_AGE)
    return response


class MediaFilesMiddleware:
    """Answers GET and HEAD under MEDIA_URL from MEDIA_ROOT when NEWSROOM_SERVE_MEDIA is on;
    a name that is not a file there is the site's 404 page, drawn by the rest of the stack."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = settings.MEDIA_URL if settings.SERVE_MEDIA else None

    def __call__(self, request):
        if self.prefix is None or not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        name = request.path_info[len(self.prefix):]
        path = media_file(settings.MEDIA_ROOT, name)
        if path is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return file_response(request, path, name)
