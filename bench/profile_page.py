"""Where one page's time goes: queries (count and time) and a profile, in one process.

    .venv/bin/python bench/profile_page.py /some/page/ [--repeat 20] [--staff] [--top 25]

Runs against the benchmark's own database (bench/suite.py's, the default sizes unless
--database-url says otherwise), with the page cache off so every request renders (--cached:
on, with bench/suite.py's Redis database, to profile a page served from the cache). Prints the
time per request, the queries per request with their share of the time (the slowest ones
listed), the process's CPU time per request (steadier than the clock on a busy machine), and
the functions that took the most time, cumulative, from cProfile.

Rendered parts of pages (newsroom/fragments.py) stay in the cache between requests, as in
production; --cold turns them off, to see what a page costs when nothing of it is kept.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
import urllib.parse
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--staff", action="store_true", help="as bench/suite.py's staff user")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--cached", action="store_true",
                        help="keep the page cache on (Redis database 12, as bench/suite.py)")
    parser.add_argument("--cold", action="store_true",
                        help="no fragments kept either: every part of the page is rendered")
    args = parser.parse_args()

    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        server = os.environ.get("DATABASE_URL", "")
        if not server.startswith(("postgres://", "postgresql://")):
            server = "postgres://postgres@127.0.0.1:5432/postgres"
        os.environ["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/newsroom_bench_archive"
    os.environ.setdefault("DJANGO_MEDIA_ROOT", str(ROOT / "bench" / ".data" / "media"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.serve_settings"
    os.environ["DJANGO_HTTPS"] = "0"
    if args.cached:
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
    else:
        os.environ["NEWSROOM_PAGE_CACHE_SECONDS"] = "0"
    if args.cold:
        os.environ["NEWSROOM_FRAGMENT_CACHE_SECONDS"] = "0"

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    client = Client()
    if args.staff:
        client.force_login(get_user_model().objects.get(username="bench-staff"))
    response = client.get(args.path)
    print(f"{args.path} -> {response.status_code}, {len(response.content):,} bytes "
          f"(database {urllib.parse.urlsplit(os.environ['DATABASE_URL']).path[1:]})")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        client.get(args.path)
        elapsed = time.perf_counter() - started
    sql_time = sum(float(q["time"]) for q in queries.captured_queries)
    print(f"one request: {elapsed * 1000:.1f} ms, {len(queries.captured_queries)} queries "
          f"taking {sql_time * 1000:.1f} ms ({sql_time / elapsed:.0%})")
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")

    # The CPU time this process spends per request: unlike the clock, hardly moved by other
    # work on a busy machine (the database's own time is not in it).
    cpu = []
    for _ in range(args.repeat):
        started = time.process_time()
        client.get(args.path)
        cpu.append(time.process_time() - started)
    cpu.sort()
    print(f"CPU time in this process per request, {args.repeat} requests: least "
          f"{cpu[0] * 1000:.1f} ms, median {cpu[len(cpu) // 2] * 1000:.1f} ms")

    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(args.repeat):
        client.get(args.path)
    profile.disable()
    per_request = (time.perf_counter() - started) / args.repeat
    print(f"\n{args.repeat} requests under cProfile: {per_request * 1000:.1f} ms each "
          "(the profiler adds its own cost)")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
