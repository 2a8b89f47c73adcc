"""Server time of the admin change lists (and a few public pages) on an archive-sized database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_archive_e \
        .venv/bin/python bench/admin_lists.py [--runs 3] [--json out.json] [--compare before.json]

Fill the database first with `manage.py generate_archive --articles 100000 --comments 1000000`
(bench/README.md, "Admin lists at archive scale"). The script writes nothing but a superuser
of its own (`bench-admin-lists`), logs it in through Django's test client and times each admin
address the desk uses: the story list with every list filter, a search, every sortable column
both ways, page 2 and a far page; the moderation queue as it opens (pending first, cleanest
first), every status filter, searches for a commenter by email, name and IP, every sortable
column, a far page. Then the public pages readers load most (front, section, tag, author, the
showcase story with its 200 comments), rendered fresh (page cache off), as a reader.

Each address is requested once to warm up, then --runs times; the table gives the median
server time (the test client's call, so middleware, view, queries and template, no network),
the number of queries, and the slowest query's time. --compare prints the figures of an
earlier --json run beside the new ones.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.search_settings"

USERNAME = "bench-admin-lists"


def admin_pages():
    """(label, address) for each admin change list view measured."""
    from django.db.models import Count

    from articles.admin import ArticleAdmin
    from articles.models import Article, Author, Section
    from comments.admin import CommentAdmin
    from comments.models import Comment

    section = Section.objects.order_by("pk").first()
    # The busiest author and tag: the filters that match most stories cost most.
    author = (Author.objects.annotate(n=Count("articleauthor")).order_by("-n", "pk").first())
    from taggit.models import Tag

    tag = Tag.objects.annotate(n=Count("taggit_taggeditem_items")).order_by("-n", "pk").first()
    year = Article.objects.exclude(publish_at=None).order_by("-publish_at").first().publish_at.year
    commenter = (Comment.objects.exclude(ip=None).order_by("-pk")
                 .values("email", "author_name", "ip").first())

    stories = "/admin/articles/article/"
    pages = [("stories", stories)]
    for value, _ in Article.Status.choices:
        pages.append((f"stories, status={value}", f"{stories}?status__exact={value}"))
    pages += [
        ("stories, section", f"{stories}?section__id__exact={section.pk}"),
        ("stories, author", f"{stories}?authors__id__exact={author.pk}"),
        ("stories, tag", f"{stories}?tag={tag.pk}"),
        ("stories, section + published",
         f"{stories}?section__id__exact={section.pk}&status__exact=published"),
        ("stories, publish year", f"{stories}?publish_at__year={year}"),
    ]
    for value, _ in Article.CommentMode.choices:
        pages.append((f"stories, comments {value}", f"{stories}?comment_mode__exact={value}"))
    pages += [
        ("stories, search a word", f"{stories}?q=ceasefire"),
        ("stories, search an author", f"{stories}?q={author.name.split()[-1]}"),
        ("stories, search nothing found", f"{stories}?q=zzzqqq"),
    ]
    pages += _orderings("stories", stories, ArticleAdmin, Article)
    pages += [("stories, page 2", f"{stories}?p=2"),
              ("stories, far page", f"{stories}?p=900")]

    queue = "/admin/comments/comment/"
    pages.append(("queue", queue))
    for value, _ in Comment.Status.choices:
        pages.append((f"queue, status={value}", f"{queue}?status__exact={value}"))
    pages += [
        ("queue, featured", f"{queue}?featured__exact=1"),
        ("queue, on interviews", f"{queue}?on=interview"),
        ("queue, search email", f"{queue}?q={commenter['email']}"),
        ("queue, search name", f"{queue}?q={commenter['author_name'].replace(' ', '+')}"),
        ("queue, search first name", f"{queue}?q={commenter['author_name'].split()[0]}"),
        ("queue, search IP", f"{queue}?q={commenter['ip']}"),
        ("queue, search a word", f"{queue}?q=casino"),
        ("queue, pending + search name",
         f"{queue}?status__exact=pending&q={commenter['author_name'].split()[-1]}"),
    ]
    pages += _orderings("queue", queue, CommentAdmin, Comment)
    pages += [("queue, page 2", f"{queue}?p=2"), ("queue, far page", f"{queue}?p=15000")]
    return pages


def _orderings(name, url, model_admin, model):
    """?o=N and ?o=-N for every column the change list can sort by."""
    from django.contrib.admin.utils import label_for_field
    from django.core.exceptions import FieldDoesNotExist

    pages = []
    for index, field in enumerate(model_admin.list_display, 1):
        try:
            model._meta.get_field(field)
        except FieldDoesNotExist:  # a method: sortable only with an ordering of its own
            if not getattr(getattr(model_admin, field, None), "admin_order_field", None):
                continue
        label = label_for_field(field, model, model_admin)
        pages.append((f"{name}, by {label}", f"{url}?o={index}"))
        pages.append((f"{name}, by {label} desc", f"{url}?o=-{index}"))
    return pages


def public_pages():
    from django.db.models import Count

    from articles.models import Author
    from newsroom.archive import showcase_urls

    urls = showcase_urls()
    if not urls:
        raise SystemExit("No generated archive here: run `manage.py generate_archive` first.")
    author = Author.objects.annotate(n=Count("articleauthor")).order_by("-n", "pk").first()
    return [("front page", "/"), ("section page", urls["section"]), ("tag page", urls["tag"]),
            ("author page", author.get_absolute_url()),
            ("article, 200 comments", urls["article"])]


def measure(client, url, runs):
    from django.db import connection
    from django.db.utils import OperationalError
    from django.test.utils import CaptureQueriesContext

    try:
        response = client.get(url)  # warm: templates, connection, the server's buffers
    except OperationalError:  # the statement timeout: a page far too slow to time again
        return {"ms": None, "status": "timeout", "queries": 0, "slowest_query_ms": None}
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
    slowest = max((float(q["time"]) for q in queries.captured_queries), default=0.0)
    return {"ms": statistics.median(times) * 1000, "status": response.status_code,
            "queries": len(queries.captured_queries), "slowest_query_ms": slowest * 1000}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed requests per address")
    parser.add_argument("--only", default="", help="only addresses whose label contains this")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--compare", help="a --json file of an earlier run, shown beside")
    parser.add_argument("--timeout", type=int, default=60,
                        help="seconds a query may run before the page counts as timed out")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database holding the archive.")

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db.backends.signals import connection_created
    from django.test import Client
    from django.test.utils import override_settings

    from articles.models import Article
    from comments.models import Comment

    def statement_timeout(connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)",
                           [f"{args.timeout}s"])

    connection_created.connect(statement_timeout)
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(USERNAME, f"{USERNAME}@example.org", None)
    staff = Client()
    staff.force_login(user)
    reader = Client()

    before = {}
    if args.compare:
        before = {row["label"]: row for row in json.loads(Path(args.compare).read_text())["rows"]}

    print(f"{Article.objects.count():,} stories, {Comment.objects.count():,} comments; "
          f"median of {args.runs}, server time (Django test client)")
    rows = []
    with override_settings(NEWSROOM_PAGE_CACHE_SECONDS=0):
        for kind, client, pages in (("admin", staff, admin_pages()),
                                    ("public", reader, public_pages())):
            for label, url in pages:
                if args.only and args.only not in label:
                    continue
                row = {"label": label, "url": url, "kind": kind,
                       **measure(client, url, args.runs)}
                rows.append(row)
                print(f"{label:42} {_ms(before.get(label, {}).get('ms'))} {_ms(row['ms'])} "
                      f"{row['queries']:4} q {_ms(row['slowest_query_ms'])} slowest  "
                      f"{row['status']}  {url}", flush=True)
                if args.json:
                    Path(args.json).write_text(json.dumps(
                        {"when": datetime.now(UTC).isoformat(timespec="seconds"),
                         "runs": args.runs, "rows": rows}, indent=1))
    slow = [row for row in rows if row["kind"] == "admin" and (row["ms"] or 1e9) >= 500]
    print(f"admin lists over 0.5 s: {len(slow)} of "
          f"{sum(row['kind'] == 'admin' for row in rows)}")


def _ms(value):
    if value is None:
        return " " * 10
    return f"{value:7.0f} ms"


if __name__ == "__main__":
    main()
