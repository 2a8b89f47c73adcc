"""The spam pipeline: pluggable checks, listed by dotted path in COMMENT_SPAM_CHECKS.

A check looks at a Submission (the unsaved comment plus what the form noticed) and returns
nothing, a Signal, or a list of them. A signal carries a score (0..1) and a reason a moderator
can read; `certain` sends the comment to spam whatever the score; `refuse` stores nothing and
tells the reader `message` instead. Scores combine like independent odds (1 − Π(1 − s)).
"""

import functools
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from . import bayes, conf
from .models import Comment, WordRule

log = logging.getLogger(__name__)


@dataclass
class Submission:
    comment: Comment
    # What the form noticed: the trap field's content and seconds since the form was drawn.
    honeypot: str = ""
    elapsed: float | None = None
    referrer: str = ""


@dataclass
class Signal:
    score: float
    reason: str = ""
    certain: bool = False
    refuse: bool = False
    message: str = ""


@dataclass
class Verdict:
    score: float = 0.0
    reasons: list = field(default_factory=list)
    spam: bool = False
    refusal: str = ""


class SpamCheck:
    """Base class: subclass, implement check(), and list the class in COMMENT_SPAM_CHECKS."""

    def check(self, submission):
        raise NotImplementedError


@functools.cache
def _load(path):
    return import_string(path)()


def configured_checks():
    return [_load(path) for path in conf.get("COMMENT_SPAM_CHECKS")]


def run_checks(submission, checks=None):
    verdict = Verdict()
    keep = 1.0
    for check in configured_checks() if checks is None else checks:
        found = check.check(submission)
        signals = found if isinstance(found, list) else [found] if found else []
        for signal in signals:
            score = min(max(float(signal.score), 0.0), 1.0)
            keep *= 1.0 - score
            if signal.reason:
                verdict.reasons.append(signal.reason)
            if signal.certain:
                verdict.spam = True
            if signal.refuse and not verdict.refusal:
                verdict.refusal = signal.message or "Your comment could not be accepted."
        if verdict.refusal:
            break
    verdict.score = round(1.0 - keep, 4)
    if verdict.score >= conf.get("COMMENTS_SPAM_THRESHOLD"):
        verdict.spam = True
    return verdict


# Form traps ------------------------------------------------------------------------------


class HoneypotCheck(SpamCheck):
    """People never see the trap field; bots fill every field they find."""

    def check(self, submission):
        if submission.honeypot.strip():
            return Signal(1.0, "Filled in the hidden trap field (a bot)", refuse=True,
                          message="Your comment could not be accepted. If a form-filling tool "
                                  "completed the field marked “leave this empty”, clear it "
                                  "and send again.")
        return None


class TimingCheck(SpamCheck):
    """A comment sent within seconds of the page loading was not typed by a person."""

    def check(self, submission):
        minimum = conf.get("COMMENTS_MIN_SECONDS")
        if minimum > 0 and submission.elapsed is not None and submission.elapsed < minimum:
            return Signal(1.0, f"Sent {submission.elapsed:.1f} s after the form appeared",
                          refuse=True,
                          message="That was quick: please take a moment to read your comment, "
                                  "then send it again.")
        return None


# Content rules ---------------------------------------------------------------------------

_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|ru|xyz|top|io|shop|click|online)\b",
    re.IGNORECASE,
)


def count_links(text):
    return len(_LINK.findall(text))


class LinkCountCheck(SpamCheck):
    def check(self, submission):
        links = count_links(submission.comment.body)
        allowed = conf.get("COMMENTS_MAX_LINKS")
        if links > allowed:
            return Signal(min(0.95, 0.5 + 0.15 * (links - allowed)),
                          f"{links} links (more than {allowed})")
        if links:
            return Signal(0.1, f"{links} link{'s' if links > 1 else ''}")
        return None


def phrase_pattern(phrase):
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


class WordRuleCheck(SpamCheck):
    """The blocked and suspect phrases moderators keep in the admin (WordRule)."""

    SUSPECT_SCORE = 0.4

    def check(self, submission):
        comment = submission.comment
        text = f"{comment.author_name}\n{comment.body}"
        signals = []
        for phrase, kind in WordRule.objects.values_list("phrase", "kind"):
            if not phrase_pattern(phrase).search(text):
                continue
            if kind == WordRule.Kind.BLOCKED:
                signals.append(Signal(1.0, f"Blocked phrase “{phrase}”", certain=True))
            else:
                signals.append(Signal(self.SUSPECT_SCORE, f"Suspect phrase “{phrase}”"))
        return signals


class DuplicateCheck(SpamCheck):
    """The same text posted again lately: copy-and-paste campaigns, or a double post."""

    MIN_LENGTH = 20

    def check(self, submission):
        comment = submission.comment
        if len(" ".join(comment.body.split())) < self.MIN_LENGTH:
            return None  # "Agreed." and "Thank you!" are said twice honestly
        since = timezone.now() - timedelta(hours=conf.get("COMMENTS_DUPLICATE_WINDOW_HOURS"))
        found = (
            Comment.objects.filter(fingerprint=comment.fingerprint, created_at__gte=since)
            .exclude(pk=comment.pk)
            .aggregate(total=Count("pk"), spam=Count("pk", filter=Q(status=Comment.Status.SPAM)))
        )
        if found["spam"]:
            return Signal(0.95, "Same text as a recent comment marked as spam")
        if found["total"]:
            hours = conf.get("COMMENTS_DUPLICATE_WINDOW_HOURS")
            many = found["total"] > 1
            return Signal(0.9 if many else 0.6,
                          f"Same text as {found['total']} comment{'s' if many else ''} "
                          f"posted in the last {hours} hours")
        return None


class BayesCheck(SpamCheck):
    """The learned filter (comments.bayes): only evidence for spam raises the score."""

    def check(self, submission):
        probability, words = bayes.spam_probability(submission.comment)
        if probability is None or probability <= 0.5:
            return None
        score = (probability - 0.5) * 2
        if probability < 0.7:
            return Signal(score)
        reason = f"Learned filter: {probability:.0%} like comments marked as spam"
        if words:
            reason += " (" + ", ".join(f"“{word}”" for word in words) + ")"
        return Signal(score, reason)


# Akismet ---------------------------------------------------------------------------------


@functools.cache
def _akismet_client(class_path, key, url):
    import akismet

    return import_string(class_path)(config=akismet.Config(key=key, url=url))


def akismet_client():
    """The configured Akismet client, or None when AKISMET_API_KEY is not set."""
    key = conf.get("AKISMET_API_KEY")
    if not key:
        return None
    from django.conf import settings

    url = conf.get("AKISMET_BLOG_URL") or getattr(settings, "NEWSROOM_SITE_URL", "")
    return _akismet_client(conf.get("AKISMET_CLIENT_CLASS"), key, url or "http://localhost/")


def akismet_arguments(comment, referrer=""):
    from django.conf import settings

    story = comment.story
    base = getattr(settings, "NEWSROOM_SITE_URL", "")
    arguments = {
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.author_name,
        "comment_author_email": comment.email,
        "comment_content": comment.body,
        "user_agent": comment.user_agent,
        "blog_lang": "en",
        "blog_charset": "UTF-8",
    }
    if story is not None:
        arguments["permalink"] = f"{base}{story.get_absolute_url()}"
    if referrer:
        arguments["referrer"] = referrer
    return arguments


class AkismetCheck(SpamCheck):
    """Asks Akismet, when AKISMET_API_KEY is set. Trouble reaching it never blocks a comment."""

    def check(self, submission):
        client = akismet_client()
        comment = submission.comment
        if client is None or not comment.ip:
            return None
        import akismet

        try:
            answer = client.comment_check(
                user_ip=comment.ip, **akismet_arguments(comment, submission.referrer)
            )
        except Exception as error:  # network, key or protocol trouble: never a 500 for readers
            log.warning("Akismet check failed: %r", error)
            return Signal(0.0, "Akismet could not be asked; checked without it")
        if answer == akismet.CheckResponse.DISCARD:
            return Signal(1.0, "Akismet: blatant spam", certain=True)
        if answer == akismet.CheckResponse.SPAM:
            return Signal(0.95, "Akismet: spam", certain=True)
        return None


def report_to_akismet(comment, kind):
    """Tell Akismet a moderator's verdict ("ham" or "spam"). Failures are only logged."""
    client = akismet_client()
    if client is None or not comment.ip:
        return False
    try:
        submit = client.submit_spam if kind == "spam" else client.submit_ham
        return submit(user_ip=comment.ip, **akismet_arguments(comment))
    except Exception as error:  # a report is best effort: the decision stands either way
        log.warning("Akismet %s report failed: %r", kind, error)
        return False
