"""Search snippets by sentence, on the rendered /search/ page (SQLite and PostgreSQL): they
start where a sentence starts, end where one ends (or with "…"), never run a heading or list
item into the next block, highlight the matches and escape the story's text."""

import re

import pytest

from tests.articles.factories import ArticleFactory, SectionFactory
from tests.interviews.factories import build_interview

from .test_search import result_links, search_page, snippets

pytestmark = pytest.mark.django_db

BODY = (
    "<h2>Harbour inquiry opens</h2>"
    "<p>The inquiry sat for the first time on Monday. Mr. Okafor of the U.S. coast guard said "
    "the breakwater had been inspected twice. Nobody disputed it.</p>"
    "<ul><li>Tides measured hourly</li><li>Cranes stood idle</li></ul>"
    "<blockquote><p>We saw the water rise.</p></blockquote>"
    "<p>Dockers will give evidence next week.</p>"
)


@pytest.fixture
def world():
    return SectionFactory(slug="world", name="World")


def text_of(snippet):
    return re.sub(r"</?mark>", "", snippet)


def test_the_snippet_is_the_sentence_with_the_match(client, world):
    ArticleFactory(title="Inquiry", slug="inquiry", section=world, body=BODY,
                   standfirst="Questions over the sea wall.")
    [snippet] = snippets(search_page(client, "breakwater"))
    # From the start of its sentence, past "Mr." and "U.S.", to the end of the paragraph.
    assert text_of(snippet) == (
        "Mr. Okafor of the U.S. coast guard said the breakwater had been inspected twice. "
        "Nobody disputed it.")
    assert "<mark>breakwater</mark>" in snippet


def test_a_heading_never_runs_into_the_next_paragraph(client, world):
    ArticleFactory(title="Inquiry", slug="inquiry", section=world, body=BODY,
                   standfirst="Questions over the sea wall.")
    [snippet] = snippets(search_page(client, "harbour inquiry"))
    assert text_of(snippet) == "Harbour inquiry opens"
    assert "<mark>" in snippet


def test_list_items_and_quotations_are_sentences_of_their_own(client, world):
    ArticleFactory(title="Inquiry", slug="inquiry", section=world, body=BODY)
    [snippet] = snippets(search_page(client, "cranes"))
    assert text_of(snippet) == "Cranes stood idle"
    [snippet] = snippets(search_page(client, "rise"))
    assert text_of(snippet) == "We saw the water rise."


def test_a_headline_only_match_shows_the_standfirst(client, world):
    ArticleFactory(title="Quokka census ends", slug="quokka", section=world,
                   standfirst="Counters finished on the island. More next year.", body=BODY)
    [snippet] = snippets(search_page(client, "quokka"))
    assert text_of(snippet) == "Counters finished on the island. More next year."
    assert "<mark>" not in snippet


def test_a_headline_only_match_without_standfirst_starts_the_body(client, world):
    ArticleFactory(title="Quokka census ends", slug="quokka", section=world, standfirst="",
                   body="<p>Counting ended on Friday. It took a year.</p>")
    [snippet] = snippets(search_page(client, "quokka"))
    assert text_of(snippet) == "Counting ended on Friday. It took a year."


def test_a_long_sentence_ends_with_an_ellipsis_and_keeps_the_match(client, world):
    words = " ".join(f"word{n}" for n in range(60))
    ArticleFactory(title="Long", slug="long", section=world,
                   body=f"<p>Before this. It began with {words} and the narwhal came {words} "
                        f"end. After.</p>")
    [snippet] = snippets(search_page(client, "narwhal"))
    assert snippet.endswith("…")
    assert "<mark>narwhal</mark>" in snippet
    assert "Before this" not in snippet
    assert len(snippet.split()) < 80


def test_the_snippet_starts_at_a_sentence_start_not_mid_sentence(client, world):
    filler = " ".join(["Filler text goes on."] * 30)
    ArticleFactory(title="Report", slug="report", section=world,
                   body=f"<p>{filler} The pangolin was seen at dawn near the road. {filler}</p>")
    [snippet] = snippets(search_page(client, "pangolin"))
    assert text_of(snippet).startswith("The pangolin was seen at dawn near the road.")
    assert not text_of(snippet).startswith("…")


def test_story_text_is_escaped_in_the_snippet(client, world):
    ArticleFactory(title="Markup", slug="markup", section=world,
                   body="<p>The axolotl wrote &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                        "&lt;b&gt;left&lt;/b&gt;.</p>")
    html = search_page(client, "axolotl")
    [snippet] = snippets(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;left&lt;/b&gt;." in snippet
    assert "<script" not in html
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_interview_snippets_go_by_sentence_too(client, world):
    interview = build_interview(title="The harbour master speaks", guests=1)
    interview.introduction = ("<h2>On the quay</h2><p>We met at dawn. The gannets were "
                              "loud that morning.</p>")
    interview.save()
    html = search_page(client, "gannets")
    assert interview.get_absolute_url() in html
    [snippet] = snippets(html)
    assert text_of(snippet) == "The gannets were loud that morning."
    assert "On the quay" not in snippet
    assert result_links(html) == []  # no story matched
