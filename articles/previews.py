"""Preview links: a secret, expiring, revocable address that shows one story that is not
public to someone without an account (a lawyer, a source checking a quote).

The token is 32 random bytes from `secrets`, in the address only; the database keeps its
SHA-256, so a copy of the database opens no preview. Who may make and revoke links is
articles.publishing's to say (`can_share_preview`). The page (views.preview_link) is never
cached, never indexed and listed nowhere.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import publishing
from .models import PreviewLink

# What the desk may choose; the admin offers exactly these.
LIFETIMES = {
    "1h": ("1 hour", timedelta(hours=1)),
    "24h": ("24 hours", timedelta(hours=24)),
    "7d": ("7 days", timedelta(days=7)),
}


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token):
    return reverse("articles:preview-link", kwargs={"token": token})


@transaction.atomic
def create_link(article, *, by, lifetime, allow_before_embargo=False):
    """A new link for `article`; returns (link, its address). The address cannot be shown
    again later: only its hash is kept."""
    publishing.require(publishing.can_share_preview(by, article),
                       f"You may not share a preview of “{article}”.")
    if lifetime not in LIFETIMES:
        raise ValidationError("Choose how long the link works: "
                              f"{', '.join(label for label, _ in LIFETIMES.values())}.")
    if article.is_public:
        raise ValidationError("This story is already public: share its address instead.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = PreviewLink.objects.create(
        article=article, token_hash=_hash(token), created_by=by, created_at=now,
        expires_at=now + LIFETIMES[lifetime][1], allow_before_embargo=allow_before_embargo,
    )
    return link, link_url(token)


@transaction.atomic
def revoke_link(link, *, by):
    publishing.require(publishing.can_share_preview(by, link.article),
                       f"You may not revoke previews of “{link.article}”.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = by
        link.save(update_fields=["revoked_at", "revoked_by"])


def open_link(token):
    """The story a reader with `token` may see, with its link; None when the link does not
    exist (a mistyped or forged token), has expired or been revoked, or its story is under
    embargo and the link was not made to open it before the embargo ends."""
    if not token or len(token) > 100:
        return None
    link = (PreviewLink.objects.active().filter(token_hash=_hash(token))
            .select_related("article").first())
    if link is None:
        return None
    if link.article.is_embargoed and not link.allow_before_embargo:
        return None
    return link
