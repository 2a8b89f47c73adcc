"""python manage.py import_story FILE... — plain-text stories into draft articles."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles import publishing
from articles.importing import ImportProblem
from articles.models import Article, Section
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
        parser.add_argument("--as", dest="username", metavar="USERNAME",
                            help="import as this desk user, with their rights: a reporter may "
                                 "import drafts and update their own, never publish (default: "
                                 "the operator at the shell, who may do everything)")

    def handle(self, *args, files, publish, create_sections, section, quiet_report, username,
               **options):
        by = self._user(username, publish=publish, create_sections=create_sections)
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
                result = import_file(name, data, by=by, publish=publish,
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

    def _user(self, username, *, publish, create_sections):
        """The user named by --as (None without it), refused up front when they may not do
        what the options ask. What each file may overwrite is checked file by file."""
        if username is None:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise CommandError(f"--as {username}: no such active user")
        if not (user.is_staff and publishing.can_add(user, Article)):
            raise CommandError(f"--as {username}: this user may not add stories")
        if publish and not publishing.can_publish(user, Article):
            raise CommandError(f"--as {username}: only editors can publish; import without "
                               "--publish to leave drafts for an editor")
        if create_sections and not publishing.can_add(user, Section):
            raise CommandError(f"--as {username}: this user may not create sections")
        return user

    def _progress(self, done, total, name, width=30):
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} {Path(name).name[:40]:<40}", ending="")
        self.stderr.flush()

    def _clear_progress(self):
        if sys.stderr.isatty():
            self.stderr.write("\r" + " " * 90 + "\r", ending="")
