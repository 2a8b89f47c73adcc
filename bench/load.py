"""Load test: readers, commenters and a moderator at once against `make serve`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_load \
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/load.py

starts `make serve` (gunicorn, debug off, the demo content) on that PostgreSQL database and
Redis, then for --seconds runs --readers threads reading public pages with no pause, --commenters
threads each posting a comment every few seconds the way a browser does (page, CSRF token,
form), and one moderator signed in to the admin approving the queue. It reports requests, 5xx
answers, p50/p99 per kind of request, and checks in the database that every comment the site
accepted is stored exactly once (each carries a unique marker). With --url it uses a site
that is already running instead (then the comment rate limits must allow the test's pace).
"""

import argparse
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# `make serve` seeds the demo users with this password (it is applied on every run).
PASSWORD = os.environ.get("NEWSROOM_DEMO_PASSWORD") or secrets.token_urlsafe(12)
TOKEN = re.compile(r'name="token" value="([^"]+)"')
STORY_LINK = re.compile(r'href="(/[a-z0-9-]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/)"')
SELECTED = re.compile(r'name="_selected_action" value="(\d+)"')
REFUSAL = re.compile(r'<h1>([^<]+)</h1>|class="(?:form-errors|field-error)"[^>]*>(?:<p>)?([^<]+)')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.timings = defaultdict(list)
        self.statuses = Counter()
        self.errors = Counter()
        self.notes = Counter()

    def note(self, text):
        with self.lock:
            self.notes[text] += 1

    def record(self, kind, started, response=None, error=None):
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.timings[kind].append(elapsed)
            if response is not None:
                self.statuses[response.status_code // 100 * 100] += 1
                if response.status_code >= 500:
                    self.errors[f"{kind} {response.status_code}"] += 1
            else:
                self.statuses["failed"] += 1
                self.errors[f"{kind} {type(error).__name__}"] += 1


def timed(stats, kind, call, *args, **kwargs):
    started = time.perf_counter()
    try:
        response = call(*args, **kwargs)
    except httpx.HTTPError as error:
        stats.record(kind, started, error=error)
        return None
    stats.record(kind, started, response)
    return response


def reader(base, paths, stop, stats):
    rng = random.Random()
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            timed(stats, "reader page", client.get, rng.choice(paths))


def commenter(base, stories, stop, stats, number, run, accepted):
    rng = random.Random(number)
    sent = 0
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            story = rng.choice(stories)
            page = timed(stats, "comment: story page", client.get, story)
            token = page is not None and TOKEN.search(page.text)
            csrf = timed(stats, "comment: csrf token", client.get, "/comments/csrf/")
            if not token or csrf is None or csrf.status_code != 200:
                continue
            # A person reads and types; the form refuses anything faster than 3 s anyway.
            stop.wait(rng.uniform(3.0, 5.0))
            if stop.is_set():
                break
            sent += 1
            marker = f"LOAD-{run}-{number}-{sent}"
            action = re.search(r'action="(/comments/[a-z]+/\d+/)"', page.text).group(1)
            response = timed(stats, "comment: post", client.post, action, data={
                "csrfmiddlewaretoken": csrf.json()["token"],
                "author_name": f"Load Reader {number}", "email": f"reader{number}@example.org",
                "body": f"On the harbour plans, my view number {sent}. {marker}",
                "website": "", "parent": "", "token": token.group(1),
            }, headers={"Referer": base + story})
            if response is None:
                continue
            if response.status_code == 302:
                accepted.append(marker)
            else:
                refusal = REFUSAL.search(response.text)
                stats.note(f"comment refused ({response.status_code}): "
                           f"{(refusal.group(1) or refusal.group(2)).strip() if refusal else '?'}")


def moderator(base, stop, stats, approved):
    with httpx.Client(base_url=base, timeout=30) as client:
        login = client.get("/admin/login/")
        client.post("/admin/login/?next=/admin/", data={
            "csrfmiddlewaretoken": CSRF.search(login.text).group(1),
            "username": "moderator", "password": PASSWORD, "next": "/admin/"})
        while not stop.is_set():
            queue = timed(stats, "moderator: queue", client.get,
                          "/admin/comments/comment/", params={"status__exact": "pending"})
            ids = SELECTED.findall(queue.text) if queue is not None else []
            if ids:
                response = timed(stats, "moderator: approve", client.post,
                                 "/admin/comments/comment/?status__exact=pending", data={
                                     "csrfmiddlewaretoken": CSRF.search(queue.text).group(1),
                                     "action": "approve", "_selected_action": ids,
                                     "index": "0"})
                if response is not None and response.status_code in {200, 302}:
                    approved.extend(ids)
            stop.wait(1.0)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def serve(env, port, workers):
    env = {**env, "PORT": str(port), "WEB_CONCURRENCY": str(workers),
           "NEWSROOM_DEMO_PASSWORD": PASSWORD, "DJANGO_HTTPS": "0",
           # One address posts everything here, faster than any person: the limits step aside
           # so the test measures storing comments, not refusing them.
           "COMMENTS_RATE_LIMITS": "ip:100000/600,email:100000/600"}
    process = subprocess.Popen(["make", "serve", f"PORT={port}"], cwd=ROOT, env=env,
                               start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"make serve stopped ({process.returncode})")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(1)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("make serve did not answer /healthz within 10 minutes")


def free_port():
    # A port nobody listens on: the machine may run other sites on the usual ones, and
    # /healthz must be answered by the server this script started.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_database(url):
    import dj_database_url
    import psycopg
    from psycopg import sql

    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise SystemExit(f"Cannot connect to {url}: {error}") from error
        name = dj_database_url.parse(url)["NAME"]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def stored_markers(run):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from comments.models import Comment

    bodies = Comment.objects.filter(body__contains=f"LOAD-{run}-").values_list("body", flat=True)
    return Counter(re.search(rf"LOAD-{run}-\d+-\d+", body).group(0) for body in bodies)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--commenters", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--url", help="a site already running (skips make serve)")
    args = parser.parse_args()

    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the test is about them.")
    ensure_database(database)
    port = args.port or free_port()
    server = None if args.url else serve(os.environ, port, args.workers)
    base = args.url or f"http://127.0.0.1:{port}"
    try:
        home = httpx.get(base + "/", timeout=30).text
        stories = sorted(set(STORY_LINK.findall(home)))
        sections = sorted(set(re.findall(r'<li><a href="(/[a-z0-9-]+/)"', home)))
        paths = ["/", "/interviews/", "/feed/", "/search/?q=harbour", *stories, *sections]
        if not stories:
            raise SystemExit("no stories on the front page: is the demo content loaded?")
        run = uuid.uuid4().hex[:8]
        stats, stop, accepted, approved = Stats(), threading.Event(), [], []
        threads = [threading.Thread(target=reader, args=(base, paths, stop, stats))
                   for _ in range(args.readers)]
        threads += [threading.Thread(target=commenter,
                                     args=(base, stories, stop, stats, n, run, accepted))
                    for n in range(args.commenters)]
        threads.append(threading.Thread(target=moderator, args=(base, stop, stats, approved)))
        print(f"{args.readers} readers, {args.commenters} commenters, 1 moderator for "
              f"{args.seconds} s against {base} ({len(paths)} public pages)")
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    total = sum(len(values) for values in stats.timings.values())
    print(f"\nrequests: {total} in {elapsed:.0f} s ({total / elapsed:.0f}/s); "
          f"by status: {dict(sorted(stats.statuses.items(), key=str))}")
    print(f"5xx or failed: {sum(stats.errors.values())} {dict(stats.errors) or ''}")
    for text, count in stats.notes.most_common():
        print(f"  {count} × {text}")
    print(f"\n{'request':<22} {'count':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(stats.timings.items()):
        print(f"{kind:<22} {len(values):>7} {statistics.median(values):>8.0f} "
              f"{percentile(values, 0.99):>8.0f}")
    everything = [v for values in stats.timings.values() for v in values]
    print(f"{'all':<22} {len(everything):>7} {statistics.median(everything):>8.0f} "
          f"{percentile(everything, 0.99):>8.0f}")

    stored = stored_markers(run)
    missing = [m for m in accepted if m not in stored]
    twice = {m: n for m, n in stored.items() if n > 1}
    unexpected = set(stored) - set(accepted)
    print(f"\ncomments accepted: {len(accepted)}; stored: {sum(stored.values())}; "
          f"missing: {len(missing)}; stored more than once: {len(twice)}; stored but not "
          f"accepted: {len(unexpected)}; approved by the moderator: {len(approved)}")
    ok = not stats.errors and not missing and not twice and not unexpected and accepted
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
