"""python manage.py import_story FILE... — plain-text stories into draft articles."""

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles.importing import ImportProblem
from articles.models import Section
from newsroom.importing import import_file


class Command(BaseCommand):
    help = ("Import plain-text stories (wire copy, saved news pages with interviews) as draft "
            "articles. Importing a file again updates the same story.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--publish", action="store_true",
                            help="publish the stories (interviews only when fully answered)")
        parser.add_argument("--create-sections", action="store_true",
                            help="create sections named in breadcrumbs that do not exist yet")
        parser.add_argument("--section", metavar="SLUG",
                            help="section for stories without a breadcrumb")
        parser.add_argument("--quiet-report", action="store_true",
                            help="print one line per file instead of the full report")

    def handle(self, *args, files, publish, create_sections, section, quiet_report, **options):
        fallback = None
        if section:
            fallback = Section.objects.filter(slug=section).first()
            if fallback is None:
                raise CommandError(f"--section {section}: no such section")
        failed, done = [], 0
        show_progress = len(files) > 1
        for number, name in enumerate(files, start=1):
            if show_progress:
                self._progress(number - 1, len(files), name)
            try:
                data = Path(name).read_bytes()
            except OSError as error:
                failed.append((name, error.strerror or str(error)))
                continue
            try:
                result = import_file(name, data, publish=publish,
                                     create_sections=create_sections, section=fallback)
            except ImportProblem as problem:
                failed.append((problem.where(name), problem.message))
                continue
            except (ValidationError, PermissionDenied) as error:
                messages = getattr(error, "messages", [str(error)])
                failed.append((name, "; ".join(messages)))
                continue
            done += 1
            verb = "Imported" if result.created else "Updated"
            status = result.article.get_status_display()
            line = f"{verb} {name} → “{result.article.title}” ({status})"
            if show_progress:
                self._clear_progress()
            self.stdout.write(self.style.SUCCESS(line))
            if not quiet_report:
                for entry in result.report:
                    self.stdout.write(f"  {entry}")
        if show_progress:
            self._progress(len(files), len(files), "")
            self.stderr.write("")
        summary = f"{done} of {len(files)} files imported."
        if failed:
            self.stderr.write(self.style.ERROR(f"{summary} These were not imported:"))
            for where, message in failed:
                self.stderr.write(f"  {where}: {message}")
            raise CommandError(f"{len(failed)} file{'s' if len(failed) != 1 else ''} failed")
        self.stdout.write(summary)

    def _progress(self, done, total, name, width=30):
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} {Path(name).name[:40]:<40}", ending="")
        self.stderr.flush()

    def _clear_progress(self):
        if sys.stderr.isatty():
            self.stderr.write("\r" + " " * 90 + "\r", ending="")
