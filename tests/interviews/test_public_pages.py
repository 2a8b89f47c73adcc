"""What a reader sees: the interview list, the transcript, guest pages, and the interviews
shown on the front page and under the story they accompany."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from interviews.models import Interview
from tests.articles.factories import ArticleFactory, AuthorFactory, PhotoFactory

from .dom import attrs, find, find_all, page, text
from .factories import (
    AnswerFactory,
    GuestFactory,
    InterviewFactory,
    QuestionFactory,
    SegmentFactory,
    build_interview,
)

pytestmark = pytest.mark.django_db

PREP_NOTE = "INTERNAL-PREP-NOTE"


@pytest.fixture
def transcript():
    """A published two-guest interview in two parts (segments), accompanying a published story."""
    story = ArticleFactory(title="Militias break through near Tervan", slug="militias-tervan")
    hassan = GuestFactory(name="Omar Hassan", slug="omar-hassan", honorific="Dr.",
                          credentials="Historian of the Calvessan civil war",
                          photo=PhotoFactory(alt_text="Omar Hassan in his study"))
    miller = GuestFactory(name="James Miller", slug="james-miller", honorific="Colonel",
                          credentials="Retired officer and military analyst")
    interview = InterviewFactory(
        title="A new front for Haldane?", slug="a-new-front",
        interviewer=AuthorFactory(name="Mara Ellison", slug="mara-ellison"),
        article=story, guests=[hassan, miller], tags=["Calvessa"],
        introduction="<p>Welcome. Today: the offensive near Tervan.</p>",
        closing="<p>Thank you both for your time.</p>",
        prep_notes=f"{PREP_NOTE}: adapt the questions to the guests.",
    )
    offensive = SegmentFactory(interview=interview, title="The militia offensive", position=0)
    q1 = QuestionFactory(segment=offensive, position=0, addressed_to=[hassan],
                         text="Who are these militias?")
    AnswerFactory(question=q1, guest=hassan, text="<p>A loose coalition of local groups.</p>")
    future = SegmentFactory(interview=interview, title="What comes next", position=1)
    q2 = QuestionFactory(segment=future, position=0, text="What happens now?")
    AnswerFactory(question=q2, guest=miller, text="<p>A long, grinding campaign.</p>")
    AnswerFactory(question=q2, guest=hassan, text="<p>More talks, and more fighting.</p>")
    q3 = QuestionFactory(segment=future, position=1, addressed_to=[miller], is_follow_up=True,
                         text="How long can the line hold?")
    AnswerFactory(question=q3, guest=miller, text="<p>Weeks, not months.</p>")
    return interview


def test_transcript_shows_guests_contents_questions_answers_and_closing(client, transcript):
    root = page(client.get("/interviews/a-new-front/"))
    article = find(root, "article", "interview")
    assert text(find(article, "h1")) == "A new front for Haldane?"
    assert "the offensive near Tervan" in text(find(article, "div", "interview__intro"))

    cards = find_all(article, "li", "guest-card")
    assert [text(find(card, "h3", "guest-card__name")) for card in cards] == [
        "Dr. Omar Hassan", "Colonel James Miller"]
    assert text(find(cards[0], "span", "guest-card__honorific")) == "Dr."
    assert text(find(cards[0], "p", "guest-card__credentials")) == (
        "Historian of the Calvessan civil war")
    assert attrs(find(cards[0], "img"))["alt"] == "Omar Hassan in his study"
    assert not find_all(cards[1], "img")
    assert attrs(find(cards[1], "a"))["href"] == "/interviews/guests/james-miller/"

    toc = find(article, "nav", "interview__toc")
    assert [(attrs(a)["href"], text(a)) for a in find_all(toc, "a")] == [
        ("#segment-1", "The militia offensive"), ("#segment-2", "What comes next")]
    segments = find_all(article, "section", "interview__segment")  # <section> elements
    assert [attrs(s)["id"] for s in segments] == ["segment-1", "segment-2"]
    assert text(find(segments[1], "h2")).endswith("What comes next")

    exchanges = find_all(segments[1], "dl", "exchange")
    assert len(exchanges) == 2
    speakers = [text(dt) for dt in find_all(exchanges[0], "dt")]
    said = [text(dd) for dd in find_all(exchanges[0], "dd")]
    # The interviewer asks, then each guest answers under their own name, in billing order.
    assert speakers == ["Mara Ellison", "Dr. Hassan", "Colonel Miller"]
    assert said == ["What happens now?", "More talks, and more fighting.",
                    "A long, grinding campaign."]
    assert attrs(find(find_all(exchanges[0], "dt")[1], "a"))["href"] == (
        "/interviews/guests/omar-hassan/")
    assert "exchange--follow-up" in attrs(exchanges[1])["class"]
    assert text(find(article, "section", "interview__closing")).endswith(
        "Thank you both for your time.")


def test_transcript_head_has_title_description_canonical_and_social_tags(client, transcript):
    html = client.get("/interviews/a-new-front/").content.decode()
    assert "<title>A new front for Haldane? — Newsroom</title>" in html
    assert re.search(r'<meta name="description" content="Welcome. Today: the offensive', html)
    assert re.search(r'<link rel="canonical" href="http://testserver/interviews/a-new-front/">',
                     html)
    assert '<meta property="og:title" content="A new front for Haldane?">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:image" content="http://testserver/media/' in html
    assert '<meta property="article:tag" content="Calvessa">' in html


def test_interview_and_story_link_to_each_other(client, transcript):
    story = transcript.article
    root = page(client.get(transcript.get_absolute_url()))
    link = find(find(root, "p", "interview__story"), "a")
    assert attrs(link)["href"] == story.get_absolute_url()

    root = page(client.get(story.get_absolute_url()))
    block = find(root, "aside", "story-interviews")
    assert [attrs(a)["href"] for a in find_all(block, "a")] == ["/interviews/a-new-front/"]


def test_no_link_to_a_story_readers_cannot_see(client, transcript):
    story = transcript.article
    story.status = "draft"
    story.save()
    html = client.get(transcript.get_absolute_url()).content.decode()
    assert 'class="interview__story"' not in html
    assert story.title not in html


def test_story_page_lists_only_public_interviews(client, transcript):
    story = transcript.article
    InterviewFactory(article=story, title="Still preparing this one",
                     status=Interview.Status.PREPARING)
    InterviewFactory(article=story, title="Answered, waiting for an editor",
                     status=Interview.Status.ANSWERED)
    InterviewFactory(article=story, title="Scheduled for tomorrow",
                     publish_at=timezone.now() + timedelta(days=1))
    html = client.get(story.get_absolute_url()).content.decode()
    assert "A new front for Haldane?" in html
    for title in ["Still preparing", "Answered, waiting", "Scheduled for tomorrow"]:
        assert title not in html


@pytest.mark.parametrize("status", ["preparing", "answered", "scheduled"])
def test_unpublished_interviews_are_nowhere_public(client, transcript, status):
    hidden = build_interview(title="The hidden interview", slug="hidden-interview",
                             article=transcript.article)
    guest = hidden.lineup.first().guest
    if status == "scheduled":
        hidden.publish_at = timezone.now() + timedelta(days=1)
    else:
        hidden.status = status
    hidden.save()

    assert client.get("/interviews/hidden-interview/").status_code == 404
    for url in ["/interviews/", guest.get_absolute_url(), "/",
                transcript.article.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "The hidden interview" not in response.content.decode(), url


def test_prep_notes_never_reach_a_public_page(client, transcript):
    urls = ["/", "/interviews/", transcript.get_absolute_url(),
            transcript.lineup.first().guest.get_absolute_url(),
            transcript.article.get_absolute_url(), "/feed/", "/sitemap.xml",
            "/search/?q=notes", "/search/?q=INTERNAL"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert PREP_NOTE not in response.content.decode(), url


def test_list_shows_published_interviews_newest_first_with_guests(client, transcript):
    older = build_interview(title="An older conversation",
                            publish_at=timezone.now() - timedelta(days=3))
    root = page(client.get("/interviews/"))
    titles = [text(h) for h in find_all(root, "h2", "card__title")]
    assert titles == ["A new front for Haldane?", "An older conversation"]
    guests = text(find(root, "p", "interview-card__guests"))
    assert guests == "With Dr. Omar Hassan and Colonel James Miller"
    assert older.get_absolute_url() in client.get("/interviews/").content.decode()


def test_list_is_paginated_and_bad_pages_are_404(client):
    for n in range(21):
        InterviewFactory(title=f"Talk {n}", publish_at=timezone.now() - timedelta(hours=n + 1))
    first = client.get("/interviews/").content.decode()
    assert first.count('class="card__title"') == 20
    assert 'rel="next" href="?page=2"' in first
    assert client.get("/interviews/?page=2").content.decode().count('class="card__title"') == 1
    for bad in ["3", "0", "x", "-1"]:
        assert client.get(f"/interviews/?page={bad}").status_code == 404


def test_guest_page_lists_their_published_interviews(client, transcript):
    hassan = transcript.lineup.first().guest
    root = page(client.get(hassan.get_absolute_url()))
    assert text(find(root, "h1")) == "Dr. Omar Hassan"
    assert "Historian of the Calvessan civil war" in text(root)
    assert [text(h) for h in find_all(root, "h3", "card__title")] == ["A new front for Haldane?"]
    assert client.get("/interviews/guests/nobody/").status_code == 404


def test_front_page_shows_latest_interviews(client, transcript):
    root = page(client.get("/"))
    block = find(root, "section", "front-interviews")
    assert [text(h) for h in find_all(block, "h3", "card__title")] == [
        "A new front for Haldane?"]


@pytest.mark.parametrize("who", [None, "moderator"])
def test_preview_is_404_for_everyone_but_the_desk(client, who, request):
    interview = build_interview(status=Interview.Status.PREPARING, title="Draft talk")
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(interview.get_preview_url()).status_code == 404
    assert client.get(f"/preview/interviews/{interview.pk + 1000}/").status_code == 404


def test_desk_previews_an_unpublished_interview(editor_client):
    interview = build_interview(status=Interview.Status.PREPARING, title="Draft talk",
                                answered=False, segments=1, questions=1)
    AnswerFactory(question=interview.segments.get().questions.get(),
                  guest=interview.lineup.first().guest, text="…")
    html = editor_client.get(interview.get_preview_url()).content.decode()
    assert "Draft talk" in html
    assert "Preview — this interview is not public (Preparing)" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "No answer yet." in html
    assert PREP_NOTE not in html


def transcript_of(guests, questions):
    people = [GuestFactory(photo=PhotoFactory()) for _ in range(guests)]
    interview = InterviewFactory(guests=people, article=ArticleFactory(), tags=["a", "b"])
    per_segment = max(1, questions // 4)
    segment = None
    for number in range(questions):
        if number % per_segment == 0:
            segment = SegmentFactory(interview=interview)
        question = QuestionFactory(segment=segment, addressed_to=people[:1] if number else [])
        for guest in people:
            AnswerFactory(question=question, guest=guest)
    return interview


@pytest.mark.usefixtures("page_cache_off")
def test_transcript_queries_do_not_grow(client, django_assert_max_num_queries):
    counts = {}
    for guests, questions in [(1, 2), (5, 40)]:
        interview = transcript_of(guests, questions)
        url = interview.get_absolute_url()
        client.get(url)  # warm Django's own caches (content types and the like)
        with django_assert_max_num_queries(12) as captured:
            response = client.get(url)
        html = response.content.decode()
        assert html.count('class="exchange__answer"') == guests * questions
        counts[(guests, questions)] = len(captured)
    assert counts[(1, 2)] == counts[(5, 40)], counts


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize("url", ["/interviews/", "guest"])
def test_listing_queries_do_not_grow(client, django_assert_max_num_queries, url):
    counts = {}
    for size in (1, 25):
        guest = GuestFactory()
        for _ in range(size):
            InterviewFactory(guests=[guest, GuestFactory()])
        target = guest.get_absolute_url() if url == "guest" else url
        client.get(target)
        with django_assert_max_num_queries(8) as captured:
            assert client.get(target).status_code == 200
        counts[size] = len(captured)
    assert counts[1] == counts[25], counts


def test_reporters_preview_interviews_they_prepare(reporter_client, reporter):
    interview = build_interview(status=Interview.Status.ANSWERED, title="Ready for an editor",
                                created_by=reporter)
    response = reporter_client.get(interview.get_preview_url())
    assert response.status_code == 200
    assert "Ready for an editor" in response.content.decode()
    assert reporter_client.get(interview.get_absolute_url()).status_code == 404


def test_plain_text_from_the_desk_is_escaped(client):
    guest = GuestFactory(name="<b>Bold</b> Name", credentials="<script>alert(1)</script>")
    interview = InterviewFactory(guests=[guest], title="Quotes & <tags>")
    question = QuestionFactory(segment=SegmentFactory(interview=interview, title="<i>Part</i>"),
                               text="Why <script>alert(2)</script>?")
    AnswerFactory(question=question, guest=guest, text="<p>Fine.</p><script>alert(3)</script>")
    html = client.get(interview.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; Name" in html
    assert "<i>Part</i>" not in html


def test_interview_tags_link_only_to_tag_pages_that_exist(client):
    ArticleFactory(tags=["Ceasefire"])
    interview = InterviewFactory(tags=["Ceasefire", "Back channels"])
    html = client.get(interview.get_absolute_url()).content.decode()
    assert 'href="/tags/ceasefire/"' in html
    assert "#Back channels" in html
    assert 'href="/tags/back-channels/"' not in html


def test_reporter_cannot_change_a_guest_of_a_live_interview(reporter_client):
    from interviews.models import Guest

    live = GuestFactory(name="Lidia Marek")
    InterviewFactory(guests=[live])
    preparing = GuestFactory(name="Teo Vance")
    InterviewFactory(guests=[preparing], status=Interview.Status.PREPARING, publish_at=None)
    response = reporter_client.post(f"/admin/interviews/guest/{live.pk}/change/",
                                    {"name": "Someone Else", "slug": live.slug})
    assert response.status_code == 403
    assert Guest.objects.get(pk=live.pk).name == "Lidia Marek"
    assert reporter_client.get(f"/admin/interviews/guest/{preparing.pk}/change/").status_code \
        == 200
