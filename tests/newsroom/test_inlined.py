"""Files a page carries inside itself (newsroom/inlined.py): only our own, each where it is
needed, so a phone asks for nothing else while the page loads."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError

from tests.articles.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_only_the_scripts_named_in_inlined_can_be_inlined():
    with pytest.raises(TemplateSyntaxError, match="other.js is not one of the inlined scripts"):
        Template('{% load site_tags %}{% inline_script "other.js" %}').render(Context())


def test_the_comment_form_script_comes_with_the_story_not_with_the_front_page(client):
    story = ArticleFactory(title="Harbour bridge reopens")
    page = client.get(story.get_absolute_url()).content.decode()
    front = client.get("/").content.decode()
    assert 'src="/static/comments/form' not in page  # no request for it
    assert re.search(r"<script>\s*// The comment form", page)
    assert "<script>" not in front
    for html in (page, front):
        assert '<link rel="icon" href="data:image/svg+xml,' in html
