"""Importing a text story again keeps what the desk changed since the last import, unless the
new text changes that field too; a field the desk did not touch follows the text. The import
report names the story and says which fields were kept, updated or replaced."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles import history
from articles import services as article_services
from articles.models import Article, ArticleAuthor
from interviews import services as interview_services
from interviews.models import Interview, Question
from newsroom.models import ImportedStory
from tests.articles.factories import AuthorFactory

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_22cc2c7ea42538fb.txt"
HEADLINE = "Harbour cranes stop for a second day"
BODY = "The union said talks would resume on Friday."


def wire(*, headline=HEADLINE, standfirst="Container traffic at Port Alder halted again.",
         body=BODY, tags="#harbour #strike"):
    return "\n".join([
        "Source: https://news.example.org/cranes", "", headline, "", "By Lena Ortiz", "",
        standfirst, "", body, "", "2024-11-27 09:15", tags, "",
    ]).encode()


def run(tmp_path, data, *args, name="wire.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_story", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        pytest.fail(f"{out.getvalue()}{err.getvalue()}{error}")
    return out.getvalue()


def desk_edit(editor, **values):
    """An editor changes the story, as the admin's save does."""
    story = Article.objects.get()
    before = Article.objects.get(pk=story.pk)
    for name, value in values.items():
        setattr(story, name, value)
    article_services.save_article(story, by=editor, before=before)
    return story


def test_a_reimport_of_unchanged_text_keeps_the_desks_headline(tmp_path, editor):
    run(tmp_path, wire())
    desk_edit(editor, title="Cranes idle for a second day")

    out = run(tmp_path, wire())

    story = Article.objects.get()
    assert story.title == "Cranes idle for a second day"
    assert story.body == f"<p>{BODY}</p>"
    assert ("Kept the desk's edits to “Cranes idle for a second day”: headline (the text has "
            "not changed it since the last import).") in out
    assert "Updated “" not in out and "Replaced the desk's edits" not in out


def test_a_changed_body_is_updated_and_the_desks_headline_kept(tmp_path, editor):
    run(tmp_path, wire())
    desk_edit(editor, title="Cranes idle for a second day")

    out = run(tmp_path, wire(body="Talks resume on Monday, the union said."))

    story = Article.objects.get()
    assert story.title == "Cranes idle for a second day"
    assert story.body == "<p>Talks resume on Monday, the union said.</p>"
    assert ("Kept the desk's edits to “Cranes idle for a second day”: headline (the text has "
            "not changed it since the last import).") in out
    assert "Updated “Cranes idle for a second day” from the text: body." in out


def test_the_desks_edit_stays_through_later_imports(tmp_path, editor):
    run(tmp_path, wire())
    desk_edit(editor, title="Cranes idle for a second day")
    run(tmp_path, wire(body="Talks resume on Monday, the union said."))

    out = run(tmp_path, wire(body="Talks resume on Tuesday, the union said."))

    story = Article.objects.get()
    assert (story.title, story.body) == ("Cranes idle for a second day",
                                         "<p>Talks resume on Tuesday, the union said.</p>")
    assert "Kept the desk's edits to “Cranes idle for a second day”: headline" in out


def test_a_field_the_text_changed_too_takes_the_texts_version(tmp_path, editor):
    run(tmp_path, wire())
    desk_edit(editor, title="Cranes idle for a second day",
              standfirst="Port Alder is still shut.")

    out = run(tmp_path, wire(headline="Harbour cranes stop for a third day"))

    story = Article.objects.get()
    assert story.title == "Harbour cranes stop for a third day"
    assert story.standfirst == "Port Alder is still shut."
    assert ("Replaced the desk's edits to “Harbour cranes stop for a third day” with the "
            "text's, which changed them too: headline.") in out
    assert ("Kept the desk's edits to “Harbour cranes stop for a third day”: standfirst") in out


def test_fields_the_desk_did_not_touch_follow_the_new_text(tmp_path, editor):
    run(tmp_path, wire())
    desk_edit(editor, title="Cranes idle for a second day")

    out = run(tmp_path, wire(standfirst="Port Alder halted again on Tuesday.",
                             tags="#harbour #ports"))

    story = Article.objects.get()
    assert story.standfirst == "Port Alder halted again on Tuesday."
    assert sorted(story.tags.names()) == ["harbour", "ports"]
    assert "Updated “Cranes idle for a second day” from the text: standfirst, tags." in out


def test_the_desks_tags_and_byline_are_kept_while_the_text_keeps_its_own(tmp_path):
    run(tmp_path, wire())
    story = Article.objects.get()
    story.tags.set(["harbour", "port alder"])
    ArticleAuthor.objects.create(article=story, author=AuthorFactory(name="Omar Said"),
                                 position=1)

    out = run(tmp_path, wire())

    story = Article.objects.get()
    assert sorted(story.tags.names()) == ["harbour", "port alder"]
    assert [author.name for author in story.authors.order_by("articleauthor__position")] == [
        "Lena Ortiz", "Omar Said"]
    assert ("Kept the desk's edits to “Harbour cranes stop for a second day”: tags, byline "
            "(the text has not changed them since the last import).") in out


def test_an_unchanged_reimport_of_an_unedited_story_reports_no_changes(tmp_path):
    run(tmp_path, wire())
    before = Article.objects.values().get()

    out = run(tmp_path, wire())

    assert out.startswith("Updated")
    after = Article.objects.values().get()
    assert {key: value for key, value in after.items() if key != "modified_at"} == {
        key: value for key, value in before.items() if key != "modified_at"}
    assert "Kept the desk's" not in out
    assert "from the text:" not in out and "Replaced the desk's" not in out


def test_a_reimport_of_the_reference_page_keeps_the_desks_questions_and_introduction(
        tmp_path, editor):
    if not SEED.exists():
        pytest.fail(f"The reference page is missing: {SEED}")
    run(tmp_path, SEED.read_bytes(), "--create-sections", name="syria.txt")
    interview = Interview.objects.get()
    question = Question.objects.filter(segment__interview=interview).order_by(
        "segment__position", "position").first()
    question.text = "Dr. Hassan, who are these militias and what do they want?"
    question.save()
    before = Interview.objects.get(pk=interview.pk)
    interview.introduction = "<p>Welcome. Two guests join us today.</p>"
    interview_services.save_interview(interview, by=editor, before=before)

    out = run(tmp_path, SEED.read_bytes(), name="syria.txt")

    interview = Interview.objects.get()
    assert interview.introduction == "<p>Welcome. Two guests join us today.</p>"
    assert Question.objects.filter(
        text="Dr. Hassan, who are these militias and what do they want?").exists()
    assert "interview's introduction" in out and "Kept the desk's edits to “Putin" in out

    # The file's questions change: they replace the interview's, the introduction stays.
    changed = SEED.read_bytes().replace(b"Can you shed some light", b"Can you explain")
    out = run(tmp_path, changed, name="syria.txt")
    assert not Question.objects.filter(text__startswith="Dr. Hassan, who are").exists()
    assert Question.objects.filter(text__contains="Can you explain").exists()
    assert Interview.objects.get().introduction == "<p>Welcome. Two guests join us today.</p>"
    assert "from the text: interview's guests and questions." in out


def test_stories_imported_before_remember_nothing_and_take_the_text_once(tmp_path, editor):
    run(tmp_path, wire())
    ImportedStory.objects.update(imported={})  # as a story imported before this release
    desk_edit(editor, title="Cranes idle for a second day")

    out = run(tmp_path, wire())

    assert Article.objects.get().title == HEADLINE
    assert f"Updated “{HEADLINE}” from the text: headline." in out
    desk_edit(editor, title="Cranes idle for a second day")
    run(tmp_path, wire())
    assert Article.objects.get().title == "Cranes idle for a second day"


def test_a_reimport_records_a_revision_only_when_it_changes_something(tmp_path, editor):
    run(tmp_path, SEED.read_bytes(), "--create-sections", name="syria.txt")
    story, interview = Article.objects.get(), Interview.objects.get()
    assert (history.versions_of(story).count(), history.versions_of(interview).count()) == (1, 1)

    run(tmp_path, SEED.read_bytes(), name="syria.txt")
    assert (history.versions_of(story).count(), history.versions_of(interview).count()) == (1, 1)

    desk_edit(editor, title="Militias break through near Aleppo")
    run(tmp_path, SEED.read_bytes(), name="syria.txt")
    assert history.versions_of(story).count() == 2  # the desk's edit, nothing for the import

    changed = SEED.read_bytes().replace(b"Great battles are going on.",
                                        b"Heavy fighting continues.")
    run(tmp_path, changed, name="syria.txt")
    latest = history.versions_of(story)
    assert latest.count() == 3
    assert latest[0].revision.comment.startswith("Imported from “")
    assert "Heavy fighting continues." in latest[0].field_dict["body"]
    assert history.versions_of(interview).count() == 1
