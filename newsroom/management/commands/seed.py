"""`manage.py seed`: the demo newsroom from seeds/, in one transaction.

The stories (with the staff logins, sections, authors and photos) come from articles.seeding,
the interviews from interviews.seeding, the comments from comments.seeding; this command only
puts them together. Any failure leaves the database as it was, and takes away the photo files
drawn for it. Running it again changes nothing (each loader says how).
"""

import io
import os

from django.core.management.base import BaseCommand, OutputWrapper
from django.db import transaction

from articles import seeding as article_seeding
from comments import seeding as comment_seeding
from interviews import seeding as interview_seeding
from newsroom.models import Page


class Command(BaseCommand):
    help = "Load the demo sections, authors, staff logins, photos and stories from seeds/."

    def handle(self, *args, **options):
        password = os.environ.get("NEWSROOM_DEMO_PASSWORD", "")
        # The other loaders' reports, printed once everything is saved.
        reports = io.StringIO()
        later = OutputWrapper(reports)
        new_files = []
        with article_seeding.removed_on_failure(new_files), transaction.atomic():
            newsroom = article_seeding.load_demo_stories(password=password, new_files=new_files)
            interview_seeding.load_demo_interviews(later)
            comment_seeding.load_comments(stdout=later)
            load_demo_pages()
        self.stdout.write(self.style.SUCCESS(newsroom.summary))
        self.stdout.write("Demo logins (staff; sign in at /admin/):")
        for username, how in newsroom.logins.items():
            if how is None:
                self.stdout.write(f"  {username} (already existed; password unchanged)")
            elif how == article_seeding.FROM_ENVIRONMENT:
                self.stdout.write(f"  {username} ({how})")
            else:
                self.stdout.write(f"  {username} / {how}")
        self.stdout.write(reports.getvalue(), ending="")


DEMO_PAGES = [
    ("about", "About us", 0,
     "<p>We are an independent newsroom. Our reporters and editors choose what we cover, and "
     "every story is read by a second editor before it is published.</p>"
     "<p>When we get something wrong we say so: corrections are shown under the story they "
     "belong to, with the date they were made.</p>"),
    ("contact", "Contact", 1,
     "<p>Tips, corrections and letters reach the desk at <a href=\"mailto:desk@example.org\">"
     "desk@example.org</a>.</p><p>We read everything; we cannot answer every message.</p>"),
]


def load_demo_pages():
    """The footer's about and contact pages; edits made on the desk are kept."""
    for slug, title, position, body in DEMO_PAGES:
        Page.objects.get_or_create(slug=slug, defaults={
            "title": title, "position": position, "body": body})
