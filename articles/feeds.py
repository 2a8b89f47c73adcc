"""RSS 2.0 feeds of published stories: the whole site, a section, a tag."""

import mimetypes
import posixpath
import re
from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.http import http_date
from taggit.models import Tag, TaggedItem

from . import pages
from .listing import section_or_404
from .models import Article, Correction

FEED_LENGTH = 50


class MediaRssFeed(Rss201rev2Feed):
    """RSS 2.0 with a Media RSS element for each story's lead photo."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": "http://search.yahoo.com/mrss/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        photo = item.get("photo")
        if photo:
            handler.addQuickElement("media:content", None, {
                "url": photo["url"], "medium": "image", "type": photo["type"],
                "width": str(photo["width"]), "height": str(photo["height"]),
            })
            if photo["description"]:
                handler.addQuickElement("media:description", photo["description"])
            if photo["credit"]:
                handler.addQuickElement("media:credit", photo["credit"])


# Characters XML 1.0 cannot carry at all; a headline pasted from elsewhere may hold one.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(value):
    """`value` (text, or lists and dicts of it) without characters XML 1.0 forbids."""
    if isinstance(value, str):
        return XML_ILLEGAL.sub("", value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [xml_safe(item) for item in value]
    return value


# Not every system's mime.types knows WebP, so the photo formats we store are named here.
_IMAGE_TYPES = {".webp": "image/webp", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                ".png": "image/png", ".gif": "image/gif"}


def _image_type(url):
    extension = posixpath.splitext(url.split("?", 1)[0])[1].lower()
    return _IMAGE_TYPES.get(extension) or mimetypes.guess_type(url)[0] or "image/jpeg"


def _linked_size(photo, url):
    """The pixel size of the file at `url`: a WebP rendition's, else the original's."""
    storage = photo.image.storage
    for key, name in photo.renditions.items():
        if key.isdigit() and storage.url(name) == url and photo.width:
            width = int(key)
            return width, max(1, round(photo.height * width / photo.width))
    return photo.width, photo.height


def attach_tag_names(items):
    """Give each story (or interview) its tag names, sorted, as `feed_tags`: one query per kind
    of item. prefetch_related("tags") also reads them in one query, but then builds a tag
    query for every item to hand the rows over, which cost more than the rest of the feed."""
    by_model = defaultdict(list)
    for item in items:
        by_model[type(item)].append(item)
    for model, objects in by_model.items():
        names = defaultdict(list)
        rows = (TaggedItem.objects
                .filter(content_type=ContentType.objects.get_for_model(model),
                        object_id__in=[item.pk for item in objects])
                .order_by("tag__name").values_list("object_id", "tag__name"))
        for object_id, name in rows:
            names[object_id].append(name)
        for item in objects:
            item.feed_tags = names[item.pk]
    return items


class StoryFeed(Feed):
    """A feed whose body is kept rendered (pages.kept) until a story it lists changes."""

    feed_type = MediaRssFeed
    description_template = None

    def __call__(self, request, *args, **kwargs):
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as error:
            raise Http404("Feed object does not exist.") from error

        def produce():
            pages.show(request, *self.shows(obj))
            feed = self.get_feed(obj, request)
            return f"{http_date(feed.latest_post_date().timestamp())}\n{feed.writeString('utf-8')}"

        # The links are absolute: the scheme (and the host, in the key already) tell copies apart.
        kept = pages.kept(request, "feed", [request.scheme, request.path], produce)
        modified, body = kept.split("\n", 1)
        response = HttpResponse(body, content_type=self.feed_type.content_type)
        response.headers["Last-Modified"] = modified
        return response

    def shows(self, obj):
        """Page-cache tags of what the feed shows beside its stories (its section's name)."""
        return []

    def stories(self, obj):
        return Article.objects.for_listing()

    def items(self, obj=None):
        stories = attach_tag_names(list(self.stories(obj)[:FEED_LENGTH]))
        # Any change to a public story, its photo or its tags refreshes every feed.
        pages.show(self.request, "feeds")
        pages.show_cards(self.request, stories)
        return stories

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"{settings.NEWSROOM_SITE_NAME.lower()}:article:{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.authors.all()) or None

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return item.feed_tags

    def item_extra_kwargs(self, item):
        photo = item.lead_photo
        if photo is None:
            return {}
        url = photo.best_url
        width, height = _linked_size(photo, url)
        return {"photo": {
            "url": self.request.build_absolute_uri(url),
            "type": _image_type(url),
            "width": width, "height": height,
            "description": photo.caption or photo.alt_text, "credit": photo.credit,
        }}

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def get_feed(self, obj, request):
        # Django refuses to write control characters (a 500); drop them instead.
        feed = super().get_feed(obj, request)
        feed.feed = xml_safe(feed.feed)
        feed.items = [xml_safe(item) for item in feed.items]
        return feed


class LatestStoriesFeed(StoryFeed):
    def title(self):
        return f"{settings.NEWSROOM_SITE_NAME}: latest stories"

    def link(self):
        return "/"

    def description(self):
        return f"The latest stories from {settings.NEWSROOM_SITE_NAME}."


class SectionFeed(StoryFeed):
    def get_object(self, request, section):
        super().get_object(request)
        return section_or_404(request, section)

    def stories(self, section):
        return Article.objects.for_listing().filter(section=section)

    def shows(self, section):
        return [f"list:section:{section.pk}"]

    def title(self, section):
        return f"{settings.NEWSROOM_SITE_NAME}: {section.name}"

    def link(self, section):
        return section.get_absolute_url()

    def description(self, section):
        return section.description or f"The latest {section.name} stories."


class TagFeed(StoryFeed):
    def get_object(self, request, slug):
        super().get_object(request)
        # Like the tag page: a tag only unpublished stories carry does not exist for readers.
        # (Asked of this tag's stories alone: a DISTINCT over every public story's tags took a
        # third of a second at 100,000 stories.)
        tag = get_object_or_404(Tag, slug=slug)
        if not Article.objects.published().tagged(tag).exists():
            raise Http404("No such tag")
        return tag

    def stories(self, tag):
        return Article.objects.for_listing().tagged(tag)

    def title(self, tag):
        return f"{settings.NEWSROOM_SITE_NAME}: {tag.name}"

    def link(self, tag):
        return f"/tags/{tag.slug}/"

    def description(self, tag):
        return f"Stories about {tag.name}."


class CorrectionsFeed(Feed):
    """The /corrections/ page as RSS 2.0: every note under a public story, newest first."""

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def title(self):
        return f"{settings.NEWSROOM_SITE_NAME}: corrections"

    def link(self):
        return "/corrections/"

    def description(self):
        return (f"Corrections, clarifications, editor’s notes and updates to "
                f"{settings.NEWSROOM_SITE_NAME} stories.")

    def items(self):
        pages.show(self.request, "list:corrections")
        return list(Correction.objects.for_listing()[:FEED_LENGTH])

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.article.title}"

    def item_description(self, item):
        return item.text

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"{settings.NEWSROOM_SITE_NAME.lower()}:correction:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed = xml_safe(feed.feed)
        feed.items = [xml_safe(item) for item in feed.items]
        return feed
