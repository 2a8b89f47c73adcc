"""The learned filter: it learns from moderators' decisions, un-learns reversed ones, and can be
rebuilt from every decided comment with `manage.py train_spam_filter`."""

from io import StringIO

import pytest
from django.core.management import call_command

from comments import bayes, services
from comments.models import Comment, SpamFilterTotals, SpamToken

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

SPAM_TEXTS = [
    "Cheap pharmacy pills, discreet delivery, order pills today at pharmacy-direct",
    "Discount pills without prescription, fast discreet delivery from our pharmacy",
    "Best pharmacy prices: pills, tablets, discreet parcels, order today",
]
HAM_TEXTS = [
    "The council should publish the harbour flood survey before the vote.",
    "My street flooded in January; the new barrier cannot come soon enough.",
    "Good reporting on the harbour board. Who pays for the flood barrier?",
]


def pending(body, email="reader@example.org"):
    return CommentFactory(body=body, email=email, status=Comment.Status.PENDING)


def probability(body):
    return bayes.spam_probability(Comment(body=body, author_name="Someone",
                                          email="someone@example.net"))[0]


def teach(moderator):
    for text in SPAM_TEXTS:
        services.mark_spam(pending(text, "seller@example.net"), by=moderator)
    for text in HAM_TEXTS:
        services.approve_comment(pending(text), by=moderator)


def test_filter_says_nothing_until_it_has_seen_both_kinds(moderator):
    assert probability("Order cheap pills today") is None
    services.mark_spam(pending(SPAM_TEXTS[0]), by=moderator)
    assert probability("Order cheap pills today") is None
    services.approve_comment(pending(HAM_TEXTS[0]), by=moderator)
    assert probability("Order cheap pills today") is not None


def test_previously_rejected_spam_scores_higher_after_training(moderator):
    message = "Order discreet pharmacy pills today, fast delivery"
    services.approve_comment(pending("A first good comment on the flood barrier."),
                             by=moderator)
    services.mark_spam(pending("An early spam: visit my site."), by=moderator)
    before = probability(message)
    teach(moderator)
    after = probability(message)
    assert after > before
    assert after > 0.9
    assert probability("Who pays for the harbour flood barrier, the council?") < 0.2

    comment = services.post_comment(CommentFactory().article, author_name="Seller",
                                    email="new-seller@example.net", body=message)
    assert comment.status == Comment.Status.SPAM
    reason = next(r for r in comment.spam_reasons if r.startswith("Learned filter"))
    assert "like comments marked as spam" in reason and "pills" in reason
    assert 0 <= comment.spam_score <= 1


def test_decisions_update_the_counts_and_reversal_unlearns(moderator):
    comment = pending("Pills pills pills from the pharmacy")
    services.mark_spam(comment, by=moderator)
    pills = SpamToken.objects.get(token="pills")
    assert (pills.spam_count, pills.ham_count) == (1, 0)
    assert comment.learned_as == "spam"
    totals = SpamFilterTotals.objects.get()
    assert (totals.spam_count, totals.ham_count) == (1, 0)

    # The moderator changes their mind: the spam lesson is taken back, a ham one given.
    services.mark_not_spam(comment, by=moderator)
    pills.refresh_from_db()
    assert (pills.spam_count, pills.ham_count) == (0, 1)
    totals.refresh_from_db()
    assert (totals.spam_count, totals.ham_count) == (0, 1)

    # Rejecting is no verdict on spam: it forgets the comment altogether.
    services.reject_comment(comment, by=moderator)
    pills.refresh_from_db()
    totals.refresh_from_db()
    assert (pills.spam_count, pills.ham_count, totals.ham_count) == (0, 0, 0)
    assert Comment.objects.get(pk=comment.pk).learned_as == ""


def test_the_same_decision_twice_is_learned_once(moderator):
    comment = pending("Harbour ferry timetable is a mess again")
    assert services.approve_comment(comment, by=moderator)
    assert not services.approve_comment(comment, by=moderator)
    assert SpamToken.objects.get(token="ferry").ham_count == 1
    assert comment.decisions.count() == 1


def test_retrain_command_rebuilds_from_all_decided_comments(moderator):
    teach(moderator)
    counts = dict(SpamToken.objects.values_list("token", "spam_count"))
    # Counts drift (e.g. rows deleted by hand); retraining rebuilds them exactly.
    SpamToken.objects.update(spam_count=99, ham_count=99)
    SpamFilterTotals.objects.update(spam_count=0)
    pending("Still waiting: not part of the training.")
    CommentFactory(body="Approved by trusted mode, no moderator: not training either.")

    out = StringIO()
    call_command("train_spam_filter", stdout=out)
    assert "Trained the spam filter on 6 decided comments (3 approved, 3 spam)" in out.getvalue()
    assert dict(SpamToken.objects.values_list("token", "spam_count")) == counts
    assert not SpamToken.objects.filter(token="waiting").exists()
    totals = SpamFilterTotals.objects.get()
    assert (totals.spam_count, totals.ham_count) == (3, 3)
    assert set(Comment.objects.values_list("learned_as", flat=True)) == {"", "ham", "spam"}
    # Reversing after a retrain still un-learns exactly once.
    spam_comment = Comment.objects.filter(learned_as="spam").first()
    services.approve_comment(spam_comment, by=moderator)
    assert SpamFilterTotals.objects.get().spam_count == 2


def test_tokens_use_link_hosts_not_url_parts():
    comment = Comment(body="Visit https://www.Pills.example/buy now", author_name="Ann Seller",
                      email="a@Shop.example")
    words = bayes.tokens(comment)
    assert "url:pills.example" in words and "email:shop.example" in words
    assert "name:seller" in words and "visit" in words
    assert "https" not in words and "buy" not in words
