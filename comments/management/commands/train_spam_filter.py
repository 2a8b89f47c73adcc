from django.core.management.base import BaseCommand

from comments import bayes


class Command(BaseCommand):
    help = ("Rebuild the learned spam filter from every comment a moderator approved or marked "
            "as spam (forgetting what it knew before).")

    def handle(self, *args, **options):
        ham, spam = bayes.retrain()
        tokens = bayes.SpamToken.objects.count()
        self.stdout.write(self.style.SUCCESS(
            f"Trained the spam filter on {ham + spam} decided comments "
            f"({ham} approved, {spam} spam): {tokens} words known."
        ))
