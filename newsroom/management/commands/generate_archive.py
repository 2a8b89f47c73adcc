"""Fill the database with a made-up archive at newsroom scale, for benchmarks.

    manage.py generate_archive --articles 100000 --comments 1000000 [--interviews N] [--seed N]
    manage.py generate_archive --show [--json]     # where the newest archive's pages are

Bulk inserts in batches, all in one transaction (newsroom/archive.py says what is made and
how). A second run adds another archive of the given size and reuses sections, authors, guests,
tags and photos. Meant for a database of its own (bench/suite.py uses newsroom_bench_archive),
never for the newsroom's real one.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from newsroom import archive

MINIMUM_COMMENTS = archive.SHOWCASE_COMMENTS


class Command(BaseCommand):
    help = "Write a made-up archive (stories, interviews, comments) with bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000,
                            help="stories to write (default 100,000)")
        parser.add_argument("--comments", type=int, default=1_000_000,
                            help=f"comments to write (default 1,000,000; at least "
                                 f"{MINIMUM_COMMENTS}, the showcase story's)")
        parser.add_argument("--interviews", type=int, default=None,
                            help="interviews to write (default: one per 100 stories)")
        parser.add_argument("--seed", type=int, default=1,
                            help="random seed: the same seed on the same database writes the "
                                 "same stories, comments and interviews (their times relative "
                                 "to the moment of the run)")
        parser.add_argument("--authors", type=int, default=300)
        parser.add_argument("--guests", type=int, default=300)
        parser.add_argument("--tags", type=int, default=3_000)
        parser.add_argument("--photos", type=int, default=6,
                            help="photo rows (drawn, uploaded through the photo service) that "
                                 "the stories share")
        parser.add_argument("--years", type=int, default=5,
                            help="publication times spread over this many years")
        parser.add_argument("--show", action="store_true",
                            help="write nothing: print the pages of the newest archive")
        parser.add_argument("--json", action="store_true",
                            help="print the pages (and counts) as JSON on the last line")

    def handle(self, *args, **options):
        if options["show"]:
            urls = archive.showcase_urls()
            if not urls:
                raise CommandError("No generated archive in this database: run "
                                   "`manage.py generate_archive` first.")
            self._print_urls(urls, {}, options["json"])
            return
        size = self._size(options)
        self.stdout.write(
            f"Writing {size.articles:,} stories, {size.interviews:,} interviews and "
            f"{size.comments:,} comments (seed {size.seed}) …"
        )
        stream = getattr(self.stderr, "_out", None)
        report = archive.generate(size, progress=archive.Progress(stream))
        seconds = sum(report.seconds.values())
        counts = report.counts
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {counts['stories']:,} stories ({counts['public stories']:,} public), "
            f"{counts['interviews']:,} interviews ({counts['public interviews']:,} public), "
            f"{counts['comments']:,} comments ({counts['comments approved']:,} approved, "
            f"{counts['comments pending']:,} pending, {counts['comments rejected']:,} rejected, "
            f"{counts['comments spam']:,} spam; {counts['comments replies']:,} replies) "
            f"in {seconds:.0f} s."
        ))
        self._print_urls(report.urls, {**counts, "seconds": report.seconds}, options["json"])

    def _size(self, options):
        for name, low in (("articles", 10), ("comments", MINIMUM_COMMENTS), ("interviews", 1),
                          ("authors", 1), ("guests", 3), ("tags", 1), ("photos", 0),
                          ("years", 1)):
            value = options[name]
            if value is not None and value < low:
                raise CommandError(f"--{name} must be at least {low} (got {value}).")
        return archive.ArchiveSize(
            articles=options["articles"], comments=options["comments"],
            interviews=options["interviews"], seed=options["seed"],
            authors=options["authors"], guests=options["guests"], tags=options["tags"],
            photos=options["photos"], years=options["years"],
        )

    def _print_urls(self, urls, counts, as_json):
        labels = [
            ("article", "article (200 approved comments, interview, tags, photo, related)"),
            ("interview", "interview"), ("section", "section"), ("tag", "tag"),
            ("search", "search"), ("feed", "feed"), ("admin_articles", "admin, stories"),
            ("admin_comments", "admin, moderation queue"),
        ]
        self.stdout.write("Pages to load:")
        for key, label in labels:
            self.stdout.write(f"  {label}: {urls.get(key) or '(none)'}")
        if as_json:
            self.stdout.write(json.dumps({"urls": urls, "counts": counts}))
