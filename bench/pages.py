"""Throughput of the public pages against a bare Django page, measured in one run.

    .venv/bin/python bench/pages.py [--seconds 3]

Loads the demo content into a throwaway database, then requests each page through the full
middleware stack (Django's test client, one process) for a fixed time and prints requests per
second and the ratio to the bare page. The machine is shared and noisy: compare ratios, not
absolute numbers. With DATABASE_URL set it runs on that database instead of SQLite.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"


def measure(client, path, seconds):
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        client.get(path)
        count += 1
    return count / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per page")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings

    from articles.models import Article, Section

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    story = Article.objects.published().select_related("section").first()
    tag = story.tags.first()
    pages = {
        "bare Django page": "/bench/bare/",
        "front page": "/",
        "section page": Section.objects.first().get_absolute_url(),
        "article page": story.get_absolute_url(),
        "tag page": f"/tags/{tag.slug}/",
        "author page": story.authors.first().get_absolute_url(),
    }
    client = Client()
    results = {name: measure(client, path, args.seconds) for name, path in pages.items()}
    # The front page as rendered for staff, or on a cache miss.
    with override_settings(NEWSROOM_PAGE_CACHE_SECONDS=0):
        results["front page, uncached"] = measure(client, "/", args.seconds)
    floor = results["bare Django page"]
    print(f"{'page':<20} {'req/s':>9} {'vs bare':>9}")
    for name, rate in results.items():
        print(f"{name:<20} {rate:>9.0f} {rate / floor:>8.2f}x")


if __name__ == "__main__":
    main()
