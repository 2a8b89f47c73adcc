"""Every input fuzzed (hypothesis): public addresses with odd paths, queries and methods; the
comment form; and the admin forms reporters and editors fill. Whatever is sent: no 500, no
traceback, and no payload comes back unescaped.

Bounded by the "newsroom" profile below so the file runs in seconds on each database.
"""

import string
from urllib.parse import quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.articles.admin_forms import read_admin_form
from tests.articles.factories import ArticleFactory, AuthorFactory, PhotoFactory
from tests.comments.helpers import form_data
from tests.interviews.factories import GuestFactory, build_interview

pytestmark = pytest.mark.django_db

settings.register_profile(
    # No shrinking: a failure is reported as found, and a run never takes minutes.
    "newsroom", max_examples=30, deadline=None, database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
fuzz = settings(settings.get_profile("newsroom"))

# What an attacker sends to see whether it comes back as markup.
XSS = [
    "<script>x</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
]
ODD = [
    "", " ", "\x00", "%00", "\u202e", "\ufeff", "𝕏", "👩‍👩‍👧", "Ω≈ç√", "ﷺ", "\u0000abc",
    "../../../../etc/passwd", "..%2f..%2fetc%2fpasswd", "..\\..\\windows\\win.ini",
    "%", "%%", "%zz", "{{ 7*7 }}", "{% debug %}", "${7*7}", "' OR 1=1 --", "\r\nSet-Cookie: x=1",
    "-1", "0", "1e309", "99999999999999999999999999", "NaN",
]
payloads = st.one_of(
    st.sampled_from(XSS),
    st.sampled_from(ODD),
    st.text(max_size=60),
    st.text(alphabet=string.printable, max_size=60),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.builds(lambda x, n: x * n, st.sampled_from(["a", "é", "<b>", "\x00"]),
              st.integers(min_value=500, max_value=20_000)),
    st.builds(lambda a, b: a + b, st.sampled_from(XSS), st.text(max_size=20)),
)
methods = st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH",
                           "OPTIONS"])


def assert_safe(response, sent=""):
    """No server error, no traceback, no markup of ours echoed raw."""
    assert response.status_code < 500, (response.status_code, sent[:300])
    body = response.content.decode("utf-8", "replace") if not response.streaming else ""
    assert "Traceback" not in body, sent[:300]
    for marker in ["<script>x</script>", "<img src=x onerror", "<svg onload"]:
        assert marker not in body, (marker, sent[:300])


@pytest.fixture
def site():
    """A small site with one of everything a public address can name."""
    author = AuthorFactory(name="Dana Whitfield", photo=PhotoFactory())
    story = ArticleFactory(title="Harbour bridge reopens", authors=[author], tags=["Transport"],
                           discussion_prompt="Will you use it?")
    interview = build_interview(guests=1, segments=1, questions=1, article=story)
    return {"story": story, "author": author, "interview": interview,
            "guest": interview.guests.first() if hasattr(interview, "guests") else None}


def public_paths(site):
    story = site["story"]
    section = story.section.slug
    date = story.publish_at
    return st.one_of(
        st.builds(lambda template, part: template.format(quote(part, safe="")),
                  st.sampled_from([
                      "/{}/", "/{}/feed/", "/tags/{}/", "/tags/{}/feed/", "/authors/{}/",
                      "/interviews/{}/", "/interviews/guests/{}/", "/sitemap-{}.xml",
                      "/media/{}", "/static/{}", "/preview/articles/{}/",
                      "/preview/interviews/{}/", "/comments/article/{}/",
                      f"/{section}/{{}}/01/01/x/",
                      f"/{section}/{date:%Y/%m/%d}/{{}}/",
                  ]), payloads),
        st.builds(lambda part: f"/media/{part}", st.sampled_from([
            "../settings.py", "..%2F..%2Fnewsroom%2Fsettings.py", "%2e%2e/%2e%2e/etc/passwd",
            "/etc/passwd", "....//....//etc/passwd"])),
        st.sampled_from(["/", "/interviews/", "/search/", "/feed/", "/sitemap.xml",
                         "/news-sitemap.xml", "/robots.txt", "/healthz", "/corrections/",
                         f"/{section}/", story.get_absolute_url(),
                         site["interview"].get_absolute_url(), "/comments/csrf/",
                         "/favicon.ico"]),
    )


def queries():
    keys = st.sampled_from(["page", "q", "type", "section", "start", "end", "p", "format",
                            "utm_source", "next"])
    return st.dictionaries(keys, payloads, max_size=4)


@fuzz
@given(data=st.data())
def test_public_addresses_never_fail(client, site, data):
    path = data.draw(public_paths(site), label="path")
    query = data.draw(queries(), label="query")
    method = data.draw(methods, label="method")
    url = f"{path}?{urlencode(query)}" if query else path
    response = client.generic(method, url)
    assert_safe(response, f"{method} {url}")


@fuzz
@given(page=payloads)
def test_bad_page_numbers_are_404_never_500(client, site, page):
    response = client.get(f"/{site['story'].section.slug}/", {"page": page})
    assert_safe(response, page)
    assert response.status_code in {200, 404}


@fuzz
@given(fields=st.fixed_dictionaries({}, optional={
    name: payloads for name in ["author_name", "email", "body", "website", "parent", "token"]
}), keep_token=st.booleans())
def test_the_comment_form_never_fails_or_echoes_markup(site, fields, keep_token):
    story = site["story"]
    data = form_data(story) if keep_token else {}
    data.update(fields)
    visitor = Client(REMOTE_ADDR="198.51.100.7")
    response = visitor.post(f"/comments/article/{story.pk}/", data, follow=True)
    assert_safe(response, repr(data)[:300])
    assert_safe(Client().get(story.get_absolute_url()))


def test_comments_full_of_payloads_are_escaped_for_readers_and_moderators(client, site,
                                                                           moderator):
    from comments.models import Comment

    story = site["story"]
    for marker in XSS:
        Comment.objects.create(article=story, author_name=marker, email="x@example.org",
                               body=marker, status=Comment.Status.APPROVED, ip="192.0.2.1")
    assert_safe(client.get(story.get_absolute_url()))
    client.force_login(moderator)
    assert_safe(client.get("/admin/comments/comment/"))
    assert_safe(client.get(f"/admin/comments/comment/{Comment.objects.first().pk}/change/"))


# The admin ------------------------------------------------------------------------------------

SKIPPED = ("csrfmiddlewaretoken", "-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS",
           "-MAX_NUM_FORMS")
ADMIN_FORMS = [
    ("/admin/articles/article/add/", "article_form"),
    ("/admin/articles/photo/add/", "photo_form"),
    ("/admin/taggit/tag/add/", "tag_form"),
    ("/admin/interviews/interview/add/", "interview_form"),
    ("/admin/interviews/guest/add/", "guest_form"),
]


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def fill(form, data):
    """Every field of the form gets a drawn value (the formsets' bookkeeping stays)."""
    filled = {}
    for name, values in form.items():
        if name.endswith(SKIPPED):
            filled[name] = values
        else:
            filled[name] = data.draw(payloads, label=name)
    return filled


@pytest.mark.parametrize("url, form_id", ADMIN_FORMS)
def test_admin_forms_never_fail_or_echo_markup(desk, url, form_id):
    form = read_admin_form(desk, url, form_id)

    @settings(settings.get_profile("newsroom"), max_examples=8)
    @given(data=st.data())
    def submit(data):
        sent = fill(form, data)
        response = desk.post(url, sent, follow=True)
        assert_safe(response, repr(sent)[:300])

    submit()


@pytest.mark.parametrize("url, form_id", [("/admin/articles/article/add/", "article_form")])
def test_reporters_article_form_never_fails(client, reporter, url, form_id):
    client.force_login(reporter)
    form = read_admin_form(client, url, form_id)

    @settings(settings.get_profile("newsroom"), max_examples=8)
    @given(data=st.data())
    def submit(data):
        response = client.post(url, fill(form, data), follow=True)
        assert_safe(response)

    submit()


@settings(settings.get_profile("newsroom"), max_examples=15)
@given(name=payloads, content=st.one_of(payloads.map(str.encode), st.binary(max_size=3000)),
       create=st.booleans())
def test_the_import_page_never_fails(desk, name, content, create):
    upload = SimpleUploadedFile((name or "x")[:100] + ".txt", content)
    response = desk.post("/admin/import-story/",
                         {"file": upload, "create_sections": "on" if create else ""},
                         follow=True)
    assert_safe(response, repr(content[:200]))


def test_admin_pages_show_saved_payloads_escaped(desk):
    marker = XSS[1]
    story = ArticleFactory(title=marker, standfirst=marker, tags=[marker[:50]])
    GuestFactory(name=marker, credentials=marker)
    for url in ["/admin/articles/article/", f"/admin/articles/article/{story.pk}/change/",
                "/admin/interviews/guest/", "/admin/taggit/tag/", "/admin/",
                f"/admin/articles/article/?q={quote(marker)}"]:
        assert_safe(desk.get(url), url)


def test_an_autocomplete_box_sent_something_that_is_not_an_id_gets_a_form_error(desk):
    """Found by the fuzzing above: Django's autocomplete widget raised while drawing the
    refused form again."""
    form = read_admin_form(desk, "/admin/articles/article/add/", "article_form")
    form.update({"title": ["A story"], "section": ["<script>x</script>"],
                 "lead_photo": [str(10**30)], "related": ["1e309", "-1"]})
    response = desk.post("/admin/articles/article/add/", form)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert_safe(response)
