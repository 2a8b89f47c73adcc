from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import F, Min, Prefetch, Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TaggedItem

from . import history, search
from .sanitize import clean_html

# First path segments the site itself uses; a section cannot take one of them.
RESERVED_SLUGS = {
    "admin", "authors", "tags", "search", "feed", "interviews", "preview", "healthz",
    "static", "media", "sitemap.xml", "news-sitemap.xml", "robots.txt", "comments",
    "api", "accounts", "editor", "corrections", "pages",
}

# Link previews and search results ask for a photo at least this wide.
SHARE_WIDTH = 1200


def validate_section_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is used by the site itself; choose another slug.")


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_section_slug])
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Sections appear in the menu and on the front page in this order."
    )

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"section": self.slug})


class Author(models.Model):
    name = models.CharField("byline name", max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    role = models.CharField(max_length=120, blank=True, help_text="e.g. Security correspondent")
    bio = models.TextField(blank=True)
    photo = models.ForeignKey(
        "Photo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="author_profile", help_text="The staff account that writes as this author.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


def photo_upload_to(instance, filename):
    now = timezone.now()
    return f"photos/{now:%Y/%m}/{filename}"


class Photo(models.Model):
    image = models.ImageField(upload_to=photo_upload_to, width_field="width",
                              height_field="height")
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        max_length=250, help_text="What the photo shows, for readers who cannot see it."
    )
    caption = models.CharField(max_length=400, blank=True)
    credit = models.CharField(max_length=150, blank=True, help_text="Photographer / agency")
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.caption or self.alt_text

    def _widths(self):
        return sorted((int(w), name) for w, name in self.renditions.items() if w.isdigit())

    @cached_property
    def srcset(self):
        storage = self.image.storage
        return ", ".join(f"{storage.url(name)} {w}w" for w, name in self._widths())

    @cached_property
    def best_url(self):
        """For social cards and JSON-LD: the narrowest rendition at least SHARE_WIDTH wide (what
        link previews and search results ask for), else the widest; else the original."""
        widths = self._widths()
        if widths:
            wide = [pair for pair in widths if pair[0] >= SHARE_WIDTH] or widths[-1:]
            return self.image.storage.url(wide[0][1])
        return self.image.url


PUBLISHED = "published"


def public_from(status, publish_at, embargo_until=None):
    """When a row with these values is (or becomes) public, or None while it is not published.

    The one visibility rule, for a row's values: published, and its publication time and its
    embargo (if it has one) both reached. The querysets below say the same in SQL.
    """
    if status != PUBLISHED or publish_at is None:
        return None
    return max(publish_at, embargo_until) if embargo_until is not None else publish_at


class PublishableQuerySet(models.QuerySet):
    """The visibility rule, for every model readers see (stories, interviews)."""

    # A model whose rows can be under embargo names the field that holds its end (an
    # interview names its story's: it stays off the site while the story it accompanies does).
    embargo_field = None
    # Whose a row is besides its creator's (`created_by`): the staff users it names, through
    # this lookup (a story's byline, an interview's interviewer).
    named_owner_field = None

    def owned_by(self, user):
        """The rows that are `user`'s own: they created them or are named on them. A reporter
        works only on these (articles.publishing)."""
        mine = Q(created_by=user)
        if self.named_owner_field:
            mine |= Q(**{self.named_owner_field: user})
        # A row naming `user` twice is still one row.
        return self.filter(pk__in=self.model._base_manager.filter(mine).values("pk"))

    def _embargo_over(self, now):
        field = self.embargo_field
        return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": now})

    def published(self):
        """Published, not scheduled for later and not under embargo: the one rule every public
        surface uses."""
        now = timezone.now()
        public = self.filter(status=PUBLISHED, publish_at__lte=now)
        return public.filter(self._embargo_over(now)) if self.embargo_field else public

    def scheduled(self):
        """Published, and going public later: a publication time or an embargo still to come."""
        now = timezone.now()
        later = Q(publish_at__gt=now)
        if self.embargo_field:
            later |= Q(**{f"{self.embargo_field}__gt": now})
        return self.filter(later, status=PUBLISHED, publish_at__isnull=False)

    def next_public_at(self):
        """The next time one of these goes public (the page cache keeps no page past it)."""
        goes_public = F("publish_at")
        if self.embargo_field:
            goes_public = Greatest("publish_at", Coalesce(self.embargo_field, "publish_at"))
        return self.scheduled().aggregate(next=Min(goes_public))["next"]


class Publishable:
    """The same rule for one row already in memory."""

    def embargo_end(self):
        """The end of the embargo this row is under (its own, or its story's), or None."""
        return getattr(self, "embargo_until", None)

    def public_from(self):
        return public_from(self.status, self.publish_at, self.embargo_end())

    @property
    def is_public(self):
        when = self.public_from()
        return when is not None and when <= timezone.now()

    @property
    def is_scheduled(self):
        when = self.public_from()
        return when is not None and when > timezone.now()

    @property
    def is_embargoed(self):
        embargo = self.embargo_end()
        return embargo is not None and embargo > timezone.now()


def byline():
    """A story's authors in byline order, as `article.authors.all()`."""
    return Prefetch("authors", queryset=Author.objects.order_by("articleauthor__position"))


class ArticleQuerySet(PublishableQuerySet):
    embargo_field = "embargo_until"
    named_owner_field = "authors__user"

    def with_byline(self):
        return self.prefetch_related(byline())

    def for_listing(self):
        # Cards, feeds and search results show no body: its HTML and the search vector are the
        # largest columns of a row, left in the database.
        return (
            self.published()
            .select_related("section", "lead_photo")
            .defer("body", "search_vector")
            .with_byline()
            .order_by("-publish_at", "-pk")
        )

    def for_page(self):
        """A story's own row for its page; what else the page shows comes with `load_parts()`
        inside the fragments that show it, so a page whose fragments are kept asks for no more."""
        return self.select_related("section", "lead_photo").defer("search_vector")

    def for_detail(self):
        """A story with everything its page shows (previews, which keep no fragments)."""
        return self.for_page().prefetch_related(*Article.page_parts())

    def tagged(self, tag):
        """Stories carrying `tag`. Asked as an IN over the tag's own rows: a join casts
        taggit's integer object id for every row, and PostgreSQL then compared each of the
        newest stories with every story of a popular tag (0.2 s for a page at 100,000)."""
        rows = TaggedItem.objects.filter(tag=tag,
                                         content_type=ContentType.objects.get_for_model(self.model))
        return self.filter(pk__in=rows.values("object_id"))

    def latest_per_section(self, per_section, sections, exclude=()):
        """The newest `per_section` published stories of each of `sections`, in one query.

        Each section's stories come from a small subquery that reads only its newest rows
        (index on section, status, publish_at), so the cost does not grow with the archive;
        ranking every published story with a window function did. Stories in `exclude`
        (pks already elsewhere on the page) leave their place to the next ones.

        Where the database allows it (PostgreSQL) the subqueries are joined in one UNION that
        the planner looks up by primary key: an OR of them made it walk every public story
        (0.4 s at 100,000 stories). SQLite takes no ORDER BY inside a UNION: there, the OR.
        """
        candidates = (self.published().exclude(pk__in=exclude)
                      .order_by("-publish_at", "-pk").values("pk"))
        newest = [candidates.filter(section_id=section.pk)[:per_section] for section in sections]
        if not newest:
            return self.none()
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            return self.for_listing().filter(pk__in=newest[0].union(*newest[1:], all=True))
        either = Q(pk__in=[])
        for ids in newest:
            either |= Q(pk__in=ids)
        return self.for_listing().filter(either)


class Article(Publishable, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = PUBLISHED, "Published"

    class CommentMode(models.TextChoices):
        MODERATED = "moderated", "Moderated: every comment waits for a moderator"
        TRUSTED = "trusted", "Trusted: returning approved commenters go live"
        CLOSED = "closed", "Closed"

    title = models.CharField("headline", max_length=200)
    slug = models.SlugField(max_length=200, unique=True,
                            help_text="The last part of the story's address.")
    kicker = models.CharField(max_length=80, blank=True,
                              help_text="The short label above the headline, e.g. ‘Analysis’.")
    standfirst = models.TextField(max_length=600, blank=True,
                                  help_text="One or two sentences under the headline.")
    body = models.TextField(blank=True)
    # The body as plain text, for search and snippets; kept current by save().
    body_text = models.TextField(blank=True, editable=False)
    # PostgreSQL only: headline (A), standfirst (B) and body (C), GIN-indexed (migration 0003).
    search_vector = SearchVectorField(null=True, editable=False)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, through="ArticleAuthor", related_name="articles",
                                     blank=True)
    tags = TaggableManager(blank=True)
    lead_photo = models.ForeignKey(Photo, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="lead_of")
    related = models.ManyToManyField("self", symmetrical=False, blank=True,
                                     related_name="related_from")
    discussion_prompt = models.CharField(
        max_length=400, blank=True, help_text="The question readers are invited to answer."
    )
    comment_mode = models.CharField(max_length=10, choices=CommentMode,
                                    default=CommentMode.MODERATED)

    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT, db_index=True)
    publish_at = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text="When the story goes live. A future time schedules it.",
    )
    updated_at = models.DateTimeField(
        null=True, blank=True,
        help_text="Shown to readers as ‘Updated’. Set when a published story is changed.",
    )
    embargo_until = models.DateTimeField(
        "embargo until", null=True, blank=True,
        help_text="Under embargo until this time: the story is on no public page, feed, "
                  "sitemap or search before it, whatever its publication time. Only editors "
                  "allowed to lift embargoes can publish it earlier or bring this forward.",
    )
    # The last time someone holding the permission let the story out before its embargo.
    embargo_lifted_at = models.DateTimeField(null=True, blank=True, editable=False)
    embargo_lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+",
                                          editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
            ("lift_embargo_article",
             "Can lift an embargo: publish a story before its embargo ends"),
        ]
        indexes = [
            models.Index(fields=["status", "publish_at"]),
            # Section pages and the admin's section filter, newest first; the admin's sort by
            # section, newest first within each (both ways round).
            models.Index(fields=["section", "status", "publish_at"]),
            models.Index(fields=["section", "publish_at"]),
            models.Index(fields=["section", "-publish_at"]),
            # The admin's other filter and sortable columns (newest first within each).
            models.Index(fields=["status", "-publish_at"]),
            models.Index(fields=["comment_mode", "publish_at"]),
            models.Index(fields=["title"]),
            models.Index(fields=["updated_at", "publish_at"]),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:200] or "story"
        self.body = clean_html(self.body)
        self.body_text = search.plain_lines(self.body)
        fields = kwargs.get("update_fields")
        if fields is not None and "body" in fields:
            kwargs["update_fields"] = {*fields, "body_text"}
        super().save(*args, **kwargs)
        searchable = {"title", "standfirst", "body"}
        if search.uses_postgres() and (fields is None or searchable & set(fields)):
            Article.objects.filter(pk=self.pk).update(search_vector=search.search_vector())

    def get_absolute_url(self):
        when = timezone.localtime(self.publish_at or self.created_at or timezone.now())
        return reverse("articles:detail", kwargs={
            "section": self.section.slug, "year": f"{when:%Y}", "month": f"{when:%m}",
            "day": f"{when:%d}", "slug": self.slug,
        })

    @staticmethod
    def page_parts():
        """What a story's page shows besides the row itself, as prefetch lookups: byline in
        order, tags, the corrections and notes already due (as `public_corrections`) and the
        related stories that are public (as `public_related`, cards: no bodies)."""
        related = (Article.objects.published().select_related("section", "lead_photo")
                   .with_byline().defer("body", "body_text", "search_vector"))
        return [
            byline(),
            "tags",
            Prefetch("corrections", queryset=Correction.objects.shown(),
                     to_attr="public_corrections"),
            Prefetch("related", queryset=related.order_by("-publish_at"),
                     to_attr="public_related"),
        ]

    def load_parts(self):
        """Load `page_parts()` now, one query each, unless they already are."""
        models.prefetch_related_objects([self], *self.page_parts())

    def get_preview_url(self):
        return reverse("articles:preview", kwargs={"pk": self.pk})

    def get_preview_link_url(self, token):
        return reverse("articles:preview-link", kwargs={"token": token})


class ArticleAuthor(models.Model):
    """One name in a story's byline, in order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_byline_name"),
        ]
        verbose_name = "byline"

    def __str__(self):
        return str(self.author)


class CorrectionQuerySet(models.QuerySet):
    def shown(self):
        """The notes readers see once their story is public: dated now or earlier. A later date
        schedules a note; it appears at that time. The one rule for notes: the story page, its
        JSON-LD, /corrections/ and its feed all start here."""
        return self.filter(published_at__lte=timezone.now())

    def public(self):
        """The notes readers see of every story (the /corrections/ page, its feed)."""
        return self.shown().filter(article__in=Article.objects.published())

    def next_shown_at(self):
        """The next time a scheduled note appears (the page cache keeps no page past it)."""
        later = self.filter(published_at__gt=timezone.now())
        return later.aggregate(next=Min("published_at"))["next"]

    def for_listing(self):
        return (self.public().select_related("article__section")
                .order_by("-published_at", "-pk"))


class Correction(models.Model):
    """A dated note shown under a story: what was wrong, unclear, or has moved on since."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        EDITORS_NOTE = "editors_note", "Editor’s note"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField("type", max_length=20, choices=Kind, default=Kind.CORRECTION)
    text = models.TextField(help_text="Shown publicly under the story.")
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text="Shown with the note. A future time schedules it: readers see it from then.",
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["published_at", "pk"]
        indexes = [models.Index(fields=["-published_at", "-id"])]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.published_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"


class ArticleRedirect(models.Model):
    """An address a story used to have; it answers with a permanent redirect."""

    old_path = models.CharField(max_length=400, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_paths")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.old_path


class PreviewLinkQuerySet(models.QuerySet):
    def active(self):
        """Not revoked and not expired: the links that still open their story."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class BasePreviewLink(models.Model):
    """A secret address that shows one story or interview that is not public to someone
    without an account. Each app's concrete link names its target (`target_field`).

    Only a hash of the token is stored: the address is shown once, when the link is made
    (articles/previews.py). Revoking or expiry ends it for good.
    """

    target_field = None

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    allow_before_embargo = models.BooleanField(
        default=False, help_text="The link opens the story while it is still under embargo.")

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Preview of “{self.target}” until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def target(self):
        return getattr(self, self.target_field)

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class PreviewLink(BasePreviewLink):
    target_field = "article"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")

    class Meta(BasePreviewLink.Meta):
        pass
# A story's revision holds its byline, corrections and tag links (articles.history). Registered
# here, before the admin is loaded: django-reversion's admin would register it on its own.
history.register(Article, follow=["articleauthor_set", "corrections", "tagged_items"])
for _part in (ArticleAuthor, Correction, TaggedItem):
    history.register(_part)
