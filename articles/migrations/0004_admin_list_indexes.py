# Indexes for the story lists at archive scale: every filter and sortable column of the
# admin's story list, and the section pages, find their first page in an index instead of
# sorting the table (bench/README.md, "Admin lists at archive scale").
#
# On PostgreSQL the admin's search (`icontains`, which Django writes as
# `UPPER(col::text) LIKE UPPER('%word%')`) gets trigram indexes on those same expressions, so
# a word is looked up instead of read out of every story. pg_trgm ships with PostgreSQL and is
# a trusted extension (the database's owner may create it). SQLite has neither: there the
# B-tree indexes above are all there is.
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "articles_article_title_trgm": ("articles_article", 'UPPER("title"::text)'),
    "articles_article_standfirst_trgm": ("articles_article", 'UPPER("standfirst"::text)'),
    "articles_article_slug_trgm": ("articles_article", 'UPPER("slug"::text)'),
    "articles_author_name_trgm": ("articles_author", 'UPPER("name"::text)'),
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, expression) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f"USING gin (({expression}) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["section", "status", "publish_at"],
                               name="articles_ar_section_c72751_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["section", "publish_at"],
                               name="articles_ar_section_31c5f6_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["section", "-publish_at"],
                               name="articles_ar_section_7327b1_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["status", "-publish_at"],
                               name="articles_ar_status_a1ebec_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["comment_mode", "publish_at"],
                               name="articles_ar_comment_8fe60e_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["title"], name="articles_ar_title_ee81af_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["updated_at", "publish_at"],
                               name="articles_ar_updated_cab5a4_idx"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
