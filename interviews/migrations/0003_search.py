# Full-text search over interviews: plain-text copies of the introduction and of the
# transcript (guests, sections, questions, answers, closing; never the prep notes) and, on
# PostgreSQL, a GIN-indexed tsvector built from them (see interviews/search.py). The index is
# made here by hand because SQLite has no GIN: on SQLite the vector column simply stays empty.
import django.contrib.postgres.search
from django.db import migrations, models


def index_and_backfill(apps, schema_editor):
    from interviews.search import refresh_search_text

    Interview = apps.get_model("interviews", "Interview")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS interviews_interview_search_gin "
            "ON interviews_interview USING gin (search_vector)"
        )
    for interview in Interview.objects.only("pk", "introduction", "closing").iterator():
        refresh_search_text(interview)  # the texts, and on PostgreSQL the vector


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS interviews_interview_search_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0002_create_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="interview",
            name="introduction_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="interview",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="interview",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_and_backfill, drop_index),
    ]
