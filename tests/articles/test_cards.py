"""Story and interview cards (articles/cards.py, interviews/cards.py) build their HTML in
Python: everything an editor typed reaches the reader escaped, and the card reads as before."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.articles.factories import ArticleFactory, AuthorFactory, PhotoFactory, SectionFactory
from tests.interviews.factories import GuestFactory, InterviewFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & “quotes”'


def test_a_story_card_escapes_what_the_desk_typed(client):
    section = SectionFactory(slug="harbour")
    photo = PhotoFactory(alt_text='A "quoted" <b>alt</b>')
    ArticleFactory(section=section, title=HOSTILE, kicker="<i>Kicker</i>",
                   standfirst="Less < more & more > less", lead_photo=photo,
                   authors=[AuthorFactory(name="O'Brien & <Sons>"), AuthorFactory(name="Ana")])
    page = client.get("/harbour/").content.decode()
    assert "<script>alert" not in page and "<i>Kicker</i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; “quotes”" in page
    assert '<p class="kicker">&lt;i&gt;Kicker&lt;/i&gt;</p>' in page
    assert '<p class="card__standfirst">Less &lt; more &amp; more &gt; less</p>' in page
    assert 'alt="A &quot;quoted&quot; &lt;b&gt;alt&lt;/b&gt;"' in page
    assert re.search(r'<span class="byline">By <a href="/authors/[^"]+/" rel="author">'
                     r"O&#x27;Brien &amp; &lt;Sons&gt;</a> and <a [^>]+>Ana</a></span>", page)


def test_a_story_card_shows_its_time_in_the_sites_zone(client, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    when = datetime(2026, 3, 5, 8, 7, 9, 123456, tzinfo=ZoneInfo("UTC"))
    ArticleFactory(section=SectionFactory(slug="harbour"), publish_at=when)
    page = client.get("/harbour/").content.decode()
    assert '<time datetime="2026-03-05T09:07:09+01:00">5 Mar 2026, 09:07</time>' in page


def test_an_interview_card_escapes_its_guests_and_summary(client):
    guest = GuestFactory(honorific="Dr.", name="<em>Hassan</em> & Co")
    InterviewFactory(title=HOSTILE, introduction="<p>Intro with &lt;tags&gt;</p>",
                     interviewer=AuthorFactory(name="Mira <Quay>"), guests=[guest])
    page = client.get("/interviews/").content.decode()
    assert "<script>alert" not in page and "<em>Hassan</em>" not in page
    assert "Dr. &lt;em&gt;Hassan&lt;/em&gt; &amp; Co</a>" in page
    assert '<p class="card__standfirst">Intro with &lt;tags&gt;</p>' in page
    assert "By Mira &lt;Quay&gt; <time" in page


def test_search_results_escape_what_the_desk_typed_and_show_the_date(client, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    when = datetime(2026, 3, 5, 8, 7, 9, tzinfo=ZoneInfo("UTC"))
    ArticleFactory(section=SectionFactory(name="Harbour <b>news</b>"), publish_at=when,
                   title=f"Lighthouse {HOSTILE}", authors=[AuthorFactory(name="O'Brien & <Sons>")])
    page = client.get("/search/?q=lighthouse").content.decode()
    assert "<script>alert" not in page and "<b>news</b>" not in page
    assert "Lighthouse &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<p class="kicker">Harbour &lt;b&gt;news&lt;/b&gt;</p>' in page
    assert "O&#x27;Brien &amp; &lt;Sons&gt;</a>" in page
    assert '<time datetime="2026-03-05T09:07:09+01:00">5 Mar 2026</time>' in page


def test_interview_search_results_escape_titles_and_guests(client):
    guest = GuestFactory(name="Ana <em>Ruiz</em>")
    InterviewFactory(title=f"Lighthouse keepers {HOSTILE}", guests=[guest])
    page = client.get("/search/?q=lighthouse").content.decode()
    assert "<script>alert" not in page and "<em>Ruiz</em>" not in page
    assert "Lighthouse keepers &lt;script&gt;" in page
    assert "Ana &lt;em&gt;Ruiz&lt;/em&gt;" in page
