import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.text import Truncator

from articles.models import Article
from interviews.models import Interview

_SPACE = re.compile(r"\s+")


def body_fingerprint(body):
    """The same words in the same order give the same fingerprint, whatever the spacing/case."""
    normal = _SPACE.sub(" ", body).strip().casefold()
    return hashlib.sha256(normal.encode()).hexdigest()[:40]


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def on(self, story):
        """Comments on an article or an interview."""
        return self.filter(**{Comment.target_field(story): story})

    def for_story_page(self, story):
        """What readers see: approved comments, only the columns the page shows."""
        return (
            self.on(story)
            .approved()
            .only("pk", "parent_id", "author_name", "body", "created_at", "featured")
            .order_by("created_at", "pk")
        )

    def by_commenter(self, email):
        return self.filter(email=normalise_email(email))


def normalise_email(email):
    return (email or "").strip().lower()


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    class Learned(models.TextChoices):
        NOTHING = "", "Nothing"
        HAM = "ham", "Ham (a good comment)"
        SPAM = "spam", "Spam"

    # Exactly one of the two is set (see Meta.constraints).
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="comments")
    interview = models.ForeignKey(Interview, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="replies", help_text="The comment this replies to.")
    author_name = models.CharField("name", max_length=80)
    email = models.EmailField(help_text="Never shown to readers.")
    body = models.TextField("comment")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING,
                              db_index=True)
    featured = models.BooleanField(default=False, help_text="Shown above the other comments.")
    spam_score = models.FloatField(default=0.0, help_text="0 looks fine, 1 is certainly spam.")
    spam_reasons = models.JSONField(default=list, blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # What the learned filter was taught from this comment, so a reversed decision can be
    # taken back exactly once.
    learned_as = models.CharField(max_length=4, choices=Learned, default=Learned.NOTHING,
                                  blank=True, editable=False)
    # For the duplicate check: the body with case and spacing flattened, hashed.
    fingerprint = models.CharField(max_length=40, editable=False, db_index=True)
    # One form sent twice (a double click, a retried request) stores one comment.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                      editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [
            ("moderate_comment", "Can approve, reject, mark spam and feature comments"),
            ("close_comments", "Can close the discussion under a story"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(article__isnull=False, interview__isnull=True)
                           | Q(article__isnull=True, interview__isnull=False)),
                name="comment_on_exactly_one_story",
            ),
            models.CheckConstraint(condition=Q(spam_score__gte=0, spam_score__lte=1),
                                   name="comment_spam_score_0_to_1"),
        ]
        indexes = [
            models.Index(fields=["article", "status", "created_at"]),
            models.Index(fields=["interview", "status", "created_at"]),
            models.Index(fields=["email", "status"]),
            models.Index(fields=["status", "spam_score"]),
            # The moderation queue as it opens (comments/admin.py, CommentAdmin.get_queryset):
            # pending first, cleanest first, then the newest. The expressions must stay the
            # ones the queue sorts by, or PostgreSQL sorts the whole table again.
            models.Index(
                Case(When(status="pending", then=Value(0)), default=Value(1)),
                Case(When(status="pending", then="spam_score"), default=Value(0.0)),
                F("created_at").desc(), F("id").desc(),
                name="comment_queue_order",
            ),
            # The queue filtered to one status (newest first), its featured filter, and the
            # commenter's IP and name (search, sorting).
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["created_at"], condition=Q(featured=True),
                         name="comment_featured_created"),
            models.Index(fields=["ip"]),
            models.Index(fields=["author_name"]),
            models.Index(fields=["spam_score"]),
        ]

    def __str__(self):
        return f"{self.author_name}: {Truncator(self.body).chars(60)}"

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        self.fingerprint = body_fingerprint(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "fingerprint"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.story.get_absolute_url()}#comment-{self.pk}"

    @staticmethod
    def target_field(story):
        if isinstance(story, Article):
            return "article"
        if isinstance(story, Interview):
            return "interview"
        raise TypeError(f"Comments attach to articles and interviews, not {type(story)!r}")

    @property
    def story(self):
        return self.article if self.article_id else self.interview

    @story.setter
    def story(self, story):
        self.article = story if isinstance(story, Article) else None
        self.interview = story if isinstance(story, Interview) else None

    @property
    def is_reply(self):
        return self.parent_id is not None


class ModerationDecision(models.Model):
    """Who decided what about a comment, and when: the moderation log."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        SPAM = "spam", "Marked as spam"
        NOT_SPAM = "not_spam", "Marked as not spam"
        FEATURE = "feature", "Featured"
        UNFEATURE = "unfeature", "Unfeatured"
        BAN = "ban", "Commenter banned"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=10, choices=Action)
    from_status = models.CharField(max_length=10, choices=Comment.Status)
    to_status = models.CharField(max_length=10, choices=Comment.Status)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        who = self.moderator or "system"
        return f"{self.get_action_display()} by {who}"


class WordRule(models.Model):
    """A word or phrase moderators keep out (blocked) or want a second look at (suspect)."""

    class Kind(models.TextChoices):
        BLOCKED = "blocked", "Blocked: the comment goes straight to spam"
        SUSPECT = "suspect", "Suspect: raises the spam score, a moderator decides"

    phrase = models.CharField(max_length=100, unique=True,
                              help_text="Matched as whole words, ignoring case.")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.SUSPECT)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "phrase"]
        verbose_name = "word rule"

    def __str__(self):
        return self.phrase

    def save(self, *args, **kwargs):
        self.phrase = _SPACE.sub(" ", self.phrase).strip().lower()
        super().save(*args, **kwargs)


class BanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))

    def matching(self, *, email=None, ip=None):
        match = Q(pk__in=[])
        if email:
            match |= Q(email=normalise_email(email))
        if ip:
            match |= Q(ip=ip)
        return self.active().filter(match)


class Ban(models.Model):
    """An email address or IP address whose comments go straight to spam."""

    email = models.EmailField(blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True,
                                      help_text="Leave empty for a ban without end.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(email="") | Q(ip__isnull=False),
                                   name="ban_names_email_or_ip"),
        ]

    def __str__(self):
        return " / ".join(part for part in [self.email, self.ip] if part)

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def clean(self):
        if not self.email and not self.ip:
            raise ValidationError("Give an email address, an IP address, or both.")


class SpamToken(models.Model):
    """How often a word appeared in comments moderators called spam, and in good ones."""

    token = models.CharField(max_length=64, unique=True)
    spam_count = models.PositiveIntegerField(default=0)
    ham_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.token} ({self.spam_count} spam / {self.ham_count} ham)"


class SpamFilterTotals(models.Model):
    """A single row: how many spam and good comments the learned filter has seen."""

    spam_count = models.PositiveIntegerField(default=0)
    ham_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "spam filter totals"

    def __str__(self):
        return f"{self.spam_count} spam / {self.ham_count} ham"
