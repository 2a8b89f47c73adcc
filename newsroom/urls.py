from django.contrib import admin
from django.urls import include, path

from accounts.forms import AdminLoginForm
from accounts.views import two_factor_view
from articles.sitemaps import ArticleSitemap, SectionSitemap, TagSitemap
from interviews import views as interview_views
from interviews.sitemaps import InterviewListSitemap, InterviewSitemap

from . import views
from .admin_views import import_story_view
from .feeds import LatestFeed
from .sitemaps import HomeSitemap, PageSitemap
from .wordpress.admin_view import import_wordpress_view

sitemaps = {
    "home": HomeSitemap,
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "interview-list": InterviewListSitemap,
    "interviews": InterviewSitemap,
    "pages": PageSitemap,
}

handler400 = "newsroom.views.bad_request"
handler500 = "newsroom.views.server_error"

admin.site.site_header = "Newsroom desk"
admin.site.index_template = "comments/admin/index.html"  # the desk's index, with the queue
admin.site.site_title = "Newsroom"
admin.site.index_title = "The desk"
admin.site.login_form = AdminLoginForm
admin.site.login_template = "accounts/admin_login.html"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon),
    path("search/", views.search, name="search"),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("feed/", LatestFeed(), name="feed"),
    path("sitemap.xml", views.sitemap_index, {"sitemaps": sitemaps}, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap, {"sitemaps": sitemaps},
         name="sitemap-part"),
    path("news-sitemap.xml", views.news_sitemap, name="news-sitemap"),
    path("admin/import-story/", admin.site.admin_view(import_story_view), name="import-story"),
    path("admin/import-wordpress/", admin.site.admin_view(import_wordpress_view),
         name="import-wordpress"),
    path("admin/two-factor/", admin.site.admin_view(two_factor_view), name="two-factor"),
    path("admin/", admin.site.urls),
]

urlpatterns += [
    path("interviews/", include("interviews.urls")),
    path("preview/interviews/<int:pk>/", interview_views.interview_preview,
         name="interview-preview"),
    path("preview/interview-link/<str:token>/", interview_views.interview_preview_link,
         name="interview-preview-link"),
]

urlpatterns += [path("comments/", include("comments.urls"))]

# Last: articles owns the catch-all section addresses.
urlpatterns += [path("", include("articles.urls"))]
