"""The demo seed records each story and interview whole in its first revision, so restoring
that revision keeps the byline, tags, related links and transcript; seeding again records a
revision only for what it changed."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from reversion.models import Revision

from articles import history, services
from articles.models import Article
from articles.seeding import load_demo_stories
from interviews.models import Interview

pytestmark = pytest.mark.django_db


def parts(version):
    return {part.content_type.model for part in history.belonging_to(version)}


def test_seeded_revisions_hold_everything_and_restore_keeps_it(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed", stdout=io.StringIO())

    story = Article.objects.filter(related__isnull=False, tags__isnull=False,
                                   authors__isnull=False).distinct().first()
    seeded = history.versions_of(story)[0]
    assert seeded.revision.comment.startswith("Loaded from the demo content")
    assert {"article", "articleauthor", "taggeditem"} <= parts(seeded)
    assert seeded.field_dict["related"]

    byline = list(story.authors.all())
    tags = sorted(story.tags.names())
    related = sorted(story.related.values_list("pk", flat=True))
    services.restore_version(seeded, by=None)
    story.refresh_from_db()
    assert list(story.authors.all()) == byline
    assert sorted(story.tags.names()) == tags
    assert sorted(story.related.values_list("pk", flat=True)) == related

    interview = Interview.objects.filter(status=Interview.Status.PUBLISHED).first()
    assert {"interview", "interviewguest", "segment", "question", "answer"} <= parts(
        history.versions_of(interview)[0])


def revisions_by_story():
    return {story.slug: history.versions_of(story).count() for story in Article.objects.all()}


def test_seeding_again_adds_no_revision_and_a_changed_story_gets_one(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed", stdout=io.StringIO())
    stories = revisions_by_story()
    interviews = {interview.slug: history.versions_of(interview).count()
                  for interview in Interview.objects.all()}
    revisions = Revision.objects.count()

    call_command("seed", stdout=io.StringIO())

    assert Revision.objects.count() == revisions
    assert revisions_by_story() == stories
    assert {interview.slug: history.versions_of(interview).count()
            for interview in Interview.objects.all()} == interviews

    # The demo content changes one headline: that story, and only it, gets a revision.
    data = json.loads((settings.BASE_DIR / "seeds" / "demo.json").read_text(encoding="utf-8"))
    changed = data["stories"][0]
    changed["title"] = "A headline the seed changed"
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with transaction.atomic():
        load_demo_stories(path)
    assert Revision.objects.count() == revisions + 1
    assert revisions_by_story() == {**stories, changed["slug"]: stories[changed["slug"]] + 1}
    latest = history.versions_of(Article.objects.get(slug=changed["slug"]))[0]
    assert latest.field_dict["title"] == "A headline the seed changed"
