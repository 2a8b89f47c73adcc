"""Articles tell readers how long they take to read."""

import pytest

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("words, shown", [(5, "1 min read"), (690, "3 min read"),
                                          (2300, "10 min read")])
def test_an_article_shows_its_reading_time(client, words, shown):
    story = ArticleFactory(body="<p>" + " ".join(["word"] * words) + "</p>")
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'<span class="story__reading-time">{shown}</span>' in html
