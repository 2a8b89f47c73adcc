"""`manage.py backup` and `manage.py restore`: the newsroom in one archive, and back.

The round trip backs up the seeded site in the suite's database, restores the archive with
`manage.py restore` in another process into a new, empty database of the same kind (and, when
one is at hand, of the other kind: SQLite to PostgreSQL or back), then reads everything again
there: rows, files and pages.
"""

import contextlib
import hashlib
import io
import itertools
import json
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings

from articles import demo_photos
from articles.models import Article
from newsroom import backup
from tests.articles.factories import ArticleFactory, PhotoFactory
from tests.comments.factories import CommentFactory, ReplyFactory
from tests.roles import ensure_roles

# Every test here runs with the database tests, before any test that empties the database
# (and with it the groups migrations made, which the seed needs).
pytestmark = pytest.mark.django_db

# Every test here is a database test, also those that only read the module's seeded site: so
# pytest-django runs them before the transactional tests (comments' concurrency tests on
# PostgreSQL), which leave the database flushed, without the groups the seed needs.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
_names = itertools.count()


# What must come back -----------------------------------------------------------------------------


def site_facts():
    """Everything the round trip must find again, as plain data (run on both sides)."""
    from django.contrib.auth import get_user_model
    from django.core.files.storage import default_storage
    from taggit.models import Tag

    from articles.models import ArticleRedirect, Correction
    from comments.models import Comment, ModerationDecision
    from interviews.models import Answer, Interview

    def digest(name):
        with default_storage.open(name, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()

    return {
        "stories": sorted(Article.objects.values_list(
            "slug", "status", "title", "section__slug", "lead_photo__image")),
        "bylines": sorted(Article.objects.values_list("slug", "authors__slug")),
        "story_tags": sorted(Article.objects.values_list("slug", "tags__name")),
        "tags": sorted(Tag.objects.values_list("name", "slug")),
        "corrections": sorted(Correction.objects.values_list("article__slug", "text")),
        "redirects": sorted(ArticleRedirect.objects.values_list("old_path", "article__slug")),
        "interviews": sorted(Interview.objects.values_list("slug", "status", "prep_notes")),
        "answers": sorted(Answer.objects.values_list(
            "question__segment__interview__slug", "question__text", "guest__name", "text")),
        "comments": sorted(Comment.objects.values_list(
            "body", "status", "email", "ip", "featured", "parent__body", "moderated_by__username",
            "article__slug", "interview__slug")),
        "decisions": sorted(ModerationDecision.objects.values_list(
            "comment__body", "action", "moderator__username")),
        "staff": sorted(get_user_model().objects.values_list("username", "groups__name")),
        "files": {name: digest(name) for name in backup.media_names()},
    }


def page_facts():
    """What readers see on the restored site: each published story's page and the front."""
    from django.test import Client
    from django.utils.html import escape

    from comments.models import Comment

    client = Client()
    pages = {}
    for story in Article.objects.published().order_by("slug"):
        response = client.get(story.get_absolute_url())
        shown = Comment.objects.filter(article=story, status="approved").values_list("body",
                                                                                     flat=True)
        text = response.content.decode()
        pages[story.slug] = (response.status_code, escape(story.title) in text,
                             all(escape(body.splitlines()[0]) in text for body in shown))
    front = client.get("/")
    pages["/"] = (front.status_code, all(
        escape(story.title) in front.content.decode()
        for story in Article.objects.published().order_by("-publish_at")[:3]), True)
    return pages


# Running the commands in another process, on another database --------------------------------


def manage(*args, database_url, media, cache_dir):
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    env.update(DATABASE_URL=database_url, DJANGO_MEDIA_ROOT=str(media),
               NEWSROOM_CACHE_DIR=str(cache_dir), DJANGO_SETTINGS_MODULE="newsroom.settings",
               DJANGO_DEBUG="1", DJANGO_HTTPS="0", DJANGO_ALLOWED_HOSTS="testserver")
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def _postgres_server_url():
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else LOCAL_POSTGRES


def postgres_reachable():
    import psycopg

    try:
        psycopg.connect(_admin_dsn(_postgres_server_url()), connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


def _admin_dsn(url):
    return urlsplit(url)._replace(path="/postgres").geturl()


@contextlib.contextmanager
def empty_database(vendor, folder):
    """The URL of a new, empty database of `vendor`, dropped afterwards."""
    if vendor == "sqlite":
        yield f"sqlite:///{folder / f'restored-{next(_names)}.sqlite3'}"
        return
    import psycopg

    server = _postgres_server_url()
    name = f"newsroom_restore_{os.getpid()}_{next(_names)}"
    with psycopg.connect(_admin_dsn(server), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(_admin_dsn(server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore_and_read(archive, vendor, folder):
    """Restore `archive` into a new `vendor` database; return what the restored site holds."""
    media, cache_dir = folder / f"media-{vendor}", folder / f"cache-{vendor}"
    from newsroom.cache import SharedDiskCache

    stale = SharedDiskCache(str(cache_dir), {})
    stale.set("newsroom:page:stale", "a page of the old database", None)
    with empty_database(vendor, folder) as url:
        restored = manage("restore", str(archive), database_url=url, media=media,
                          cache_dir=cache_dir)
        assert restored.returncode == 0, restored.stderr
        read = manage("shell", "-c", "import json; from tests.newsroom.test_backup import "
                      "site_facts, page_facts; print(json.dumps([site_facts(), page_facts()]))",
                      database_url=url, media=media, cache_dir=cache_dir)
        assert read.returncode == 0, read.stderr
    facts, pages = json.loads(read.stdout.strip().splitlines()[-1])
    return SimpleNamespace(output=restored.stdout, facts=facts, pages=pages,
                           stale_page=SharedDiskCache(str(cache_dir), {}).get(
                               "newsroom:page:stale"))


def as_json(value):
    return json.loads(json.dumps(value, default=str))


# The seeded site, backed up once for the module --------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo site (with a moved story), its facts and its archive; then rolled back."""
    folder = tmp_path_factory.mktemp("backup")
    archive = folder / "seeded.tar.gz"
    out = io.StringIO()
    # Small demo photos: the round trip cares about files, not pixels.
    with django_db_blocker.unblock(), override_settings(
            MEDIA_ROOT=folder / "media", PHOTO_RENDITION_WIDTHS=[160]), \
            mock.patch.object(demo_photos, "PHOTO_SIZE", (640, 360)), transaction.atomic():
        ensure_roles()  # a transactional test that ran before may have flushed them
        call_command("seed", stdout=io.StringIO())
        from articles import services

        story = Article.objects.published().order_by("-publish_at").first()
        before = Article.objects.get(pk=story.pk)
        story.slug = f"{story.slug}-renamed"
        services.save_article(story, before=before)
        facts = site_facts()
        call_command("backup", output=str(archive), stdout=out)
        transaction.set_rollback(True)
    return SimpleNamespace(archive=archive, folder=folder, facts=as_json(facts),
                           output=out.getvalue())


def _other_vendor():
    return "postgresql" if connection.vendor == "sqlite" else "sqlite"


def test_the_seeded_site_comes_back_whole_in_an_empty_database(seeded):
    facts = seeded.facts
    # The seed has all that matters, so finding it again means something.
    assert {row[1] for row in facts["comments"]} == {"approved", "pending", "rejected", "spam"}
    assert facts["decisions"] and facts["redirects"] and facts["corrections"]
    assert facts["answers"] and facts["tags"] and len(facts["files"]) > 20
    assert "Backed up" in seeded.output and "emails and IP addresses" in seeded.output
    assert stat.S_IMODE(seeded.archive.stat().st_mode) == 0o600

    restored = restore_and_read(seeded.archive, connection.vendor, seeded.folder)

    assert restored.facts == facts
    assert restored.pages and {
        url: page for url, page in restored.pages.items() if page != [200, True, True]} == {}
    assert restored.stale_page is None
    assert "Restored" in restored.output and "the cache was cleared" in restored.output


def test_a_backup_moves_to_the_other_kind_of_database(seeded):
    other = _other_vendor()
    if other == "postgresql" and not postgres_reachable():
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432 to restore into")

    restored = restore_and_read(seeded.archive, other, seeded.folder)

    assert restored.facts == seeded.facts
    assert {url: page for url, page in restored.pages.items() if page != [200, True, True]} == {}


def test_the_manifest_lists_migrations_rows_and_checksums(seeded):
    with tarfile.open(seeded.archive) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        members = {member.name: archive.extractfile(member).read()
                   for member in archive.getmembers() if member.name != "manifest.json"}

    assert manifest["format"] == "newsroom-backup" and manifest["format_version"] == 1
    graph = MigrationLoader(None).graph
    assert manifest["migrations"]["articles"] == graph.leaf_nodes("articles")[0][1]
    assert set(manifest["migrations"]) >= {"articles", "interviews", "comments", "auth"}
    rows = {entry["model"]: entry["rows"] for entry in manifest["models"]}
    assert rows["articles.article"] == len(seeded.facts["stories"])
    assert rows["comments.moderationdecision"] == len(seeded.facts["decisions"])
    assert not {"contenttypes.contenttype", "auth.permission", "sessions.session"} & set(rows)
    assert set(manifest["files"]) == set(members)
    for name, data in members.items():
        assert manifest["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(),
                                           "size": len(data)}
    assert {name.removeprefix("media/") for name in members
            if name.startswith("media/")} == set(seeded.facts["files"])


# Refusals: a clear message, and nothing changed -----------------------------------------------


@pytest.fixture
def small_site(db, tmp_path):
    story = ArticleFactory(lead_photo=PhotoFactory())
    ReplyFactory(parent=CommentFactory(article=story))
    archive = tmp_path / "small.tar.gz"
    call_command("backup", output=str(archive), verbosity=0, stdout=io.StringIO())
    return archive


def state():
    counts = {model._meta.label_lower: model._base_manager.count()
              for model in backup.backed_up_models()}
    return counts, sorted(backup.media_names())


def refused(path):
    before = state()
    with pytest.raises(CommandError) as error:
        call_command("restore", str(path), stdout=io.StringIO())
    assert state() == before
    return str(error.value)


def rewritten(archive, target, change):
    """A copy of `archive` with `change(name, data)` applied to each member's bytes."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def test_a_target_with_content_is_refused(small_site):
    message = refused(small_site)
    assert "The database is not empty" in message
    assert "Restore into a new, empty database" in message


def test_a_damaged_file_is_named(small_site, tmp_path):
    def damage(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("media/photos/") else data

    message = refused(rewritten(small_site, tmp_path / "damaged.tar.gz", damage))
    assert "the checksum of media/photos/" in message and "does not match" in message


def test_a_truncated_archive_is_refused(small_site, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(small_site.read_bytes()[: small_site.stat().st_size // 2])
    assert "is damaged or incomplete (truncated?)" in refused(cut)


def test_a_file_that_is_no_archive_is_refused(tmp_path, db):
    text = tmp_path / "notes.txt"
    text.write_text("Not a backup at all.\n")
    assert "is not a Newsroom backup archive" in refused(text)
    assert "no such file" in refused(tmp_path / "missing.tar.gz")


def test_an_archive_without_manifest_is_refused(small_site, tmp_path):
    bare = tmp_path / "bare.tar.gz"
    with tarfile.open(bare, "w:gz") as archive:
        info = tarfile.TarInfo("data/articles.article.jsonl")
        archive.addfile(info, io.BytesIO(b""))
    assert "has no Newsroom manifest" in refused(bare)


def test_an_archive_from_newer_code_is_refused(small_site, tmp_path):
    def newer(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["articles"] = "0099_from_the_future"
        return json.dumps(manifest).encode()

    message = refused(rewritten(small_site, tmp_path / "newer.tar.gz", newer))
    assert "migration articles.0099_from_the_future" in message
    assert "newer version of Newsroom" in message


def test_backup_never_overwrites_a_file(small_site):
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=str(small_site), stdout=io.StringIO())


def test_an_unsafe_member_name_is_refused(small_site, tmp_path):
    sly = tmp_path / "sly.tar.gz"
    with tarfile.open(sly, "w:gz") as archive:
        archive.addfile(tarfile.TarInfo("media/../../settings.py"), io.BytesIO(b""))
    assert "unexpected member 'media/../../settings.py'" in refused(sly)


def test_a_media_file_is_never_overwritten_with_other_content(small_site, settings):
    with tarfile.open(small_site) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
    # The files backed up are still in the media folder, unchanged: they may stay.
    assert backup.check_media(manifest)
    name = next(name for name in backup.media_names() if name.startswith("photos/"))
    (Path(settings.MEDIA_ROOT) / name).write_bytes(b"another picture")

    with pytest.raises(backup.BackupError, match=f"The media file {name} already exists"):
        backup.check_media(manifest)


def test_an_archive_from_older_code_is_restored_with_a_note():
    notes = backup.check_migrations({"migrations": {"articles": "0003_search",
                                                    "comments": "0003_queue_indexes"}})
    assert notes == ["the archive was made at migration articles.0003_search, before this "
                     "code's; its rows were loaded into today's tables"]
