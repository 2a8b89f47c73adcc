"""What a WordPress import remembers (manage.py import_wordpress, newsroom/wordpress/).

The story, its comments and photos are the apps' own rows; these tables only say which
WordPress post, comment or upload each one came from and what the import last wrote into it.
Running the same export again finds its rows here: it updates them instead of adding
duplicates, and leaves alone every field the export did not change, so edits made on the
desk since the last run are kept.
"""

from django.db import models

from articles.models import Article, Photo
from comments.models import Comment


class WordPressPost(models.Model):
    """A story that was a WordPress post (or page)."""

    wordpress_id = models.PositiveBigIntegerField("WordPress post ID", unique=True)
    post_type = models.CharField(max_length=20, default="post")
    article = models.OneToOneField(Article, on_delete=models.CASCADE,
                                   related_name="wordpress_post")
    link = models.CharField(max_length=500, blank=True,
                            help_text="The post's address on the WordPress site.")
    # Newsroom has no "top story" flag (the front page leads with the newest story): the
    # import keeps WordPress's sticky flag here and lists the sticky posts in its summary.
    sticky = models.BooleanField(default=False)
    # Field name -> hash of the value the import last wrote (see wordpress.importer).
    imported = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "WordPress post"

    def __str__(self):
        return f"WordPress post {self.wordpress_id}"


class WordPressImage(models.Model):
    """A file from wp-content/uploads, stored once as a Photo however many posts use it."""

    path = models.CharField(max_length=400, unique=True,
                            help_text="The file's path under wp-content/uploads.")
    attachment_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "WordPress image"

    def __str__(self):
        return self.path


class WordPressComment(models.Model):
    """A comment that came from WordPress, with what Comment has no field for."""

    wordpress_id = models.PositiveBigIntegerField("WordPress comment ID", unique=True)
    comment = models.OneToOneField(Comment, on_delete=models.CASCADE,
                                   related_name="wordpress_comment")
    author_url = models.CharField("commenter's website", max_length=500, blank=True)
    imported = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "WordPress comment"

    def __str__(self):
        return f"WordPress comment {self.wordpress_id}"
