"""The site as `make serve` runs it: gunicorn with two workers, DEBUG off, on the database the
suite runs on (SQLite, or PostgreSQL with DATABASE_URL), once with the embedded cache and once
with Redis. An editor publishes, edits and unpublishes a story in the admin (Chromium); after
each step a burst of anonymous requests, spread over both workers, must all show the new state.
Then Redis and the database are taken away and brought back.

Redis and PostgreSQL are reached through proxies that the test cuts and restores; a SQLite
database goes away by having its file moved.
"""

import concurrent.futures
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.proxy import Proxy
from tests.servers import REDIS_HOST, REDIS_PORT

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSWORD = "stack-test-password-5521"
TITLE = "Night ferry returns for the winter"
EDITED = "Night ferry returns for the winter timetable"
BURST = 24


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, timeout=15):
    """(status, headers, body) for an anonymous GET; never raises for an HTTP status."""
    request = urllib.request.Request(url, headers={"User-Agent": "stack-test"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def burst(url, count=BURST):
    """`count` anonymous GETs, six at a time, so that every worker answers some of them."""
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        return list(pool.map(fetch, [url] * count))


class Database:
    """The site's own database: a SQLite file, or a PostgreSQL database behind a proxy."""

    def __init__(self, tmp_path):
        suite_url = os.environ.get("DATABASE_URL", "")
        self.postgres = suite_url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            import psycopg

            parts = urlsplit(suite_url)
            self.server = (parts.hostname or "127.0.0.1", parts.port or 5432)
            self.user = parts.username or "postgres"
            self.name = f"newsroom_stack_{os.getpid()}"
            self.admin_dsn = suite_url.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.proxy = Proxy(*self.server)
            self.url = f"postgres://{self.user}@{self.proxy.url_host}/{self.name}"
        else:
            self.file = tmp_path / "site.sqlite3"
            self.url = f"sqlite:///{self.file}"

    def take_away(self):
        if self.postgres:
            self.proxy.cut()
        else:
            self.file.rename(self.file.with_suffix(".away"))

    def bring_back(self):
        if self.postgres:
            self.proxy.restore()
        else:
            self.file.unlink(missing_ok=True)  # the empty file a worker's connect made
            self.file.with_suffix(".away").rename(self.file)

    def drop(self):
        if self.postgres:
            import psycopg

            self.proxy.close()
            with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Site:
    def __init__(self, tmp_path, database, cache):
        self.tmp = tmp_path
        self.redis = None
        self.env = {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS": "0",
            "DJANGO_SECRET_KEY": "stack-test-secret-key-that-is-long-and-random-enough-12345",
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DATABASE_URL": database.url,
            "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
            "NEWSROOM_DEMO_PASSWORD": PASSWORD,
            "NEWSROOM_CACHE_DIR": str(tmp_path / "cache"),
        }
        self.env.pop("REDIS_URL", None)
        if cache == "redis":
            self.redis = Proxy(REDIS_HOST, REDIS_PORT)
            self.env["REDIS_URL"] = f"redis://{self.redis.url_host}/12"
            import redis

            redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=12).flushdb()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def manage(self, *args):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
                       stdout=subprocess.DEVNULL, timeout=600)

    def start(self):
        self.manage("migrate", "--no-input")
        self.manage("seed")
        self.log = (self.tmp / "gunicorn.log").open("w")
        # The command `make serve` runs, with two workers and each request's worker logged.
        self.process = subprocess.Popen(
            [GUNICORN, "newsroom.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
             "--no-control-socket", "--access-logfile", "-",
             "--access-logformat", 'worker=%(p)s "%(r)s" %(s)s'],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until(lambda: fetch(self.url + "/healthz", timeout=2)[0] == 200, 60)

    def wait_until(self, check, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if check():
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"gave up after {seconds} s:\n{self.output()[-3000:]}")

    def output(self):
        return (self.tmp / "gunicorn.log").read_text()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        if self.redis:
            self.redis.close()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic once for the run (CKEditor's assets make it slow)."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_STATIC_ROOT": str(root),
           "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT,
                   env=env, check=True, timeout=900)
    return root


@pytest.fixture(params=["embedded", "redis"])
def site(request, tmp_path, static_root):
    if request.param == "redis":
        request.getfixturevalue("redis_server")
    database = Database(tmp_path)
    site = Site(tmp_path, database, request.param)
    site.env["DJANGO_STATIC_ROOT"] = str(static_root)
    site.database = database
    try:
        site.start()
        yield site
    finally:
        site.stop()
        database.drop()


def log_in(page, site):
    page.goto(f"{site.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def save(page):
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")


def readers_see(site, path, present=(), absent=(), status=200):
    answers = burst(site.url + path)
    codes = [code for code, _, _ in answers]
    assert codes == [status] * len(answers), (path, codes)
    for _, _, body in answers:
        for text in present:
            assert text in body, (path, text)
        for text in absent:
            assert text not in body, (path, text)


def test_publish_edit_unpublish_then_redis_and_database_go_away(site, page):
    # Warm every worker's view of the front page (and the shared cache) before the change.
    readers_see(site, "/", absent=[TITLE])

    log_in(page, site)
    page.goto(f"{site.url}/admin/articles/article/add/")
    page.fill("#id_title", TITLE)
    page.fill("#id_standfirst", "The harbour board restores the late crossing.")
    page.click("#id_section + .select2 .select2-selection")
    page.click(".select2-results__option >> nth=0")
    page.locator(".ck-editor__editable").first.click()
    page.keyboard.type("The late crossing is back from Monday.")
    page.select_option("#id_status", "published")
    save(page)
    path = urlsplit(page.get_attribute("a.viewsitelink", "href")).path
    assert path.startswith("/") and path.count("/") >= 5, path

    readers_see(site, "/", present=[TITLE])
    readers_see(site, path, present=[TITLE])

    page.fill("#id_title", EDITED)
    save(page)
    readers_see(site, "/", present=[EDITED])
    readers_see(site, path, present=[EDITED])

    page.select_option("#id_status", "draft")
    save(page)
    readers_see(site, "/", absent=[TITLE])
    readers_see(site, path, status=404)

    served_by = set(re.findall(r'worker=<(\d+)> "GET / ', site.output()))
    assert len(served_by) == 2, f"one worker answered every reader: {served_by}"

    # Redis goes away and comes back: pages uncached, never an error, no traceback per request.
    if site.redis:
        other = urlsplit(fetch(site.url + "/feed/")[2].split("<link>")[2].split("<")[0]).path
        site.redis.cut()
        readers_see(site, "/", absent=[TITLE])
        readers_see(site, other)
        status, _, body = fetch(site.url + "/healthz")
        assert status == 503 and '"cache": "error"' in body
        site.redis.restore()
        site.wait_until(lambda: fetch(site.url + "/healthz")[0] == 200, 20)
        readers_see(site, "/")
        readers_see(site, other)
        outages = site.output().count("Cache unreachable")
        assert 1 <= outages <= 2, outages  # once per worker that met the outage
        assert site.output().count("Cache reachable again") >= 1

    # The database goes away: pages in the cache are still served (the front page and a story
    # read before), any other page is the 503 page; then the site recovers by itself.
    links = [urlsplit(link.split("<")[0]).path
             for link in fetch(site.url + "/feed/")[2].split("<link>")[2:]]
    read, story = links[0], links[1]
    readers_see(site, "/")
    readers_see(site, read)
    cached = {path: fetch(site.url + path)[2] for path in ("/", read)}
    site.database.take_away()
    try:
        for path, body in cached.items():
            for code, _, served in burst(site.url + path, 8):
                assert code == 200 and served == body, path
        for path in (story, "/search/?q=ferry"):
            for code, headers, body in burst(site.url + path, 8):
                assert code == 503, (path, code)
                assert headers["Retry-After"] == "30"
                assert "We will be back in a moment" in body and "site-header" in body
        status, _, body = fetch(site.url + "/healthz")
        assert status == 503 and '"database": "error"' in body
    finally:
        site.database.bring_back()
    site.wait_until(lambda: fetch(site.url + story)[0] == 200, 30)
    readers_see(site, story)
    page.reload()
    page.fill("#id_title", TITLE)
    save(page)  # the desk works again too

    log = site.output()
    assert "Traceback" not in log, log[-3000:]
    assert 1 <= log.count("Database unreachable") <= 2
    statuses = re.findall(r'worker=<\d+> "[^"]*" (\d{3})', log)
    assert "500" not in statuses and "502" not in statuses
