"""A story page costs the same queries with 0 or 200 comments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from tests.articles.factories import ArticleFactory, AuthorFactory, PhotoFactory
from tests.interviews.factories import InterviewFactory

# These count what rendering costs, so the page cache is off.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

MAX_QUERIES = 12


def add_comments(story, top_level, replies_each=1):
    """`top_level` approved comments, each with replies, plus some that must stay hidden."""
    field = "interview" if story.__class__.__name__ == "Interview" else "article"
    rows = [Comment(**{field: story}, author_name=f"Reader {n}", email=f"r{n}@example.org",
                    body=f"Top-level comment {n}. https://example.org/{n}",
                    status=Comment.Status.APPROVED, featured=n == top_level - 1)
            for n in range(top_level)]
    parents = Comment.objects.bulk_create(rows)
    replies = [Comment(**{field: story}, parent=parent, author_name="Replier",
                       email="replier@example.org", body=f"Reply {i} to {parent.author_name}",
                       status=Comment.Status.APPROVED)
               for parent in parents for i in range(replies_each)]
    hidden = [Comment(**{field: story}, author_name="Hidden", email="h@example.org",
                      body="Not shown", status=status)
              for status in (Comment.Status.PENDING, Comment.Status.SPAM)]
    Comment.objects.bulk_create(replies + hidden)
    return len(parents) + len(replies)


def test_article_page_with_200_comments_and_replies(client, django_assert_max_num_queries):
    story = ArticleFactory(authors=[AuthorFactory()], lead_photo=PhotoFactory(),
                           tags=["Harbour"], discussion_prompt="What do you think?")
    assert add_comments(story, top_level=100) == 200
    url = story.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    html = response.content.decode()
    assert "200 comments" in html
    assert html.count('class="comment ') + html.count('class="comment"') == 200
    assert "Not shown" not in html
    assert html.index("Top-level comment 99.") < html.index("Top-level comment 0.")  # featured


@pytest.mark.parametrize("kind", ["article", "interview"])
def test_story_page_queries_do_not_grow_with_comments(client, kind):
    counts = {}
    for top_level in (0, 1, 120):
        story = ArticleFactory() if kind == "article" else InterviewFactory()
        add_comments(story, top_level)
        url = story.get_absolute_url()
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[top_level] = len(queries)
    assert counts[0] == counts[1] == counts[120], counts
    assert counts[120] <= MAX_QUERIES
