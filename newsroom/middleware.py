import base64
import gzip
import hashlib
import re

import brotli
from csp.middleware import CSPMiddleware, PolicyParts

from .cache import Memory
from .inlined import script_sources, site_css
from .views import error_page

_JSON_LD = re.compile(rb'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld_hashes(body):
    """CSP hash sources for the page's JSON-LD blocks (see articles_tags.json_ld)."""
    if b"application/ld+json" not in body:
        return []
    return sorted({
        f"'sha256-{base64.b64encode(hashlib.sha256(block).digest()).decode()}'"
        for block in _JSON_LD.findall(body)
    })


def _decompressed(coding, body):
    try:
        return brotli.decompress(body) if coding == "br" else gzip.decompress(body)
    except (brotli.error, OSError, EOFError):
        return b""


# The hashes of pages met before, by ETag (the page cache's digest of the page): a page from
# the cache, which arrives here compressed on every hit, is read through once per process.
_hashes_by_etag = Memory(limit=1024)


def page_json_ld_hashes(response):
    known = getattr(response, "_json_ld_hashes", None)
    if known is not None:
        return known
    etag = response.get("ETag", "").removeprefix("W/")
    hashes = _hashes_by_etag.get(etag) if etag else None
    if hashes is None:
        coding = response.get("Content-Encoding", "")
        body = response.content if not coding else (
            _decompressed(coding, response.content) if coding in {"br", "gzip"} else b"")
        hashes = json_ld_hashes(body)
        if etag:
            _hashes_by_etag.remember(etag, hashes)
    response._json_ld_hashes = hashes
    return hashes


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header (CONTENT_SECURITY_POLICY in settings), with the hash of each JSON-LD
    block on the page and of our own inlined scripts allowed by name: the only inline scripts
    the site writes.

    The hashes are read from the body rather than recorded while rendering, so a page served
    from the page cache (which stores no Content-Security-Policy header) gets the same policy;
    a compressed body is read decompressed.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if response.streaming or "html" not in response.get("Content-Type", ""):
            return parts
        update = dict(parts.update or {})
        # The stylesheet and scripts inlined in the public pages (newsroom/inlined.py), by hash.
        update["style-src"] = [*update.get("style-src", []), site_css()[1]]
        hashes = [*script_sources(), *page_json_ld_hashes(response)]
        update["script-src"] = [*update.get("script-src", []), *hashes]
        return PolicyParts(parts.config, update, parts.replace, parts.nonce)


class ErrorPageMiddleware:
    """Gives the site's error page to a 405 or 429 answered with an empty body (Django's
    require_POST and the class-based views send one), keeping its headers (Allow...)."""

    STATUSES = {405, 429}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in self.STATUSES and not response.streaming \
                and not response.content:
            page = error_page(request, response.status_code)
            for name, value in response.items():
                if name.lower() not in {"content-type", "content-length"}:
                    page[name] = value
            return page
        return response
