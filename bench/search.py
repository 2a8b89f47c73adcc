"""Search latency on PostgreSQL with a newsroom-sized archive (100,000 stories by default).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench .venv/bin/python bench/search.py

Creates the database if it is missing, migrates it, fills it with published stories written
from a word list (bulk inserts, then one UPDATE for the search vectors, then ANALYZE), and
times random one- to three-word searches two ways: the whole page (GET /search/?q= through
the middleware stack with Django's test client) and the search itself (articles.search.search()
on the same queryset the view uses, first page of 20, with snippets). A bare Django page is
timed the same way for comparison. Prints count, median, p95 and max in milliseconds.

The database is kept: --keep reuses it when it already holds --articles stories. SQLite has
no full-text index, so this benchmark refuses to run there.
"""

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.search_settings"

BATCH = 5_000

# Words a news archive is made of; the text generator draws them with Zipf-like frequencies,
# so a few are everywhere and most are rare, as in real text.
def _words(text):
    return text.split()


NEWS_WORDS = _words("""
government minister president election vote parliament party leader opposition coalition
policy budget tax economy inflation prices market bank interest rates growth recession jobs
unemployment workers union strike wages trade tariff exports imports industry factory energy
oil gas electricity power grid renewable solar wind nuclear climate emissions carbon warming
flood drought storm hurricane earthquake wildfire heatwave rain snow weather forecast river
coast sea ocean island mountain valley city town village region province state country nation
border refugee migrants asylum police court judge trial verdict sentence prison law bill
reform rights protest demonstration rally crowd march violence attack security military army
troops soldiers war conflict ceasefire truce talks peace agreement treaty summit diplomat
embassy sanctions ambassador foreign defence missile drone weapons navy air force commander
general officer investigation inquiry report evidence witness crime murder fraud corruption
scandal resignation campaign candidate poll survey voters turnout ballot result victory defeat
majority minority seat council mayor governor senator congress assembly committee hearing
health hospital doctor nurse patients disease virus vaccine outbreak pandemic cancer treatment
drug medicine research study scientists university school students teachers education exam
children families parents housing rent homes property construction transport railway train
station airport flight airline passengers road traffic accident crash bridge tunnel port ship
cargo shipping supply chain shortage food farmers harvest crops wheat rice water pollution
waste plastic recycling forest wildlife species conservation park zoo museum exhibition art
artist music concert festival film cinema theatre book author novel prize award ceremony
football match team coach player goal league cup championship tournament olympics athlete
race record season club stadium fans transfer injury final semifinal victory draw penalty
technology internet software company startup investors shares profit loss revenue quarter
chief executive board merger acquisition deal contract billion million thousand percent
figures data statistics analysis experts official spokesperson statement announcement
interview press conference media newspaper television radio journalist editor reporter
social network platform privacy online users phone app device computer robot artificial
intelligence space rocket satellite mission launch moon planet telescope discovery ancient
history heritage religion church mosque temple festival holiday tourism tourists hotel
restaurant chef prices consumers shops retail sales online delivery cars electric vehicles
battery charging emissions standards regulation agency authority ministry department
spending cuts debt deficit loan bailout pension retirement benefits welfare poverty charity
volunteers aid donation humanitarian crisis emergency rescue relief shelter evacuation
damage casualties victims survivors funeral memorial anniversary celebration
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december morning evening night week month year
decade century early late first second third last next previous former current new old
major minor key central local national international global regional rural urban northern
southern eastern western public private independent senior junior young elderly
said told says announced warned claimed denied confirmed agreed rejected approved launched
increased decreased rose fell climbed dropped doubled expected planned proposed signed
arrested charged accused convicted released freed killed injured wounded missing found
opened closed built destroyed damaged repaired reported revealed published leaked
""")

FUNCTION_WORDS = _words("""
the the the the of of of and and and to to to a a in in is was for on that with as by at
from it its this be are were has have had not but or an which their they after before
over under about into more than also while when where who will would could should
""")

SYLLABLES = ["ka", "lo", "mi", "ra", "ven", "tor", "sa", "del", "bar", "an", "ost", "ur",
             "zem", "pol", "gra", "nik", "ta", "rin", "hol", "mar", "es", "ly", "qu", "ber"]


def name_words(rng, count):
    """Place and person names: the long tail of a news archive's vocabulary."""
    names = set()
    while len(names) < count:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(names)


class Writer:
    def __init__(self, seed, stream=0):
        # The vocabulary and its frequencies depend on `seed` only, so the queries (another
        # `stream`) use the words at the same frequencies as the stories do.
        self.rng = random.Random(seed)
        vocabulary = NEWS_WORDS + name_words(self.rng, 4_000)
        self.rng.shuffle(vocabulary)
        self.rng.seed(f"{seed}-{stream}")
        self.vocabulary = vocabulary
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(vocabulary))]
        total, self.cum_weights = 0.0, []
        for weight in weights:
            total += weight
            self.cum_weights.append(total)

    def words(self, count):
        content = self.rng.choices(self.vocabulary, cum_weights=self.cum_weights, k=count)
        function = self.rng.choices(FUNCTION_WORDS, k=count)
        return [f if self.rng.random() < 0.35 else c for c, f in zip(content, function,
                                                                      strict=True)]

    def sentence(self, low=8, high=22):
        words = self.words(self.rng.randint(low, high))
        return " ".join(words).capitalize() + "."

    def paragraph(self):
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def story(self):
        title = " ".join(self.words(self.rng.randint(5, 10))).capitalize()
        standfirst = self.sentence(14, 28)
        paragraphs = [self.paragraph() for _ in range(self.rng.randint(3, 7))]
        return title, standfirst, paragraphs

    def query(self):
        # Readers search for what the news is about: words as frequent as in the stories,
        # so common words (many matches, the costly case) come up as often as rare names.
        count = self.rng.randint(1, 3)
        return " ".join(self.rng.choices(self.vocabulary, cum_weights=self.cum_weights, k=count))


def ensure_database(url):
    """Create the benchmark database if the server does not have it yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    try:
        psycopg.connect(url, connect_timeout=5).close()
        return
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise SystemExit(f"Cannot connect to {url}: {error}") from error
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    print(f"created database {config['NAME']}")


def generate(count, seed):
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from articles import search as article_search
    from articles.models import Article, ArticleAuthor, Author, Section

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Everything that refers to a story goes too; this is the benchmark's own database.
        cursor.execute("TRUNCATE articles_article RESTART IDENTITY CASCADE")
    sections = [
        Section.objects.get_or_create(slug=slug, defaults={"name": slug.title(), "order": n})[0]
        for n, slug in enumerate(["world", "politics", "business", "science", "health",
                                  "sport", "culture", "technology"])
    ]
    authors = [
        Author.objects.get_or_create(slug=f"bench-reporter-{n}",
                                     defaults={"name": f"Bench Reporter {n}"})[0]
        for n in range(40)
    ]
    writer = Writer(seed)
    now = timezone.now()
    span = int(timedelta(days=3 * 365).total_seconds())
    made = 0
    while made < count:
        batch = []
        for n in range(made, min(count, made + BATCH)):
            title, standfirst, paragraphs = writer.story()
            batch.append(Article(
                title=title[:200], slug=f"{slugify(title)[:180]}-{n}", standfirst=standfirst,
                body="".join(f"<p>{p}</p>" for p in paragraphs),
                body_text=" ".join(paragraphs), section=writer.rng.choice(sections),
                status=Article.Status.PUBLISHED,
                publish_at=now - timedelta(seconds=writer.rng.randint(60, span)),
            ))
        with transaction.atomic():
            stories = Article.objects.bulk_create(batch, batch_size=BATCH)
            ArticleAuthor.objects.bulk_create(
                [ArticleAuthor(article=story, author=writer.rng.choice(authors))
                 for story in stories], batch_size=BATCH,
            )
        made += len(batch)
        print(f"\r  inserted {made:,} stories", end="", flush=True)
    print(f" ({time.perf_counter() - started:.0f} s)")

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # One UPDATE for every row; the index is rebuilt afterwards, which is much faster
        # than maintaining it row by row. Same definition as migration 0003.
        cursor.execute("DROP INDEX IF EXISTS articles_article_search_gin")
    Article.objects.update(search_vector=article_search.search_vector())
    with connection.cursor() as cursor:
        # The UPDATE left a dead copy of every row; a live newsroom's table has no such
        # bloat, so compact it before measuring.
        cursor.execute("VACUUM FULL articles_article")
        cursor.execute("CREATE INDEX articles_article_search_gin "
                       "ON articles_article USING gin (search_vector)")
        cursor.execute("ANALYZE articles_article")
        cursor.execute("ANALYZE articles_articleauthor")
    print(f"  search vectors, compaction, index and ANALYZE: "
          f"{time.perf_counter() - started:.0f} s")


def match_counts(queries):
    """How many public stories each query matches in all (search() ranks the newest 1,000)."""
    from django.conf import settings
    from django.contrib.postgres.search import SearchQuery
    from django.db import connection

    from articles import search as article_search
    from articles.models import Article

    counts = []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # the GIN bitmap counts fastest
        try:
            for query in queries:
                cleaned = article_search.clean_query(query)
                ts_query = SearchQuery(cleaned, search_type="websearch",
                                       config=settings.NEWSROOM_SEARCH_CONFIG)
                counts.append(Article.objects.published().filter(search_vector=ts_query)
                              .count())
        finally:
            cursor.execute("RESET enable_seqscan")
    return counts


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def report(name, timings):
    ms = [t * 1000 for t in timings]
    print(f"{name:<34} {len(ms):>6} {statistics.median(ms):>9.1f} "
          f"{percentile(ms, 0.95):>9.1f} {max(ms):>9.1f}")


def timed(functions, arguments):
    """{name: [seconds per argument]}, the functions taking turns on each argument so that
    none of them profits from the caches another one warmed."""
    timings = {name: [] for name in functions}
    for turn, argument in enumerate(arguments):
        names = list(functions)
        names = names[turn % len(names):] + names[:turn % len(names)]
        for name in names:
            started = time.perf_counter()
            functions[name](argument)
            timings[name].append(time.perf_counter() - started)
    return timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="stories in the archive")
    parser.add_argument("--queries", type=int, default=200, help="searches to time")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the database if it already holds --articles stories")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (text, queries)")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE of the slowest query of the search")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "bench/search.py measures PostgreSQL full-text search and needs a PostgreSQL "
            "DATABASE_URL, e.g.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/"
            "newsroom_bench .venv/bin/python bench/search.py\n(SQLite has no full-text "
            "index; its fallback search is not what this benchmark is about.)"
        )
    ensure_database(url)

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic needed
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from articles import search as article_search
    from articles.models import Article

    if connection.vendor != "postgresql":
        raise SystemExit("bench/search.py runs on PostgreSQL only.")
    call_command("migrate", verbosity=0)

    existing = Article.objects.published().count()
    if args.keep and existing == args.articles:
        print(f"reusing {existing:,} stories in {connection.settings_dict['NAME']}")
        if Article.objects.filter(search_vector__isnull=True).exists():
            Article.objects.filter(search_vector__isnull=True).update(
                search_vector=article_search.search_vector())
    else:
        print(f"generating {args.articles:,} stories in {connection.settings_dict['NAME']}")
        generate(args.articles, args.seed)

    writer = Writer(args.seed, stream=1)
    queries = [writer.query() for _ in range(args.queries)]
    client = Client()

    def page(query):
        response = client.get(f"/search/?q={quote(query)}")
        if response.status_code != 200:
            raise SystemExit(f"/search/?q={query} answered {response.status_code}")

    shown = []

    def first_page(query):
        results = list(article_search.search(Article.objects.for_listing(), query)[:20])
        for article in results:
            article.snippet = article_search.snippet(article, query)
        shown.append(len(results))

    def bare(_):
        client.get("/bench/bare/")

    for query in queries[:10]:  # warm up connections, caches and templates
        page(query)
        first_page(query)
    shown.clear()

    matches = match_counts(queries)
    results = timed({
        "bare Django page": bare,
        "GET /search/?q= (whole page)": page,
        "search() first 20 + snippets": first_page,
    }, queries)
    print()
    print(f"{len(queries)} queries of 1-3 words; public stories matched per query: median "
          f"{statistics.median(matches):,.0f}, p95 {percentile(matches, 0.95):,}, max "
          f"{max(matches):,}; {sum(1 for n in matches if n == 0)} found nothing, "
          f"{sum(1 for n in matches if n > article_search.RESULT_LIMIT)} more than "
          f"{article_search.RESULT_LIMIT:,}")
    print(f"{'':<34} {'count':>6} {'median':>9} {'p95':>9} {'max':>9}   (ms)")
    for name, timings in results.items():
        report(name, timings)
    floor = statistics.median(results["bare Django page"])
    whole = statistics.median(results["GET /search/?q= (whole page)"])
    print(f"search page median is {whole / floor:.1f}x the bare page's")

    if args.explain:
        slowest = max(zip(results["search() first 20 + snippets"], queries, strict=True))[1]
        print(f"\nEXPLAIN ANALYZE, slowest query {slowest!r} (finding and ranking):")
        print(article_search.explain(Article.objects.for_listing(), slowest))


if __name__ == "__main__":
    main()
