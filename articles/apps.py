from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom desk"

    def ready(self):
        from taggit.models import TaggedItem

        from . import history
        from .models import Article, ArticleAuthor, Correction

        # A story's revision holds its byline, corrections and tags (see articles.history).
        history.register(Article, follow=["articleauthor_set", "corrections", "tagged_items"])
        for part in (ArticleAuthor, Correction, TaggedItem):
            history.register(part)
