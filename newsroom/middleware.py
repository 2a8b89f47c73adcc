import base64
import hashlib
import re

from csp.middleware import CSPMiddleware, PolicyParts

_JSON_LD = re.compile(rb'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld_hashes(body):
    """CSP hash sources for the page's JSON-LD blocks (see articles_tags.json_ld)."""
    if b"application/ld+json" not in body:
        return []
    return sorted({
        f"'sha256-{base64.b64encode(hashlib.sha256(block).digest()).decode()}'"
        for block in _JSON_LD.findall(body)
    })


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header (CONTENT_SECURITY_POLICY in settings), with the hash of each JSON-LD
    block on the page allowed by name: the only inline script the site writes.

    The hashes are read from the body rather than recorded while rendering, so a page served
    from the page cache (which stores no Content-Security-Policy header) gets the same policy.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if response.streaming or "html" not in response.get("Content-Type", ""):
            return parts
        hashes = json_ld_hashes(response.content)
        if hashes:
            update = dict(parts.update or {})
            update["script-src"] = [*update.get("script-src", []), *hashes]
            parts = PolicyParts(parts.config, update, parts.replace, parts.nonce)
        return parts
