"""Every kind of public page, with the demo newsroom's content, passes the Nu HTML checker with no
error and axe-core with no violation of any impact (WCAG AAA contrast included), in the light and
the dark colour scheme, at desktop and phone widths.

The checkers come from the npm registry (tests/e2e/tools/package.json, installed by .ci/run with
`npm ci`); the Nu checker runs on Debian's Java. Without them these tests skip, or fail when
NEWSROOM_REQUIRE_BROWSER=1 (CI).
"""

import json
import os
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article
from interviews.models import Interview

pytestmark = pytest.mark.django_db(transaction=True)

TOOLS = Path(__file__).parent / "tools" / "node_modules"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"


def require(found, message):
    if found:
        return
    if os.environ.get("NEWSROOM_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def demo_site(live_server, settings):
    """The demo newsroom (manage.py seed), and one address of each public page type."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    os.environ.setdefault("NEWSROOM_DEMO_PASSWORD", "demo-password-for-checks")
    call_command("seed", stdout=open(os.devnull, "w"))  # noqa: SIM115
    story = Article.objects.published().filter(lead_photo__isnull=False).first()
    tagged = Article.objects.published().filter(tags__isnull=False).first()
    interview = Interview.objects.published().first()
    guest = interview.guests.first()
    paths = {
        "front": "/",
        "section": story.section.get_absolute_url(),
        "article": story.get_absolute_url(),
        "article with comments": tagged.get_absolute_url(),
        "tag": f"/tags/{tagged.tags.first().slug}/",
        "author": story.authors.first().get_absolute_url(),
        "interview list": "/interviews/",
        "interview": interview.get_absolute_url(),
        "guest": guest.get_absolute_url(),
        "search": "/search/?q=harbour",
        "search without results": "/search/?q=zzzzqqq",
        "empty search": "/search/",
        "about page": "/pages/about/",
        "not found": "/no-such-section/",
    }
    return live_server.url, paths


def fetch(url):
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310 (the live server)
            return response.read()
    except urllib.error.HTTPError as error:  # the 404 page is a page too
        return error.read()


def test_every_public_page_type_has_no_html_error(demo_site, tmp_path):
    require(shutil.which("java"), "java is missing: apt-get install -y default-jre-headless")
    require(VNU.exists(), f"{VNU} is missing: cd tests/e2e/tools && npm ci")
    base, paths = demo_site
    files = {}
    for name, path in paths.items():
        file = tmp_path / (re.sub(r"\W+", "-", name) + ".html")
        file.write_bytes(fetch(base + path))
        files[str(file.resolve())] = name
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", *files],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{files.get(m['url'].removeprefix('file:'), m['url'])}:{m.get('lastLine')}: "
              f"{m['message']}" for m in messages if m["type"] in ("error", "non-document-error")]
    assert not errors, "\n".join(errors)
    assert len(files) == len(paths)


AXE_RUN = """async () => {
    const result = await axe.run(document, {
        rules: {"color-contrast-enhanced": {enabled: true}},
        resultTypes: ["violations"],
    });
    return result.violations.map(v => `${v.id} (${v.impact}): ` +
        v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""


def test_every_public_page_type_has_no_axe_violation(demo_site, browser):
    require(AXE.exists(), f"{AXE} is missing: cd tests/e2e/tools && npm ci")
    base, paths = demo_site
    found = {}
    # Every page in both schemes; the phone layout of the pages it changes most.
    for width, scheme, names in ((1280, "light", paths), (1280, "dark", paths),
                                 (390, "light", ["front", "article", "interview", "search"]),
                                 (390, "dark", ["front"])):
        # The page's CSP allows no script of ours to be added: axe is injected around it.
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      color_scheme=scheme, bypass_csp=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            for name in names:
                page.goto(base + paths[name])
                page.add_script_tag(path=str(AXE))
                violations = page.evaluate(AXE_RUN)
                if violations:
                    found[f"{name} at {width} px, {scheme}"] = violations
        finally:
            context.close()
    assert not found, json.dumps(found, indent=1)
