"""Preview links: a secret, expiring, revocable address that shows one story or interview
that is not public to someone without an account (a lawyer, a source checking a quote).

The token is 32 random bytes from `secrets`, in the address only; the database keeps its
SHA-256, so a copy of the database opens no preview. Who may make and revoke links is
articles.publishing's to say (`can_share_preview`). The pages (articles.views.preview_link,
interviews.views.interview_preview_link) are never cached, never indexed and listed nowhere.

A story or interview has its links as `preview_links` (a BasePreviewLink) and its address
for a token as `get_preview_link_url(token)`; nothing here knows which app it comes from.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from . import publishing

# What the desk may choose; the admin offers exactly these.
LIFETIMES = {
    "1h": ("1 hour", timedelta(hours=1)),
    "24h": ("24 hours", timedelta(hours=24)),
    "7d": ("7 days", timedelta(days=7)),
}


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_link(target, *, by, lifetime, allow_before_embargo=False):
    """A new link for `target` (a story or an interview); returns (link, its address). The
    address cannot be shown again later: only its hash is kept."""
    publishing.require(publishing.can_share_preview(by, target),
                       f"You may not share a preview of “{target}”.")
    if lifetime not in LIFETIMES:
        raise ValidationError("Choose how long the link works: "
                              f"{', '.join(label for label, _ in LIFETIMES.values())}.")
    if target.is_public:
        raise ValidationError("This is already public: share its address instead.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = target.preview_links.create(
        token_hash=_hash(token), created_by=by, created_at=now,
        expires_at=now + LIFETIMES[lifetime][1], allow_before_embargo=allow_before_embargo,
    )
    return link, target.get_preview_link_url(token)


@transaction.atomic
def revoke_link(link, *, by):
    publishing.require(publishing.can_share_preview(by, link.target),
                       f"You may not revoke previews of “{link.target}”.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = by
        link.save(update_fields=["revoked_at", "revoked_by"])


def open_link(link_model, token):
    """The link of `link_model` (PreviewLink, InterviewPreviewLink) a reader with `token`
    holds; None when it does not exist (a mistyped or forged token), has expired or been
    revoked, or its story is under embargo and the link was not made to open it before the
    embargo ends."""
    if not token or len(token) > 100:
        return None
    link = (link_model.objects.active().filter(token_hash=_hash(token))
            .select_related(link_model.target_field).first())
    if link is None:
        return None
    if link.target.is_embargoed and not link.allow_before_embargo:
        return None
    return link


# The pages ------------------------------------------------------------------------------------


def not_indexed(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def invalid_link_page(request):
    """What a link that opens nothing shows: the same for every reason, never the story."""
    return not_indexed(render(request, "articles/preview_link_invalid.html", status=404))
