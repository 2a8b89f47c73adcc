# Full-text search: a plain-text copy of the body and, on PostgreSQL, a GIN-indexed
# tsvector that Article.save() keeps current. The index is made here by hand because
# SQLite has no GIN: on SQLite the vector column simply stays empty.
#
# The backfill uses only what is in this file (the plain-text helpers are copies of
# articles.search's as they were when this migration was written), so later changes to the
# app cannot change what it does on an old database.
import html
import re
import unicodedata

import django.contrib.postgres.search
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models
from django.utils.html import strip_tags


def clean_text(raw):
    """Printable text only, with runs of spaces, controls and separators made one space."""
    text = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in raw or ""
    )
    return re.sub(r"\s+", " ", text).strip()


def plain_text(fragment):
    """Rich text as the words a reader sees."""
    spaced = re.sub(r"</(p|h\d|li|blockquote|figcaption|td|th)>|<br\s*/?>", r"\g<0> ", fragment)
    return clean_text(html.unescape(strip_tags(spaced)))


def index_and_backfill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("pk", "body").iterator():
        Article.objects.filter(pk=article.pk).update(body_text=plain_text(article.body))
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS articles_article_search_gin "
        "ON articles_article USING gin (search_vector)"
    )
    # The text search configuration the site searches with (newsroom/settings.py).
    config = getattr(settings, "NEWSROOM_SEARCH_CONFIG", "english")
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
