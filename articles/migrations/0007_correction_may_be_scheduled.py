# A correction dated in the future is scheduled: readers see it from that time (the admin's
# help text says so). Only the help text changes in the database's model state.
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_body_text_by_block"),
    ]

    operations = [
        migrations.AlterField(
            model_name="correction",
            name="published_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="Shown with the note. A future time schedules it: readers see it "
                          "from then.",
            ),
        ),
    ]
