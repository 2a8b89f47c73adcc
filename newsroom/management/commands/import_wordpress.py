"""python manage.py import_wordpress EXPORT.xml [--media DIR] — move a WordPress site over."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom.wordpress.importer import ExportError, import_export


class Command(BaseCommand):
    help = ("Import a WordPress export (Tools → Export → All content): posts become stories "
            "with their comments, photos and old addresses. Running it again with the same "
            "export updates the same stories and keeps edits made since where the export did "
            "not change.")

    def add_arguments(self, parser):
        parser.add_argument("export", metavar="EXPORT.xml")
        parser.add_argument("--media", metavar="DIR",
                            help="the site's wp-content/uploads folder (or a folder holding "
                                 "wp-content/uploads); without it no images are imported")
        parser.add_argument("--pages", action="store_true",
                            help="import pages too (as stories in the section “Pages”)")
        parser.add_argument("--map-category", action="append", default=[], metavar="SLUG=SECTION",
                            help="put posts of this WordPress category (its slug) in this "
                                 "section (a name or slug; created when missing). Without it a "
                                 "subcategory goes to its top category's section. Repeatable.")

    def handle(self, *args, export, media, pages, map_category, **options):
        path = Path(export)
        if not path.is_file():
            raise CommandError(f"{export}: no such file")
        if media and not Path(media).is_dir():
            raise CommandError(f"--media {media}: no such folder")
        category_map = {}
        for entry in map_category:
            slug, sep, section = entry.partition("=")
            if not sep or not slug.strip() or not section.strip():
                raise CommandError(f"--map-category {entry}: write it as category-slug=Section")
            category_map[slug.strip()] = section.strip()
        started = time.monotonic()
        self._last_drawn = 0.0
        try:
            summary = import_export(str(path), name=export, media=media, pages=pages,
                                    category_map=category_map, progress=self._progress)
        except ExportError as error:
            raise CommandError(f"{error.where(export)}: {error.message}. Nothing was imported.")\
                from None
        self.stderr.write("")
        for line in summary.lines():
            self.stdout.write(line)
        seconds = time.monotonic() - started
        if not summary.ok:
            count = len(summary.failures)
            raise CommandError(f"{count} post{'s' if count != 1 else ''} failed (listed above); "
                               "the rest was imported. Fix them in WordPress or leave them out, "
                               "and run the import again.")
        self.stdout.write(self.style.SUCCESS(f"Imported {export} in {seconds:.1f} s."))

    def _progress(self, done, total, width=30):
        now = time.monotonic()
        if done != total and now - self._last_drawn < 0.2:
            return
        self._last_drawn = now
        total = max(total, done, 1)
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} posts", ending="")
        if sys.stderr.isatty():
            self.stderr.flush()
