"""Every public page from the cache for anonymous readers, refreshed exactly when what it shows
changes; the comment form still works on a cached page, and no reader's data is ever shared."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles import services as article_services
from articles.models import Article, Correction
from comments import services as comment_services
from comments.models import Comment
from tests.articles.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.comments.factories import CommentFactory
from tests.comments.helpers import form_data, post_url
from tests.interviews.factories import GuestFactory, InterviewFactory, build_interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(db):
    """A small site: two stories in one section with a shared author and tag, one related to
    the other, an interview with a guest accompanying the first."""
    section = SectionFactory(name="Harbour", slug="harbour")
    author = AuthorFactory(name="Mira Quay")
    first = ArticleFactory(title="Tide gauges fail", section=section, authors=[author],
                           tags=["Tides"])
    second = ArticleFactory(title="Ferry fares rise", section=section, authors=[author],
                            related=[first])
    interview = build_interview(title="The harbour master speaks", article=first, guests=1)
    return {"section": section, "author": author, "first": first, "second": second,
            "interview": interview, "tag": first.tags.get(), "guest": interview.guests.get()}


def public_paths(site):
    first, interview = site["first"], site["interview"]
    return {
        "front": "/",
        "section": "/harbour/",
        "tag": f"/tags/{site['tag'].slug}/",
        "author": f"/authors/{site['author'].slug}/",
        "article": first.get_absolute_url(),
        "related article": site["second"].get_absolute_url(),
        "interview": interview.get_absolute_url(),
        "guest": site["guest"].get_absolute_url(),
        "interview list": "/interviews/",
        "feed": "/feed/",
        "section feed": "/harbour/feed/",
        "tag feed": f"/tags/{site['tag'].slug}/feed/",
        "sitemap index": "/sitemap.xml",
        "sitemap": "/sitemap-articles.xml",
        "news sitemap": "/news-sitemap.xml",
        "robots": "/robots.txt",
    }


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def text(client, path):
    return get(client, path).content.decode()


def is_hit(client, path, django_assert_max_num_queries):
    """Whether `path` came from the cache: no query at all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        get(client, path)
    return len(queries) == 0


# Every public page, from the cache ------------------------------------------------------------


def test_every_public_page_is_served_from_the_cache(site, client,
                                                    django_assert_max_num_queries):
    for name, path in public_paths(site).items():
        first = get(client, path)
        with django_assert_max_num_queries(0):
            again = get(client, path)
        assert again.content == first.content, name
        assert "public" in again["Cache-Control"], name
        assert again.has_header("ETag") and again.has_header("Last-Modified"), name
        assert not again.cookies, name


def test_a_cache_hit_touches_no_session(site, client, monkeypatch):
    path = site["first"].get_absolute_url()
    get(client, path)

    from django.contrib.sessions.backends.base import SessionBase

    def no_session(*args, **kwargs):
        raise AssertionError("the session was touched")

    monkeypatch.setattr(SessionBase, "_get_session", no_session)
    assert "Tide gauges fail" in text(client, path)


def test_staff_always_get_the_live_page(site, client, editor):
    path = site["first"].get_absolute_url()
    get(client, path)
    Article.objects.filter(pk=site["first"].pk).update(title="Changed behind the cache")
    assert "Changed behind the cache" not in text(client, path)  # readers: cached

    desk = Client()
    desk.force_login(editor)
    response = get(desk, path)
    assert "Changed behind the cache" in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_revalidation_answers_304(site, client):
    path = site["first"].get_absolute_url()
    first = get(client, path)
    response = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == first["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_pages_with_unknown_parameters_are_not_stored(site, client,
                                                      django_assert_max_num_queries):
    get(client, "/?utm_source=x")
    response = get(client, "/?utm_source=x")
    assert not response.has_header("ETag")


# What a change refreshes --------------------------------------------------------------------


def warm(client, site):
    for path in public_paths(site).values():
        get(client, path)


def hits(client, site, django_assert_max_num_queries):
    return {name for name, path in public_paths(site).items()
            if is_hit(client, path, django_assert_max_num_queries)}


ALL = {"front", "section", "tag", "author", "article", "related article", "interview", "guest",
       "interview list", "feed", "section feed", "tag feed", "sitemap index", "sitemap",
       "news sitemap", "robots"}


def test_editing_a_story_refreshes_every_page_that_shows_it(site, client, editor,
                                                             django_assert_max_num_queries):
    warm(client, site)
    story = site["first"]
    story.title = "Tide gauges fail again"
    story.save()
    stale = ALL - hits(client, site, django_assert_max_num_queries)
    # Its page, the lists it is on, the story listing it as related, the interview page
    # naming it, feeds and sitemaps; not the guest's page, the interview list or robots.txt.
    assert stale == {"front", "section", "tag", "author", "article", "related article",
                     "interview", "feed", "section feed", "tag feed", "sitemap index",
                     "sitemap", "news sitemap"}
    for path in ["/", "/harbour/", site["second"].get_absolute_url(), "/feed/"]:
        assert "Tide gauges fail again" in text(client, path)


def test_publishing_and_unpublishing_show_on_every_list(site, client, editor,
                                                        django_assert_max_num_queries):
    story = ArticleFactory(title="Night ferry returns", section=site["section"],
                           authors=[site["author"]], tags=["Tides"],
                           status=Article.Status.DRAFT, publish_at=None)
    warm(client, site)
    lists = ["/", "/harbour/", f"/tags/{site['tag'].slug}/", f"/authors/{site['author'].slug}/",
             "/feed/", "/harbour/feed/", "/sitemap-articles.xml"]
    article_services.publish_article(story, by=editor)
    for path in lists:
        assert "Night ferry returns" in text(client, path) or story.get_absolute_url() in \
            text(client, path), path
    assert "Night ferry returns" in text(client, story.get_absolute_url())

    article_services.unpublish_article(story, by=editor)
    for path in lists:
        assert story.get_absolute_url() not in text(client, path), path
    assert client.get(story.get_absolute_url()).status_code == 404


def test_a_draft_saved_leaves_every_public_page_cached(site, client,
                                                       django_assert_max_num_queries):
    draft = ArticleFactory(title="Not yet", section=site["section"], status=Article.Status.DRAFT,
                           publish_at=None)
    warm(client, site)
    draft.title = "Still not yet"
    draft.save()
    assert hits(client, site, django_assert_max_num_queries) == ALL


def test_a_correction_refreshes_the_story_wherever_it_shows(site, client,
                                                        django_assert_max_num_queries):
    warm(client, site)
    Correction.objects.create(article=site["first"], text="The gauge was at the east pier.",
                              published_at=timezone.now())
    stale = ALL - hits(client, site, django_assert_max_num_queries)
    # Like an edit: everywhere the story shows, feeds and sitemaps; not the guest's page, the
    # interview list or robots.txt.
    assert stale == {"front", "section", "tag", "author", "article", "related article",
                     "interview", "feed", "section feed", "tag feed", "sitemap index",
                     "sitemap", "news sitemap"}
    assert "The gauge was at the east pier." in text(client, site["first"].get_absolute_url())


def test_approving_a_comment_refreshes_that_story_only(site, client, moderator,
                                                      django_assert_max_num_queries):
    comment = CommentFactory(article=site["first"], status=Comment.Status.PENDING,
                             body="The gauges were never calibrated.")
    warm(client, site)
    comment_services.approve_comment(comment, by=moderator)
    assert ALL - hits(client, site, django_assert_max_num_queries) == {"article"}
    assert "The gauges were never calibrated." in text(client, site["first"].get_absolute_url())


@pytest.mark.parametrize("decision", ["reject", "feature", "delete"])
def test_other_comment_decisions_refresh_that_story_only(site, client, moderator, decision,
                                                        django_assert_max_num_queries):
    comment = CommentFactory(article=site["first"], body="A reader sees the tides differently.")
    warm(client, site)
    if decision == "reject":
        comment_services.reject_comment(comment, by=moderator)
    elif decision == "feature":
        comment_services.feature_comment(comment, by=moderator)
    else:
        comment.delete()
    assert ALL - hits(client, site, django_assert_max_num_queries) == {"article"}
    page = text(client, site["first"].get_absolute_url())
    assert ("A reader sees the tides differently." in page) == (decision == "feature")


def test_a_new_pending_comment_changes_no_page(site, client, django_assert_max_num_queries):
    warm(client, site)
    CommentFactory(article=site["first"], status=Comment.Status.PENDING)
    assert hits(client, site, django_assert_max_num_queries) == ALL


def test_interview_changes_refresh_the_transcript_and_where_it_is_listed(
        site, client, django_assert_max_num_queries):
    warm(client, site)
    answer = site["interview"].segments.first().questions.first().answers.first()
    answer.text = "<p>We rebuilt the gauges ourselves.</p>"
    answer.save()
    assert ALL - hits(client, site, django_assert_max_num_queries) == {"interview"}
    assert "We rebuilt the gauges ourselves." in text(client, site["interview"]
                                                      .get_absolute_url())


def test_a_guest_renamed_shows_on_their_pages(site, client, django_assert_max_num_queries):
    warm(client, site)
    guest = site["guest"]
    guest.name = "Captain Ilse Brandt"
    guest.save()
    # The front page's interview cards name their guests too.
    assert ALL - hits(client, site, django_assert_max_num_queries) == {"interview", "guest",
                                                                       "interview list", "front"}
    assert "Captain Ilse Brandt" in text(client, site["interview"].get_absolute_url())
    assert "Captain Ilse Brandt" in text(client, "/")


def test_an_author_renamed_shows_on_every_byline(site, client, django_assert_max_num_queries):
    warm(client, site)
    author = site["author"]
    author.name = "Mira Quay-Larsen"
    author.save()
    stale = ALL - hits(client, site, django_assert_max_num_queries)
    assert {"front", "section", "author", "article", "related article"} <= stale
    assert "robots" not in stale and "guest" not in stale
    for path in ["/", "/harbour/", site["first"].get_absolute_url()]:
        assert "Mira Quay-Larsen" in text(client, path), path


def test_a_photo_changed_shows_wherever_its_story_does(site, client,
                                                      django_assert_max_num_queries):
    from tests.articles.factories import PhotoFactory

    photo = PhotoFactory(alt_text="Gauges on the east pier")
    story = site["first"]
    story.lead_photo = photo
    story.save()
    warm(client, site)
    photo.alt_text = "The broken gauges on the east pier"
    photo.save()
    stale = ALL - hits(client, site, django_assert_max_num_queries)
    assert {"front", "section", "article", "related article"} <= stale
    assert "guest" not in stale and "robots" not in stale
    for path in ["/", "/harbour/", story.get_absolute_url(), site["second"].get_absolute_url()]:
        assert "The broken gauges on the east pier" in text(client, path), path


def test_list_pages_name_few_things_however_long_the_list(client):
    """A cache hit reads every name a page carries: a list of 30 stories by two authors must
    not carry 30 story names."""
    from newsroom.pagecache import PAGE_PREFIX, _page_key  # noqa: F401

    section = SectionFactory(slug="long", name="Long")
    authors = [AuthorFactory(), AuthorFactory()]
    for n in range(30):
        ArticleFactory(section=section, authors=[authors[n % 2]])
    from django.core.cache import cache
    from django.test import RequestFactory

    for path in ["/", "/long/", "/feed/"]:
        get(client, path)
        entry = cache.get(_page_key(RequestFactory().get(path)))
        assert entry is not None, path
        assert len(entry["tags"]) <= 10, (path, sorted(entry["tags"]))


def test_a_section_renamed_shows_in_every_menu(site, client):
    warm(client, site)
    section = site["section"]
    section.name = "Waterfront"
    section.save()
    for path in ["/", site["interview"].get_absolute_url(), "/interviews/"]:
        assert "Waterfront" in text(client, path), path


def test_a_related_story_appears_when_it_is_published(site, client, editor):
    later = ArticleFactory(title="Gauges replaced", section=site["section"],
                           status=Article.Status.DRAFT, publish_at=None)
    site["second"].related.add(later)
    path = site["second"].get_absolute_url()
    assert "Gauges replaced" not in text(client, path)
    article_services.publish_article(later, by=editor)
    assert "Gauges replaced" in text(client, path)
    article_services.unpublish_article(later, by=editor)
    assert "Gauges replaced" not in text(client, path)


def test_a_new_interview_appears_under_its_story(site, client, editor):
    path = site["second"].get_absolute_url()
    get(client, path)
    InterviewFactory(title="The ferry captain answers", article=site["second"])
    assert "The ferry captain answers" in text(client, path)


def test_a_scheduled_story_appears_on_cached_lists_at_its_time(site, client, editor,
                                                                monkeypatch):
    story = ArticleFactory(title="Budget day", section=site["section"],
                           status=Article.Status.DRAFT, publish_at=None)
    article_services.publish_article(story, by=editor, at=timezone.now() + timedelta(minutes=30))
    for path in ["/", "/harbour/", "/feed/"]:
        assert "Budget day" not in text(client, path)
        assert "Budget day" not in text(client, path)  # now cached
    later = timezone.now() + timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for path in ["/", "/harbour/", "/feed/"]:
        assert "Budget day" in text(client, path), path


def test_a_story_page_is_refreshed_when_its_comments_close(site, client, settings, monkeypatch):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1
    path = site["first"].get_absolute_url()
    assert 'id="comment-form"' in text(client, path)
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert 'id="comment-form"' not in text(client, path)


# The comment form on a cached page ----------------------------------------------------------


def token_from(client):
    response = client.get("/comments/csrf/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    return response.json()["token"]


def test_two_readers_comment_on_the_same_cached_page(site, client,
                                                     django_assert_max_num_queries):
    story = site["first"]
    path = story.get_absolute_url()
    ana, ben = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page = text(ana, path)
    with django_assert_max_num_queries(0):
        assert text(ben, path) == page  # the very same bytes, from the cache
    # The shared page holds no token and no cookie of anyone's.
    assert re.search(r'name="csrfmiddlewaretoken" value=""', page)
    assert not ana.cookies.get("csrftoken") and not ben.cookies.get("csrftoken")

    for reader, name in [(ana, "Ana Reader"), (ben, "Ben Reader")]:
        token = token_from(reader)
        data = form_data(story, author_name=name, email=f"{name.split()[0]}@example.org",
                         body=f"{name} thinks the gauges matter.", csrfmiddlewaretoken=token)
        response = reader.post(post_url(story), data, REMOTE_ADDR="192.0.2.60")
        assert response.status_code == 302, response.content[:300]
    assert set(Comment.objects.values_list("author_name", flat=True)) == {"Ana Reader",
                                                                           "Ben Reader"}

    # Ana's thank-you is Ana's: her next page is rendered for her; a third reader's comes
    # from the cache and says nothing of her.
    ana_page = ana.get(path)
    assert "Thank you, Ana" in ana_page.content.decode()
    assert "private" in ana_page["Cache-Control"]
    cleo = Client()
    text(cleo, path)
    cleo_page = text(cleo, path)
    assert "Thank you" not in cleo_page and "Ana Reader" not in cleo_page
    assert not cleo.cookies


def test_a_form_without_its_token_comes_back_to_be_sent_again(site):
    story = site["first"]
    reader = Client(enforce_csrf_checks=True)
    get(reader, story.get_absolute_url())
    data = form_data(story, body="Sent from a browser without JavaScript.")
    response = reader.post(post_url(story), data, REMOTE_ADDR="192.0.2.61")
    assert response.status_code == 403
    html = response.content.decode()
    assert "please check your comment and press Send again" in html
    assert "Sent from a browser without JavaScript." in html
    assert not Comment.objects.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = reader.post(post_url(story), {**data, "csrfmiddlewaretoken": token},
                           REMOTE_ADDR="192.0.2.61")
    assert response.status_code == 302
    assert Comment.objects.get().body == "Sent from a browser without JavaScript."


def test_a_reply_form_is_its_own_cached_page(site, client):
    comment = CommentFactory(article=site["first"], author_name="Olga Pier")
    path = site["first"].get_absolute_url()
    plain = text(client, path)
    reply = text(client, f"{path}?reply={comment.pk}")
    assert "Reply to Olga Pier" in reply and "Reply to Olga Pier" not in plain
    assert text(client, path) == plain


def test_guest_factory_pages_are_cached_too(client, django_assert_max_num_queries):
    guest = GuestFactory(name="Tove Anker")
    InterviewFactory(guests=[guest])
    get(client, guest.get_absolute_url())
    with django_assert_max_num_queries(0):
        assert "Tove Anker" in text(client, guest.get_absolute_url())
