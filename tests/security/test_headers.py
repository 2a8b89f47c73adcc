"""Security headers on public pages, and pages that load nothing from other hosts."""

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings as django_settings

from articles.models import Article
from tests.articles.factories import ArticleFactory, AuthorFactory, PhotoFactory

pytestmark = pytest.mark.django_db

# The comment form's script, inlined on pages served from the cache (newsroom/inlined.py).
FORM_SCRIPT = (Path(django_settings.BASE_DIR) / "comments" / "static" / "comments" / "form.js"
               ).read_text()
_FORM_DIGEST = base64.b64encode(hashlib.sha256(FORM_SCRIPT.encode()).digest()).decode()
FORM_SCRIPT_HASH = f"'sha256-{_FORM_DIGEST}'"


def directives(policy):
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.fixture
def story():
    author = AuthorFactory(name="Dana Whitfield", photo=PhotoFactory())
    related = ArticleFactory(title="Earlier: the bridge closes", lead_photo=PhotoFactory())
    body = (
        "<p>The first paragraph.</p>"
        '<figure class="image"><img src="/media/editor/2025/01/abc.jpg" alt="Bridge"></figure>'
    )
    return ArticleFactory(
        title="Harbour bridge reopens", body=body, authors=[author], tags=["Transport"],
        lead_photo=PhotoFactory(), related=[related],
        discussion_prompt="Will you use the bridge?",
    )


@pytest.fixture
def public_paths(story):
    author = story.authors.first()
    return [
        "/",
        story.get_absolute_url(),
        story.section.get_absolute_url(),
        "/tags/transport/",
        author.get_absolute_url(),
    ]


def test_public_pages_send_the_security_headers(client, public_paths):
    for path in public_paths:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'", FORM_SCRIPT_HASH,
                                        *json_ld_hashes(response.content)], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert policy["default-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"], path
        assert policy["base-uri"] == ["'self'"], path
        assert "'unsafe-inline'" not in policy.get("style-src", []), path
        assert all("'unsafe-inline'" not in v and "'unsafe-eval'" not in v
                   for v in policy["script-src"]), path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin",
                                               "no-referrer", "strict-origin"}, path
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", path


def json_ld_hashes(body):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body.decode(),
                        re.S)
    digests = (hashlib.sha256(block.encode()).digest() for block in blocks)
    return sorted({f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests})


def test_json_ld_is_allowed_by_its_hash_and_nothing_else_inline(client, story):
    for attempt in ["rendered", "from the page cache"]:
        response = client.get(story.get_absolute_url())
        hashes = json_ld_hashes(response.content)
        assert hashes, attempt  # the article page has NewsArticle and breadcrumb data
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'", FORM_SCRIPT_HASH, *hashes], attempt


@pytest.mark.parametrize("coding", ["br", "gzip"])
def test_json_ld_hashes_are_sent_with_compressed_pages_too(client, story, coding):
    plain = client.get(story.get_absolute_url())  # rendered, and stored in the page cache
    hashes = json_ld_hashes(plain.content)
    assert hashes
    for attempt in ["first", "again"]:
        response = client.get(story.get_absolute_url(), HTTP_ACCEPT_ENCODING=coding)
        assert response["Content-Encoding"] == coding, attempt
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'", FORM_SCRIPT_HASH, *hashes], attempt


def test_a_report_address_is_added_when_configured(client, story, settings):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
                       "report-uri": "https://reports.example.org/csp"},
    }
    policy = directives(client.get("/")["Content-Security-Policy"])
    assert policy["report-uri"] == ["https://reports.example.org/csp"]


def test_not_found_page_sends_the_headers_too(client, story):
    response = client.get("/no-such-section/")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_login_sends_the_headers(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_json_responses_are_not_sniffed(client):
    response = client.get("/healthz")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_https_settings_when_https_is_on():
    # The suite turns the redirect off for the test client; the other switches stay as set.
    if django_settings.HTTPS:
        assert django_settings.SESSION_COOKIE_SECURE and django_settings.CSRF_COOKIE_SECURE
        assert django_settings.SECURE_HSTS_SECONDS >= 60 * 60 * 24 * 365
    assert django_settings.SESSION_COOKIE_HTTPONLY


class Resources(HTMLParser):
    """Every URL the browser would load by itself: scripts, styles, icons, images."""

    LOADING_RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "prefetch",
                    "manifest", "apple-touch-icon", "mask-icon"}

    def __init__(self):
        super().__init__()
        self.urls = []
        self.inline_scripts = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.urls.append(("script", attrs["src"]))
            else:
                self._in_script = attrs.get("type", "")
        elif tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & self.LOADING_RELS and attrs.get("href"):
                self.urls.append(("link", attrs["href"]))
        elif tag in {"img", "source"}:
            if attrs.get("src"):
                self.urls.append((tag, attrs["src"]))
            for candidate in (attrs.get("srcset") or "").split(","):
                if candidate.strip():
                    self.urls.append((tag, candidate.split()[0]))
        elif tag in {"iframe", "embed", "object", "video", "audio"}:
            self.urls.append((tag, attrs.get("src") or attrs.get("data") or ""))
        if attrs.get("style") and "url(" in attrs["style"]:
            self.urls.append(("style", attrs["style"]))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None and data.strip():
            self.inline_scripts.append((self._in_script, data))


def external(urls, own_host="testserver"):
    bad = []
    for kind, url in urls:
        parts = urlsplit(url.strip())
        other_host = parts.netloc and parts.hostname != own_host  # includes "//host/..."
        if other_host or parts.scheme not in {"", "http", "https", "data"}:
            bad.append((kind, url))
    return bad


def test_article_page_loads_everything_from_the_site_itself(client, story):
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    parser = Resources()
    parser.feed(response.content.decode())
    assert parser.urls, "the page should at least show its icon and photos"
    assert any(kind == "link" for kind, _ in parser.urls)
    assert any(kind == "img" for kind, _ in parser.urls)
    assert external(parser.urls) == []
    # The only inline scripts are JSON-LD data and the comment form's own script.
    assert all(kind == "application/ld+json" or text == FORM_SCRIPT
               for kind, text in parser.inline_scripts)
    assert FORM_SCRIPT in [text for _, text in parser.inline_scripts]


def test_every_inline_script_is_allowed_by_its_hash(client, story):
    """The browser runs the comment form's inlined script (and accepts the JSON-LD) on a page
    rendered and on the same page from the cache, compressed or not."""
    for coding in ["", "br", "", "gzip"]:
        response = client.get(story.get_absolute_url(), HTTP_ACCEPT_ENCODING=coding)
        policy = directives(response["Content-Security-Policy"])
        plain = client.get(story.get_absolute_url()).content.decode()
        blocks = re.findall(r"<script[^>]*>(.*?)</script>", plain, re.S)
        assert len(blocks) >= 2, coding
        for block in blocks:
            digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy["script-src"], (coding, block[:60])


def test_the_site_icon_comes_with_the_page(client, story):
    """No request for the icon while a page loads: it is a data: address of our own SVG."""
    html = client.get(story.get_absolute_url()).content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert href.startswith("data:image/svg+xml,")
    icon = (Path(django_settings.BASE_DIR) / "static" / "favicon.svg").read_text().strip()
    assert unquote(href.removeprefix("data:image/svg+xml,")) == icon
    assert not re.search(r"[\s\"<>#]", href)  # a valid URL inside the attribute
    assert "data:" in directives(client.get("/")["Content-Security-Policy"])["img-src"]


def test_other_public_pages_load_nothing_from_other_hosts(client, public_paths):
    for path in public_paths:
        parser = Resources()
        parser.feed(client.get(path).content.decode())
        assert external(parser.urls) == [], path
        assert all(kind == "application/ld+json" or text == FORM_SCRIPT
                   for kind, text in parser.inline_scripts), path


def test_images_pasted_from_other_sites_are_not_loaded(client, story):
    story.body = ('<p>Pasted:</p><figure class="image"><img src="https://tracker.example/p.gif" '
                  'srcset="https://cdn.example/a.jpg 640w" alt=""></figure>')
    story.save()
    story = Article.objects.get(pk=story.pk)
    parser = Resources()
    parser.feed(client.get(story.get_absolute_url()).content.decode())
    assert external(parser.urls) == []
