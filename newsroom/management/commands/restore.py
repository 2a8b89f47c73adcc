"""`manage.py restore FILE`: an archive from `manage.py backup` into an empty database."""

from django.core.management.base import BaseCommand, CommandError

from newsroom import backup


class Command(BaseCommand):
    help = ("Restore an archive made by manage.py backup into an empty database and media "
            "folder (migrating the database first if it has no tables). Checks the whole "
            "archive before changing anything.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .tar.gz archive made by manage.py backup")

    def handle(self, *args, file, **options):
        verbose = options["verbosity"] > 0
        try:
            restored = backup.restore_backup(
                file, progress=(lambda line: self.stdout.write(f"  {line}")) if verbose
                else (lambda line: None))
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        for note in restored.notes:
            self.stdout.write(self.style.WARNING(f"Note: {note}"))
        self.stdout.write(self.style.SUCCESS(
            f"Restored {sum(restored.rows.values())} rows of {len(restored.rows)} models and "
            f"{restored.files} media files from {file}; the cache was cleared."))
