"""Load the demo comments in seeds/comments.json, then train the learned spam filter on them.

Running it again changes nothing: each seeded comment carries its seed key (as its submission
key) and is created only once; word rules are found by their phrase; the filter is retrained
from the same decisions. The `seed` command calls load_comments() after the stories exist.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from articles.seeding import read_seed
from interviews.models import Interview

from . import bayes, spam
from .models import Comment, ModerationDecision, WordRule

SEED_FILE = "comments.json"
DECISION = {
    Comment.Status.APPROVED: ModerationDecision.Action.APPROVE,
    Comment.Status.REJECTED: ModerationDecision.Action.REJECT,
    Comment.Status.SPAM: ModerationDecision.Action.SPAM,
}
# Seeds are scored by the local checks only: no Akismet calls for demo data, and the form
# traps (honeypot, timing) have nothing to look at.
OFFLINE_SKIP = (spam.AkismetCheck, spam.HoneypotCheck, spam.TimingCheck)


def check_seed(data):
    if not isinstance(data, dict) or not isinstance(data.get("comments"), list):
        return ["expected an object with a list “comments”"]
    problems, keys = [], set()
    statuses = set(Comment.Status.values)
    for number, item in enumerate(data["comments"], 1):
        where = f"comment #{number} ({item.get('key', 'no key')})" if isinstance(item, dict) \
            else f"comment #{number}"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object")
            continue
        missing = [k for k in ("key", "story", "author", "email", "body", "status",
                               "minutes_after") if k not in item]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        if item["key"] in keys:
            problems.append(f"{where}: key used twice")
        if item["status"] not in statuses:
            problems.append(f"{where}: status must be one of {', '.join(sorted(statuses))}")
        if item.get("parent") and item["parent"] not in keys:
            problems.append(f"{where}: parent {item['parent']!r} must come earlier in the file")
        if item.get("kind", "article") not in ("article", "interview"):
            problems.append(f"{where}: kind must be “article” or “interview”")
        keys.add(item["key"])
    for number, rule in enumerate(data.get("word_rules", []), 1):
        if not isinstance(rule, dict) or not rule.get("phrase") or \
                rule.get("kind") not in WordRule.Kind.values:
            problems.append(f"word rule #{number}: needs a phrase and kind blocked/suspect")
    return problems


@transaction.atomic
def load_comments(path=None, stdout=None):
    """Create the demo comments that are missing; return how many were created."""
    path = path or settings.BASE_DIR / "seeds" / SEED_FILE
    data = read_seed(path, check_seed)
    for rule in data.get("word_rules", []):
        WordRule.objects.update_or_create(
            phrase=" ".join(rule["phrase"].lower().split()),
            defaults={"kind": rule["kind"], "note": rule.get("note", "")},
        )
    moderator = get_user_model().objects.filter(username="moderator").first()
    now = timezone.now()
    created, skipped, by_key = [], [], {}
    for item in data["comments"]:
        key = f"seed:{item['key']}"
        existing = Comment.objects.filter(submission_key=key).first()
        if existing is not None:
            by_key[item["key"]] = existing
            continue
        story = _story(path, item)
        if story is None:
            skipped.append(item["key"])
            continue
        when = min(story.publish_at + timedelta(minutes=item["minutes_after"]),
                   now - timedelta(minutes=1))
        comment = Comment(
            author_name=item["author"], email=item["email"], body=item["body"],
            parent=by_key.get(item.get("parent")), ip=item.get("ip"),
            user_agent="Mozilla/5.0 (X11; Linux x86_64) demo", status=item["status"],
            featured=bool(item.get("featured")), created_at=when, submission_key=key,
        )
        comment.story = story
        if comment.status != Comment.Status.PENDING:
            comment.moderated_at = min(when + timedelta(minutes=20), now)
            comment.moderated_by = moderator
        comment.save()
        if comment.status in DECISION:
            ModerationDecision.objects.create(
                comment=comment, action=DECISION[comment.status],
                from_status=Comment.Status.PENDING, to_status=comment.status,
                moderator=moderator, created_at=comment.moderated_at,
            )
        by_key[item["key"]] = comment
        created.append(comment)
    ham, spam_count = bayes.retrain()
    checks = [check for check in spam.configured_checks() if not isinstance(check, OFFLINE_SKIP)]
    for comment in created:
        verdict = spam.run_checks(spam.Submission(comment), checks=checks)
        Comment.objects.filter(pk=comment.pk).update(
            spam_score=verdict.score, spam_reasons=verdict.reasons
        )
    if stdout is not None:
        note = f"; skipped {', '.join(skipped)} (story not loaded)" if skipped else ""
        stdout.write(f"Loaded {path}: {len(created)} new comments "
                     f"({len(data['comments'])} in the seed); spam filter trained on "
                     f"{ham} approved and {spam_count} spam comments{note}.")
    return len(created)


def _story(path, item):
    if item.get("kind", "article") == "interview":
        # Interviews are seeded by their own loader; without it their comments wait.
        story = Interview.objects.filter(slug=item["story"]).first()
        return story if story is not None and story.publish_at is not None else None
    story = Article.objects.filter(slug=item["story"]).first()
    if story is None or story.publish_at is None:
        raise CommandError(f"{path}: comment {item['key']!r}: no published story "
                           f"{item['story']!r} (run the story seed first)")
    return story
