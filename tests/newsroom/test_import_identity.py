"""The text importer's sense of "the same story": plain wire copy needs no flags, an updated
file updates the story it came from, and nothing the importer did not make is ever overwritten."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.importing import parse
from articles.models import Article, Section
from interviews.models import Interview
from newsroom.models import ImportedStory
from tests.articles.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.interviews.factories import InterviewFactory

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_22cc2c7ea42538fb.txt"
HEADLINE = "Harbour cranes stop for a second day"


def wire(*, headline=HEADLINE, byline="Lena Ortiz", when="2024-11-27 09:15",
         standfirst="Container traffic at Port Alder halted again on Tuesday.", extra=""):
    lines = [headline, "", f"By {byline}" if byline else "", "", standfirst, "",
             "The union said talks would resume on Friday.", ""]
    if when:
        lines += [when, ""]
    if extra:
        lines += [extra, ""]
    return "\n".join(lines).encode()


def run(tmp_path, data, *args, name="wire.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_story", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


# --- wire copy without a breadcrumb -------------------------------------------------------------


def test_plain_wire_copy_imports_without_flags_into_the_default_section(tmp_path):
    ok, out, err = run(tmp_path, wire())
    assert ok, err
    story = Article.objects.get()
    assert story.section.name == "News" and story.section.slug == "news"
    assert story.status == Article.Status.DRAFT
    assert "the story went into “News”, the section for such imports" in out
    assert "Created the section “News”." in out

    # The next one finds the section made for the first.
    ok, out, err = run(tmp_path, wire(headline="Ferry crews join the strike"), name="two.txt")
    assert ok, err
    assert Section.objects.count() == 1
    assert "Created the section" not in out


def test_the_default_section_is_a_setting_and_an_existing_one_is_used(tmp_path, settings):
    settings.NEWSROOM_IMPORT_SECTION = "Wire"
    existing = SectionFactory(name="Wire", slug="wire-copy")
    ok, out, err = run(tmp_path, wire())
    assert ok, err
    assert Article.objects.get().section == existing
    assert "the story went into “Wire”" in out and "Created the section" not in out


def test_wire_copy_asked_to_publish_stays_a_draft_until_an_editor_places_it(tmp_path):
    ok, out, err = run(tmp_path, wire(), "--publish")
    assert ok, err
    story = Article.objects.get()
    assert story.status == Article.Status.DRAFT
    assert "Not published: the text names no section" in out


def test_a_reporter_may_file_wire_copy_into_the_default_section(tmp_path, reporter):
    AuthorFactory(name="Lena Ortiz")
    ok, out, err = run(tmp_path, wire(), "--as", "reporter")
    assert ok, err
    story = Article.objects.get()
    assert (story.section.name, story.created_by) == ("News", reporter)


def test_an_update_keeps_the_section_the_desk_chose(tmp_path):
    run(tmp_path, wire())
    story = Article.objects.get()
    business = SectionFactory(name="Business", slug="business")
    story.section = business
    story.save()
    ok, out, err = run(tmp_path, wire(standfirst="Port Alder stopped again on Tuesday."))
    assert ok, err
    story.refresh_from_db()
    assert story.section == business
    assert story.standfirst == "Port Alder stopped again on Tuesday."
    assert "section for such imports" not in out


def test_admin_import_page_takes_wire_copy_without_a_section(editor_client):
    upload = SimpleUploadedFile("wire.txt", wire(), "text/plain")
    response = editor_client.post("/admin/import-story/", {"file": upload}, follow=True)
    story = Article.objects.get()
    assert response.redirect_chain[-1][0] == f"/admin/articles/article/{story.pk}/change/"
    assert "the story went into “News”" in response.content.decode()


# --- what makes two files the same story ---------------------------------------------------------


def test_an_updated_file_updates_the_story_it_came_from(tmp_path):
    run(tmp_path, wire())
    ok, out, err = run(tmp_path, wire(standfirst="Port Alder stopped again on Tuesday."))
    assert ok, err
    assert out.startswith("Updated")
    story = Article.objects.get()
    assert story.standfirst == "Port Alder stopped again on Tuesday."


@pytest.mark.parametrize("embargoed", [True, False])
def test_an_update_keeps_the_time_the_desk_published_it_for(tmp_path, embargoed):
    run(tmp_path, wire(extra="Wire ID: NRW-2024-118"))
    story = Article.objects.get()
    goes_out = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    story.status, story.publish_at = Article.Status.PUBLISHED, goes_out
    story.embargo_until = goes_out if embargoed else None
    story.save()

    ok, out, err = run(tmp_path, wire(extra="Wire ID: NRW-2024-118",
                                      standfirst="Port Alder stopped again on Tuesday."))
    assert ok, err
    story.refresh_from_db()
    assert story.standfirst == "Port Alder stopped again on Tuesday."
    assert story.publish_at == goes_out and not story.is_public
    assert story.embargo_until == (goes_out if embargoed else None)
    assert story.embargo_lifted_at is None
    assert "The file's time (2024-11-27 09:15) was not used" in out


def test_a_story_written_in_the_admin_is_never_overwritten(tmp_path):
    section = SectionFactory(name="News", slug="news")
    own = ArticleFactory(title=HEADLINE, slug="harbour-cranes-stop-for-a-second-day",
                         section=section, standfirst="Written by the desk.", body="<p>Ours.</p>")
    ok, out, err = run(tmp_path, wire())
    assert ok, err
    own.refresh_from_db()
    assert (own.standfirst, own.body) == ("Written by the desk.", "<p>Ours.</p>")
    imported = Article.objects.exclude(pk=own.pk).get()
    assert imported.slug == "harbour-cranes-stop-for-a-second-day-2"
    assert ("Another story already has the address “harbour-cranes-stop-for-a-second-day”; "
            "this one was saved as a new story at “harbour-cranes-stop-for-a-second-day-2”."
            ) in out

    # Importing it again updates the imported copy, still not the desk's story.
    ok, out, err = run(tmp_path, wire(standfirst="Second version."))
    assert ok, err
    own.refresh_from_db()
    imported.refresh_from_db()
    assert own.standfirst == "Written by the desk."
    assert imported.standfirst == "Second version."
    assert Article.objects.count() == 2


@pytest.mark.parametrize("changed", [{"byline": "Omar Said"}, {"when": "2024-11-28 07:00"}],
                         ids=["other-byline", "other-time"])
def test_same_headline_by_someone_else_or_at_another_time_is_another_story(tmp_path, changed):
    run(tmp_path, wire())
    ok, out, err = run(tmp_path, wire(**changed))
    assert ok, err
    assert out.startswith("Imported")
    assert Article.objects.count() == 2


def test_a_source_address_identifies_the_story_even_when_the_headline_changes(tmp_path):
    first = wire(extra="Source: https://news.example.org/port/cranes-stop/?utm_source=feed#top")
    run(tmp_path, first)
    story = Article.objects.get()
    assert story.import_record.source_key == "url:https://news.example.org/port/cranes-stop"

    renamed = wire(headline="Harbour cranes stop for a third day", when="2024-11-28 08:00",
                   extra="https://NEWS.example.org/port/cranes-stop")
    ok, out, err = run(tmp_path, renamed)
    assert ok, err
    assert "source address https://NEWS.example.org/port/cranes-stop" in out
    story.refresh_from_db()
    assert Article.objects.count() == 1
    assert story.title == "Harbour cranes stop for a third day"
    assert "cranes-stop" not in story.body  # the address is not part of the text


def test_a_link_within_the_text_is_part_of_it_and_identifies_nothing(tmp_path):
    report = "https://example.org/reports/port-audit-2024"
    run(tmp_path, wire(standfirst="Port Alder's audit is out.", extra=f"{report}\n\nMore to come."))
    first = Article.objects.get()
    assert f"<p>{report}</p>" in first.body
    assert first.import_record.source_key is None

    # Another wire story citing the same report is another story, not an update of the first.
    ok, out, err = run(tmp_path, wire(headline="Ferry fares rise in spring", byline="Ana Rus",
                                      extra=f"{report}\n\nThe board meets again in May."))
    assert ok, err
    assert out.startswith("Imported")
    assert "source address" not in out
    first.refresh_from_db()
    assert first.title == HEADLINE
    assert Article.objects.count() == 2


@pytest.mark.parametrize("value", ["X" * 101, "NRW 2024 118", ""])
def test_a_wire_identifier_that_cannot_be_read_is_refused_with_its_line(tmp_path, value):
    ok, out, err = run(tmp_path, wire(extra=f"Wire ID: {value}"))
    assert not ok
    assert "wire.txt:11" in err and "the wire identifier cannot be read" in err
    assert Article.objects.count() == 0 and ImportedStory.objects.count() == 0


def test_a_wire_identifier_identifies_the_story(tmp_path):
    run(tmp_path, wire(extra="Wire ID: NRW-2024-118"))
    ok, out, err = run(tmp_path, wire(headline="Cranes idle as talks stall",
                                      extra="Wire ID: nrw-2024-118"))
    assert ok, err
    assert Article.objects.get().title == "Cranes idle as talks stall"
    # A different identifier is a different story, whatever the headline.
    ok, out, err = run(tmp_path, wire(headline="Cranes idle as talks stall",
                                      extra="Wire ID: NRW-2024-119"))
    assert ok, err
    assert Article.objects.count() == 2


def test_a_source_added_later_still_finds_the_story_imported_without_one(tmp_path):
    run(tmp_path, wire())
    ok, out, err = run(tmp_path, wire(extra="Source: https://news.example.org/cranes"))
    assert ok, err
    assert out.startswith("Updated")
    record = ImportedStory.objects.get()
    assert record.source_key == "url:https://news.example.org/cranes"


def test_a_deleted_story_comes_back_as_a_new_one(tmp_path):
    run(tmp_path, wire())
    Article.objects.get().delete()
    assert ImportedStory.objects.count() == 0
    ok, out, err = run(tmp_path, wire())
    assert ok, err
    assert out.startswith("Imported")
    assert Article.objects.get().slug == "harbour-cranes-stop-for-a-second-day"


def test_a_refused_update_changes_nothing_it_remembers(tmp_path, reporter, editor):
    AuthorFactory(name="Lena Ortiz")
    run(tmp_path, wire(), "--as", "editor")
    record = ImportedStory.objects.get()
    ok, out, err = run(tmp_path, wire(extra="Source: https://news.example.org/cranes"),
                       "--as", "reporter")
    assert not ok
    assert "You may not change “Harbour cranes stop for a second day”" in err
    record.refresh_from_db()
    assert record.source_key is None


# --- interviews ---------------------------------------------------------------------------------


def test_an_interview_with_the_same_title_made_on_the_desk_is_left_alone(tmp_path):
    if not SEED.exists():
        pytest.fail(f"The reference page is missing: {SEED}")
    ours = InterviewFactory(title="A New Front for Putin? The Aleppo Offensive",
                            slug="a-new-front-for-putin-the-aleppo-offensive",
                            introduction="<p>Prepared on the desk.</p>")
    ok, out, err = run(tmp_path, SEED.read_bytes(), "--create-sections", name="syria.txt")
    assert ok, err
    ours.refresh_from_db()
    assert ours.introduction == "<p>Prepared on the desk.</p>"
    assert ours.article_id is None
    imported = Interview.objects.exclude(pk=ours.pk).get()
    assert imported.slug != ours.slug

    # Importing again updates the interview the first import made.
    ok, out, err = run(tmp_path, SEED.read_bytes(), "--create-sections", name="syria.txt")
    assert ok, err
    assert Interview.objects.count() == 2
    assert ImportedStory.objects.get().interview == imported


# --- the parser's part ---------------------------------------------------------------------------


def test_parser_reads_source_and_wire_lines_anywhere_around_the_story():
    story = parse(b"https://news.example.org/a/b\nWire ID: NRW-9\nHome \xc2\xbb World\n"
                  b"A headline here\n\nFirst paragraph.\n\nSecond paragraph.\n")
    assert (story.source, story.wire_id, story.section, story.title) == (
        "https://news.example.org/a/b", "NRW-9", "World", "A headline here")
    assert story.standfirst == "First paragraph."
    assert story.paragraphs == ["Second paragraph."]
