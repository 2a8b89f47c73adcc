from django.urls import path, register_converter

from . import views
from .feeds import CorrectionsFeed, SectionFeed, TagFeed


class FourDigits:
    regex = r"\d{4}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


class TwoDigits(FourDigits):
    regex = r"\d{2}"


class TagSlug:
    """django-taggit keeps letters outside ASCII in slugs (“Zürich” → “zürich”)."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(TagSlug, "tagslug")
register_converter(FourDigits, "yyyy")
register_converter(TwoDigits, "dd")

app_name = "articles"

# The section pattern catches every first path segment, so newsroom/urls.py includes
# these last; section slugs cannot take the site's own words (models.RESERVED_SLUGS).
urlpatterns = [
    path("preview/articles/<int:pk>/", views.article_preview, name="preview"),
    path("preview/link/<str:token>/", views.preview_link, name="preview-link"),
    path("corrections/", views.CorrectionsView.as_view(), name="corrections"),
    path("corrections/feed/", CorrectionsFeed(), name="corrections-feed"),
    path("editor/upload/", views.editor_upload, name="editor-upload"),
    path("tags/<tagslug:slug>/", views.TagView.as_view(), name="tag"),
    path("tags/<tagslug:slug>/feed/", TagFeed(), name="tag-feed"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("<slug:section>/", views.SectionView.as_view(), name="section"),
    path("<slug:section>/feed/", SectionFeed(), name="section-feed"),
    path("<slug:section>/<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/",
         views.article_detail, name="detail"),
]
