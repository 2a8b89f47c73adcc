"""`manage.py make_renditions`: remake the WebP renditions of every photo that lacks one of the
widths configured now (NEWSROOM_PHOTO_WIDTHS) or whose files are missing. Run it after
changing the widths; photos already in step are left alone, so running it again does nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from PIL import UnidentifiedImageError

from articles.images import renditions_current, store_renditions
from articles.models import Photo


class Command(BaseCommand):
    help = "Remake photos' renditions at the configured widths (NEWSROOM_PHOTO_WIDTHS)."

    def handle(self, *args, **options):
        remade, current, failed = 0, 0, []
        for photo in Photo.objects.exclude(image="").order_by("pk").iterator():
            if renditions_current(photo):
                current += 1
                continue
            if not photo.image.storage.exists(photo.image.name):
                failed.append(f"photo {photo.pk}: its file {photo.image.name} is missing")
                continue
            try:
                store_renditions(photo)
            except (OSError, UnidentifiedImageError) as error:
                failed.append(f"photo {photo.pk}: {photo.image.name} could not be read ({error})")
                continue
            # Pages showing the photo are drawn again with its new addresses.
            photo.save(update_fields=["renditions"])
            remade += 1
        self.stdout.write(self.style.SUCCESS(
            f"Remade the renditions of {remade} photo(s); {current} already had them."))
        if failed:
            raise CommandError("Left as they were:\n  " + "\n  ".join(failed))
