"""One rule: only published stories whose time has come appear in public; staff may preview."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from articles import services
from articles.models import Article

from .factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

HIDDEN_TITLE = "Unreleased exclusive about the harbour"
PAST = timedelta(hours=2)

# (status, publish_at offset from now): every way a story can be not yet public.
NOT_PUBLIC = {
    "draft": (Article.Status.DRAFT, None),
    "draft-with-past-time": (Article.Status.DRAFT, -PAST),
    "review": (Article.Status.REVIEW, -PAST),
    "scheduled": (Article.Status.PUBLISHED, timedelta(hours=3)),
}


def make_story(state, **kwargs):
    status, offset = NOT_PUBLIC.get(state, (Article.Status.PUBLISHED, -PAST))
    return ArticleFactory(status=status,
                          publish_at=timezone.now() + offset if offset is not None else None,
                          **kwargs)


@pytest.fixture
def surfaces():
    """A published neighbour sharing section, tag and author, so every listing exists."""
    section = SectionFactory(slug="harbour", name="Harbour")
    author = AuthorFactory(slug="kim-lee", name="Kim Lee")
    neighbour = ArticleFactory(title="Published neighbour", section=section, authors=[author],
                               tags=["Shipping"])
    return {"section": section, "author": author, "neighbour": neighbour}


def public_pages(story, neighbour):
    return {
        "front page": "/",
        "section page": f"/{story.section.slug}/",
        "tag page": "/tags/shipping/",
        "author page": "/authors/kim-lee/",
        "related block": neighbour.get_absolute_url(),
    }


@pytest.mark.parametrize("state", list(NOT_PUBLIC))
def test_unpublished_story_appears_nowhere(client, surfaces, state):
    story = make_story(state, title=HIDDEN_TITLE, slug="unreleased", section=surfaces["section"],
                       authors=[surfaces["author"]], tags=["Shipping"])
    surfaces["neighbour"].related.add(story)
    assert client.get(story.get_absolute_url()).status_code == 404
    for where, url in public_pages(story, surfaces["neighbour"]).items():
        response = client.get(url)
        assert response.status_code == 200, where
        html = response.content.decode()
        assert "Published neighbour" in html, where  # the surface itself works
        assert HIDDEN_TITLE not in html, where
        assert "/unreleased/" not in html, where


@pytest.mark.parametrize("state", list(NOT_PUBLIC))
def test_unpublished_story_is_not_shown_to_staff_on_public_pages(editor_client, state):
    story = make_story(state, title=HIDDEN_TITLE)
    assert editor_client.get(story.get_absolute_url()).status_code == 404
    assert HIDDEN_TITLE not in editor_client.get("/").content.decode()


def test_published_story_appears_everywhere(client, surfaces):
    story = make_story("published", title="Harbour reopens to shipping", slug="reopens",
                       section=surfaces["section"], authors=[surfaces["author"]],
                       tags=["Shipping"])
    surfaces["neighbour"].related.add(story)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert "Harbour reopens to shipping" in response.content.decode()
    for where, url in public_pages(story, surfaces["neighbour"]).items():
        html = client.get(url).content.decode()
        assert "Harbour reopens to shipping" in html, where
        assert story.get_absolute_url() in html, where


def test_related_block_of_neighbour_lists_it_under_related(client, surfaces):
    story = make_story("published", title="Related and public")
    surfaces["neighbour"].related.add(story)
    html = client.get(surfaces["neighbour"].get_absolute_url()).content.decode()
    related = html.split('id="related-heading"', 1)
    assert len(related) == 2
    assert "Related and public" in related[1]


# --- preview -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(NOT_PUBLIC))
@pytest.mark.parametrize("role", ["editor", "reporter"])
def test_staff_preview_a_story_that_is_not_public(client, request, role, state):
    client.force_login(request.getfixturevalue(role))
    story = make_story(state, title=HIDDEN_TITLE, body="<p>Draft body text.</p>")
    response = client.get(f"/preview/articles/{story.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert HIDDEN_TITLE in html
    assert "Draft body text." in html
    assert "this story is not public" in html
    assert '<meta name="robots" content="noindex' in html
    assert "application/ld+json" not in html


def test_admin_view_on_site_points_drafts_to_preview(editor_client):
    draft = make_story("draft")
    html = editor_client.get(f"/admin/articles/article/{draft.pk}/change/").content.decode()
    assert f'href="/preview/articles/{draft.pk}/" class="viewsitelink"' in html
    live = make_story("published")
    html = editor_client.get(f"/admin/articles/article/{live.pk}/change/").content.decode()
    assert f'href="{live.get_absolute_url()}" class="viewsitelink"' in html


@pytest.mark.parametrize("who", ["anonymous", "reader", "inactive staff", "moderator"])
def test_preview_is_404_for_everyone_else(client, moderator, who):
    story = make_story("draft", title=HIDDEN_TITLE)
    if who == "reader":
        client.force_login(User.objects.create_user("reader", password="pw-for-tests-1234"))
    elif who == "inactive staff":
        user = User.objects.create_user("gone", is_staff=True, is_superuser=True)
        client.force_login(user)
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif who == "moderator":
        client.force_login(moderator)
    response = client.get(f"/preview/articles/{story.pk}/")
    assert response.status_code == 404
    assert HIDDEN_TITLE not in response.content.decode()


def test_preview_of_a_missing_story_is_404(editor_client):
    assert editor_client.get("/preview/articles/999999/").status_code == 404


@pytest.mark.parametrize("state", list(NOT_PUBLIC))
def test_a_tag_only_unpublished_stories_carry_has_no_page(client, state):
    make_story(state, tags=["Secret merger talks"])
    response = client.get("/tags/secret-merger-talks/")
    assert response.status_code == 404
    assert "Secret merger talks" not in response.content.decode()


def test_a_tag_page_appears_once_a_story_with_it_is_published(client, editor):
    story = make_story("review", tags=["Secret merger talks"])
    assert client.get("/tags/secret-merger-talks/").status_code == 404
    services.publish_article(story, by=editor)
    response = client.get("/tags/secret-merger-talks/")
    assert response.status_code == 200
    assert "Secret merger talks" in response.content.decode()
