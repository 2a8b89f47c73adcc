"""Interviews on pages other apps own (front page, story page), one query per tag.

The articles app never imports interviews: its templates load these tags instead.
"""

from django import template

from articles import pages

from .. import cards
from ..models import Interview

register = template.Library()


def _shown(context, interviews):
    request = context.get("request")
    for interview in interviews:
        pages.show(request, f"interview:{interview.pk}", f"author:{interview.interviewer_id}")
    return interviews


@register.simple_tag(takes_context=True)
def latest_interviews(context, count=3):
    """The newest published interviews with their interviewer: one query."""
    pages.show(context.get("request"), "list:interviews")
    return _shown(context, list(Interview.objects.published().select_related("interviewer")
                                .order_by("-publish_at", "-pk")[:count]))


@register.inclusion_tag("interviews/article_block.html", takes_context=True)
def interviews_for(context, article):
    """The block under a story listing its published interviews (nothing if none): one query."""
    interviews = list(Interview.objects.published().filter(article=article)
                      .select_related("interviewer").order_by("-publish_at", "-pk"))
    # An interview published later for this story must appear here too.
    pages.show(context.get("request"), f"article-interviews:{article.pk}")
    return {"interviews": _shown(context, interviews)}


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


@register.simple_tag(takes_context=True)
def interview_shown(context, interview):
    """Load what an interview's page shows besides its row (Interview.load_parts: nothing when
    already loaded) and name it for the page cache: the interview and its transcript, its
    interviewer, guests and tags (and the tags' pages, linked once they exist), and the story
    it accompanies. Used inside each fragment of the interview's page."""
    interview.load_parts()
    tags = interview.tags.all()
    pages.show(context.get("request"), f"interview:{interview.pk}",
               f"transcript:{interview.pk}", f"author:{interview.interviewer_id}",
               f"article:{interview.article_id}" if interview.article_id else "",
               "nav" if interview.article_id else "",
               *(f"guest:{appearance.guest_id}" for appearance in interview.lineup.all()),
               *(f"photo:{appearance.guest.photo_id}" for appearance in interview.lineup.all()
                 if appearance.guest.photo_id),
               *(f"tag:{tag.pk}" for tag in tags), *(f"list:tag:{tag.pk}" for tag in tags))
    return ""


@register.simple_tag(takes_context=True)
def interview_card(context, interview, level=3, short=False, compact=False, with_guests=False,
                   guest_photos=False):
    """An interview's card (interviews.cards.interview_card), naming what it shows for the
    page cache."""
    return cards.interview_card(interview, request=context.get("request"), level=level,
                                short=short, compact=compact, with_guests=with_guests,
                                guest_photos=guest_photos)


@register.simple_tag
def interview_search_result(interview, level=2):
    """An interview on the search page (interviews.cards.search_result)."""
    return cards.search_result(interview, level=level)
