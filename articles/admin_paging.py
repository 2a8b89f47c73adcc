"""Paging for admin change lists over tables too big to count: the story list and the
moderation queue, at a newsroom's size (100,000 stories, a million comments).

Django's admin counts every row its list matches (`SELECT COUNT(*)`, twice when
`show_full_result_count` is on) and lets anyone ask for page 20,000 (`OFFSET 999,950`): both
read the whole table, and both grow with the archive. Here:

- A list matching at most `COUNT_LIMIT` rows is counted exactly, as before (a small table, a
  narrow filter or search, every test database).
- Beyond that the count stops: `SELECT COUNT(*) FROM (SELECT id … LIMIT 10001)` reads at most
  10,001 index entries, and the list says "10,000+ comments". An unfiltered list on PostgreSQL
  is not counted at all: it shows the planner's own row estimate (`pg_class.reltuples`, kept by
  autovacuum and ANALYZE), "about 1,000,000 comments".
- Paging reaches the first `COUNT_LIMIT` rows only, so no OFFSET is larger than that. A page
  beyond them shows the last reachable page, with a message saying how to get further: a
  filter, a date or a search narrows the list until it fits.

The admins opt in with `paginator = ArchivePaginator`, `show_full_result_count = False`
(Django's second count, of the unfiltered table), `show_facets = ShowFacets.NEVER` (a count per
filter choice) and a change list class built on `BoundedChangeList`.
"""

from math import ceil

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import InvalidPage, Paginator
from django.db import connections
from django.utils.functional import cached_property

COUNT_LIMIT = 10_000
# Below this many rows the planner's estimate is not trusted: the list is counted (up to the
# limit) instead.
ESTIMATE_FROM = 2 * COUNT_LIMIT


class AtLeast(int):
    """A count that stopped at the limit: there are at least this many ("10,000+")."""

    def __str__(self):
        return f"{int(self):,}+"


class About(int):
    """The database's estimate of a table's rows ("about 1,000,000")."""

    def __str__(self):
        return f"about {int(self):,}"


def estimated_rows(queryset):
    """PostgreSQL's estimate of the rows in the table of an unfiltered `queryset`, else None
    (another database, a filtered or combined query, a table never analysed)."""
    query = queryset.query
    connection = connections[queryset.db]
    if (connection.vendor != "postgresql" or query.where or query.combinator
            or query.distinct or query.is_sliced):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                       [connection.ops.quote_name(queryset.model._meta.db_table)])
        row = cursor.fetchone()
    return row[0] if row and row[0] >= ESTIMATE_FROM else None


def capped_count(queryset, limit=COUNT_LIMIT):
    """How many rows `queryset` matches, up to `limit`; AtLeast(limit) when there are more.
    Reads no more than `limit` + 1 of them."""
    found = queryset.order_by().values("pk")[: limit + 1].count()
    return AtLeast(limit) if found > limit else found


class ArchivePaginator(Paginator):
    """A paginator that never counts or pages past `limit` rows (see the module's doc)."""

    limit = COUNT_LIMIT

    @cached_property
    def count(self):
        if not hasattr(self.object_list, "query"):  # a list: nothing to save
            return len(self.object_list)
        estimate = estimated_rows(self.object_list)
        if estimate is not None:
            return About(estimate)
        return capped_count(self.object_list, self.limit)

    @cached_property
    def is_bounded(self):
        """True when there are more rows than paging reaches."""
        return isinstance(self.count, AtLeast | About)

    @cached_property
    def num_pages(self):
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        reachable = min(self.count, self.limit)
        return ceil(max(1, reachable - self.orphans) / self.per_page)


class BoundedChangeList(ChangeList):
    """Django's change list, with the count and the page taken from ArchivePaginator: no
    second count of the whole table, and a page past the reachable ones shows the last of
    them with a message instead of an error."""

    def get_results(self, request):
        # Columns the list does not show and that make most of a row (a story's body, its
        # search vector): the admin names them in `list_defer`. Only the shown rows' query
        # leaves them out; actions still get whole rows (cl.get_queryset()).
        deferred = getattr(self.model_admin, "list_defer", ())
        if deferred:
            self.queryset = self.queryset.defer(*deferred)
        paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
        result_count = paginator.count
        full_result_count = (self.root_queryset.count()
                             if self.model_admin.show_full_result_count else None)
        bounded = getattr(paginator, "is_bounded", False)
        # "Show all" would be every row: only offered when they were counted to the end.
        can_show_all = not bounded and result_count <= self.list_max_show_all
        multi_page = bounded or result_count > self.list_per_page
        if bounded and self.page_num > paginator.num_pages:
            noun = self.opts.verbose_name_plural
            self.model_admin.message_user(
                request,
                f"Page {self.page_num:,} is past the first {paginator.limit:,} {noun}, which is "
                f"as far as this list pages; page {paginator.num_pages:,} is shown. Filter the "
                f"list, pick a date or search to reach older {noun}.",
                messages.WARNING,
            )
            self.page_num = paginator.num_pages
        if (self.show_all and can_show_all) or not multi_page:
            result_list = self.queryset._clone()
        else:
            try:
                result_list = paginator.page(self.page_num).object_list
            except InvalidPage as error:
                raise IncorrectLookupParameters from error
        self.result_count = result_count
        self.show_full_result_count = self.model_admin.show_full_result_count
        self.show_admin_actions = not self.show_full_result_count or bool(full_result_count)
        self.full_result_count = full_result_count
        self.result_list = result_list
        self.can_show_all = can_show_all
        self.multi_page = multi_page
        self.paginator = paginator
