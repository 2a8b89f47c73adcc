"""A comment refused for an oversized field does not echo a megabyte back."""

import pytest

from comments.models import Comment
from tests.articles.factories import ArticleFactory

from .helpers import post

pytestmark = pytest.mark.django_db

MEGABYTE = 1024 * 1024


@pytest.fixture
def story():
    return ArticleFactory(discussion_prompt="What should the harbour board do?")


# The trap and the token are hidden: a bot gets the same small refusal, without a message.
@pytest.mark.parametrize("field, message", [
    ("body", f"Keep it under 5000 characters (it has {MEGABYTE})."),
    ("author_name", "Keep your name under 80 characters."),
    ("email", f"at most 254 characters (it has {MEGABYTE})."),
    ("website", ""),
    ("token", ""),
])
def test_a_megabyte_in_any_field_is_refused_with_a_small_page(client, story, field, message):
    response = post(client, story, **{field: "x" * MEGABYTE})
    assert response.status_code == 400
    assert len(response.content) < 60_000
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_a_little_too_long_comment_keeps_its_start_for_the_reader(client, story, settings):
    settings.COMMENTS_MAX_LENGTH = 100
    text = "The harbour board " + "really " * 30 + "END-OF-COMMENT"
    response = post(client, story, body=text)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Keep it under 100 characters" in page
    assert text[:100] in page
    assert "END-OF-COMMENT" not in page
    assert not Comment.objects.exists()
