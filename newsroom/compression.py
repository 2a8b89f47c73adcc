"""Compressed text responses: brotli when the browser accepts it, else gzip.

Pages from the page cache are compressed once, when stored (`compressed_variants`), and each hit
sends the stored variant the reader accepts (newsroom.pagecache). Everything else is compressed
per response by `CompressionMiddleware`, which sits inside WhiteNoise (static files come with
their own .br and .gz files) and outside the page cache.

BREACH: a page compressed together with a secret (a CSRF token in a form) and text a visitor
can choose (a search query) can leak the secret byte by byte through its compressed length.
Stored pages carry no secret (the comment form reads its token from the cookie in the browser).
A page rendered with a CSRF token, or for one reader, gets gzip with Django's mitigation
(GZipMiddleware puts random bytes in the gzip header, so the length says nothing), never
brotli, which has no such field.
"""

import gzip
import re

import brotli
from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

# Below this a compressed body is not worth the bytes of its headers (GZipMiddleware's own rule).
MIN_LENGTH = 200
BROTLI_QUALITY = 5  # the front page: 4.3 KB in 3 ms (gzip: 4.8 KB; brotli 11: 3.8 KB in 100 ms)
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/rss+xml",
              "application/atom+xml", "application/javascript", "image/svg+xml")
_CODING = re.compile(r"^\s*([\w*-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def accepted(accept_encoding):
    """The codings a request accepts ({"br", "gzip", ...}); q=0 refuses one."""
    codings = set()
    for part in (accept_encoding or "").lower().split(","):
        match = _CODING.match(part)
        if not match:
            continue
        name, quality = match.groups()
        try:
            if quality is not None and float(quality) <= 0:
                continue
        except ValueError:
            continue
        codings.add(name)
    if "*" in codings:
        codings |= {"br", "gzip"}
    return codings


def compressible(response):
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return (
        not response.streaming
        and not response.has_header("Content-Encoding")
        and content_type.startswith(TEXT_TYPES)
        and len(response.content) >= MIN_LENGTH
    )


def compressed_variants(body):
    """{"br": ..., "gzip": ...} for a page about to be stored, or {} for a tiny one."""
    if len(body) < MIN_LENGTH:
        return {}
    # Brotli's top quality saves another eighth of the bytes at 40x the time (100-170 ms for
    # the front page here): too much for the reader whose request stores the page.
    return {"br": brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT),
            "gzip": gzip.compress(body, compresslevel=6, mtime=0)}


def preferred(request):
    """The coding of the stored copy this reader would take best ("br", "gzip"), or None."""
    codings = accepted(request.headers.get("Accept-Encoding"))
    return next((coding for coding in ("br", "gzip") if coding in codings), None)


def choose(request, variants):
    """The stored variant to send: (coding, body), or (None, None) for the plain body."""
    codings = accepted(request.headers.get("Accept-Encoding"))
    for coding in ("br", "gzip"):
        if coding in codings and coding in variants:
            return coding, variants[coding]
    return None, None


def _may_hold_secret(request, response):
    """Rendered with the reader's CSRF token (get_token() has the cookie set or renewed), or
    made for one reader (cookies set, or it varies by cookie): treat it as holding a secret."""
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or settings.CSRF_COOKIE_NAME in response.cookies
        or response.cookies
        or "cookie" in response.get("Vary", "").lower()
    )


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if response.has_header("Content-Encoding") or not compressible(response):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        codings = accepted(request.headers.get("Accept-Encoding"))
        if "br" in codings and not _may_hold_secret(request, response):
            body = brotli.compress(response.content, quality=BROTLI_QUALITY,
                                   mode=brotli.MODE_TEXT)
            if len(body) >= len(response.content):
                return response
            response.content = body
            response["Content-Encoding"] = "br"
            response["Content-Length"] = str(len(body))
            if response.has_header("ETag"):
                response["ETag"] = re.sub(r'^"', 'W/"', response["ETag"])
            return response
        if "gzip" in codings:
            # Django's gzip: random bytes in the header against BREACH, a weak ETag.
            return super().process_response(request, response)
        return response
