from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.static import serve

from articles.feeds import LatestStoriesFeed
from articles.sitemaps import ArticleSitemap, SectionSitemap, TagSitemap

from . import views
from .sitemaps import HomeSitemap

sitemaps = {
    "home": HomeSitemap,
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "tags": TagSitemap,
}

admin.site.site_header = "Newsroom desk"
admin.site.site_title = "Newsroom"
admin.site.index_title = "The desk"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("search/", views.search, name="search"),
    path("feed/", LatestStoriesFeed(), name="feed"),
    path("sitemap.xml", sitemap_views.sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("news-sitemap.xml", views.news_sitemap, name="news-sitemap"),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

# Last: articles owns the catch-all section addresses.
urlpatterns += [path("", include("articles.urls"))]
