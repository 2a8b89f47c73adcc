"""Posting and moderating comments. The form view, the admin, commands and seeds all call these.

`by=None` is the system itself (seed loader, commands); a user passed as `by` must hold the
permission for the decision, so no caller can skip the role check by accident.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import bayes, conf, spam
from .models import Ban, Comment, ModerationDecision, body_fingerprint, normalise_email

MODERATE_PERMISSION = "comments.moderate_comment"
CLOSE_PERMISSION = "comments.close_comments"
Action = ModerationDecision.Action
Status = Comment.Status


UNCHECKED_REASON = "Held: rate limits could not be checked (the cache was unreachable)"


class CommentRefused(ValidationError):
    """Nothing was stored; the message says why, in words a reader understands."""


class CommentsClosed(CommentRefused):
    pass


# Is the discussion open? --------------------------------------------------------------------


def closes_at(story):
    """When the discussion closes by itself, or None if it stays open."""
    days = conf.get("COMMENTS_CLOSE_AFTER_DAYS")
    if not days or story.publish_at is None:
        return None
    return story.publish_at + timedelta(days=days)


def closed_reason(story, now=None):
    """Why readers cannot comment on `story` now, or "" when they can."""
    now = now or timezone.now()
    if not story.is_public:
        return "Comments open when the story is published."
    if story.comment_mode == story.CommentMode.CLOSED:
        return "Comments are closed for this story."
    deadline = closes_at(story)
    if deadline is not None and now >= deadline:
        days = conf.get("COMMENTS_CLOSE_AFTER_DAYS")
        return f"Comments close {days} day{'s' if days != 1 else ''} after publication."
    return ""


# Posting ------------------------------------------------------------------------------------


def approved_count(email):
    return Comment.objects.by_commenter(email).approved().count()


@transaction.atomic
def _store(comment):
    comment.save()


def post_comment(story, *, author_name, email, body, parent=None, ip=None, user_agent="",
                 honeypot="", elapsed=None, referrer="", submission_key=None,
                 limits_checked=True):
    """Check and store a reader's comment; return it with its status decided.

    `limits_checked=False` says the rate limits could not be counted (the cache was down): the
    comment is stored, but a moderator sees it before anyone else does, whatever the story's
    comment mode.

    Raises CommentsClosed when the story takes no comments, CommentRefused when a form trap
    caught a bot, ValidationError for bad input. Stores nothing in those cases. The same
    `submission_key` sent twice returns the first comment instead of storing a second.
    """
    reason = closed_reason(story)
    if reason:
        raise CommentsClosed(reason)
    comment = Comment(
        author_name=(author_name or "").strip(),
        email=normalise_email(email),
        body=(body or "").strip(),
        parent=parent,
        ip=ip or None,
        user_agent=(user_agent or "")[:300],
        submission_key=submission_key,
    )
    comment.story = story
    validate_comment(comment)
    comment.fingerprint = body_fingerprint(comment.body)
    if submission_key:
        earlier = Comment.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            return earlier

    ban = Ban.objects.matching(email=comment.email, ip=comment.ip).first()
    if ban is not None:
        what = "email address" if ban.email == comment.email else "IP address"
        comment.status, comment.spam_score = Status.SPAM, 1.0
        comment.spam_reasons = [f"Banned commenter ({what} {ban})"]
    else:
        verdict = spam.run_checks(spam.Submission(comment, honeypot=honeypot or "",
                                                  elapsed=elapsed, referrer=referrer))
        if verdict.refusal:
            raise CommentRefused(verdict.refusal)
        comment.spam_score, comment.spam_reasons = verdict.score, verdict.reasons
        comment.status = _first_status(story, comment, verdict)
        if not limits_checked and comment.status == Status.APPROVED:
            comment.status = Status.PENDING
        if not limits_checked:
            comment.spam_reasons.append(UNCHECKED_REASON)
    comment.created_at = timezone.now()
    try:
        _store(comment)
    except IntegrityError:
        # Another request stored this very form a moment ago (a double click).
        earlier = submission_key and Comment.objects.filter(
            submission_key=submission_key).first()
        if earlier:
            return earlier
        raise
    return comment


def _first_status(story, comment, verdict):
    if verdict.spam:
        return Status.SPAM
    if story.comment_mode == story.CommentMode.TRUSTED and verdict.score < conf.get(
        "COMMENTS_TRUSTED_MAX_SCORE"
    ):
        approved = approved_count(comment.email)
        if approved >= conf.get("COMMENTS_TRUSTED_MIN_APPROVED"):
            verdict.reasons.append(
                f"Went live: trusted commenter with {approved} approved comments"
            )
            return Status.APPROVED
    return Status.PENDING


def validate_comment(comment):
    """The rules every comment obeys, whoever stores it. Raises ValidationError."""
    errors = {}
    limit = conf.get("COMMENTS_MAX_LENGTH")
    if not comment.body:
        errors["body"] = "Write a comment before sending it."
    elif len(comment.body) > limit:
        errors["body"] = f"Keep it under {limit:,} characters (it has {len(comment.body):,})."
    if not comment.author_name:
        errors["author_name"] = "Give a name to show with your comment."
    for name in ("author_name", "body", "email", "user_agent"):
        if "\x00" in getattr(comment, name):
            errors[name] = "Null characters are not allowed."
    try:
        comment.clean_fields(exclude=["article", "interview", "parent", "moderated_by",
                                      "fingerprint", "submission_key", "learned_as", *errors])
    except ValidationError as error:
        errors.update({key: value[0] for key, value in error.message_dict.items()})
    parent = comment.parent
    if parent is not None:
        if parent.parent_id is not None:
            errors["parent"] = ("Replies go under the first comment of a thread, "
                                "not under another reply.")
        elif (parent.article_id, parent.interview_id) != (comment.article_id,
                                                           comment.interview_id):
            errors["parent"] = "You can only reply to a comment on the same story."
        elif parent.status != Status.APPROVED:
            errors["parent"] = "The comment you are replying to is not available."
    if errors:
        raise ValidationError(errors)


# Moderating ---------------------------------------------------------------------------------


def can_moderate(user):
    return user is not None and user.is_active and user.has_perm(MODERATE_PERMISSION)


def _require(user, permission, what):
    if user is not None and not (user.is_active and user.has_perm(permission)):
        raise PermissionDenied(f"You may not {what}.")


# action: (status it leads to, what the learned filter learns, what Akismet is told)
DECISIONS = {
    Action.APPROVE: (Status.APPROVED, Comment.Learned.HAM, "ham"),
    Action.NOT_SPAM: (Status.APPROVED, Comment.Learned.HAM, "ham"),
    Action.REJECT: (Status.REJECTED, Comment.Learned.NOTHING, None),
    Action.SPAM: (Status.SPAM, Comment.Learned.SPAM, "spam"),
}


@transaction.atomic
def _decide(comment, action, by):
    _require(by, MODERATE_PERMISSION, "moderate comments")
    status, lesson, report = DECISIONS[action]
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if action == Action.NOT_SPAM and locked.status != Status.SPAM:
        raise ValidationError("It is not marked as spam.")
    if locked.status == status and locked.moderated_at is not None:
        _copy_back(locked, comment)
        return False  # a moderator already decided exactly this
    before = locked.status
    locked.status = status
    locked.moderated_at = timezone.now()
    locked.moderated_by = by
    if status != Status.APPROVED:
        locked.featured = False
    locked.save(update_fields=["status", "moderated_at", "moderated_by", "featured"])
    ModerationDecision.objects.create(comment=locked, action=action, from_status=before,
                                      to_status=status, moderator=by,
                                      created_at=locked.moderated_at)
    bayes.learn(locked, lesson)
    if report and conf.get("AKISMET_API_KEY"):
        transaction.on_commit(lambda: spam.report_to_akismet(locked, report))
    _copy_back(locked, comment)
    return True


def _copy_back(source, target):
    if source is not target:
        for name in ("status", "moderated_at", "moderated_by_id", "featured", "learned_as"):
            setattr(target, name, getattr(source, name))
        target._state.fields_cache.pop("moderated_by", None)


def approve_comment(comment, *, by=None):
    """Publish it; the learned filter takes it as a good comment."""
    return _decide(comment, Action.APPROVE, by)


def reject_comment(comment, *, by=None):
    """Keep it off the site without calling it spam (off-topic, abusive…)."""
    return _decide(comment, Action.REJECT, by)


def mark_spam(comment, *, by=None):
    return _decide(comment, Action.SPAM, by)


def mark_not_spam(comment, *, by=None):
    """A comment the filters called spam is fine after all: publish it, learn from it."""
    return _decide(comment, Action.NOT_SPAM, by)


@transaction.atomic
def feature_comment(comment, *, by=None, featured=True):
    _require(by, MODERATE_PERMISSION, "feature comments")
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if featured and locked.status != Status.APPROVED:
        raise ValidationError("Only approved comments can be featured.")
    if featured and locked.parent_id is not None:
        raise ValidationError("Only the first comment of a thread can be featured.")
    if locked.featured == featured:
        return False
    locked.featured = featured
    locked.save(update_fields=["featured"])
    ModerationDecision.objects.create(
        comment=locked, action=Action.FEATURE if featured else Action.UNFEATURE,
        from_status=locked.status, to_status=locked.status, moderator=by,
    )
    comment.featured = featured
    return True


@transaction.atomic
def ban(*, email="", ip=None, by=None, reason="", days=None):
    """Ban an email address and/or IP address. Their pending comments go to spam at once and
    whatever they post later goes straight to spam. Returns (ban, comments moved)."""
    _require(by, "comments.add_ban", "ban commenters")
    email = normalise_email(email)
    if not email and not ip:
        raise ValidationError("Give an email address, an IP address, or both.")
    the_ban = Ban.objects.active().filter(email=email, ip=ip).first() or Ban(
        email=email, ip=ip, created_by=by)
    the_ban.reason = reason or the_ban.reason
    the_ban.expires_at = timezone.now() + timedelta(days=days) if days else None
    the_ban.full_clean()
    the_ban.save()
    return the_ban, apply_ban(the_ban, by=by)


@transaction.atomic
def apply_ban(the_ban, *, by=None):
    """Move the banned commenter's pending comments to spam (and teach the filter so)."""
    pending = list(
        Comment.objects.select_for_update().pending().filter(
            pk__in=Comment.objects.filter(_ban_match(the_ban.email, the_ban.ip)).values("pk")
        )
    )
    now = timezone.now()
    for comment in pending:
        comment.status = Status.SPAM
        comment.moderated_at, comment.moderated_by = now, by
        comment.spam_reasons = [*comment.spam_reasons, f"Commenter banned ({the_ban})"]
    Comment.objects.bulk_update(pending, ["status", "moderated_at", "moderated_by",
                                          "spam_reasons"])
    ModerationDecision.objects.bulk_create(
        ModerationDecision(comment=comment, action=Action.BAN, from_status=Status.PENDING,
                           to_status=Status.SPAM, moderator=by, created_at=now)
        for comment in pending
    )
    for comment in pending:
        bayes.learn(comment, Comment.Learned.SPAM)
    return len(pending)


def _ban_match(email, ip):
    match = Q(pk__in=[])
    if email:
        match |= Q(email=email)
    if ip:
        match |= Q(ip=ip)
    return match


@transaction.atomic
def close_comments(story, *, by=None):
    """Close the discussion under a story (existing comments stay visible)."""
    _require(by, CLOSE_PERMISSION, "close comments")
    if story.comment_mode == story.CommentMode.CLOSED:
        return False
    type(story).objects.filter(pk=story.pk).update(comment_mode=story.CommentMode.CLOSED)
    story.comment_mode = story.CommentMode.CLOSED
    return True
