"""The publishing workflow. The admin, the seed loader and the importer all call these.

Who may do what is articles.publishing's to say; these functions ask it and raise
PermissionDenied when it says no. `by=None` is the system itself (see publishing).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from . import history, publishing
from .models import Article, ArticleRedirect
from .sanitize import clean_html

# A change to any of these in a live story shows readers an "Updated" time.
CONTENT_FIELDS = ("title", "kicker", "standfirst", "body", "lead_photo_id")


@history.recording
def submit_for_review(article, *, by=None):
    publishing.require_editor_of(by, article)
    if article.status == Article.Status.PUBLISHED:
        raise ValidationError("This story is already published.")
    article.status = Article.Status.REVIEW
    article.save(update_fields=["status", "modified_at"])


@history.recording
def publish_article(article, *, by=None, at=None):
    """Publish now, or at `at` (a future time schedules the story)."""
    publishing.require_publisher(by, article)
    if not article.title.strip():
        raise ValidationError("A story needs a headline before it can be published.")
    history.note(history.publishing_note(at))
    # The address readers had, from the stored row: the caller may have edited this object.
    before = Article.objects.filter(pk=article.pk).select_related("section").first()
    old_url = before.get_absolute_url() if before and before.is_public else None
    publishing.publish(article, by=by, at=at)
    if old_url:
        _remember_old_url(article, old_url)


@history.recording
def unpublish_article(article, *, by=None):
    history.note("Unpublished.")
    publishing.unpublish(article, Article.Status.DRAFT, by=by)


@history.recording
def save_article(article, *, by=None, before=None):
    """Save an edited story and keep its public history straight.

    `before` is the row as it was (None for a new story). A story that was published and
    changes its headline, body or photo shows an updated time; one whose address changes
    keeps answering at the old address with a 301. Refused (PermissionDenied) when `by` may
    not make the change: see publishing.check_save.
    """
    lifted = publishing.check_save(by, article, before)
    history.note_status(article, before)
    if article.pk is None and by is not None and article.created_by_id is None:
        article.created_by = by
    # Compare the body as it will be stored: CKEditor sends back markup that differs from the
    # sanitised copy (e.g. links without the rel we add) even when nobody changed a word.
    article.body = clean_html(article.body)
    if article.status == Article.Status.PUBLISHED and article.publish_at is None:
        article.publish_at = timezone.now()
    was_live = (before is not None and before.status == Article.Status.PUBLISHED
                and before.publish_at and before.publish_at <= timezone.now())
    if was_live and article.status == Article.Status.PUBLISHED and any(
        getattr(before, field) != getattr(article, field) for field in CONTENT_FIELDS
    ):
        article.updated_at = timezone.now()
    article.save()
    publishing.record_lift(article, by, lifted)
    if before is not None and before.status == Article.Status.PUBLISHED:
        _remember_old_url(article, before.get_absolute_url())


def restore_version(version, *, by=None):
    """Make an earlier revision of a story (or a deleted one) current again, as a new revision,
    refused as a save in the admin would be (see articles.history.restore)."""
    return history.restore(version, by=by, save=save_article)


def _remember_old_url(article, old_url):
    new_url = article.get_absolute_url()
    # The story may be moving back to an address it once had: that one is live again.
    ArticleRedirect.objects.filter(old_path=new_url).delete()
    if old_url != new_url:
        ArticleRedirect.objects.update_or_create(old_path=old_url, defaults={"article": article})


def find_moved_article(path):
    """The published story that used to live at `path`, if any."""
    redirect = (
        ArticleRedirect.objects.filter(old_path=path, article__in=Article.objects.published())
        .select_related("article__section")
        .first()
    )
    return redirect.article if redirect else None
