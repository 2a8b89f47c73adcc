import os
import shutil

import pytest

from tests.roles import ensure_roles

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the live server's database calls
# from the test body are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("NEWSROOM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser page. Any Content-Security-Policy violation the browser reports while a
    test runs fails it: the site, the admin, CKEditor and the nested inlines need none."""
    from tests.e2e.helpers import watch_csp

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    context.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture(autouse=True)
def roles(transactional_db):
    """The Reporter, Editor and Moderator groups, as the data migrations make them.

    A browser test needs a transactional database, which is flushed after each test; the
    rows the data migrations wrote go with it. Playwright's event loop hides the connection
    that would restore them, so the same migration functions are replayed here instead.
    """
    ensure_roles()
