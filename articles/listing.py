"""Paged lists of stories (section, tag and author pages) that cost little once rendered.

A list page shows its cards inside a fragment (`{% fragment %}`, newsroom/fragments.py) keyed
by page number, so a page rendered again runs no query for them. What the view needs before
the template (the paginator's count, which decides "page N of M" and the 404 for a page past
the end) is kept the same way, under the list's own tag: it changes exactly when a story joins
or leaves the list.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.utils.functional import cached_property

from . import pages
from .models import Section


def menu_sections(request):
    """Every section in menu order, read once per request however many parts of the page use
    them (the menu, the footer, the front page's blocks, a section's own page)."""
    if not hasattr(request, "_nav_sections"):
        request._nav_sections = list(Section.objects.all())
    return request._nav_sections


def section_or_404(request, slug):
    """The section at `slug`, from the menu's sections (no query of its own)."""
    for section in menu_sections(request):
        if section.slug == slug:
            return section
    raise Http404("No such section")


class KeptCountPaginator(Paginator):
    """A Paginator whose count is kept in the cache until the list's tag (`tag`) changes;
    `name` and `parts` tell one list's count from another's."""

    def __init__(self, object_list, per_page, *, request, name, parts, tag, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.request, self.name, self.parts, self.tag = request, name, parts, tag

    @cached_property
    def count(self):
        def produce():
            pages.show(self.request, self.tag)
            return str(self.object_list.count())

        return int(pages.kept(self.request, f"count:{self.name}", self.parts, produce))


class KeptListMixin:
    """For a ListView of a list with a page-cache tag (`list_tag()`, e.g. "list:section:3")."""

    def list_tag(self):
        raise NotImplementedError

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True,
                      **kwargs):
        tag = self.list_tag()
        return KeptCountPaginator(queryset, per_page, orphans=orphans,
                                  allow_empty_first_page=allow_empty_first_page,
                                  request=self.request, name=tag, parts=[per_page], tag=tag)
