"""Two people save the same story: the second save is refused with who and when, keeps the
second person's text and shows the difference; saving again is then a deliberate choice. The
change form shows who else has the story open, and its heartbeat keeps the session alive."""

import re

import pytest
from django.test import Client

from articles.models import Article

from ..conftest import make_staff
from .admin_forms import change_url, read_admin_form
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def desk_member(username, first, last):
    user = make_staff(username, "Editor")
    user.first_name, user.last_name = first, last
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ana():
    return desk_member("ana", "Ana", "Editor")


@pytest.fixture
def ben():
    return desk_member("ben", "Ben", "Sub")


def post(client, story, data, **changes):
    data = {**data, **{name: [value] for name, value in changes.items()}, "_save": ["Save"]}
    return client.post(change_url(story), data)


def test_the_second_save_is_refused_naming_who_saved_and_keeping_the_text(ana, ben):
    story = ArticleFactory(title="Harbour closes", body="<p>The harbour closed at noon.</p>")
    ana_form = read_admin_form(ana, change_url(story))
    ben_form = read_admin_form(ben, change_url(story))

    assert post(ana, story, ana_form, title="Harbour closes early",
                body="<p>The harbour closed at ten.</p>").status_code == 302
    response = post(ben, story, ben_form, title="Harbour shuts for the storm",
                    body="<p>The harbour shut at noon as the storm arrived.</p>")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Ana Editor saved this story at" in text
    assert "after you opened it, so your changes were not saved" in text
    # Ben's text is still in the form.
    assert 'value="Harbour shuts for the storm"' in text
    assert "the storm arrived" in text
    # The difference: Ana's words struck through, Ben's underlined, and a link to all of it.
    assert "Harbour <del>closes</del><ins>shuts</ins> <del>early</del><ins>for the storm</ins>" \
        in text
    assert "at <del>ten</del><ins>noon as the storm arrived</ins>." in text
    assert "See their save in the history" in text
    story.refresh_from_db()
    assert story.title == "Harbour closes early"

    # Saving the form as it came back replaces Ana's version: a choice, not an accident.
    again = read_form_from(text)
    assert post(ben, story, {**ben_form, "edit_token": again},
                title="Harbour shuts for the storm").status_code == 302
    story.refresh_from_db()
    assert story.title == "Harbour shuts for the storm"


def read_form_from(html):
    return re.search(r'name="edit_token" value="([^"]+)"', html).group(1)


def test_a_stale_token_is_refused_even_without_a_change_to_the_same_field(ana, ben):
    story = ArticleFactory(title="Harbour closes", standfirst="At noon.")
    ben_form = read_admin_form(ben, change_url(story))
    post(ana, story, read_admin_form(ana, change_url(story)), standfirst="At ten.")
    response = post(ben, story, ben_form, kicker="Breaking")
    assert response.status_code == 200
    story.refresh_from_db()
    assert (story.standfirst, story.kicker) == ("At ten.", "")


def test_saving_twice_in_a_row_alone_is_never_refused(ana):
    story = ArticleFactory(title="Harbour closes")
    assert post(ana, story, read_admin_form(ana, change_url(story)),
                title="One").status_code == 302
    assert post(ana, story, read_admin_form(ana, change_url(story)),
                title="Two").status_code == 302
    assert Article.objects.get(pk=story.pk).title == "Two"


def test_the_form_says_who_else_has_the_story_open(ana, ben):
    story = ArticleFactory()
    assert "has this story open" not in ana.get(change_url(story)).content.decode()
    page = ben.get(change_url(story)).content.decode()
    assert "Ana Editor has this story open (since " in page

    beat = ana.post(f"/admin/articles/article/{story.pk}/editing/")
    assert beat.status_code == 200
    assert [person["name"] for person in beat.json()["others"]] == ["Ben Sub"]
    # The heartbeat renews the session.
    assert "sessionid" in beat.cookies

    ben.post(f"/admin/articles/article/{story.pk}/editing/", {"leave": "1"})
    assert ana.post(f"/admin/articles/article/{story.pk}/editing/").json()["others"] == []


def test_presence_lapses(ana, ben, settings):
    settings.NEWSROOM_EDIT_PRESENCE_SECONDS = 0
    story = ArticleFactory()
    ana.get(change_url(story))
    assert "has this story open" not in ben.get(change_url(story)).content.decode()


def test_heartbeat_needs_post_and_the_right_to_see_the_story(ana, moderator):
    story = ArticleFactory()
    assert ana.get(f"/admin/articles/article/{story.pk}/editing/").status_code == 405
    mod = Client()
    mod.force_login(moderator)
    assert mod.post(f"/admin/articles/article/{story.pk}/editing/").status_code == 403
    anonymous = Client().post(f"/admin/articles/article/{story.pk}/editing/")
    assert anonymous.status_code == 302
