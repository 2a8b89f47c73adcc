"""Importing plain-text stories: the reference page end to end, re-imports, bad files, the
command's batch behaviour and the admin page."""

from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles import services as article_services
from articles.models import Article, Author, Section
from interviews import services as interview_services
from interviews.models import Answer, Guest, Interview, Question
from tests.articles.factories import AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_22cc2c7ea42538fb.txt"
WIRE = (b"Harbour cranes stop for a second day\n\nBy Lena Ortiz\n\n"
        b"Container traffic at Port Alder halted again on Tuesday.\n\n"
        b"The union said talks would resume on Friday.\n")


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_story", *args, stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


@pytest.fixture
def seed_path():
    if not SEED.exists():
        pytest.fail(f"The reference page is missing: {SEED}")
    return str(SEED)


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_reference_page_imports_every_field(seed_path):
    ok, out, err = run(seed_path, "--create-sections")
    assert ok, err
    story = Article.objects.get()
    assert story.status == Article.Status.DRAFT
    assert story.section.name == "World"
    assert [a.name for a in story.authors.all()] == ["Tatiana Shevchenko"]
    local = timezone.localtime(story.publish_at)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2024, 11, 27, 14, 29)
    assert sorted(t.name for t in story.tags.all()) == sorted(
        ["Putin", "problems", "Syria", "militias", "broke", "defenses", "Aleppo", "releasing",
         "Russian", "soldiers"])
    assert story.discussion_prompt.startswith("Given the potential losses Russia might be facing")
    assert story.body.startswith("<p>Russian dictator Vladimir Putin")
    assert "Leave a Comment" not in story.body and "Akismet" not in story.body
    assert story.body.count("<p>") == 10

    interview = Interview.objects.get()
    assert interview.article == story
    assert interview.status == Interview.Status.PREPARING
    lineup = [(g.guest.honorific, g.guest.name, g.guest.credentials)
              for g in interview.lineup.select_related("guest")]
    assert lineup == [
        ("Dr.", "Omar Hassan",
         "a Syrian historian and political analyst specializing in the Syrian Civil War"),
        ("Colonel", "James Miller",
         "a retired US military officer with extensive experience in Middle Eastern affairs"),
    ]
    assert [s.title for s in interview.segments.all()] == [
        "The Militia Offensive", "Russia’s Role and Potential Losses",
        "The Future of the Syrian Conflict"]
    questions = Question.objects.filter(segment__interview=interview).order_by(
        "segment__position", "position")
    assert questions.count() == 5
    addressed = [sorted(g.name for g in q.addressed_to.all()) for q in questions]
    assert addressed.count(["James Miller", "Omar Hassan"]) == 1
    assert len(interview.unanswered_questions()) == 5
    assert "Thank you both" in interview.closing
    assert interview.prep_notes.startswith("These are merely example questions.")
    assert "Created the section “World”" in out


def test_imported_story_renders_once_an_editor_publishes_it_and_the_note_stays_internal(
        client, editor, seed_path):
    run(seed_path, "--create-sections")
    story = Article.objects.get()
    assert client.get(story.get_absolute_url()).status_code == 404
    article_services.publish_article(story, by=editor)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert "/world/2024/11/27/" in story.get_absolute_url()
    html = response.content.decode()
    assert "Putin has problems in Syria" in html
    assert "Tatiana Shevchenko" in html
    assert "These are merely example questions" not in html  # the interview is not public
    assert client.get("/interviews/").content.decode().count("A New Front for Putin") == 0


def test_imported_interview_cannot_be_published_until_answered(editor, seed_path):
    run(seed_path, "--create-sections")
    interview = Interview.objects.get()
    with pytest.raises(ValidationError) as refusal:
        interview_services.publish_interview(interview, by=editor)
    assert len(refusal.value.messages) == 5
    assert "Dr. Hassan" in " ".join(refusal.value.messages)
    for answer in Answer.objects.filter(question__segment__interview=interview):
        answer.text = f"<p>{answer.guest.name} answers at length.</p>"
        answer.save()
    interview_services.publish_interview(interview, by=editor)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.PUBLISHED


def test_importing_again_updates_the_same_story_and_keeps_typed_answers(seed_path):
    run(seed_path, "--create-sections")
    answer = Answer.objects.filter(guest__name="Omar Hassan").first()
    answer.text = "<p>The groups have different aims.</p>"
    answer.save()
    question_text = answer.question.text
    counts = [m.objects.count() for m in (Article, Interview, Guest, Author, Section, Question)]
    ok, out, err = run(seed_path)
    assert ok, err
    assert "Updated" in out
    assert [m.objects.count() for m in (Article, Interview, Guest, Author, Section,
                                        Question)] == counts
    kept = Answer.objects.get(guest__name="Omar Hassan",
                              question__text=question_text)
    assert kept.text == "<p>The groups have different aims.</p>"


def test_publish_option_publishes_the_story_but_not_an_unanswered_interview(seed_path):
    ok, out, err = run(seed_path, "--create-sections", "--publish")
    assert ok, err
    assert Article.objects.published().count() == 1
    assert Interview.objects.get().status == Interview.Status.PREPARING
    assert "5 questions are not answered yet" in out


def test_missing_section_is_refused_without_create_sections(seed_path):
    ok, out, err = run(seed_path)
    assert not ok
    assert "the section “World” does not exist yet" in err
    assert Article.objects.count() == 0 and Section.objects.count() == 0


def test_plain_wire_copy_goes_to_the_chosen_section(tmp_path):
    SectionFactory(slug="business", name="Business")
    ok, out, err = run(write(tmp_path, "wire.txt", WIRE), "--section", "business")
    assert ok, err
    story = Article.objects.get()
    assert story.section.slug == "business"
    assert story.title == "Harbour cranes stop for a second day"
    assert [a.name for a in story.authors.all()] == ["Lena Ortiz"]
    assert story.publish_at is None and story.status == Article.Status.DRAFT


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (b"", "bad.txt", "the file is empty"),
        (b"\x00\x01\x02binary\x00", "bad.txt", "binary"),
        ("Headline here\n\nCaf\u00e9".encode("latin-1"), "bad.txt:3", "not UTF-8"),
        (b"Home \xc2\xbb World\n", "bad.txt:1", "no headline"),
        (b"A fine headline\n\nText.\n\n2024-11-99 14:29:00\n", "bad.txt:5", "no such day"),
        (b"A fine headline\n\nText.\n\n## Radio Interview: Q\n\n**Interviewer:**\n\nWhy?\n",
         "bad.txt:7", "question outside any section"),
    ],
    ids=["empty", "binary", "encoding", "no-headline", "date", "question-outside-section"],
)
def test_bad_files_are_named_with_their_line_and_import_nothing(tmp_path, data, where, message):
    SectionFactory(slug="news", name="News")
    ok, out, err = run(write(tmp_path, "bad.txt", data), "--section", "news")
    assert not ok
    assert f"{where}: " in err and message in err
    assert Article.objects.count() == 0 and Interview.objects.count() == 0


def test_a_batch_carries_on_past_bad_files_and_lists_them(tmp_path, seed_path):
    SectionFactory(slug="news", name="News")
    files = [write(tmp_path, "empty.txt", b""), seed_path, write(tmp_path, "wire.txt", WIRE),
             str(tmp_path / "missing.txt")]
    ok, out, err = run(*files, "--create-sections", "--section", "news")
    assert not ok
    assert Article.objects.count() == 2
    assert "2 of 4 files imported" in err
    assert "empty.txt: the file is empty" in err
    assert "missing.txt: No such file or directory" in err
    assert "4/4" in err  # the progress bar reached the end
    assert "2 files failed" in err


def test_admin_import_page_for_editors(editor_client, seed_path):
    upload = SimpleUploadedFile("syria.txt", Path(seed_path).read_bytes(), "text/plain")
    response = editor_client.post("/admin/import-story/", {"file": upload})
    assert response.status_code == 200
    assert "does not exist yet" in response.content.decode()
    assert Article.objects.count() == 0

    upload = SimpleUploadedFile("syria.txt", Path(seed_path).read_bytes(), "text/plain")
    response = editor_client.post("/admin/import-story/",
                                  {"file": upload, "create_sections": "on"}, follow=True)
    story = Article.objects.get()
    assert response.redirect_chain[-1][0] == f"/admin/articles/article/{story.pk}/change/"
    html = response.content.decode()
    assert "Imported “Putin has problems in Syria" in html
    assert "3 parts, 5 questions" in html


def test_admin_import_page_refuses_bad_files_and_other_roles(client, editor_client, reporter,
                                                             tmp_path):
    for name, data, message in [
        ("story.pdf", b"%PDF-1.4", "is not a .txt or .md file"),
        ("empty.txt", b"  \n", "empty.txt: the file is empty"),
        ("bin.txt", b"\x00\x00\x00binary", "bin.txt: this is a binary file"),
    ]:
        response = editor_client.post("/admin/import-story/",
                                      {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 200
        assert message in response.content.decode(), name
    assert Article.objects.count() == 0
    assert editor_client.get("/admin/articles/article/").content.decode().count(
        "/admin/import-story/") == 1
    editor_client.logout()
    assert client.get("/admin/import-story/").status_code == 302  # to the login page
    client.force_login(reporter)
    assert client.get("/admin/import-story/").status_code == 403
    assert "/admin/import-story/" not in client.get("/admin/articles/article/").content.decode()


def test_import_of_many_stories_is_quick(tmp_path):
    SectionFactory(slug="news", name="News")
    files = [write(tmp_path, f"s{n}.txt", WIRE.replace(b"second day", f"day {n}".encode()))
             for n in range(20)]
    started = datetime.now()
    ok, out, err = run(*files, "--section", "news", "--quiet-report")
    assert ok, err
    assert Article.objects.count() == 20
    assert (datetime.now() - started).total_seconds() < 20


def test_an_imported_interview_is_searchable_once_published(
        client, editor, seed_path, django_capture_on_commit_callbacks):
    # The search text is refreshed when the file's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        run(seed_path, "--create-sections")
    interview = Interview.objects.get()
    assert "Omar Hassan" in interview.search_text
    for answer in Answer.objects.filter(question__segment__interview=interview):
        answer.text = "<p>Supply lines around Idlib matter most.</p>"
        answer.save()
    interview_services.publish_interview(interview, by=editor)
    html = client.get("/search/", {"q": "Idlib", "type": "interviews"}).content.decode()
    assert "A New Front for Putin" in html


# --- importing as a desk user (--as) -----------------------------------------------------------


def test_import_as_a_reporter_cannot_publish(reporter, tmp_path):
    SectionFactory(slug="business", name="Business")
    AuthorFactory(name="Lena Ortiz")
    ok, out, err = run(write(tmp_path, "wire.txt", WIRE), "--section", "business",
                       "--as", "reporter", "--publish")
    assert not ok
    assert "--as reporter: only editors can publish" in err
    assert Article.objects.count() == 0


def test_import_as_a_reporter_never_overwrites_someone_elses_story(reporter, editor, tmp_path):
    SectionFactory(slug="business", name="Business")
    AuthorFactory(name="Lena Ortiz")
    ok, out, err = run(write(tmp_path, "wire.txt", WIRE), "--section", "business",
                       "--as", "editor")
    assert ok, err
    story = Article.objects.get()
    assert story.created_by == editor
    text = (story.standfirst, story.body)
    assert "halted again" in story.standfirst

    rewritten = WIRE.replace(b"halted again", b"was sabotaged")
    ok, out, err = run(write(tmp_path, "wire.txt", rewritten), "--section", "business",
                       "--as", "reporter")
    assert not ok
    assert "wire.txt: You may not change “Harbour cranes stop for a second day”" in err
    story.refresh_from_db()
    assert (story.standfirst, story.body) == text and story.created_by == editor

    # Published by an editor, it is not even its own reporter's to overwrite any more.
    story.created_by = reporter
    story.save()
    article_services.publish_article(story, by=editor)
    ok, out, err = run(write(tmp_path, "wire.txt", rewritten), "--section", "business",
                       "--as", "reporter")
    assert not ok
    assert "Only editors can change published articles" in err
    story.refresh_from_db()
    assert (story.standfirst, story.body) == text


def test_import_as_a_reporter_makes_and_updates_their_own_draft(reporter, tmp_path):
    SectionFactory(slug="business", name="Business")
    AuthorFactory(name="Lena Ortiz")
    path = write(tmp_path, "wire.txt", WIRE)
    ok, out, err = run(path, "--section", "business", "--as", "reporter")
    assert ok, err
    story = Article.objects.get()
    assert (story.created_by, story.status) == (reporter, Article.Status.DRAFT)

    ok, out, err = run(write(tmp_path, "wire.txt", WIRE.replace(b"halted again", b"stopped")),
                       "--section", "business", "--as", "reporter")
    assert ok, err
    story.refresh_from_db()
    assert story.standfirst == "Container traffic at Port Alder stopped on Tuesday."


def test_import_as_a_reporter_keeps_no_publication_time_and_adds_no_authors(reporter,
                                                                            seed_path):
    SectionFactory(slug="world", name="World")
    ok, out, err = run(seed_path, "--as", "reporter")
    assert not ok
    assert "the author “Tatiana Shevchenko” does not exist, and you may not add authors" in err
    assert Article.objects.count() == 0 and Interview.objects.count() == 0

    AuthorFactory(name="Tatiana Shevchenko")
    ok, out, err = run(seed_path, "--as", "reporter")
    assert ok, err
    story = Article.objects.get()
    assert story.publish_at is None
    assert "The file's time (2024-11-27 14:29) was not kept: only editors set" in out
    assert Interview.objects.get().status == Interview.Status.PREPARING


def test_import_as_refuses_unknown_users_and_what_the_user_may_not_do(reporter, moderator,
                                                                      seed_path):
    for args, message in [
        (("--as", "nobody"), "--as nobody: no such active user"),
        (("--as", "moderator"), "--as moderator: this user may not add stories"),
        (("--as", "reporter", "--create-sections"),
         "--as reporter: this user may not create sections"),
    ]:
        ok, out, err = run(seed_path, *args)
        assert not ok
        assert message in err, args
    assert Article.objects.count() == 0 and Section.objects.count() == 0
