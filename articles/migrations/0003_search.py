# Full-text search: a plain-text copy of the body and, on PostgreSQL, a GIN-indexed
# tsvector that Article.save() keeps current. The index is made here by hand because
# SQLite has no GIN: on SQLite the vector column simply stays empty.
import django.contrib.postgres.search
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models


def index_and_backfill(apps, schema_editor):
    from articles.search import plain_text

    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("pk", "body").iterator():
        Article.objects.filter(pk=article.pk).update(body_text=plain_text(article.body))
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS articles_article_search_gin "
        "ON articles_article USING gin (search_vector)"
    )
    config = settings.NEWSROOM_SEARCH_CONFIG
    Article.objects.update(search_vector=(
        SearchVector("title", weight="A", config=config)
        + SearchVector("standfirst", weight="B", config=config)
        + SearchVector("body_text", weight="C", config=config)
    ))


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS articles_article_search_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_create_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="body_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_and_backfill, drop_index),
    ]
