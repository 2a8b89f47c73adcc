# What a WordPress import remembers: which post, comment and upload each story, comment and
# photo came from, and hashes of what the import wrote (manage.py import_wordpress).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("articles", "0003_search"),
        ("comments", "0002_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="WordPressComment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("wordpress_id", models.PositiveBigIntegerField(
                    unique=True, verbose_name="WordPress comment ID")),
                ("author_url", models.CharField(blank=True, max_length=500,
                                                verbose_name="commenter's website")),
                ("imported", models.JSONField(blank=True, default=dict)),
                ("comment", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="wordpress_comment", to="comments.comment")),
            ],
            options={"verbose_name": "WordPress comment"},
        ),
        migrations.CreateModel(
            name="WordPressImage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("path", models.CharField(help_text="The file's path under wp-content/uploads.",
                                          max_length=400, unique=True)),
                ("attachment_id", models.PositiveBigIntegerField(blank=True, db_index=True,
                                                                 null=True)),
                ("photo", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                            related_name="+", to="articles.photo")),
            ],
            options={"verbose_name": "WordPress image"},
        ),
        migrations.CreateModel(
            name="WordPressPost",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("wordpress_id", models.PositiveBigIntegerField(
                    unique=True, verbose_name="WordPress post ID")),
                ("post_type", models.CharField(default="post", max_length=20)),
                ("link", models.CharField(blank=True, max_length=500,
                                          help_text="The post's address on the WordPress site.")),
                ("sticky", models.BooleanField(default=False)),
                ("imported", models.JSONField(blank=True, default=dict)),
                ("imported_at", models.DateTimeField(auto_now=True)),
                ("article", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="wordpress_post", to="articles.article")),
            ],
            options={"verbose_name": "WordPress post"},
        ),
    ]
