# What the text importer last wrote into each story it made, so that importing it again keeps
# the desk's edits where the text did not change (newsroom.reimport). Stories imported before
# remember nothing: their next import writes every field, as imports did until now.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("newsroom", "0003_front_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="importedstory",
            name="imported",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
