from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Coalesce
from taggit.models import Tag

from .models import Article, Section

# Addresses per sitemap page. The protocol allows 50,000; pages of 10,000 stay quick to render
# when the cache is cold, and /sitemap.xml indexes as many pages as the archive needs.
SITEMAP_PAGE_SIZE = 10_000


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return Article.objects.published().select_related("section").order_by("-publish_at",
                                                                              "-pk")

    def lastmod(self, article):
        return article.updated_at or article.publish_at


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        # Filtering before annotating makes Max() look at published stories only.
        return (
            Section.objects.filter(articles__in=Article.objects.published())
            .annotate(newest=Max("articles__publish_at"))
            .order_by("order", "name")
        )

    def lastmod(self, section):
        return section.newest


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return (
            Tag.objects.filter(article__in=Article.objects.published()).exclude(slug="")
            .annotate(newest=Max(Coalesce("article__updated_at", "article__publish_at")))
            .order_by("name")
        )

    def location(self, tag):
        return f"/tags/{tag.slug}/"

    def lastmod(self, tag):
        return tag.newest

