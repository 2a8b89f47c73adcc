import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0004_admin_list_indexes"),
        ("interviews", "0004_segment_is_called_part"),
        ("newsroom", "0001_wordpress"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportedStory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("source_key", models.CharField(blank=True, max_length=520, null=True,
                                                unique=True)),
                ("text_key", models.CharField(db_index=True, max_length=64)),
                ("file_name", models.CharField(
                    blank=True, help_text="The file the story was last imported from.",
                    max_length=255)),
                ("first_imported_at", models.DateTimeField(auto_now_add=True)),
                ("last_imported_at", models.DateTimeField(auto_now=True)),
                ("article", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, related_name="import_record",
                    to="articles.article")),
                ("interview", models.ForeignKey(
                    blank=True, help_text="The interview the same file brought, if any.",
                    null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to="interviews.interview")),
            ],
            options={
                "verbose_name": "imported story",
                "verbose_name_plural": "imported stories",
            },
        ),
    ]
