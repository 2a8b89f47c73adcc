"""`manage.py seed` also loads the demo interviews from seeds/interviews.json."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from interviews.models import Answer, Guest, Interview, InterviewGuest, Question, Segment
from interviews.seeding import load_demo_interviews

pytestmark = pytest.mark.django_db

PUBLISHED = "can-talks-in-brenholt-stop-the-fighting"
PREPARING = "tervan-a-new-front-for-haldane"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def seed():
    out = io.StringIO()
    call_command("seed", stdout=out)
    return out.getvalue()


def snapshot():
    models = [Guest, Interview, InterviewGuest, Segment, Question, Answer]
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "interviews": list(Interview.objects.order_by("slug").values_list(
            "slug", "status", "publish_at", "modified_at", "introduction")),
        "answers": list(Answer.objects.order_by("pk").values_list("pk", "text", "has_text")),
        "addressed": list(Question.addressed_to.through.objects.order_by("pk")
                          .values_list("question_id", "guest_id")),
    }


def test_seed_loads_demo_interviews_and_a_second_run_changes_nothing(media, client):
    output = seed()
    assert "2 interviews (1 preparing, 1 published)" in output

    published = Interview.objects.get(slug=PUBLISHED)
    assert Interview.objects.published().filter(pk=published.pk).exists()
    assert published.unanswered_questions() == []
    assert published.article.is_public
    assert published.lineup.count() == 2 and published.segments.count() == 3
    to_both = Question.objects.filter(segment__interview=published, addressed_to=None).get()
    assert to_both.answers.filter(has_text=True).count() == 2
    response = client.get(published.get_absolute_url())
    assert response.status_code == 200
    assert published.prep_notes not in response.content.decode()
    assert published.get_absolute_url() in client.get(
        published.article.get_absolute_url()).content.decode()

    preparing = Interview.objects.get(slug=PREPARING)
    assert preparing.status == Interview.Status.PREPARING
    assert not Interview.objects.published().filter(pk=preparing.pk).exists()
    assert client.get(preparing.get_absolute_url()).status_code == 404
    assert preparing.prep_notes
    assert len(preparing.unanswered_questions()) == 5
    assert Answer.objects.filter(question__segment__interview=preparing, has_text=True).count() \
        == 0

    before = snapshot()
    seed()
    assert snapshot() == before


def test_loader_names_the_file_and_problem(media, tmp_path):
    seed()
    broken = tmp_path / "interviews.json"
    broken.write_text('{"guests": [], "interviews": [\n  {"slug": "x",}\n]}')
    with pytest.raises(CommandError, match=r"interviews\.json:2: not valid JSON"):
        load_demo_interviews(io.StringIO(), path=broken)

    broken.write_text(json.dumps({"guests": [], "interviews": [{
        "slug": "x", "title": "X", "interviewer": "nobody", "status": "published",
        "hours_ago": 1, "guests": ["ghost"], "sections": []}]}))
    before = snapshot()
    with pytest.raises(CommandError) as error:
        load_demo_interviews(io.StringIO(), path=broken)
    assert "unknown interviewer 'nobody'" in str(error.value)
    assert "unknown or missing guests ['ghost']" in str(error.value)
    assert snapshot() == before


def test_a_published_seed_interview_with_a_missing_answer_is_refused(media, tmp_path):
    seed()
    data = json.loads((settings.BASE_DIR / "seeds" / "interviews.json").read_text("utf-8"))
    interview = data["interviews"][0]
    interview["slug"] = "a-new-one"
    interview["sections"][0]["questions"][0]["answers"] = {"lidia-marek": "…"}
    path = tmp_path / "interviews.json"
    path.write_text(json.dumps(data))
    before = snapshot()
    with pytest.raises(CommandError, match="Unanswered: Part 1, question 1 \\(Dr. Marek\\)"):
        load_demo_interviews(io.StringIO(), path=path)
    assert snapshot() == before
