"""Pages cost the same number of queries however much content they show."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    PhotoFactory,
    SectionFactory,
)

# These count what rendering costs, so the page cache is off.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

MAX_QUERIES = 12


def queries_for(client, url, assert_max, limit=MAX_QUERIES, expected_text=None):
    """Queries one page view makes (after a first view warms Django's own caches)."""
    assert client.get(url).status_code == 200
    with assert_max(limit), CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    if expected_text:
        assert expected_text in response.content.decode()
    return len(queries)


def rich_story(size, section):
    photo = PhotoFactory()
    authors = [AuthorFactory(photo=photo) for _ in range(size)]
    related = [
        ArticleFactory(section=section, lead_photo=photo,
                       authors=[AuthorFactory()], tags=["Other"])
        for _ in range(size)
    ]
    story = ArticleFactory(section=section, authors=authors, lead_photo=photo,
                           tags=[f"Topic {n}" for n in range(size)], related=related)
    CorrectionFactory.create_batch(size, article=story)
    return story


def test_article_page_queries_do_not_grow(client, django_assert_max_num_queries):
    counts = {}
    for size in (1, 10):
        story = rich_story(size, SectionFactory())
        url = story.get_absolute_url()
        counts[size] = queries_for(client, url, django_assert_max_num_queries,
                                   expected_text="Related stories")
        html = client.get(url).content.decode()
        assert html.count('rel="author"') >= size
        assert html.count('rel="tag"') == size
    assert counts[1] == counts[10], counts


def test_front_page_queries_do_not_grow(client, django_assert_max_num_queries):
    counts = {}
    photo = PhotoFactory()
    # Enough stories that every section keeps a block after the lead, top stories and headlines.
    for sections, per_section in ((3, 6), (6, 8)):
        for n in range(sections):
            section = SectionFactory(slug=f"s{sections}-{n}", name=f"S{sections} {n}")
            for m in range(per_section):
                ArticleFactory(section=section, lead_photo=photo,
                               authors=[AuthorFactory(), AuthorFactory()],
                               publish_at=timezone.now() - timedelta(minutes=10 * m + n + 1))
        counts[(sections, per_section)] = queries_for(client, "/", django_assert_max_num_queries)
        html = client.get("/").content.decode()
        assert f'id="section-s{sections}-{sections - 1}"' in html
    assert counts[(3, 6)] == counts[(6, 8)], counts


@pytest.mark.parametrize("page", ["section", "tag", "author"])
def test_listing_queries_do_not_grow(client, django_assert_max_num_queries, page):
    counts = {}
    photo = PhotoFactory()
    for size in (1, 30):
        section = SectionFactory()
        author = AuthorFactory(photo=photo)
        for _ in range(size):
            ArticleFactory(section=section, tags=[f"tag-{size}"], lead_photo=photo,
                           authors=[author, AuthorFactory()])
        url = {"section": f"/{section.slug}/", "tag": f"/tags/tag-{size}/",
               "author": author.get_absolute_url()}[page]
        counts[size] = queries_for(client, url, django_assert_max_num_queries)
        assert client.get(url).content.decode().count('class="card__title"') == min(size, 20)
    assert counts[1] == counts[30], counts


def test_preview_queries_do_not_grow(editor_client, django_assert_max_num_queries):
    counts = {}
    for size in (1, 10):
        story = rich_story(size, SectionFactory())
        story.status = "draft"
        story.save()
        # A logged-in view also reads the session and the user.
        counts[size] = queries_for(editor_client, story.get_preview_url(),
                                   django_assert_max_num_queries, limit=MAX_QUERIES + 3)
    assert counts[1] == counts[10], counts
