"""The demo seed records each story and interview whole in its first revision, so restoring
that revision keeps the byline, tags, related links and transcript."""

import io

import pytest
from django.core.management import call_command

from articles import history, services
from articles.models import Article
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
