"""A naive Bayes spam filter that learns from the moderators' own decisions.

No outside service: the counts live in two tables (SpamToken per word, SpamFilterTotals for the
number of comments seen). Approving a comment teaches "ham", marking it spam teaches "spam";
`Comment.learned_as` remembers which, so a reversed decision is taken back exactly once.
Scores combine the words' spam probabilities with Gary Robinson's chi-squared method (as
SpamBayes does), which gives 0..1 and stays near 0.5 when the evidence is thin or mixed.
"""

import math
import re
from collections import Counter
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest

from . import conf
from .models import Comment, SpamFilterTotals, SpamToken

HAM, SPAM = Comment.Learned.HAM, Comment.Learned.SPAM

_WORD = re.compile(r"[^\W_]{2,30}", re.UNICODE)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
MAX_TOKENS = 400
# Robinson's strength and prior for words seen only a few times.
STRENGTH, PRIOR = 0.45, 0.5
# Words whose probability is this close to 0.5 say nothing and are left out.
MIN_INTEREST = 0.1
MAX_CLUES = 60


def tokens(comment):
    """The distinct features the filter counts: words, link hosts, the email's domain."""
    found = set()
    text = f"{comment.body}"
    for url in _URL.findall(text):
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
        if host:
            found.add(f"url:{host.removeprefix('www.')}"[:64])
    # Links count by their host only: "https", "www" and "com" say nothing on their own.
    found.update(word.casefold() for word in _WORD.findall(_URL.sub(" ", text)))
    found.update(f"name:{word.casefold()}" for word in _WORD.findall(comment.author_name))
    if "@" in comment.email:
        found.add(f"email:{comment.email.rsplit('@', 1)[1].lower()}"[:64])
    found.add(f"links:{min(len(_URL.findall(text)), 3)}")
    return sorted(found)[:MAX_TOKENS]


def _totals_row():
    SpamFilterTotals.objects.bulk_create([SpamFilterTotals(pk=1)], ignore_conflicts=True)
    return SpamFilterTotals.objects.filter(pk=1)


def _count(comment, kind, step):
    words = tokens(comment)
    field = "spam_count" if kind == SPAM else "ham_count"
    change = F(field) + 1 if step > 0 else Greatest(F(field) - 1, 0)
    if step > 0:
        SpamToken.objects.bulk_create([SpamToken(token=word) for word in words],
                                      ignore_conflicts=True)
    SpamToken.objects.filter(token__in=words).update(**{field: change})
    _totals_row().update(**{field: change})


@transaction.atomic
def learn(comment, kind):
    """Teach the filter that `comment` is `kind` (HAM, SPAM or NOTHING), forgetting what it
    was taught about this comment before. Saves `learned_as` on the comment."""
    if comment.learned_as == kind:
        return False
    if comment.learned_as:
        _count(comment, comment.learned_as, -1)
    if kind:
        _count(comment, kind, +1)
    comment.learned_as = kind
    Comment.objects.filter(pk=comment.pk).update(learned_as=kind)
    return True


def decided_comments():
    """The training set: comments a moderator approved or marked as spam."""
    return Comment.objects.filter(
        status__in=[Comment.Status.APPROVED, Comment.Status.SPAM], moderated_at__isnull=False
    )


@transaction.atomic
def retrain():
    """Forget everything and learn again from every decided comment. Returns (ham, spam)."""
    spam_words, ham_words = Counter(), Counter()
    learned = {HAM: [], SPAM: []}
    for comment in decided_comments().only("pk", "body", "author_name", "email", "status") \
            .iterator(chunk_size=500):
        kind = SPAM if comment.status == Comment.Status.SPAM else HAM
        (spam_words if kind == SPAM else ham_words).update(tokens(comment))
        learned[kind].append(comment.pk)
    SpamToken.objects.all().delete()
    SpamToken.objects.bulk_create(
        [SpamToken(token=word, spam_count=spam_words[word], ham_count=ham_words[word])
         for word in spam_words.keys() | ham_words.keys()],
        batch_size=500,
    )
    _totals_row().update(spam_count=len(learned[SPAM]), ham_count=len(learned[HAM]))
    Comment.objects.exclude(learned_as="").update(learned_as="")
    for kind, pks in learned.items():
        for start in range(0, len(pks), 500):
            Comment.objects.filter(pk__in=pks[start:start + 500]).update(learned_as=kind)
    return len(learned[HAM]), len(learned[SPAM])


def _chi2q(x2, degrees):
    """P(chi-squared with `degrees` (even) degrees of freedom >= x2)."""
    m = x2 / 2.0
    total = term = math.exp(-m)
    for i in range(1, degrees // 2):
        term *= m / i
        total += term
    return min(total, 1.0)


def spam_probability(comment):
    """(probability 0..1, the words that pushed it towards spam), or (None, []) while the
    filter has not yet seen enough decisions of both kinds."""
    totals = SpamFilterTotals.objects.filter(pk=1).first()
    needed = conf.get("COMMENTS_BAYES_MIN_DECISIONS")
    if totals is None or totals.spam_count < needed or totals.ham_count < needed:
        return None, []
    clues = []
    for word, spam, ham in SpamToken.objects.filter(token__in=tokens(comment)) \
            .values_list("token", "spam_count", "ham_count"):
        spam_ratio = min(spam / totals.spam_count, 1.0)
        ham_ratio = min(ham / totals.ham_count, 1.0)
        if spam_ratio + ham_ratio == 0:
            continue
        seen = spam + ham
        probability = spam_ratio / (spam_ratio + ham_ratio)
        probability = (STRENGTH * PRIOR + seen * probability) / (STRENGTH + seen)
        probability = min(max(probability, 0.01), 0.99)
        if abs(probability - 0.5) >= MIN_INTEREST:
            clues.append((abs(probability - 0.5), probability, word))
    if not clues:
        return 0.5, []
    clues = sorted(clues, reverse=True)[:MAX_CLUES]
    n = len(clues)
    spamminess = 1.0 - _chi2q(-2.0 * sum(math.log(1.0 - p) for _, p, _ in clues), 2 * n)
    hamminess = 1.0 - _chi2q(-2.0 * sum(math.log(p) for _, p, _ in clues), 2 * n)
    score = (spamminess - hamminess + 1.0) / 2.0
    spammy = [word for _, p, word in clues if p > 0.5 and ":" not in word][:5]
    return min(max(score, 0.0), 1.0), spammy
