"""Allow-list sanitising for rich text written in CKEditor 5.

Editors paste from anywhere; whatever they paste is cleaned here before it is stored, so the
templates can print the body as HTML without ever passing a script or an event handler through.
"""

import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "a", "ul", "ol", "li", "blockquote", "figure", "figcaption", "img", "picture", "source",
    "table", "thead", "tbody", "tr", "th", "td", "hr", "span", "code", "pre",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "srcset", "sizes", "loading"},
    "source": {"srcset", "type", "media", "sizes"},
    "figure": {"class"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "reversed"},
}
# CKEditor marks image alignment with these classes; nothing else may set a class.
ALLOWED_FIGURE_CLASSES = {"image", "image-style-align-left", "image-style-align-right",
                          "image-style-align-center", "image-style-side", "table"}
URL_SCHEMES = {"http", "https", "mailto"}


def _safe_url(url):
    url = url.strip()
    if not url:
        return False
    lowered = url.lower()
    if lowered.startswith(("/", "#", "./", "../")) and not lowered.startswith("//"):
        return True
    scheme, sep, _ = lowered.partition(":")
    return bool(sep) and scheme in URL_SCHEMES


def _own_image(url):
    """Images load only from this site (the CSP allows no other): a path or our own address."""
    lowered = url.strip().lower()
    if lowered.startswith("/") and not lowered.startswith("//"):
        return True
    bases = [base.rstrip("/").lower() + "/" for base in
             (settings.NEWSROOM_SITE_URL, settings.MEDIA_URL) if "://" in base]
    return any(lowered.startswith(base) for base in bases)


def _filter_attribute(element, attribute, value):
    if attribute == "srcset":
        # nh3 checks schemes in src and href but not in srcset: check every candidate.
        candidates = [part.strip() for part in value.split(",") if part.strip()]
        kept = [c for c in candidates if _safe_url(c.split()[0]) and _own_image(c.split()[0])]
        return ", ".join(kept) or None
    if element == "img" and attribute == "src":
        # Pasted pictures hosted elsewhere would track readers (and the CSP blocks them).
        return value if _safe_url(value) and _own_image(value) else None
    if attribute == "class":
        kept = [name for name in value.split() if name in ALLOWED_FIGURE_CLASSES]
        return " ".join(kept) or None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
    attribute_filter=_filter_attribute,
)


def clean_html(html):
    """Return `html` with everything outside the allow-list removed."""
    if not html:
        return ""
    return _cleaner.clean(html).strip()
