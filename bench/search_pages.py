"""The benchmark's own searches, timed one at a time in one process: wall, CPU and SQL time.

    .venv/bin/python bench/search_pages.py --database-url postgres://…/archive [--rounds 10]

Loads what bench/suite.py rotates through under wrk (newsroom.archive.showcase_urls():
the showcase story's word and the SEARCH_SAMPLES) through the full middleware with Django's
test client, page cache off, `--rounds` times each in turn, and prints per request the
median and p95 of the wall time, of this process's CPU time (steadier on a busy machine)
and of the time the database took (the queries' own clock), plus the query count, for all
searches together and for each one.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.serve_settings"
    os.environ["DJANGO_HTTPS"] = "0"
    os.environ["NEWSROOM_PAGE_CACHE_SECONDS"] = "0"
    os.environ.setdefault("DJANGO_MEDIA_ROOT", str(ROOT / "bench" / ".data" / "media"))

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from newsroom.archive import showcase_urls

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    paths = showcase_urls().get("searches")
    if not paths:
        raise SystemExit("No generated archive in that database (manage.py generate_archive)")
    client = Client()
    for path in paths:  # warm up: connections, templates, the footer's cached links
        assert client.get(path).status_code == 200, path

    timings = {path: [] for path in paths}
    for _ in range(args.rounds):
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                wall, cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            assert response.status_code == 200, path
            sql = sum(float(query["time"]) for query in queries.captured_queries)
            timings[path].append((wall, cpu, sql, len(queries.captured_queries)))

    def line(label, rows):
        columns = []
        for index in range(3):
            values = [row[index] * 1000 for row in rows]
            columns.append(f"{statistics.median(values):7.1f} {p95(values):7.1f}")
        queries = max(row[3] for row in rows)
        print(f"{label:<32} {'  '.join(columns)}  {queries:3d}")

    print(f"{'':<32} {'wall ms':>15}  {'CPU ms':>15}  {'SQL ms':>15}  queries")
    print(f"{'':<32} {'median     p95':>15}  {'median     p95':>15}  {'median     p95':>15}")
    line(f"all ({len(paths)} × {args.rounds})", [row for rows in timings.values() for row in rows])
    for path, rows in timings.items():
        line(path.removeprefix("/search/?q="), rows)


if __name__ == "__main__":
    main()
