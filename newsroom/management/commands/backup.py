"""`manage.py backup [--output PATH]`: the whole newsroom in one archive (newsroom/backup.py)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsroom import backup


class Command(BaseCommand):
    help = ("Write every row and every media file, with a manifest of checksums, to one "
            ".tar.gz archive (readable by its owner only: it holds commenters' emails and IPs).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", default="",
            help="the archive's path, or a folder for it (default: backups/ in the project, "
                 "named newsroom-backup-<UTC time>.tar.gz)")

    def handle(self, *args, output="", **options):
        if not output:
            output = settings.BASE_DIR / "backups"
            os.makedirs(output, mode=0o700, exist_ok=True)
        path = str(output)
        if os.path.isdir(path):
            path = os.path.join(path, backup.default_name())
        verbose = options["verbosity"] > 0
        try:
            manifest = backup.write_backup(
                path, progress=(lambda line: self.stdout.write(f"  {line}")) if verbose
                else (lambda line: None))
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(entry["rows"] for entry in manifest["models"])
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(self.style.SUCCESS(
            f"Backed up {rows} rows of {len(manifest['models'])} models and {media} media "
            f"files to {path} ({os.path.getsize(path)} bytes)."))
        self.stdout.write("It holds commenters' emails and IP addresses and staff password "
                          "hashes: keep it as safe as the database.")
