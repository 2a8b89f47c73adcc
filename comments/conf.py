"""The comments app's settings and their defaults: the one place they are defined.

newsroom/settings.py reads the ones a deployment may change from the environment (with these
defaults); the others are tuning of the spam pipeline and keep these values unless a settings
module sets them. Tests change them with the `settings` fixture, which is why every value is
read at call time and never cached here.
"""

from django.conf import settings

DEFAULTS = {
    # Longest comment a reader may post, in characters.
    "COMMENTS_MAX_LENGTH": 5000,
    # Discussion closes this many days after publication; 0 keeps it open for good.
    "COMMENTS_CLOSE_AFTER_DAYS": 14,
    # The form's signed timestamp: faster than this is a bot, older than that is stale.
    "COMMENTS_MIN_SECONDS": 3,
    "COMMENTS_MAX_FORM_AGE": 60 * 60 * 24,
    # Fixed-window limits held in the cache: (who, how many, per how many seconds).
    "COMMENTS_RATE_LIMITS": [
        ("ip", 6, 10 * 60),
        ("ip", 40, 24 * 60 * 60),
        ("email", 4, 10 * 60),
        ("email", 20, 24 * 60 * 60),
    ],
    # Trusted mode: approved comments a commenter needs, and the score they must stay under.
    "COMMENTS_TRUSTED_MIN_APPROVED": 2,
    "COMMENTS_TRUSTED_MAX_SCORE": 0.3,
    # A combined spam score at or above this goes straight to spam.
    "COMMENTS_SPAM_THRESHOLD": 0.9,
    "COMMENTS_MAX_LINKS": 2,
    "COMMENTS_DUPLICATE_WINDOW_HOURS": 72,
    # The learned filter says nothing until moderators have decided this many of each kind.
    "COMMENTS_BAYES_MIN_DECISIONS": 1,
    "COMMENT_SPAM_CHECKS": [
        "comments.spam.HoneypotCheck",
        "comments.spam.TimingCheck",
        "comments.spam.LinkCountCheck",
        "comments.spam.WordRuleCheck",
        "comments.spam.DuplicateCheck",
        "comments.spam.BayesCheck",
        "comments.spam.AkismetCheck",
    ],
    # Behind N reverse proxies the client is the Nth address from the right of X-Forwarded-For.
    "NEWSROOM_TRUSTED_PROXY_COUNT": 0,
    "AKISMET_API_KEY": "",
    "AKISMET_BLOG_URL": "",
    # Tests point this at a subclass of akismet.TestSyncClient: no network.
    "AKISMET_CLIENT_CLASS": "akismet.SyncClient",
}


def get(name):
    return getattr(settings, name, DEFAULTS[name])
