"""The static files every public page carries inside itself instead of linking to them.

A phone on a slow network pays a round trip (and often a new connection) for each file a page
links to, and Lighthouse's mobile run counts every request that starts before the largest
paint. The files here are small, and pages go out compressed, so they come with the page:

- the stylesheet (about 5 KB compressed), inlined in every public page's head, because a
  linked one would hold back the first paint;
- the comment form's script (comments/static/comments/form.js, under 1 KB), inlined after the
  form on pages served from the cache, where the form needs it;
- the site icon, as a data: address, so the browser asks for no file while the page loads.

The Content-Security-Policy allows exactly the stylesheet's and the script's text by their
hashes (newsroom.middleware), never inline styles or scripts in general; its img-src allows
data: images.
"""

import base64
import hashlib
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import quote

from django.contrib.staticfiles import finders

STYLESHEET = "css/site.css"
SCRIPTS = ["comments/form.js"]
ICON = "favicon.svg"


def _read(path):
    found = finders.find(path)
    return Path(found).read_text(encoding="utf-8") if found else ""


def _csp_source(text):
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


@cache
def inlined(path):
    """(text, CSP hash source) of a stylesheet or script, read once per process."""
    text = _read(path)
    if "</" in text:
        raise ValueError(f"{path} must not contain '</': it is inlined in the page")
    return text, _csp_source(text)


def site_css():
    """(text, CSP source) of the site's stylesheet."""
    return inlined(STYLESHEET)


def script_sources():
    """The CSP sources of the scripts pages may carry inline."""
    return [inlined(path)[1] for path in SCRIPTS]


@lru_cache(maxsize=1)
def icon_url():
    """The site icon as a data: address (the SVG text, percent-encoded where a URL needs it)."""
    return "data:image/svg+xml," + quote(_read(ICON).strip(), safe="/:=;,'()")
