from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Page


class HomeSitemap(Sitemap):
    changefreq = "always"
    priority = 1.0

    def items(self):
        return ["home"]

    def location(self, name):
        return reverse(name)


class PageSitemap(Sitemap):
    """The desk's simple pages (about, contact…): every one is public at /pages/<slug>/."""

    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return Page.objects.order_by("position", "title")

    def lastmod(self, page):
        return page.updated_at
