"""The plain-text parser: what it reads from the reference page and what it refuses."""

from datetime import datetime
from pathlib import Path

import pytest

from articles.importing import ImportProblem, parse

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_22cc2c7ea42538fb.txt"


@pytest.fixture(scope="module")
def seed_story():
    if not SEED.exists():
        pytest.fail(f"The reference page is missing: {SEED}")
    return parse(SEED.read_bytes())


def test_reads_the_article_part_of_the_reference_page(seed_story):
    story = seed_story
    assert story.section == "World"
    assert story.title.startswith("Putin has problems in Syria: militias broke through")
    assert story.title.endswith("“releasing” Russian soldiers")
    assert story.standfirst.startswith("The Syrian militia has launched a major offensive")
    assert story.author == "Tatiana Shevchenko"
    assert story.published == datetime(2024, 11, 27, 14, 29)
    assert story.tags == ["Putin", "problems", "Syria", "militias", "broke", "defenses",
                          "Aleppo", "releasing", "Russian", "soldiers"]
    assert story.photo_label == "detail photograph"
    assert story.photo_caption == story.title
    assert story.prompt.startswith("Given the potential losses Russia might be facing")
    assert story.prompt.endswith("in the region?")


def test_body_keeps_paragraphs_and_drops_placeholder_and_site_chrome(seed_story):
    body = "\n".join(seed_story.paragraphs)
    assert seed_story.paragraphs[0].startswith("Russian dictator Vladimir Putin")
    assert "Great battles are going on." in body
    assert seed_story.title not in body  # the photo placeholder is not a paragraph
    for chrome in ["Leave a Comment", "Akismet", "Author:", "#Putin", "detail photograph",
                   "Interview", "**"]:
        assert chrome not in body
    assert [text for _, text in seed_story.skipped] == [
        "Leave a Comment",
        "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
    ]


def test_reads_the_prepared_interview(seed_story):
    interview = seed_story.interview
    assert interview.title == "Syria – A New Front for Putin?"
    assert interview.introduction[0].startswith("Welcome to World Today News.")
    assert [(g.honorific, g.name) for g in interview.guests] == [
        ("Dr.", "Omar Hassan"), ("Colonel", "James Miller")]
    assert interview.guests[0].credentials == (
        "a Syrian historian and political analyst specializing in the Syrian Civil War")
    assert interview.guests[1].credentials == (
        "a retired US military officer with extensive experience in Middle Eastern affairs")
    assert [s.title for s in interview.segments] == [
        "The Militia Offensive", "Russia’s Role and Potential Losses",
        "The Future of the Syrian Conflict"]
    questions = interview.questions
    assert len(questions) == 5
    assert [q.addressed_to for q in questions] == [
        ["Omar Hassan"], ["James Miller"], ["James Miller"], ["Omar Hassan"],
        ["Omar Hassan", "James Miller"]]
    assert all(answer == "" for q in questions for answer in q.answers.values())
    assert questions[1].text.startswith("Colonel Miller, from a military perspective")


def test_interviewer_thanks_belong_to_the_closing_and_the_note_stays_apart(seed_story):
    interview = seed_story.interview
    assert interview.closing[0].startswith("Thank you both for your insightful perspectives.")
    assert interview.closing[1].startswith("We encourage our audience to stay informed")
    assert not any("Thank you both" in q.text for q in interview.questions)
    assert interview.notes[0].startswith("These are merely example questions.")


def test_interview_parts_are_segments_whether_labelled_section_part_or_segment():
    story = parse("""Home » World

Talks resume in Brenholt

Negotiators met again on Tuesday.

## Radio Interview: After the Talks

**Section 1: Background:**

**Interviewer:** How did the talks begin?

**Part 2. The Offer:**

**Interviewer:** What is on the table?

**Segment 3 – What Comes Next:**

**Interviewer:** And after that?
""".encode())
    assert story.section == "World"  # the site's section, from the breadcrumb
    assert [(segment.title, segment.line) for segment in story.interview.segments] == [
        ("Background", 9), ("The Offer", 13), ("What Comes Next", 17)]
    assert [[q.text for q in segment.questions] for segment in story.interview.segments] == [
        ["How did the talks begin?"], ["What is on the table?"], ["And after that?"]]


def test_plain_wire_copy_imports_with_headline_body_and_byline():
    story = parse(
        b"Harbour cranes stop for a second day\n\nBy Lena Ortiz\n\n"
        b"Container traffic at Port Alder halted again on Tuesday.\n\n"
        b"The union said talks would resume on Friday.\n"
    )
    assert story.title == "Harbour cranes stop for a second day"
    assert story.author == "Lena Ortiz"
    assert story.standfirst == "Container traffic at Port Alder halted again on Tuesday."
    assert story.paragraphs == ["The union said talks would resume on Friday."]
    assert story.section == "" and story.interview is None and story.tags == []


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "empty", None),
        (b"   \n\n  \n", "empty", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", None),
        ("Headline here\n\nCaf\u00e9 society".encode("latin-1"), "not UTF-8", 3),
        (b"Home \xc2\xbb World\n", "no headline", 1),
        ("Home » World\n\n**A bold question?**\n".encode(), "no headline", 3),
        (b"Headline of a story\n\nBody text.\n\n2024-13-45 25:00:00\n", "cannot read the date",
         5),
        (b"Headline of a story\n\nBody text.\n\n2024-02-30 10:00:00\n", "no such day", 5),
        (b"Headline of a story\n\nBody.\n\n## Radio Interview: Test\n\n**Interviewer:**\n\n"
         b"What now?\n", "question outside any section", 7),
        (b"Headline of a story\n\nBody.\n\n## Radio Interview: Test\n\n**Section 1: A:**\n\n"
         b"**Dr. Li:** An answer before any question.\n", "before any question", 9),
        (b"Headline of a story\n\nBody.\n\nAuthor:\n", "not followed by a name", 5),
    ],
    ids=["empty", "blank", "binary", "latin-1", "breadcrumb-only", "no-headline", "bad-date",
         "impossible-date", "question-outside-section", "answer-before-question",
         "author-without-name"],
)
def test_bad_input_is_refused_with_the_line(data, message, line):
    with pytest.raises(ImportProblem) as problem:
        parse(data)
    assert message in problem.value.message
    assert problem.value.line == line
    if line:
        assert problem.value.where("story.txt") == f"story.txt:{line}"
