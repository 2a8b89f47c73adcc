"""Interviews are findable like stories: search (/search/), the site feed (/feed/), the
sitemap and the Google News sitemap; never the ones that are not public, never the prep notes.

Runs on SQLite and PostgreSQL; the tests of the stored vector and its GIN index skip
themselves on SQLite.
"""

import calendar
import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from urllib.parse import quote

import feedparser
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from interviews import search as interview_search
from interviews import services as interview_services
from interviews.models import Answer, Interview, InterviewGuest
from interviews.search import refresh_search_text
from tests.articles.factories import ArticleFactory, AuthorFactory, PhotoFactory, SectionFactory
from tests.interviews.dom import form_values
from tests.interviews.factories import (
    AnswerFactory,
    GuestFactory,
    InterviewFactory,
    QuestionFactory,
    SegmentFactory,
    build_interview,
)
from tests.newsroom.search_queries import NASTY_QUERIES
from tests.newsroom.sitemap_xml import all_entries

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS = {"s": SITEMAP, "news": "http://www.google.com/schemas/sitemap-news/0.9"}
CARD_LINK = re.compile(r'<h([23]) class="card__title"><a href="([^"]+)">')
SNIPPET = re.compile(r'<p class="card__standfirst search-snippet">(.*?)</p>', re.S)
BLOCK = re.compile(r'<section class="search-interviews".*?</section>', re.S)


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no stored search vector")


def make_interview(title, *, introduction="<p>Welcome to the programme.</p>",
                   question="What happens now?", answer="<p>It is complicated.</p>",
                   closing="<p>Thank you.</p>", prep_notes="Ask about the supply lines.",
                   guest=None, refresh=True, **fields):
    """A published interview (unless `fields` say otherwise) with one guest, one section, one
    question and its answer, indexed as the admin or the seed loader would leave it."""
    guest = guest or GuestFactory()
    interview = InterviewFactory(title=title, introduction=introduction, closing=closing,
                                 prep_notes=prep_notes, guests=[guest], **fields)
    segment = SegmentFactory(interview=interview, position=0, title="The first part")
    asked = QuestionFactory(segment=segment, position=0, text=question)
    AnswerFactory(question=asked, guest=guest, text=answer)
    if refresh:
        refresh_search_text(interview)
    return interview


def search_html(client, query, **params):
    path = "/search/?q=" + quote(query, safe="")
    for key, value in params.items():
        path += f"&{key}={quote(str(value), safe='')}"
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def interview_block(html):
    """Links of the interviews block beside the stories (empty when there is none)."""
    found = BLOCK.search(html)
    return [link for level, link in CARD_LINK.findall(found.group(0))] if found else []


def listed_interviews(html):
    """Interview links among the main results (type=interviews)."""
    return [link for level, link in CARD_LINK.findall(html)
            if level == "2" and link.startswith("/interviews/")]


def story_links(html):
    return [link for level, link in CARD_LINK.findall(html)
            if level == "2" and not link.startswith("/interviews/")]


def found_anywhere(client, query):
    """Every interview link /search/ shows for `query`, in the block or listed alone."""
    return interview_block(search_html(client, query)) + listed_interviews(
        search_html(client, query, type="interviews"))


# --- search: what is found, and in what order ------------------------------------------------


def test_interviews_are_found_by_title_introduction_and_answer(client):
    now = timezone.now()
    by_answer = make_interview("Harbour talks", answer="<p>The quetzal trade is over.</p>",
                               publish_at=now - timedelta(hours=1))
    by_intro = make_interview("Port strike", introduction="<p>Why the quetzal matters.</p>",
                              publish_at=now - timedelta(hours=2))
    by_title = make_interview("Quetzal smugglers speak", publish_at=now - timedelta(hours=3))
    make_interview("Unrelated conversation")
    expected = [i.get_absolute_url() for i in (by_title, by_intro, by_answer)]

    html = search_html(client, "quetzal")
    # Title above introduction above transcript, whatever their dates.
    assert interview_block(html) == expected
    assert "0 results for “quetzal”" in html  # the stories
    assert "No stories matched; the interviews above did." in html

    alone = search_html(client, "quetzal", type="interviews")
    assert listed_interviews(alone) == expected
    assert "3 interviews for “quetzal”" in alone
    assert not BLOCK.search(alone)


def test_search_function_ranks_interviews(db):
    make_interview("Quokka census", slug="a")
    make_interview("Other", slug="b", introduction="<p>A quokka appears.</p>")
    make_interview("Third", slug="c", answer="<p>Quokka numbers rose.</p>")
    found = list(interview_search.search(Interview.objects.published(), "quokka"))
    assert [interview.slug for interview in found] == ["a", "b", "c"]
    assert found[0].rank > found[1].rank > found[2].rank


@pytest.mark.parametrize(("field", "value"), [
    ("question", "Where did the wombat go?"),
    ("closing", "<p>Our thanks to the wombat keepers.</p>"),
    ("guest", "Wombat"),
])
def test_questions_closing_and_guests_are_searchable(client, field, value):
    if field == "guest":
        interview = make_interview("Talks", guest=GuestFactory(name="Ana Wombat"))
    else:
        interview = make_interview("Talks", **{field: value})
    make_interview("Other talks")
    assert found_anywhere(client, "wombat") == [interview.get_absolute_url()] * 2


def test_stories_and_interviews_are_found_together(client):
    story = ArticleFactory(title="Tapir census", slug="tapir")
    interview = make_interview("Tapir keepers speak")
    html = search_html(client, "tapir")
    assert interview_block(html) == [interview.get_absolute_url()]
    assert story_links(html) == [story.get_absolute_url()]
    assert "1 result for “tapir”" in html
    # type=stories leaves the interviews out.
    only_stories = search_html(client, "tapir", type="stories")
    assert interview_block(only_stories) == []
    assert story_links(only_stories) == [story.get_absolute_url()]
    # type=interviews leaves the stories out.
    assert story_links(search_html(client, "tapir", type="interviews")) == []


def test_the_block_shows_five_and_links_to_all(client):
    now = timezone.now()
    interviews = [make_interview(f"Heron talk {n}", slug=f"heron-{n}",
                                 publish_at=now - timedelta(hours=n + 1)) for n in range(7)]
    html = search_html(client, "heron")
    assert interview_block(html) == [i.get_absolute_url() for i in interviews[:5]]
    assert 'href="/search/?q=heron&amp;type=interviews"' in html
    assert len(listed_interviews(search_html(client, "heron", type="interviews"))) == 7
    # Five or fewer: no link.
    make_interview("A lone egret", slug="egret")
    html = search_html(client, "egret")
    assert interview_block(html) == ["/interviews/egret/"]
    assert "type=interviews" not in html.split("</form>", 1)[1]


def test_interview_results_are_paginated(client):
    now = timezone.now()
    for n in range(23):
        make_interview(f"Ibis talk {n}", slug=f"ibis-{n}", publish_at=now - timedelta(hours=n))
    first = search_html(client, "ibis", type="interviews")
    assert len(listed_interviews(first)) == 20
    assert 'rel="next" href="?q=ibis&amp;type=interviews&amp;page=2"' in first
    second = search_html(client, "ibis", type="interviews", page=2)
    assert len(listed_interviews(second)) == 3
    assert client.get("/search/?q=ibis&type=interviews&page=3").status_code == 404


def test_section_filter_applies_to_interviews_through_their_story(client):
    world = SectionFactory(slug="world", name="World")
    sport = SectionFactory(slug="sport", name="Sport")
    with_world = make_interview("Okapi diplomacy", article=ArticleFactory(section=world))
    with_sport = make_interview("Okapi football", article=ArticleFactory(section=sport))
    standalone = make_interview("Okapi alone")
    assert set(interview_block(search_html(client, "okapi"))) == {
        i.get_absolute_url() for i in (with_world, with_sport, standalone)}
    html = search_html(client, "okapi", section="world")
    assert interview_block(html) == [with_world.get_absolute_url()]
    assert "Interviews accompanying a story in World." in html
    assert listed_interviews(search_html(client, "okapi", section="sport", type="interviews")) \
        == [with_sport.get_absolute_url()]


def test_date_filters_apply_to_interviews(client):
    now = timezone.now()
    old = make_interview("Ibex talk", slug="old", publish_at=now - timedelta(days=30))
    new = make_interview("Ibex chat", slug="new", publish_at=now - timedelta(hours=1))
    day = f"{timezone.localdate() - timedelta(days=15):%Y-%m-%d}"
    assert interview_block(search_html(client, "ibex", start=day)) == [new.get_absolute_url()]
    assert interview_block(search_html(client, "ibex", end=day)) == [old.get_absolute_url()]


def test_bad_type_is_a_form_error(client):
    make_interview("Okapi talk")
    html = search_html(client, "okapi", type="podcasts")
    assert 'class="field-error"' in html
    assert interview_block(html) == [] and listed_interviews(html) == []


def test_interview_snippet_is_marked_and_escaped(client):
    make_interview("Lab talk", answer="<p>The axolotl study found &lt;script&gt;alert(1)"
                                      "&lt;/script&gt; in the logs &amp; more.</p>")
    for html in (search_html(client, "axolotl"),
                 search_html(client, "axolotl", type="interviews")):
        [snippet] = SNIPPET.findall(html)
        assert "<mark>axolotl</mark>" in snippet
        assert "&lt;script&gt;" in snippet
        assert "<script" not in html
        assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_the_snippet_of_an_introduction_match_comes_from_the_introduction(client):
    make_interview("Talk", introduction="<p>Today: the narwhal migration.</p>",
                   answer="<p>" + "filler " * 200 + "</p>")
    [snippet] = SNIPPET.findall(search_html(client, "narwhal", type="interviews"))
    assert "<mark>narwhal</mark>" in snippet


@pytest.mark.parametrize("query", NASTY_QUERIES, ids=range(len(NASTY_QUERIES)))
@pytest.mark.parametrize("kind", ["", "interviews"])
def test_odd_queries_give_a_normal_page_with_interviews_too(client, query, kind):
    make_interview("Okapi sighted", answer="<p>An okapi was sighted near the river.</p>")
    ArticleFactory(title="Okapi story", slug="okapi")
    response = client.get("/search/", {"q": query, "type": kind})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Search</h1>" in html
    assert "<script>alert" not in html


# --- never the prep notes, never an interview that is not public -----------------------------


def test_prep_notes_are_never_searchable(client):
    interview = make_interview("Harbour talks", prep_notes="Ask about the zanzibarite cargo.")
    assert found_anywhere(client, "zanzibarite") == []
    assert found_anywhere(client, "harbour") == [interview.get_absolute_url()] * 2
    interview.refresh_from_db()
    assert "zanzibarite" not in interview.search_text + interview.introduction_text
    if connection.vendor == "postgresql":
        assert "zanzibarite" not in str(interview.search_vector)
        assert interview.search_vector  # indexed all the same


@pytest.fixture
def hidden():
    """One interview of every kind that must stay off every public surface."""
    now = timezone.now()
    words = {"answer": "<p>The secret pangolin.</p>", "tags": ["Secret"]}
    kinds = {
        "preparing": make_interview("Pangolin preparing", slug="preparing",
                                    status=Interview.Status.PREPARING, publish_at=None,
                                    **words),
        "answered": make_interview("Pangolin answered", slug="answered",
                                   status=Interview.Status.ANSWERED, publish_at=None, **words),
        "scheduled": make_interview("Pangolin scheduled", slug="scheduled",
                                    publish_at=now + timedelta(hours=2), **words),
        "unpublished": make_interview("Pangolin pulled", slug="pulled",
                                      publish_at=now - timedelta(hours=1), **words),
    }
    interview_services.unpublish_interview(kinds["unpublished"])
    return kinds


def test_interviews_that_are_not_public_are_never_found(client, hidden):
    for query in ("pangolin", "secret pangolin", "pangolin scheduled"):
        assert found_anywhere(client, query) == []
    for interview in hidden.values():
        assert interview.title not in search_html(client, "pangolin")
        assert interview.title not in search_html(client, "pangolin", type="interviews")


def test_interviews_that_are_not_public_are_in_no_feed_or_sitemap(client, hidden):
    public = make_interview("Pangolin public", slug="public", tags=["Secret"])
    feed = parse_feed(client, "/feed/")
    assert BASE + public.get_absolute_url() in {entry.link for entry in feed.entries}
    pages = [client.get(path).content.decode()
             for path in ("/feed/", "/sitemap-interviews.xml", "/news-sitemap.xml")]
    for text in pages:
        assert BASE + public.get_absolute_url() in text
    for interview in hidden.values():
        for text in pages:
            assert f"/interviews/{interview.slug}/" not in text
            assert interview.title not in text


def test_the_interview_list_is_in_the_sitemap_only_with_a_public_interview(client, hidden):
    assert f"{BASE}/interviews/" not in sitemap_entries(client)
    make_interview("Now public")
    assert f"{BASE}/interviews/" in sitemap_entries(client)


# --- keeping the index current -------------------------------------------------------------


def test_an_answer_changed_in_the_admin_is_searchable_at_once(editor_client):
    interview = make_interview("Harbour talks", answer="<p>The flamingo flock grew.</p>")
    answer = Answer.objects.get(question__segment__interview=interview)
    url = f"/admin/interviews/interview/{interview.pk}/change/"
    data = form_values(editor_client.get(url).content.decode())
    field = next(name for name, values in data.items()
                 if name.endswith("-text") and answer.text in values)
    data[field] = ["<p>The pelican flock shrank.</p>"]
    data["_save"] = ["Save"]
    assert editor_client.post(url, data).status_code == 302
    assert Answer.objects.get(pk=answer.pk).text == "<p>The pelican flock shrank.</p>"

    assert found_anywhere(editor_client, "pelican") == [interview.get_absolute_url()] * 2
    assert found_anywhere(editor_client, "flamingo") == []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        matches = Interview.objects.filter(search_vector=SearchQuery("pelican", config="english"))
        assert list(matches) == [interview]


def test_a_guest_renamed_in_the_admin_is_searchable_by_the_new_name(
        editor_client, django_capture_on_commit_callbacks):
    guest = GuestFactory(name="Ana Lindqvist", slug="ana")
    interview = make_interview("Harbour talks", guest=guest)
    assert found_anywhere(editor_client, "lindqvist") == [interview.get_absolute_url()] * 2
    # The search text is refreshed when the admin's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/interviews/guest/{guest.pk}/change/", {
            "honorific": "Dr.", "name": "Ana Bergström", "slug": "ana",
            "credentials": guest.credentials, "bio": "", "photo": "", "_save": "Save",
        })
    assert response.status_code == 302
    assert found_anywhere(editor_client, "bergström") == [interview.get_absolute_url()] * 2
    assert found_anywhere(editor_client, "lindqvist") == []


def test_an_answer_saved_through_the_orm_is_searchable(client,
                                                      django_capture_on_commit_callbacks):
    # One transaction, as a shell or a script would run it: nobody calls refresh_search_text,
    # the search text is refreshed (once) when it commits.
    with django_capture_on_commit_callbacks(execute=True):
        interview = make_interview("Harbour talks", answer="<p>The heron flew off.</p>",
                                   refresh=False)
        answer = Answer.objects.get(question__segment__interview=interview)
        answer.text = "<p>The albatross came back.</p>"
        answer.save()
    assert found_anywhere(client, "albatross") == [interview.get_absolute_url()] * 2
    assert found_anywhere(client, "heron") == []


def test_bulk_changes_keep_the_search_text_current(client, django_capture_on_commit_callbacks):
    # Each block is one transaction (the test's own never commits).
    with django_capture_on_commit_callbacks(execute=True):
        interview = make_interview("Harbour talks", guest=GuestFactory(name="Ana Lindqvist"))
    url = [interview.get_absolute_url()] * 2
    with django_capture_on_commit_callbacks(execute=True):
        Answer.objects.filter(question__segment__interview=interview).update(
            text="<p>The walrus colony.</p>", has_text=True)
    assert found_anywhere(client, "walrus") == url

    # The seed loader's way with a line-up: delete it, bulk-create the new one.
    with django_capture_on_commit_callbacks(execute=True):
        interview.lineup.all().delete()
        InterviewGuest.objects.bulk_create([InterviewGuest(
            interview=interview, guest=GuestFactory(name="Ingrid Solberg"), position=0)])
    assert found_anywhere(client, "solberg") == url
    assert found_anywhere(client, "lindqvist") == []

    with django_capture_on_commit_callbacks(execute=True):
        interview.segments.all().delete()
        interview.closing = "<p>Goodbye from the puffins.</p>"
        interview.save()
    assert found_anywhere(client, "walrus") == []
    assert found_anywhere(client, "puffins") == url


def test_a_transaction_refreshes_each_interview_once(db, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    first, second = make_interview("First"), make_interview("Second")
    refreshed = []
    real = interview_search.refresh_search_text
    monkeypatch.setattr(interview_search, "refresh_search_text",
                        lambda interview: refreshed.append(interview.pk) or real(interview))
    segment = first.segments.get()
    guest = first.lineup.get().guest
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for number in range(20):
            asked = QuestionFactory(segment=segment, text=f"Question {number} about gannets?")
            AnswerFactory(question=asked, guest=guest, text=f"<p>Answer {number}.</p>")
        with transaction.atomic():
            SegmentFactory(interview=second, title="About the kittiwakes")
        try:
            with transaction.atomic():  # rolled back: it changes nothing, refreshes nothing
                SegmentFactory(interview=InterviewFactory(), title="Never saved")
                raise RuntimeError
        except RuntimeError:
            pass
    assert sorted(refreshed) == sorted([first.pk, second.pk])
    assert "gannets" in Interview.objects.get(pk=first.pk).search_text
    assert "kittiwakes" in Interview.objects.get(pk=second.pk).search_text


def test_saving_a_big_interview_in_the_admin_refreshes_it_once(editor_client, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    interview = build_interview(guests=2, segments=3, questions=4,
                                status=Interview.Status.PREPARING, publish_at=None)
    data = form_values(editor_client.get(
        f"/admin/interviews/interview/{interview.pk}/change/").content.decode())
    answers = [name for name in data if re.search(r"-answers-\d+-text$", name)]
    assert len(answers) == 24
    for number, name in enumerate(answers):
        data[name] = [f"<p>Answer {number} about ospreys.</p>"]
    data["_save"] = ["Save"]
    refreshed = []
    real = interview_search.refresh_search_text
    monkeypatch.setattr(interview_search, "refresh_search_text",
                        lambda interview: refreshed.append(interview.pk) or real(interview))

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/interviews/interview/{interview.pk}/change/",
                                      data)

    assert response.status_code == 302
    assert refreshed == [interview.pk]
    assert "Answer 23 about ospreys." in Interview.objects.get(pk=interview.pk).search_text


def test_publishing_indexes_a_transcript_nobody_refreshed(client):
    interview = make_interview("Harbour talks", answer="<p>The kestrel returned.</p>",
                               status=Interview.Status.ANSWERED, publish_at=None,
                               refresh=False)
    # As after a bulk change nothing marked (or a database restored without the texts).
    Interview.objects.filter(pk=interview.pk).update(search_text="")
    assert Interview.objects.get(pk=interview.pk).search_text == ""
    interview_services.publish_interview(interview)
    assert found_anywhere(client, "kestrel") == [interview.get_absolute_url()] * 2


def test_title_and_introduction_are_kept_current_by_save(client):
    interview = make_interview("Harbour talks")
    interview.title = "Egret talks"
    interview.introduction = "<p>About <strong>cormorants</strong>.</p>"
    interview.save()
    assert found_anywhere(client, "egret") == [interview.get_absolute_url()] * 2
    assert found_anywhere(client, "cormorants") == [interview.get_absolute_url()] * 2
    assert found_anywhere(client, "strong") == []  # markup is not text
    interview.title = "Stork talks"
    interview.save(update_fields=["title"])
    assert found_anywhere(client, "stork") == [interview.get_absolute_url()] * 2


def test_refresh_leaves_modified_at_alone(db):
    interview = make_interview("Harbour talks")
    before = Interview.objects.get(pk=interview.pk).modified_at
    Answer.objects.filter(question__segment__interview=interview).update(text="<p>New.</p>")
    refresh_search_text(interview)
    refresh_search_text(interview)
    row = Interview.objects.get(pk=interview.pk)
    assert row.modified_at == before
    assert "New." in row.search_text


def test_the_seed_loader_indexes_the_demo_interviews(client, settings, tmp_path):
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed", stdout=io.StringIO())
    published = Interview.objects.get(slug="can-talks-in-brenholt-stop-the-fighting")
    assert "displaced families" in published.search_text
    assert published.prep_notes.split(";")[0] not in published.search_text
    found = interview_search.search(Interview.objects.published(), "displaced families")
    assert published in list(found)


# --- PostgreSQL: the stored vector and its index ---------------------------------------------


def test_vector_weights_title_introduction_transcript():
    postgres_only()
    interview = make_interview("Flamingo talks", introduction="<p>Pink birds.</p>",
                               answer="<p>Wetland counts rose.</p>")
    interview.refresh_from_db()
    vector = interview.search_vector
    assert re.search(r"'flamingo':\d+A", vector)
    assert re.search(r"'pink':\d+B", vector)
    assert re.search(r"'wetland':\d+(?![AB])", vector)
    assert "supply" not in vector  # the prep notes


def test_refresh_search_text_updates_the_vector():
    postgres_only()
    from django.contrib.postgres.search import SearchQuery

    interview = make_interview("Harbour talks", answer="<p>Heron sightings.</p>")
    Answer.objects.filter(question__segment__interview=interview).update(
        text="<p>Stork sightings.</p>")
    query = SearchQuery("stork", config="english")
    assert not Interview.objects.filter(search_vector=query).exists()
    refresh_search_text(interview)
    assert list(Interview.objects.filter(search_vector=query)) == [interview]
    assert not Interview.objects.filter(search_vector=SearchQuery("heron", config="english"))


def test_interview_gin_index_exists_and_can_serve_the_match():
    postgres_only()
    from django.contrib.postgres.search import SearchQuery

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'interviews_interview' "
            "AND indexname = 'interviews_interview_search_gin'"
        )
        row = cursor.fetchone()
    assert row is not None
    assert "USING gin (search_vector)" in row[0]
    make_interview("Stork talks")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    query = SearchQuery("stork", search_type="websearch", config="english")
    assert "interviews_interview_search_gin" in \
        Interview.objects.filter(search_vector=query).order_by().explain()


def test_postgres_stemming_and_phrases_for_interviews(client):
    postgres_only()
    interview = make_interview("Talks continued overnight",
                               answer="<p>The red kite returns.</p>")
    make_interview("Kite festival", answer="<p>In red square.</p>")
    assert found_anywhere(client, "talking") == [interview.get_absolute_url()] * 2
    assert found_anywhere(client, '"red kite"') == [interview.get_absolute_url()] * 2


# --- the site feed ---------------------------------------------------------------------------


def parse_feed(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    return feed


def test_site_feed_has_stories_and_interviews_newest_first(client):
    now = timezone.now()
    dana = AuthorFactory(name="Dana Whitfield", slug="dana")
    story = ArticleFactory(title="Ceasefire agreed", slug="ceasefire", authors=[dana],
                           publish_at=now - timedelta(hours=3))
    interviewer = AuthorFactory(name="Mara Ellison", slug="mara")
    interview = make_interview(
        "Can the talks stop the fighting?", interviewer=interviewer,
        introduction="<p>Two guests on the <strong>talks</strong> &amp; what comes next.</p>",
        tags=["Diplomacy", "Brenholt"], publish_at=(now - timedelta(hours=2)).replace(
            microsecond=0),
        guest=GuestFactory(photo=PhotoFactory(caption="Dr. Marek")),
    )
    older = make_interview("An older conversation", publish_at=now - timedelta(days=2))

    feed = parse_feed(client, "/feed/")
    assert [entry.link for entry in feed.entries] == [
        BASE + interview.get_absolute_url(), BASE + story.get_absolute_url(),
        BASE + older.get_absolute_url()]
    entry = feed.entries[0]
    assert entry.title == "Can the talks stop the fighting?"
    assert entry.description == "Two guests on the talks & what comes next."
    assert entry.description == interview.summary
    assert entry.author == "Mara Ellison"
    assert calendar.timegm(entry.published_parsed) == int(interview.publish_at.timestamp())
    assert sorted(tag.term for tag in entry.tags) == ["Brenholt", "Diplomacy"]
    assert entry.id == f"newsroom:interview:{interview.pk}"
    [media] = entry.media_content
    assert media["url"].startswith(f"{BASE}/media/")
    assert feed.entries[1].author == "Dana Whitfield"
    assert feed.entries[1].id == f"newsroom:article:{story.pk}"


def test_site_feed_holds_fifty_items_in_all(client):
    now = timezone.now()
    section = SectionFactory()
    interviewer = AuthorFactory()
    Article.objects.bulk_create([
        Article(title=f"Story {n}", slug=f"story-{n}", section=section,
                status=Article.Status.PUBLISHED, publish_at=now - timedelta(minutes=2 * n + 1))
        for n in range(40)
    ])
    Interview.objects.bulk_create([
        Interview(title=f"Interview {n}", slug=f"interview-{n}", interviewer=interviewer,
                  status=Interview.Status.PUBLISHED, publish_at=now - timedelta(minutes=2 * n))
        for n in range(40)
    ])
    feed = parse_feed(client, "/feed/")
    assert len(feed.entries) == 50
    assert [entry.title for entry in feed.entries[:4]] == [
        "Interview 0", "Story 0", "Interview 1", "Story 1"]
    assert feed.entries[-1].title == "Story 24"


def test_section_and_tag_feeds_stay_stories_only(client):
    section = SectionFactory(slug="world", name="World")
    story = ArticleFactory(section=section, tags=["Diplomacy"])
    make_interview("Diplomacy talk", tags=["Diplomacy"],
                   article=ArticleFactory(section=section))
    for path in ("/world/feed/", "/tags/diplomacy/feed/"):
        links = {entry.link for entry in parse_feed(client, path).entries}
        assert BASE + story.get_absolute_url() in links
        assert not any("/interviews/" in link for link in links)


# --- sitemaps --------------------------------------------------------------------------------


def sitemap_entries(client, path=None):
    """Every address in the sitemaps (through the index), or in the one at `path`."""
    if path is None:
        return all_entries(client)
    response = client.get(path)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 -- our own test server's output
    return {url.findtext("s:loc", namespaces=NS): url for url in root.findall("s:url", NS)}


def test_sitemap_lists_public_interviews_with_lastmod(client):
    now = timezone.now()
    public = make_interview("Public talk", publish_at=now - timedelta(days=3))
    scheduled_then = make_interview("Went out by itself", publish_at=now - timedelta(hours=1))
    # Saved (last modified) before it was due, then went public on schedule. The other one
    # was last changed when it went out, so the list's newest change is the scheduled one.
    Interview.objects.filter(pk=scheduled_then.pk).update(modified_at=now - timedelta(days=2))
    Interview.objects.filter(pk=public.pk).update(modified_at=now - timedelta(days=3))
    urls = sitemap_entries(client)
    assert f"{BASE}{public.get_absolute_url()}" in urls
    lastmod = urls[f"{BASE}{scheduled_then.get_absolute_url()}"].findtext("s:lastmod",
                                                                         namespaces=NS)
    assert lastmod == f"{timezone.localtime(scheduled_then.publish_at):%Y-%m-%d}"
    listing = urls[f"{BASE}/interviews/"].findtext("s:lastmod", namespaces=NS)
    assert listing == f"{timezone.localtime(scheduled_then.publish_at):%Y-%m-%d}"


def test_news_sitemap_has_recent_stories_and_interviews_newest_first(client):
    now = timezone.now()
    story = ArticleFactory(title="Story", slug="story", publish_at=now - timedelta(hours=3))
    recent = make_interview("Recent & <talk>", slug="recent", publish_at=now - timedelta(hours=1))
    yesterday = make_interview("Yesterday", slug="yesterday",
                               publish_at=now - timedelta(hours=47))
    old = make_interview("Old", slug="old", publish_at=now - timedelta(days=3))
    urls = sitemap_entries(client, "/news-sitemap.xml")
    assert list(urls) == [BASE + item.get_absolute_url() for item in (recent, story, yesterday)]
    news = urls[BASE + recent.get_absolute_url()].find("news:news", NS)
    assert news.findtext("news:title", namespaces=NS) == "Recent & <talk>"
    published = datetime.fromisoformat(news.findtext("news:publication_date", namespaces=NS))
    assert published.replace(microsecond=0) == recent.publish_at.replace(microsecond=0)
    assert BASE + old.get_absolute_url() not in urls


@pytest.mark.usefixtures("page_cache_off")
def test_news_sitemap_holds_at_most_1000_urls_in_all(client):
    now = timezone.now()
    section = SectionFactory()
    interviewer = AuthorFactory()
    Article.objects.bulk_create([
        Article(title=f"Story {n}", slug=f"story-{n}", section=section,
                status=Article.Status.PUBLISHED,
                publish_at=now - timedelta(minutes=1, seconds=20 * n + 10))
        for n in range(600)
    ], batch_size=200)
    Interview.objects.bulk_create([
        Interview(title=f"Interview {n}", slug=f"interview-{n}", interviewer=interviewer,
                  status=Interview.Status.PUBLISHED,
                  publish_at=now - timedelta(minutes=1, seconds=20 * n))
        for n in range(600)
    ], batch_size=200)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/news-sitemap.xml")
    root = ET.fromstring(response.content)  # noqa: S314 -- our own test server's output
    titles = [url.findtext("news:news/news:title", namespaces=NS)
              for url in root.findall("s:url", NS)]
    assert len(titles) == 1000
    assert titles[:3] == ["Interview 0", "Story 0", "Interview 1"]
    assert titles[-1] == "Story 499"
    assert len(queries) <= 2


# --- cost: the query count does not grow with interviews -------------------------------------


def _queries(client, path):
    client.get(path)  # a first view fills the site's own caches (the footer's links)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _add_interviews(count, start):
    photo = PhotoFactory()
    interviewer = AuthorFactory()
    for n in range(start, start + count):
        guests = [GuestFactory(photo=photo), GuestFactory()]
        make_interview(f"Heron talk {n}", slug=f"heron-{n}", interviewer=interviewer,
                       tags=["Birds", "Wetlands"], guest=guests[0],
                       publish_at=timezone.now() - timedelta(minutes=n + 1))
        Interview.objects.get(slug=f"heron-{n}").lineup.create(guest=guests[1], position=1)


PATHS = ["/search/?q=heron", "/search/?q=heron&type=interviews",
         "/search/?q=heron&section=world", "/feed/", "/sitemap.xml", "/sitemap-interviews.xml",
         "/news-sitemap.xml"]


@pytest.mark.usefixtures("page_cache_off")
def test_query_counts_are_the_same_for_2_and_20_interviews(client):
    world = SectionFactory(slug="world", name="World")
    authors = [AuthorFactory(), AuthorFactory()]
    for n in range(3):
        ArticleFactory(title=f"Heron {n}", slug=f"story-{n}", section=world, authors=authors,
                       tags=["Birds"])
    _add_interviews(2, 0)
    few = {path: _queries(client, path) for path in PATHS}
    _add_interviews(18, 2)
    many = {path: _queries(client, path) for path in PATHS}
    assert many == few
    assert len(listed_interviews(client.get(PATHS[1]).content.decode())) == 20
    assert len(parse_feed(client, "/feed/").entries) == 23
    # Stories as before; interviews: ids, the page and their line-up. On PostgreSQL each id
    # lookup also asks for an estimate and sets the planner (see test_search).
    assert many["/search/?q=heron"] <= (9 if connection.vendor != "postgresql" else 19)
    # Stories, bylines, tags; interviews, tags, line-up.
    assert many["/feed/"] <= 6
