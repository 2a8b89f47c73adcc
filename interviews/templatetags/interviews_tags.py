"""Interviews on pages other apps own (front page, story page), one query per tag.

The articles app never imports interviews: its templates load these tags instead.
"""

from django import template

from ..models import Interview

register = template.Library()


@register.simple_tag
def latest_interviews(count=3):
    """The newest published interviews with their interviewer: one query."""
    return list(Interview.objects.published().select_related("interviewer")
                .order_by("-publish_at", "-pk")[:count])


@register.inclusion_tag("interviews/article_block.html")
def interviews_for(article):
    """The block under a story listing its published interviews (nothing if none): one query."""
    interviews = list(Interview.objects.published().filter(article=article)
                      .select_related("interviewer").order_by("-publish_at", "-pk"))
    return {"interviews": interviews}


@register.simple_tag
def tags_with_pages(tags):
    """Of `tags` (already loaded), the ids of those whose tag page exists: tag pages list
    published stories, so a tag only interviews carry has no page to link to. One query."""
    from taggit.models import Tag

    from articles.models import Article

    ids = [tag.pk for tag in tags if tag.slug]
    if not ids:
        return set()
    return set(
        Tag.objects.filter(pk__in=ids, article__in=Article.objects.published())
        .values_list("pk", flat=True)
    )
