"""The site's stylesheet, inlined in every public page's head.

A phone on a slow network waits a round trip for a linked stylesheet before it paints anything;
the stylesheet is small (about 5 KB compressed, and pages go out compressed), so it comes with
the page. The Content-Security-Policy allows exactly this text by its hash
(newsroom.middleware), never inline styles in general.
"""

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders

PATH = "css/site.css"


@lru_cache(maxsize=1)
def site_css():
    """(text, CSP source) of the stylesheet, read once per process."""
    found = finders.find(PATH)
    text = Path(found).read_text(encoding="utf-8") if found else ""
    if "</" in text:
        raise ValueError(f"{PATH} must not contain '</': it is inlined in a <style> element")
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return text, f"'sha256-{digest}'"
