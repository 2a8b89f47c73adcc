"""What the importers remember: which stories the text importer made, and which WordPress
post, comment or upload each imported row came from (manage.py import_wordpress).

The story, its comments and photos are the apps' own rows; these tables only say where each
one came from and what the import last wrote into it. Importing the same story or export again
finds its rows here: it updates them instead of adding duplicates, and leaves alone every field
the source did not change, so edits made on the desk since the last run are kept
(newsroom.reimport).
"""

from django.db import models
from django.urls import reverse

from articles.models import Article, Photo
from articles.sanitize import clean_html
from comments.models import Comment
from interviews.models import Interview


class ImportedStory(models.Model):
    """A story that the text importer (manage.py import_story, the admin's "Import story"
    page) created, and what identifies it, so that importing the same story again updates it.

    Only stories with a row here are ever updated by an import: a story written in the admin,
    or one that came from WordPress, is never overwritten by a file that happens to carry the
    same headline.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE,
                                   related_name="import_record")
    interview = models.ForeignKey(Interview, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+",
                                  help_text="The interview the same file brought, if any.")
    # "url:<address>" or "wire:<identifier>" when the text gave one (unique: one story each).
    source_key = models.CharField(max_length=520, unique=True, null=True, blank=True)
    # Headline, byline and publication time together, for text that names no source.
    text_key = models.CharField(max_length=64, db_index=True)
    file_name = models.CharField(max_length=255, blank=True,
                                 help_text="The file the story was last imported from.")
    # Field name -> fingerprint of the value the story held after the last import (see
    # newsroom.reimport); empty for a story imported before it was remembered.
    imported = models.JSONField(default=dict, blank=True)
    first_imported_at = models.DateTimeField(auto_now_add=True)
    last_imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "imported story"
        verbose_name_plural = "imported stories"

    def __str__(self):
        return f"Imported story {self.article_id}"


class WordPressPost(models.Model):
    """A story that was a WordPress post (or page)."""

    wordpress_id = models.PositiveBigIntegerField("WordPress post ID", unique=True)
    post_type = models.CharField(max_length=20, default="post")
    article = models.OneToOneField(Article, on_delete=models.CASCADE,
                                   related_name="wordpress_post")
    link = models.CharField(max_length=500, blank=True,
                            help_text="The post's address on the WordPress site.")
    # WordPress's sticky flag: the import features sticky posts on the front page (as slots
    # the editors can reorder or remove) and lists them in its summary.
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


# The front page's curation (newsroom/front.py builds the page from it) -------------------------


class FrontPage(models.Model):
    """What the editors chose for the front page: one row, edited on the desk.

    Every choice is optional and runs out by itself: without a lead, slots or a pinned interview
    (or when one's time has passed, or its story is not public) the front page fills that place
    with the latest stories, as it does with no curation at all.
    """

    is_live = models.BooleanField(
        "live", default=True,
        help_text="Untick to prepare a curation and preview it while the front page keeps "
                  "filling itself with the latest stories.")
    lead = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="lead story",
                             help_text="The story at the top of the front page.")
    lead_until = models.DateTimeField(
        "lead until", null=True, blank=True,
        help_text="After this time the newest story leads again. Empty: until changed.")
    interview = models.ForeignKey(Interview, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="pinned interview",
                                  help_text="Shown first among the interviews.")
    interview_until = models.DateTimeField("pinned until", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "front page"
        verbose_name_plural = "front page"

    def __str__(self):
        return "Front page"


class FrontPageSlot(models.Model):
    """A featured story under the lead, in the editors' order."""

    front_page = models.ForeignKey(FrontPage, on_delete=models.CASCADE, related_name="slots")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+",
                                verbose_name="story")
    position = models.PositiveSmallIntegerField(default=0)
    until = models.DateTimeField(
        null=True, blank=True,
        help_text="After this time the slot goes back to the latest stories.")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "featured slot"

    def __str__(self):
        return f"Slot {self.position + 1}"


# Flat pages (about, contact), linked from the footer -------------------------------------------

class Page(models.Model):
    """A simple page readers reach from the footer, at /pages/<slug>/."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True,
                            help_text="The last part of the address: /pages/<slug>/.")
    body = models.TextField(blank=True)
    in_footer = models.BooleanField("link in the footer", default=True)
    position = models.PositiveSmallIntegerField(default=0,
                                                help_text="Order of the footer links.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = clean_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("page", kwargs={"slug": self.slug})
