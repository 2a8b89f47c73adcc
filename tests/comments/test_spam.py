"""Each spam check on its own, the pipeline that combines them, Akismet (through the akismet
package's own test client, never the network), trusted mode and bans."""

from datetime import timedelta

import akismet
import pytest
from django.utils import timezone

from articles.models import Article
from comments import services, spam
from comments.models import Comment, WordRule, body_fingerprint
from tests.articles.factories import ArticleFactory

from .factories import BanFactory, CommentFactory, WordRuleFactory

pytestmark = pytest.mark.django_db


def submission(body="A plain, thoughtful remark about the council.", *, story=None,
               name="Ana", email="ana@example.org", **signals):
    comment = Comment(author_name=name, email=email, body=body, ip="192.0.2.1",
                      user_agent="tests")
    comment.story = story or ArticleFactory()
    comment.fingerprint = body_fingerprint(body)
    return spam.Submission(comment, **signals)


def check(check_class, *args, **kwargs):
    found = check_class().check(submission(*args, **kwargs))
    return found if isinstance(found, list) else [found] if found else []


def post(story=None, **fields):
    values = {"author_name": "Ana", "email": "ana@example.org",
              "body": "A plain, thoughtful remark about the council.", "ip": "192.0.2.1"}
    values.update(fields)
    return services.post_comment(story or ArticleFactory(), **values)


# The checks -------------------------------------------------------------------------------


def test_link_count_check(settings):
    settings.COMMENTS_MAX_LINKS = 2
    assert check(spam.LinkCountCheck) == []
    one = check(spam.LinkCountCheck, "See https://example.org/report")
    assert one[0].reason == "1 link" and one[0].score < 0.3
    many = check(spam.LinkCountCheck, "a.example.com http://b.example www.c.example d.example.net")
    assert many[0].reason == "4 links (more than 2)" and many[0].score >= 0.75


def test_word_rules_blocked_and_suspect():
    WordRuleFactory(phrase="Casino Bonus", kind=WordRule.Kind.BLOCKED)
    WordRuleFactory(phrase="cheap", kind=WordRule.Kind.SUSPECT)
    assert WordRule.objects.get(kind="blocked").phrase == "casino bonus"
    blocked = check(spam.WordRuleCheck, "Get your CASINO\n bonus now")
    assert blocked[0].certain and blocked[0].reason == "Blocked phrase “casino bonus”"
    suspect = check(spam.WordRuleCheck, "Cheap flights are gone.")
    assert not suspect[0].certain and suspect[0].reason == "Suspect phrase “cheap”"
    # Whole words only.
    assert check(spam.WordRuleCheck, "The cheapest option is the ferry.") == []
    # The name counts too.
    assert check(spam.WordRuleCheck, name="Cheap Pills")[0].reason == "Suspect phrase “cheap”"


def test_duplicate_check():
    text = "Exactly the same comment, pasted under every story."
    assert check(spam.DuplicateCheck, text) == []
    CommentFactory(body=text)
    once = check(spam.DuplicateCheck, "exactly  the SAME comment, pasted under every story.")
    assert once[0].reason == "Same text as 1 comment posted in the last 72 hours"
    assert 0.5 <= once[0].score < 0.9
    CommentFactory(body=text, status=Comment.Status.SPAM)
    assert check(spam.DuplicateCheck, text)[0].score >= 0.9
    # Short everyday replies and old comments do not count.
    CommentFactory(body="Agreed.")
    assert check(spam.DuplicateCheck, "Agreed.") == []
    Comment.objects.update(created_at=timezone.now() - timedelta(days=10))
    assert check(spam.DuplicateCheck, text) == []


def test_honeypot_and_timing_checks_refuse(settings):
    settings.COMMENTS_MIN_SECONDS = 3
    assert check(spam.HoneypotCheck, honeypot="http://x.example")[0].refuse
    assert check(spam.HoneypotCheck) == []
    assert check(spam.TimingCheck, elapsed=0.4)[0].refuse
    assert check(spam.TimingCheck, elapsed=30) == []
    assert check(spam.TimingCheck) == []  # no form involved (seed, command)


def test_pipeline_combines_scores_and_collects_reasons(settings):
    WordRuleFactory(phrase="cheap", kind=WordRule.Kind.SUSPECT)
    WordRuleFactory(phrase="pills", kind=WordRule.Kind.SUSPECT)
    verdict = spam.run_checks(submission("cheap pills at https://example.org"))
    # 1 - (1 - 0.1)(1 - 0.4)(1 - 0.4)
    assert verdict.score == pytest.approx(0.676)
    assert verdict.reasons == ["1 link", "Suspect phrase “cheap”", "Suspect phrase “pills”"]
    assert not verdict.spam
    settings.COMMENTS_SPAM_THRESHOLD = 0.6
    assert spam.run_checks(submission("cheap pills at https://example.org")).spam


class ShoutingCheck(spam.SpamCheck):
    def check(self, submission):
        if submission.comment.body.isupper():
            return spam.Signal(0.95, "Written in capitals")
        return None


def test_checks_are_pluggable_from_settings(settings):
    settings.COMMENT_SPAM_CHECKS = ["tests.comments.test_spam.ShoutingCheck"]
    comment = post(body="THIS IS AN OUTRAGE AND EVERYONE KNOWS IT")
    assert comment.status == Comment.Status.SPAM
    assert comment.spam_reasons == ["Written in capitals"]
    settings.COMMENT_SPAM_CHECKS = []
    assert post(body="THIS IS STILL AN OUTRAGE, SAYS A SECOND READER").status == "pending"


def test_clear_spam_goes_straight_to_spam_and_the_rest_waits():
    WordRuleFactory(phrase="replica watches", kind=WordRule.Kind.BLOCKED)
    assert post(body="Replica watches, cheap").status == Comment.Status.SPAM
    links = " ".join(f"https://shop{n}.example.com" for n in range(6))
    assert post(body=f"Buy now {links}", email="b@example.org").status == Comment.Status.SPAM
    held = post(body="I think the council got this one right.", email="c@example.org")
    assert held.status == Comment.Status.PENDING
    assert held.spam_score == 0 and held.spam_reasons == []


# Akismet ------------------------------------------------------------------------------------


class AkismetSaysSpam(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.SPAM


class AkismetSaysHam(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.HAM
    reports = []

    def submit_ham(self, user_ip, **kwargs):
        self.reports.append(("ham", user_ip, kwargs))
        return super().submit_ham(user_ip, **kwargs)

    def submit_spam(self, user_ip, **kwargs):
        self.reports.append(("spam", user_ip, kwargs))
        return super().submit_spam(user_ip, **kwargs)


class AkismetSaysDiscard(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.DISCARD


class AkismetIsDown(akismet.TestSyncClient):
    def comment_check(self, user_ip, **kwargs):
        raise akismet.RequestError("connection refused")


@pytest.fixture
def use_akismet(settings):
    def configure(client_class):
        settings.AKISMET_API_KEY = "test-key"
        settings.AKISMET_BLOG_URL = "http://news.example"
        settings.AKISMET_CLIENT_CLASS = f"{__name__}.{client_class.__name__}"

    return configure


def test_akismet_is_not_asked_without_a_key(settings):
    settings.AKISMET_API_KEY = ""
    assert spam.akismet_client() is None
    assert check(spam.AkismetCheck) == []


def test_akismet_spam_goes_to_spam(use_akismet):
    use_akismet(AkismetSaysSpam)
    comment = post()
    assert comment.status == Comment.Status.SPAM
    assert "Akismet: spam" in comment.spam_reasons


def test_akismet_discard_is_certain_spam(use_akismet):
    use_akismet(AkismetSaysDiscard)
    assert post().spam_reasons[-1] == "Akismet: blatant spam"


def test_akismet_ham_changes_nothing(use_akismet):
    use_akismet(AkismetSaysHam)
    comment = post()
    assert comment.status == Comment.Status.PENDING and comment.spam_reasons == []


def test_akismet_trouble_never_blocks_a_comment(use_akismet):
    use_akismet(AkismetIsDown)
    comment = post()
    assert comment.status == Comment.Status.PENDING
    assert comment.spam_reasons == ["Akismet could not be asked; checked without it"]


def test_moderator_decisions_are_reported_to_akismet(use_akismet, moderator,
                                                     django_capture_on_commit_callbacks):
    use_akismet(AkismetSaysHam)
    AkismetSaysHam.reports.clear()
    good, bad = post(), post(body="Another thing entirely, posted for the test.")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_comment(good, by=moderator)
        services.mark_spam(bad, by=moderator)
        services.reject_comment(post(body="Rejections are not reported to Akismet."),
                                by=moderator)
    assert [(kind, ip) for kind, ip, _ in AkismetSaysHam.reports] == [
        ("ham", "192.0.2.1"), ("spam", "192.0.2.1")]
    sent = AkismetSaysHam.reports[0][2]
    assert sent["comment_content"] == good.body
    assert sent["comment_author_email"] == "ana@example.org"
    assert sent["permalink"].endswith(good.article.get_absolute_url())


# Trusted mode ---------------------------------------------------------------------------------


@pytest.fixture
def trusted_story():
    return ArticleFactory(comment_mode=Article.CommentMode.TRUSTED)


def test_trusted_mode_lets_returning_commenters_through(trusted_story, settings):
    settings.COMMENTS_TRUSTED_MIN_APPROVED = 2
    CommentFactory(email="regular@example.org")
    assert post(trusted_story, email="regular@example.org").status == "pending"
    CommentFactory(email="Regular@Example.org")
    comment = post(trusted_story, email="REGULAR@example.org",
                   body="A second, different remark on the story.")
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by is None
    assert comment.spam_reasons == ["Went live: trusted commenter with 2 approved comments"]


def test_trusted_mode_still_holds_newcomers_and_suspect_comments(trusted_story):
    CommentFactory.create_batch(3, email="regular@example.org")
    CommentFactory(email="rejected@example.org", status=Comment.Status.REJECTED)
    assert post(trusted_story, email="new@example.org").status == "pending"
    assert post(trusted_story, email="rejected@example.org").status == "pending"
    WordRuleFactory(phrase="miracle cure", kind=WordRule.Kind.SUSPECT)
    assert post(trusted_story, email="regular@example.org",
                body="Try this miracle cure").status == "pending"


def test_moderated_mode_holds_even_regulars():
    CommentFactory.create_batch(5, email="regular@example.org")
    assert post(email="regular@example.org").status == Comment.Status.PENDING


def test_trusted_reader_sees_their_comment_live(client, trusted_story):
    from .helpers import post as post_form

    CommentFactory.create_batch(2, email="ana@example.org")
    response = post_form(client, trusted_story, body="Live at once, thanks to my record.")
    comment = Comment.objects.get(article=trusted_story)
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    html = client.get(response["Location"]).content.decode()
    assert "your comment is live" in html
    assert "Live at once, thanks to my record." in html


# Bans -----------------------------------------------------------------------------------------


def test_banned_email_or_ip_goes_straight_to_spam(trusted_story):
    BanFactory(email="Troll@Example.org")
    comment = post(email="troll@example.org")
    assert comment.status == Comment.Status.SPAM
    assert comment.spam_reasons == ["Banned commenter (email address troll@example.org)"]
    BanFactory(email="", ip="203.0.113.9")
    assert post(email="fresh@example.org", ip="203.0.113.9").status == Comment.Status.SPAM
    # Even a trusted regular.
    CommentFactory.create_batch(3, email="regular@example.org")
    BanFactory(email="regular@example.org")
    assert post(trusted_story, email="regular@example.org").status == Comment.Status.SPAM


def test_expired_ban_no_longer_applies():
    BanFactory(email="once@example.org", expires_at=timezone.now() - timedelta(minutes=1))
    assert post(email="once@example.org").status == Comment.Status.PENDING


def test_banning_moves_pending_comments_to_spam(moderator):
    waiting = post(email="troll@example.org")
    approved = CommentFactory(email="troll@example.org")
    ban, moved = services.ban(email="TROLL@example.org", by=moderator, reason="Abuse")
    assert moved == 1 and str(ban) == "troll@example.org"
    waiting.refresh_from_db()
    assert waiting.status == Comment.Status.SPAM and waiting.moderated_by == moderator
    assert waiting.decisions.get().action == "ban"
    approved.refresh_from_db()
    assert approved.status == Comment.Status.APPROVED
    # Banning again reuses the ban.
    again, _ = services.ban(email="troll@example.org", by=moderator)
    assert again.pk == ban.pk
