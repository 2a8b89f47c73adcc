"""The site feed (/feed/): published stories and interviews together, newest first.

The section and tag feeds stay in articles.feeds (stories only): an interview has no section.
"""

from django.conf import settings

from articles import pages
from articles.feeds import FEED_LENGTH, LatestStoriesFeed, attach_tag_names
from interviews.models import Interview


class LatestFeed(LatestStoriesFeed):
    """LatestStoriesFeed with the newest published interviews mixed in: FEED_LENGTH items in
    all, by publication time. Each kind is read with a fixed number of queries (interviews:
    the rows with their interviewer, their tag names, their line-up with guest photos). Title, link,
    categories (tags) and the Media RSS photo work for both as StoryFeed has them: an
    interview's `lead_photo` is its first guest's photo."""

    def description(self):
        return f"The latest stories and interviews from {settings.NEWSROOM_SITE_NAME}."

    def interviews(self):
        return (
            Interview.objects.published()
            .select_related("interviewer")
            .with_lineup()
            .order_by("-publish_at", "-pk")
        )

    def items(self, obj=None):
        stories = super().items(obj)
        interviews = attach_tag_names(list(self.interviews()[:FEED_LENGTH]))
        for interview in interviews:
            pages.show(self.request, f"interview:{interview.pk}",
                       f"author:{interview.interviewer_id}")
        # sorted() is stable: at the same moment a story comes before an interview.
        merged = sorted(stories + interviews, key=lambda item: item.publish_at, reverse=True)
        return merged[:FEED_LENGTH]

    def item_description(self, item):
        if isinstance(item, Interview):
            return item.summary
        return super().item_description(item)

    def item_guid(self, item):
        if isinstance(item, Interview):
            return f"{settings.NEWSROOM_SITE_NAME.lower()}:interview:{item.pk}"
        return super().item_guid(item)

    def item_author_name(self, item):
        if isinstance(item, Interview):
            return item.interviewer.name
        return super().item_author_name(item)

    def item_updateddate(self, item):
        if isinstance(item, Interview):
            return item.modified_at
        return super().item_updateddate(item)
