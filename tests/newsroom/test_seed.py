"""`manage.py seed`: the demo newsroom a newcomer sees after `make run`."""

import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count
from taggit.models import Tag

from articles.models import Article, ArticleAuthor, Author, Correction, Photo, Section
from comments import seeding as comment_seeding
from comments.models import Comment, WordRule
from interviews.models import Answer, Guest, Interview, Question, Segment

pytestmark = pytest.mark.django_db

DEMO_SEED = Path(__file__).resolve().parents[2] / "seeds" / "demo.json"


def seed():
    out = io.StringIO()
    call_command("seed", stdout=out)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def snapshot():
    models = [Article, Photo, Tag, get_user_model(), Correction, ArticleAuthor, Section, Author]
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "articles": list(
            Article.objects.order_by("slug").values_list(
                "slug", "status", "publish_at", "modified_at", "updated_at", "lead_photo_id"
            )
        ),
        "passwords": list(get_user_model().objects.order_by("pk").values_list("password")),
    }


def test_seed_loads_a_demo_newsroom_and_a_second_run_changes_nothing(media, monkeypatch, client):
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "harbour-lights-42")

    first = seed()

    assert Section.objects.count() >= 3
    assert Author.objects.count() >= 4
    published = Article.objects.published().select_related("lead_photo")
    assert published.count() >= 20
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 1
    scheduled = [article for article in Article.objects.all() if article.is_scheduled]
    assert len(scheduled) == 1
    assert not published.filter(pk=scheduled[0].pk).exists()
    for article in published:
        photo = article.lead_photo
        assert photo is not None, article.slug
        assert (photo.width, photo.height) == (1600, 900)
        widths = [name for width, name in photo.renditions.items() if width.isdigit()]
        assert widths and all(photo.image.storage.exists(name) for name in widths)
        assert article.authors.exists() and article.tags.exists()
    # Tag pages have something to list: tags are shared between stories.
    shared = Tag.objects.annotate(stories=Count("taggit_taggeditem_items")).filter(stories__gte=3)
    assert shared.count() >= 3
    assert Correction.objects.count() >= 2
    assert "<h2>" in Article.objects.get(slug="militias-break-through-lines-near-tervan").body
    assert "editor (password from NEWSROOM_DEMO_PASSWORD)" in first
    assert "harbour-lights-42" not in first

    before = snapshot()
    second = seed()

    assert snapshot() == before
    assert "(0 new)" in second
    User = get_user_model()
    for username, group in [("editor", "Editor"), ("reporter", "Reporter"),
                            ("moderator", "Moderator")]:
        user = User.objects.get(username=username)
        assert user.is_staff
        assert list(user.groups.values_list("name", flat=True)) == [group]
    assert Author.objects.get(user__username="editor")
    assert signs_in(client, "editor", "harbour-lights-42")


def signs_in(client, username, password):
    response = client.post("/admin/login/?next=/admin/",
                           {"username": username, "password": password})
    return response.status_code == 302 and client.get("/admin/").status_code == 200


def test_seed_prints_generated_passwords_once_and_keeps_them(media, monkeypatch, client):
    monkeypatch.delenv("NEWSROOM_DEMO_PASSWORD", raising=False)

    first = seed()
    passwords = dict(re.findall(r"^\s+(editor|reporter|moderator) / (\S+)$", first, re.M))
    second = seed()

    assert set(passwords) == {"editor", "reporter", "moderator"}
    assert "reporter (already existed; password unchanged)" in second
    assert passwords["reporter"] not in second
    assert signs_in(client, "reporter", passwords["reporter"])


@pytest.fixture
def seed_file(settings, tmp_path):
    """Point the command at a seed file the test writes."""
    settings.BASE_DIR = tmp_path
    (tmp_path / "seeds").mkdir()
    return tmp_path / "seeds" / "demo.json"


def test_broken_json_is_refused_with_file_and_line(seed_file):
    seed_file.write_text('{\n  "sections": [\n    oops\n  ]\n}\n')

    with pytest.raises(CommandError, match=r"demo\.json:3: not valid JSON"):
        seed()


def test_unknown_section_is_refused_before_anything_is_saved(seed_file):
    data = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    data["stories"][-1]["section"] = "sport"
    seed_file.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError, match=r"unknown section 'sport'"):
        seed()
    assert not Section.objects.exists()
    assert not get_user_model().objects.exists()


def test_a_bad_story_halfway_saves_nothing_and_leaves_no_files(seed_file, media):
    data = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    good, bad = data["stories"][:2]
    good["related"], bad["related"] = [], []
    bad["title"] = "x" * 300
    data["stories"] = [good, bad]
    seed_file.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError, match=rf"story '{bad['slug']}'.*at most 200"):
        seed()
    assert not Article.objects.exists()
    assert not Photo.objects.exists()
    assert not Section.objects.exists()
    assert not [path for path in Path(media).rglob("*") if path.is_file()]


def everything():
    """How many rows of each kind the seed writes, and the demo staff's passwords."""
    models = [Article, Photo, Tag, Correction, ArticleAuthor, Section, Author, Group,
              get_user_model(), Interview, Guest, Segment, Question, Answer, Comment, WordRule]
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "sections": list(Section.objects.order_by("slug").values_list("slug", "name")),
        "passwords": list(get_user_model().objects.order_by("pk")
                          .values_list("username", "password", "is_staff")),
    }


def test_a_failure_in_the_last_loader_leaves_the_database_as_it_was(media, monkeypatch):
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "harbour-lights-42")
    # Something is already there: a section the seed renames and a login it would change.
    Section.objects.create(slug="world", name="Old World")
    get_user_model().objects.create_user("editor", password="kept-as-it-was")
    before = everything()
    reached = {}

    def fail(**kwargs):
        # By now the stories and the interviews are saved (inside the seed's transaction).
        reached.update(stories=Article.objects.count(), interviews=Interview.objects.count(),
                       files=[p for p in Path(media).rglob("*") if p.is_file()])
        raise RuntimeError("the comment loader broke")

    monkeypatch.setattr(comment_seeding, "load_comments", fail)

    with pytest.raises(RuntimeError, match="the comment loader broke"):
        seed()

    assert reached["stories"] >= 20 and reached["interviews"] == 2 and reached["files"]
    assert everything() == before
    assert Section.objects.get(slug="world").name == "Old World"
    assert get_user_model().objects.get(username="editor").check_password("kept-as-it-was")
    assert not [path for path in Path(media).rglob("*") if path.is_file()]


def test_a_broken_interview_seed_takes_the_stories_back_too(seed_file, media):
    data = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    data["stories"] = data["stories"][:2]
    for story in data["stories"]:
        story["related"] = []
    seed_file.write_text(json.dumps(data), encoding="utf-8")
    (seed_file.parent / "interviews.json").write_text(json.dumps({"guests": [], "interviews": [{
        "slug": "x", "title": "X", "interviewer": "nobody", "status": "preparing",
        "guests": [], "sections": []}]}), encoding="utf-8")

    with pytest.raises(CommandError, match=r"interviews\.json: .*unknown interviewer 'nobody'"):
        seed()
    assert not Article.objects.exists()
    assert not Photo.objects.exists()
    assert not Section.objects.exists()
    assert not get_user_model().objects.exists()
    assert not [path for path in Path(media).rglob("*") if path.is_file()]
