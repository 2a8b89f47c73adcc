import pytest

from .factories import ArticleFactory, AuthorFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def test_article_page_shows_the_story(client):
    author = AuthorFactory(name="Dana Whitfield")
    story = ArticleFactory(title="Harbour bridge reopens", authors=[author], tags=["Transport"],
                           lead_photo=PhotoFactory())
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbour bridge reopens" in html
    assert "Dana Whitfield" in html
    assert "srcset=" in html
    assert client.get("/").status_code == 200
    assert client.get(f"/{story.section.slug}/").status_code == 200
    assert client.get("/tags/transport/").status_code == 200
    assert client.get(author.get_absolute_url()).status_code == 200
