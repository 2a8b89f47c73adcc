from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self):
        from articles import pages

        from . import fragments, pagecache

        pagecache.connect()
        pages.keeper = fragments.render
