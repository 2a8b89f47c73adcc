"""The front page: the editors' lead, ordered slots and pinned interview over the latest stories;
each story once; only public ones; the page cache refreshed by a change and expired with a slot;
the desk's preview; who may curate."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from newsroom import front, pagecache
from newsroom.models import FrontPage, FrontPageSlot
from tests.articles.factories import ArticleFactory, AuthorFactory, PhotoFactory, SectionFactory
from tests.interviews.factories import build_interview

pytestmark = pytest.mark.django_db

ADMIN_URL = "/admin/newsroom/frontpage/"


@pytest.fixture
def stories():
    """Twenty public stories in two sections, "Story 00" the newest."""
    sections = [SectionFactory(slug="world", name="World", order=1),
                SectionFactory(slug="sport", name="Sport", order=2)]
    now = timezone.now()
    return [ArticleFactory(title=f"Story {n:02}", section=sections[n % 2],
                           publish_at=now - timedelta(minutes=n + 1))
            for n in range(20)]


def main(html):
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def titles_in(html, part):
    """Headlines in the part of the front page with that class, in order."""
    block = html.split(f'class="{part}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r">(Story \d\d|[A-Z][^<>]*?)</a>", block)


def lead_of(html):
    return titles_in(html, "front-lead")[0]


def featured_of(html):
    return titles_in(html, "front-featured")


def assert_each_story_once(html):
    found = re.findall(r">(Story \d\d)</a>", main(html))
    assert len(found) == len(set(found)), sorted(found)


def curate(lead=None, slots=(), interview=None, **fields):
    page = FrontPage.objects.create(lead=lead, interview=interview, **fields)
    for position, (article, until) in enumerate(slots):
        FrontPageSlot.objects.create(front_page=page, article=article, position=position,
                                     until=until)
    return page


def test_without_curation_the_newest_leads_and_no_story_repeats(client, stories):
    html = client.get("/").content.decode()
    assert lead_of(html) == "Story 00"
    assert featured_of(html) == ["Story 01", "Story 02", "Story 03", "Story 04"]
    assert titles_in(html, "front-headlines")[:2] == ["Story 05", "Story 06"]
    assert 'id="section-world"' in html and 'id="section-sport"' in html
    assert_each_story_once(html)


def test_the_editors_lead_and_slots_in_their_order(client, stories):
    curate(lead=stories[15], slots=[(stories[12], None), (stories[18], None)])
    html = client.get("/").content.decode()
    assert lead_of(html) == "Story 15"
    # The slots in the editors' order, then the latest stories fill the row.
    assert featured_of(html) == ["Story 12", "Story 18", "Story 00", "Story 01"]
    assert_each_story_once(html)


def test_reordered_slots_show_in_the_new_order(client, stories):
    page = curate(slots=[(stories[12], None), (stories[18], None)])
    FrontPageSlot.objects.filter(front_page=page, article=stories[12]).update(position=5)
    html = client.get("/").content.decode()
    assert featured_of(html)[:2] == ["Story 18", "Story 12"]


def test_a_slot_past_its_time_falls_back_to_the_latest(client, stories):
    past = timezone.now() - timedelta(minutes=1)
    curate(lead=stories[15], lead_until=past,
           slots=[(stories[12], past), (stories[18], timezone.now() + timedelta(hours=1))])
    html = client.get("/").content.decode()
    assert lead_of(html) == "Story 00"
    assert featured_of(html) == ["Story 18", "Story 01", "Story 02", "Story 03"]
    assert "Story 12" not in featured_of(html)
    assert_each_story_once(html)


def test_a_story_that_is_not_public_is_skipped(client, stories):
    draft = ArticleFactory(title="Draft nobody may see", status=Article.Status.DRAFT)
    scheduled = ArticleFactory(title="Scheduled for tomorrow",
                               publish_at=timezone.now() + timedelta(days=1))
    curate(lead=draft, slots=[(scheduled, None), (stories[9], None)])
    html = client.get("/").content.decode()
    assert "Draft nobody may see" not in html
    assert "Scheduled for tomorrow" not in html
    assert lead_of(html) == "Story 00"
    assert featured_of(html)[0] == "Story 09"
    assert_each_story_once(html)


def test_a_curation_that_is_not_live_changes_nothing(client, stories):
    curate(lead=stories[15], is_live=False)
    assert lead_of(client.get("/").content.decode()) == "Story 00"


def test_the_lead_in_a_slot_too_is_shown_once(client, stories):
    curate(lead=stories[7], slots=[(stories[7], None), (stories[8], None)])
    html = client.get("/").content.decode()
    assert lead_of(html) == "Story 07"
    assert featured_of(html)[0] == "Story 08"
    assert_each_story_once(html)


def test_a_pinned_interview_comes_first(client, stories):
    now = timezone.now()
    old = build_interview(title="An old conversation", guests=1, segments=1, questions=1,
                          status="published", publish_at=now - timedelta(days=30))
    for n in range(3):
        build_interview(title=f"Newer talk {n}", guests=1, segments=1, questions=1,
                        status="published", publish_at=now - timedelta(hours=n + 1))
    curate(interview=old)
    block = client.get("/").content.decode().split('class="front-interviews"')[1]
    assert block.index("An old conversation") < block.index("Newer talk 0")
    assert "Newer talk 2" not in block.split("</section>")[0]


# The page cache ---------------------------------------------------------------------------


def test_changing_the_curation_refreshes_the_cached_front_page(client, stories):
    page = curate(lead=stories[15])
    assert lead_of(client.get("/").content.decode()) == "Story 15"
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) == 0  # from the cache
    page.lead = stories[16]
    page.save()
    assert lead_of(client.get("/").content.decode()) == "Story 16"
    FrontPageSlot.objects.create(front_page=page, article=stories[11], position=0)
    assert featured_of(client.get("/").content.decode())[0] == "Story 11"


def test_the_cached_front_page_expires_with_the_first_slot(client, stories, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 3600
    until = timezone.now() + timedelta(minutes=7)
    curate(slots=[(stories[12], until), (stories[13], until + timedelta(hours=2))])
    client.get("/")
    entry = cache.get(pagecache._page_key(RequestFactory().get("/")))
    assert entry is not None
    assert entry["until"] == pytest.approx(until.timestamp(), abs=1)


def test_a_scheduled_story_in_a_slot_appears_when_it_goes_public(stories):
    at = timezone.now() + timedelta(minutes=5)
    soon = ArticleFactory(title="Due in five minutes", publish_at=at)
    curate(slots=[(soon, None)])
    content = front.build(front.Curation.live(), [])
    assert soon not in content.featured
    assert pagecache.next_scheduled() == at  # the cached page is kept no longer than this


# Queries ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("page_cache_off")
def test_the_front_page_costs_the_same_queries_curated_or_not(client, stories,
                                                              django_assert_max_num_queries):
    photo = PhotoFactory()
    Article.objects.update(lead_photo=photo)
    for story in stories[:6]:
        story.authors.add(AuthorFactory(), AuthorFactory())
    build_interview(guests=2, segments=1, questions=1)
    counts = []
    for slots in ([], [stories[10]], stories[10:14]):
        FrontPage.objects.all().delete()
        curate(lead=stories[19], slots=[(story, None) for story in slots],
               interview=None)
        client.get("/")
        with django_assert_max_num_queries(14), CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


# The desk: preview and permissions -----------------------------------------------------------


def admin_form(lead=None, slots=(), **fields):
    data = {"is_live": "on", "lead": str(lead.pk) if lead else "", "lead_until_0": "",
            "lead_until_1": "", "interview": "", "interview_until_0": "",
            "interview_until_1": "", "slots-TOTAL_FORMS": str(len(slots)),
            "slots-INITIAL_FORMS": "0", "slots-MIN_NUM_FORMS": "0",
            "slots-MAX_NUM_FORMS": "4"}
    for n, article in enumerate(slots):
        data.update({f"slots-{n}-article": str(article.pk), f"slots-{n}-position": str(n),
                     f"slots-{n}-until_0": "", f"slots-{n}-until_1": ""})
    data.update(fields)
    return data


def test_the_preview_shows_an_unsaved_curation_and_saves_nothing(editor_client, client,
                                                                 stories):
    draft = ArticleFactory(title="Draft nobody may see", status=Article.Status.DRAFT)
    response = editor_client.post(f"{ADMIN_URL}add/", admin_form(
        lead=stories[14], slots=[draft, stories[17], stories[16]], _preview="Preview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview of the front page" in html
    assert lead_of(html) == "Story 14"
    assert featured_of(html)[:2] == ["Story 17", "Story 16"]
    assert "“Draft nobody may see” (draft)" in html  # named as skipped, not shown as a card
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert not FrontPage.objects.exists()
    assert lead_of(client.get("/").content.decode()) == "Story 00"


def test_the_preview_of_a_saved_curation_that_is_not_live(editor_client, client, stories):
    page = curate(lead=stories[3], is_live=False)
    data = admin_form(lead=stories[3], _preview="Preview")
    del data["is_live"]
    html = editor_client.post(f"{ADMIN_URL}{page.pk}/change/", data).content.decode()
    assert lead_of(html) == "Story 03"
    assert lead_of(client.get("/").content.decode()) == "Story 00"


def test_saving_from_the_desk_puts_the_curation_live(editor_client, client, stories):
    client.get("/")  # cached
    response = editor_client.post(f"{ADMIN_URL}add/", admin_form(
        lead=stories[14], slots=[stories[17], stories[16]], _save="Save"))
    assert response.status_code == 302
    page = FrontPage.objects.get()
    assert [slot.article for slot in page.slots.all()] == [stories[17], stories[16]]
    html = client.get("/").content.decode()
    assert lead_of(html) == "Story 14"
    assert featured_of(html)[:2] == ["Story 17", "Story 16"]


def test_too_many_slots_are_refused_and_nothing_changes(editor_client, stories):
    response = editor_client.post(f"{ADMIN_URL}add/", admin_form(
        lead=stories[1], slots=stories[2:8], _save="Save"))
    assert response.status_code == 200
    assert "Please submit at most 4 forms" in response.content.decode()
    assert not FrontPage.objects.exists()


def test_the_desk_list_opens_the_one_front_page(editor_client, stories):
    assert editor_client.get(ADMIN_URL)["Location"].endswith("/add/")
    page = curate()
    assert editor_client.get(ADMIN_URL)["Location"].endswith(f"/{page.pk}/change/")
    assert editor_client.get(f"{ADMIN_URL}add/").status_code == 403


@pytest.mark.parametrize("role", ["reporter", "moderator"])
def test_only_editors_curate_the_front_page(request, client, role, stories):
    client.force_login(request.getfixturevalue(role))
    assert client.get(ADMIN_URL).status_code == 403
    response = client.post(f"{ADMIN_URL}add/", admin_form(lead=stories[5], _preview="1"))
    assert response.status_code == 403
    assert not FrontPage.objects.exists()


def test_nobody_without_an_account_sees_a_preview(client, stories):
    response = client.post(f"{ADMIN_URL}add/", admin_form(lead=stories[5], _preview="1"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
