# Indexes for the moderation queue at archive scale (a million comments): the queue as it
# opens (pending first, cleanest first, then the newest) is read from one index in that very
# order; each status filter, the featured filter and each sortable column have theirs
# (bench/README.md, "Admin lists at archive scale").
#
# On PostgreSQL the queue's search (words of the comment, the commenter's name or email, as
# Django's `icontains` writes them: `UPPER(col::text) LIKE UPPER('%word%')`) gets trigram
# indexes on those same expressions; an IP address is matched exactly, on the B-tree index
# below. SQLite has no trigram index: there the B-tree indexes are all there is.
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "comments_comment_body_trgm": 'UPPER("body"::text)',
    "comments_comment_author_name_trgm": 'UPPER("author_name"::text)',
    "comments_comment_email_trgm": 'UPPER("email"::text)',
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "comments_comment" '
            f"USING gin (({expression}) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_roles"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                models.Case(models.When(status="pending", then=models.Value(0)),
                            default=models.Value(1)),
                models.Case(models.When(status="pending", then="spam_score"),
                            default=models.Value(0.0)),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="comment_queue_order",
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["status", "created_at"],
                               name="comments_co_status_08b9ef_idx"),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(condition=models.Q(("featured", True)), fields=["created_at"],
                               name="comment_featured_created"),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["ip"], name="comments_co_ip_5b72c7_idx"),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["author_name"], name="comments_co_author__c8630d_idx"),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["spam_score"], name="comments_co_spam_sc_51e45a_idx"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
