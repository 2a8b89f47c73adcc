"""Typed corrections: shown under the story with their type, listed on /corrections/ and its
feed, carried in the story's NewsArticle JSON-LD, and refreshed in the page cache."""

import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from articles.models import Article, Correction, Section

from .admin_forms import change_url, form_errors, post_admin_form
from .factories import ArticleFactory, CorrectionFactory, SectionFactory

pytestmark = pytest.mark.django_db


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def news_article(html):
    return next(data for data in json_ld(html) if data.get("@type") == "NewsArticle")


def test_each_note_shows_under_the_story_with_its_type_and_date(client):
    story = ArticleFactory()
    CorrectionFactory(article=story, kind=Correction.Kind.CLARIFICATION,
                      text="The port is the eastern one.",
                      published_at=timezone.make_aware(timezone.datetime(2026, 3, 4, 10)))
    CorrectionFactory(article=story, kind=Correction.Kind.EDITORS_NOTE,
                      text="This story was updated with the minister's reply.")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Clarification</span>, <time" in html
    assert "4 March 2026" in html
    assert "Editor’s note" in html
    assert "The port is the eastern one." in html


def test_existing_notes_are_corrections_by_default():
    assert CorrectionFactory().kind == Correction.Kind.CORRECTION


def test_json_ld_carries_each_note_as_a_correction_comment(client):
    story = ArticleFactory()
    when = timezone.now() - timedelta(minutes=5)
    CorrectionFactory(article=story, text="We misnamed the port.", published_at=when)
    CorrectionFactory(article=story, kind=Correction.Kind.UPDATE, text="Talks resumed.")
    data = news_article(client.get(story.get_absolute_url()).content.decode())
    assert data["correction"][0] == {"@type": "CorrectionComment",
                                     "text": "We misnamed the port.",
                                     "datePublished": when.isoformat()}
    assert data["correction"][1]["text"] == "Update: Talks resumed."


def test_a_story_without_notes_has_no_correction_in_json_ld(client):
    story = ArticleFactory()
    assert "correction" not in news_article(client.get(story.get_absolute_url()).content.decode())


def test_corrections_page_lists_public_stories_notes_newest_first(client):
    old = CorrectionFactory(text="Older note", published_at=timezone.now() - timedelta(days=2))
    new = CorrectionFactory(text="Newer note", kind=Correction.Kind.UPDATE)
    CorrectionFactory(text="Draft's note", article=ArticleFactory(status=Article.Status.DRAFT))
    CorrectionFactory(text="Embargoed note", article=ArticleFactory(
        embargo_until=timezone.now() + timedelta(hours=2),
        publish_at=timezone.now() + timedelta(hours=2)))
    response = client.get("/corrections/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Newer note") < html.index("Older note")
    assert "Draft's note" not in html and "Embargoed note" not in html
    assert new.article.title in html and old.get_absolute_url() in html
    assert ">Update</span>" in html


def test_corrections_page_is_paginated_and_a_bad_page_is_a_404(client):
    story = ArticleFactory()
    for number in range(21):
        CorrectionFactory(article=story, text=f"Note {number}")
    assert client.get("/corrections/?page=2").status_code == 200
    for bad in ["3", "0", "x", "-1", "99999999999999999999"]:
        assert client.get(f"/corrections/?page={bad}").status_code == 404, bad


def test_corrections_page_keeps_a_constant_query_count(client, page_cache_off,
                                                      django_assert_max_num_queries):
    for number in range(3):
        CorrectionFactory(text=f"Note {number}")
    # The first page after the cache was emptied also looks up the next scheduled publication,
    # for how long its menu may be kept (newsroom/fragments.py); that is read once, not per page.
    client.get("/corrections/")
    with django_assert_max_num_queries(4):
        client.get("/corrections/")
    for number in range(10):
        CorrectionFactory(text=f"More {number}")
    with django_assert_max_num_queries(4):
        client.get("/corrections/")


def test_corrections_feed_is_rss_of_the_same_notes(client):
    note = CorrectionFactory(text="We misnamed the port.", kind=Correction.Kind.CLARIFICATION)
    CorrectionFactory(text="Hidden", article=ArticleFactory(status=Article.Status.DRAFT))
    response = client.get("/corrections/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert [entry.title for entry in feed.entries] == [
        f"Clarification: {note.article.title}"]
    assert feed.entries[0].summary == "We misnamed the port."
    assert feed.entries[0].link.endswith(f"#correction-{note.pk}")


def test_no_section_may_take_the_corrections_address(client):
    with pytest.raises(ValidationError):
        Section(name="Corrections", slug="corrections").full_clean()
    # The page wins over the section catch-all.
    assert "<h1>Corrections</h1>" in client.get("/corrections/").content.decode()


def test_editor_adds_a_typed_note_in_the_admin(editor_client):
    story = ArticleFactory()
    response = post_admin_form(editor_client, change_url(story), corrections=[
        {"kind": "clarification", "text": "The vote was on Tuesday."}])
    assert response.status_code == 302, form_errors(response)
    assert story.corrections.get().kind == Correction.Kind.CLARIFICATION


def test_an_unknown_type_is_refused_and_nothing_is_saved(editor_client):
    story = ArticleFactory()
    response = post_admin_form(editor_client, change_url(story), corrections=[
        {"kind": "retraction", "text": "Nope."}])
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not story.corrections.exists()


# The page cache -------------------------------------------------------------------------------


def test_a_note_refreshes_the_story_and_the_corrections_page_and_feed():
    reader = Client()
    story = ArticleFactory(section=SectionFactory(slug="harbour"))
    other = ArticleFactory(section=story.section)
    paths = [story.get_absolute_url(), "/corrections/", "/corrections/feed/"]
    for path in paths:
        reader.get(path)
        assert reader.get(path).status_code == 200  # from the cache now
    note = CorrectionFactory(article=story, text="The gauge was in Harwich.")
    for path in paths:
        assert "The gauge was in Harwich." in reader.get(path).content.decode(), path
    note.text = "The gauge was in Felixstowe."
    note.save()
    for path in paths:
        assert "Felixstowe" in reader.get(path).content.decode(), path
    note.delete()
    for path in paths:
        assert "Felixstowe" not in reader.get(path).content.decode(), path
    # A story going public brings its notes onto the corrections page.
    draft = ArticleFactory(status=Article.Status.DRAFT, title="Quiet draft")
    CorrectionFactory(article=draft, text="Draft note")
    assert "Draft note" not in reader.get("/corrections/").content.decode()
    draft.status = Article.Status.PUBLISHED
    draft.publish_at = timezone.now() - timedelta(minutes=1)
    draft.save()
    assert "Draft note" in reader.get("/corrections/").content.decode()
    assert other.pk  # untouched


# A note dated later --------------------------------------------------------------------------
# It is scheduled, as a story with a later publication time is: readers see it from its time,
# on every surface, cached pages included.


def travel(monkeypatch, **delta):
    moment = timezone.now() + timedelta(**delta)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def shown_on(client, story):
    """The notes' texts each surface shows a reader, asked twice (the second answer comes from
    the page cache when it is on)."""
    for _ in range(2):
        page = client.get(story.get_absolute_url()).content.decode()
        listing = client.get("/corrections/").content.decode()
        feed = feedparser.parse(client.get("/corrections/feed/").content)
    notes = ("We misnamed the port.", "The minister resigned at noon.")
    return {
        "page": [note for note in notes if note in page],
        "json-ld": [item["text"] for item in news_article(page).get("correction", [])],
        "corrections": [note for note in notes if note in listing],
        "feed": [entry.summary for entry in feed.entries],
    }


def test_a_note_dated_later_shows_nowhere_until_its_time(client, page_cache, monkeypatch):
    story = ArticleFactory()
    CorrectionFactory(article=story, text="We misnamed the port.",
                      published_at=timezone.now() - timedelta(hours=1))
    CorrectionFactory(article=story, kind=Correction.Kind.UPDATE,
                      text="The minister resigned at noon.",
                      published_at=timezone.now() + timedelta(hours=2))
    assert shown_on(client, story) == {
        "page": ["We misnamed the port."], "json-ld": ["We misnamed the port."],
        "corrections": ["We misnamed the port."], "feed": ["We misnamed the port."]}

    travel(monkeypatch, hours=2, minutes=1)

    both = ["We misnamed the port.", "The minister resigned at noon."]
    assert shown_on(client, story) == {
        "page": both, "json-ld": [both[0], f"Update: {both[1]}"],
        "corrections": both, "feed": list(reversed(both))}  # the feed: newest first


def test_a_note_scheduled_on_a_cached_story_appears_at_its_time(client, page_cache,
                                                                  monkeypatch):
    story = ArticleFactory()
    CorrectionFactory(article=story, text="We misnamed the port.")
    assert shown_on(client, story)["page"] == ["We misnamed the port."]  # pages stored

    note = CorrectionFactory(article=story, text="The minister resigned at noon.",
                             published_at=timezone.now() + timedelta(hours=3))
    assert shown_on(client, story)["page"] == ["We misnamed the port."]
    note.published_at = timezone.now() + timedelta(hours=1)  # brought forward
    note.save()
    assert shown_on(client, story)["corrections"] == ["We misnamed the port."]

    travel(monkeypatch, hours=1, minutes=1)

    assert all(len(texts) == 2 for texts in shown_on(client, story).values())


def test_editor_schedules_a_note_in_the_admin(editor_client):
    story = ArticleFactory()
    form = editor_client.get(change_url(story)).content.decode()
    assert "A future time schedules it: readers see it from then." in form
    later = timezone.now() + timedelta(days=1)
    response = post_admin_form(editor_client, change_url(story), corrections=[
        {"kind": "update", "text": "The inquiry reports tomorrow.", "published_at": later}])
    assert response.status_code == 302, form_errors(response)
    assert story.corrections.get().text == "The inquiry reports tomorrow."
    reader = Client()
    assert "The inquiry reports tomorrow." not in reader.get(
        story.get_absolute_url()).content.decode()
    assert "The inquiry reports tomorrow." not in reader.get("/corrections/").content.decode()
