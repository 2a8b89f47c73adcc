"""The admin's story list and moderation queue at archive scale: no count of a whole table, no
page past what paging reaches, a query count that does not grow with the rows, searches and
orderings that PostgreSQL answers from the indexes the migrations make.

(The figures on a 100,000-story, 1,000,000-comment archive: bench/admin_lists.py and
bench/README.md, "Admin lists at archive scale".)
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.admin import ArticleAdmin, TagFilter
from articles.admin_paging import ArchivePaginator
from comments.admin import CommentAdmin
from tests.articles.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.comments.factories import CommentFactory

pytestmark = pytest.mark.django_db

STORIES = "/admin/articles/article/"
QUEUE = "/admin/comments/comment/"
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: trigram (pg_trgm) indexes and query plans; SQLite has neither "
           "(run with DATABASE_URL=postgres://…)",
)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def shown_ids(response):
    return [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"',
                                         response.content.decode())]


def counts_in(queries):
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


# Queries do not grow with the rows -------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_story_list_queries_do_not_grow(editor_client, django_assert_max_num_queries, rows):
    section, author = SectionFactory(), AuthorFactory()
    for n in range(rows):
        story = ArticleFactory(section=section, authors=[author])
        story.tags.add(f"tag {n % 7}")
    editor_client.get(STORIES)
    # Session, user, permissions, the filters' choices (sections, authors, tags), the count,
    # the page, its bylines, the date links.
    with django_assert_max_num_queries(14):
        response = editor_client.get(STORIES)
    assert len(shown_ids(response)) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_queue_queries_do_not_grow(moderator_client, django_assert_max_num_queries, rows):
    story = ArticleFactory()
    for n in range(rows):
        CommentFactory(article=story, email=f"reader{n % 3}@example.org",
                       status="pending" if n % 2 else "approved")
    moderator_client.get(QUEUE)
    # Session, user, permissions, the pending count, the count, the page, the page's
    # commenters' history.
    with django_assert_max_num_queries(10):
        response = moderator_client.get(QUEUE)
    assert len(shown_ids(response)) == rows


# Counting and paging are bounded ----------------------------------------------------------


@pytest.fixture
def small_limit(monkeypatch):
    """Paging that reaches 5 rows, 2 a page: 12 comments are "a large table"."""
    monkeypatch.setattr(ArchivePaginator, "limit", 5)
    monkeypatch.setattr(CommentAdmin, "list_per_page", 2)
    monkeypatch.setattr(ArticleAdmin, "list_per_page", 2)


def test_queue_counts_no_further_than_paging_reaches(moderator_client, small_limit):
    story = ArticleFactory()
    CommentFactory.create_batch(12, article=story)
    with CaptureQueriesContext(connection) as queries:
        response = moderator_client.get(QUEUE)
    html = response.content.decode()
    counts = counts_in(queries)
    assert counts, "the change list counted nothing"
    for sql in counts:
        # Every count is of a LIMITed subquery (or the history of the page's own commenters).
        assert re.search(r"LIMIT \d+", sql) or "GROUP BY" in sql, sql
    assert not any(re.match(r'SELECT COUNT\(\*\) AS "__count" FROM "comments_comment"\s*$',
                            sql) for sql in counts)
    assert "5+ comments" in html
    assert "Show all" not in html.split('class="paginator"', 1)[1]
    assert len(shown_ids(response)) == 2


def test_a_page_past_the_reachable_ones_shows_the_last_with_a_message(moderator_client,
                                                                       small_limit):
    story = ArticleFactory()
    CommentFactory.create_batch(12, article=story)
    last = moderator_client.get(QUEUE, {"p": 3})
    far = moderator_client.get(QUEUE, {"p": 4000})
    assert far.status_code == 200
    html = far.content.decode()
    assert "Page 4,000 is past the first 5 comments" in html
    assert "page 3 is shown" in html
    assert shown_ids(far) == shown_ids(last) and len(shown_ids(far)) == 1


def test_story_list_counts_no_further_than_paging_reaches(editor_client, small_limit):
    ArticleFactory.create_batch(8)
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(STORIES)
    assert response.status_code == 200
    for sql in counts_in(queries):
        assert re.search(r"LIMIT \d+", sql), sql
    assert "5+ articles" in response.content.decode()


def test_a_small_list_is_counted_exactly(moderator_client):
    CommentFactory.create_batch(3, status="pending")
    html = moderator_client.get(QUEUE).content.decode()
    assert "3 comments" in html and "3 pending" in html


@on_postgres
def test_unfiltered_queue_on_postgres_shows_the_estimate_and_counts_nothing(
        moderator_client, monkeypatch):
    from articles import admin_paging

    story = ArticleFactory()
    CommentFactory.create_batch(30, article=story)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    monkeypatch.setattr(admin_paging, "ESTIMATE_FROM", 10)
    with CaptureQueriesContext(connection) as queries:
        response = moderator_client.get(QUEUE)
    listed = [sql for sql in counts_in(queries) if '"comments_comment"' in sql
              and "GROUP BY" not in sql and "'pending'" not in sql]
    assert listed == []
    assert re.search(r"about \d+ comments", response.content.decode())


# Search ---------------------------------------------------------------------------------


def test_queue_search_finds_a_commenter_by_email_name_or_ip(moderator_client):
    story = ArticleFactory()
    wanted = CommentFactory(article=story, author_name="Mirela Haddad",
                            email="mirela.haddad5@example.org", ip="100.84.230.149",
                            body="The ferry timetable is wrong.")
    CommentFactory(article=story, author_name="Jonas Pell", email="jonas@example.org",
                   ip="198.51.100.23", body="About the bridge.")
    for term in ["mirela.haddad5@example.org", " MIRELA.HADDAD5@EXAMPLE.ORG ", "haddad5@exam",
                 "Mirela", "mirela haddad", "Hadd", "100.84.230.149", "ferry timetable"]:
        response = moderator_client.get(QUEUE, {"q": term})
        assert response.status_code == 200, term
        assert shown_ids(response) == [wanted.pk], term


def test_queue_search_and_status_filter_together(moderator_client):
    story = ArticleFactory()
    pending = CommentFactory(article=story, status="pending", author_name="Mirela Haddad")
    CommentFactory(article=story, status="approved", author_name="Mirela Haddad")
    response = moderator_client.get(QUEUE, {"q": "Mirela", "status__exact": "pending"})
    assert shown_ids(response) == [pending.pk]


def test_story_search_by_headline_standfirst_slug_or_byline(editor_client):
    lund = AuthorFactory(name="Astrid Lund")
    by_lund = ArticleFactory(title="Harbour tolls rise", authors=[lund, AuthorFactory(
        name="Piet Lundqvist")])
    ceasefire = ArticleFactory(title="Ceasefire talks resume", standfirst="Both sides meet.")
    quiet = ArticleFactory(title="Budget day", slug="budget-day-2026",
                           standfirst="Numbers and more numbers.")
    for term, expected in [("lund", [by_lund]), ("CEASEFIRE", [ceasefire]),
                           ("both sides", [ceasefire]), ("budget-day-2026", [quiet]),
                           ('"talks resume"', [ceasefire]), ("ceasefire lund", []),
                           ("harbour astrid", [by_lund])]:
        response = editor_client.get(STORIES, {"q": term})
        assert response.status_code == 200, term
        # Two matching bylines still list the story once.
        assert shown_ids(response) == [story.pk for story in expected], term


# Filters and orderings keep the queue's behaviour -----------------------------------------


def test_one_status_lists_in_the_queue_s_own_order(moderator_client):
    story, now = ArticleFactory(), timezone.now()
    older_clean = CommentFactory(article=story, status="pending", spam_score=0.1,
                                 created_at=now - timedelta(hours=2))
    newer_clean = CommentFactory(article=story, status="pending", spam_score=0.1,
                                 created_at=now - timedelta(hours=1))
    risky = CommentFactory(article=story, status="pending", spam_score=0.6)
    old_ok = CommentFactory(article=story, created_at=now - timedelta(days=2))
    new_ok = CommentFactory(article=story, created_at=now - timedelta(days=1))
    queue = shown_ids(moderator_client.get(QUEUE))
    assert queue == [newer_clean.pk, older_clean.pk, risky.pk, new_ok.pk, old_ok.pk]
    assert shown_ids(moderator_client.get(QUEUE, {"status__exact": "pending"})) == queue[:3]
    assert shown_ids(moderator_client.get(QUEUE, {"status__exact": "approved"})) == queue[3:]


@pytest.mark.parametrize("column", range(1, 7))
def test_every_queue_column_sorts_both_ways(moderator_client, column):
    CommentFactory.create_batch(3)
    for order in (column, -column):
        assert moderator_client.get(QUEUE, {"o": order}).status_code == 200


def test_story_tag_filter_offers_recent_tags_and_keeps_a_chosen_older_one(editor_client,
                                                                          monkeypatch):
    monkeypatch.setattr(TagFilter, "newest", 1)  # the tags of the newest story only
    old = ArticleFactory(publish_at=timezone.now() - timedelta(days=900))
    old.tags.add("archive only")
    new = ArticleFactory()
    new.tags.add("harbour")
    html = editor_client.get(STORIES).content.decode()
    assert "harbour" in html and "archive only" not in html
    from taggit.models import Tag

    chosen = Tag.objects.get(name="archive only")
    response = editor_client.get(STORIES, {"tag": chosen.pk})
    assert shown_ids(response) == [old.pk]
    assert "archive only" in response.content.decode()
    assert editor_client.get(STORIES, {"tag": "not-a-number"}).status_code == 200


@pytest.mark.parametrize("column", [1, 2, 4, 5, 6])
def test_every_story_column_sorts_both_ways(editor_client, column):
    ArticleFactory.create_batch(3)
    for order in (column, -column):
        response = editor_client.get(STORIES, {"o": order})
        assert response.status_code == 200
        assert len(shown_ids(response)) == 3


# The indexes ------------------------------------------------------------------------------

BTREE_INDEXES = {
    "articles_article": {
        ("status", "publish_at"), ("section_id", "status", "publish_at"),
        ("section_id", "publish_at"), ("comment_mode", "publish_at"), ("title",),
        ("updated_at", "publish_at"),
    },
    "comments_comment": {
        ("article_id", "status", "created_at"), ("interview_id", "status", "created_at"),
        ("email", "status"), ("status", "spam_score"), ("status", "created_at"), ("ip",),
        ("author_name",), ("spam_score",), ("created_at",),
    },
}


@pytest.mark.parametrize("table", sorted(BTREE_INDEXES))
def test_migrations_make_the_list_indexes(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    columns = {tuple(info["columns"]) for info in constraints.values() if info["index"]}
    assert BTREE_INDEXES[table] <= columns, BTREE_INDEXES[table] - columns
    if table == "comments_comment":
        assert "comment_queue_order" in constraints
        assert "comment_featured_created" in constraints


@on_postgres
def test_migrations_make_the_trigram_indexes_on_postgres():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
                       "WHERE indexname LIKE %s", ["%\\_trgm"])
        found = dict(cursor.fetchall())
    expected = {"articles_article_title_trgm", "articles_article_standfirst_trgm",
                "articles_article_slug_trgm", "articles_author_name_trgm",
                "comments_comment_body_trgm", "comments_comment_author_name_trgm",
                "comments_comment_email_trgm"}
    assert expected <= set(found)
    assert all("gin_trgm_ops" in found[name] for name in expected)


def plan(queryset, *settings):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
        for setting in settings:
            cursor.execute(f"RESET {setting}")
    return text


@on_postgres
def test_the_queue_as_it_opens_is_read_from_its_index(admin_client):
    """The admin's sort expressions and the index's must be the same, or PostgreSQL sorts
    the whole table (with the sort switched off, only the index can give the order)."""
    CommentFactory.create_batch(3)
    response = admin_client.get(QUEUE)
    page = plan(response.context["cl"].queryset[:50], "enable_sort", "enable_seqscan")
    assert "Index Scan using comment_queue_order" in page
    assert "Sort" not in page, page


@on_postgres
def test_searches_use_the_trigram_indexes(admin_client):
    """With scans of whole tables and of B-tree order switched off, a search still has a
    plan: the trigram indexes match the expressions Django's `icontains` writes."""
    CommentFactory.create_batch(3)
    queue = admin_client.get(QUEUE, {"q": "harbour"}).context["cl"].queryset
    assert "comments_comment_body_trgm" in plan(queue, "enable_seqscan", "enable_indexscan")
    stories = admin_client.get(STORIES, {"q": "harbour"}).context["cl"].queryset
    stories_plan = plan(stories, "enable_seqscan", "enable_indexscan")
    assert "articles_article_title_trgm" in stories_plan
    assert "articles_author_name_trgm" in stories_plan
