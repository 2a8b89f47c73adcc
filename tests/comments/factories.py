import factory
from django.utils import timezone

from comments.models import Ban, Comment, WordRule
from tests.articles.factories import ArticleFactory


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved top-level comment on a published article."""

    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    body = factory.Sequence(lambda n: f"Comment number {n}: a fair point about the harbour.")
    status = Comment.Status.APPROVED
    ip = "192.0.2.10"
    user_agent = "Mozilla/5.0 (tests)"
    created_at = factory.LazyFunction(timezone.now)


class ReplyFactory(CommentFactory):
    parent = factory.SubFactory(CommentFactory)
    article = factory.LazyAttribute(lambda reply: reply.parent.article)


class WordRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WordRule

    phrase = factory.Sequence(lambda n: f"phrase{n}")
    kind = WordRule.Kind.SUSPECT


class BanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ban

    email = "banned@example.org"
