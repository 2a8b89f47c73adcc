"""Parts of pages kept rendered: used again while what they show is unchanged, never after."""

from datetime import timedelta

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.utils import timezone

from articles import pages, services
from articles.models import Article
from newsroom import fragments, pagecache
from tests.articles.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def reader_request(host="testserver"):
    request = RequestFactory().get("/", HTTP_HOST=host)
    request.page_tags, request.page_expires = set(), None
    return request


class Part:
    """A fragment's content: says what it shows, counts how often it was rendered."""

    def __init__(self, *tags, text="part", expires=None):
        self.tags, self.text, self.expires, self.renders = tags, text, expires, 0

    def __call__(self, request):
        def produce():
            self.renders += 1
            pages.show(request, *self.tags)
            pages.expires(request, self.expires)
            return f"{self.text} #{self.renders}"
        return produce


def render(request, part, name="box", parts=(1,)):
    return fragments.render(request, name, list(parts), part(request))


def test_a_fragment_is_rendered_once_and_then_read_from_the_cache():
    part = Part("article:1")
    assert render(reader_request(), part) == "part #1"
    assert render(reader_request(), part) == "part #1"
    assert part.renders == 1


def test_a_change_to_what_it_shows_renders_it_again():
    part = Part("article:1", "photo:2")
    render(reader_request(), part)
    pagecache.bump("photo:2")
    assert render(reader_request(), part) == "part #2"
    pagecache.bump("article:99")  # something it does not show
    assert render(reader_request(), part) == "part #2"


def test_saving_a_story_refreshes_a_fragment_that_shows_it(editor):
    story = ArticleFactory(title="Before")

    def produce(request):
        def inner():
            fresh = Article.objects.get(pk=story.pk)
            pages.show(request, *pages.article_tags(fresh))
            return fresh.title
        return inner

    assert fragments.render(reader_request(), "headline", [story.pk],
                            produce(reader_request())) == "Before"
    request = reader_request()
    assert fragments.render(request, "headline", [story.pk], produce(request)) == "Before"
    story.title = "After"
    services.save_article(story, by=editor)
    request = reader_request()
    assert fragments.render(request, "headline", [story.pk], produce(request)) == "After"


def test_a_hit_names_the_fragments_tags_and_expiry_on_the_page():
    closes = timezone.now() + timedelta(hours=2)
    part = Part("comments:article:7", expires=closes)
    render(reader_request(), part)
    page = reader_request()
    render(page, part)
    assert part.renders == 1
    assert page.page_tags == {"comments:article:7"}
    assert abs((page.page_expires - closes).total_seconds()) < 0.001


def test_a_miss_names_them_too_and_keeps_what_the_page_named_before():
    page = reader_request()
    pages.show(page, "nav")
    render(page, Part("article:3"))
    assert page.page_tags == {"nav", "article:3"}


def test_a_fragment_that_names_nothing_is_never_stored():
    part = Part()
    render(reader_request(), part)
    render(reader_request(), part)
    assert part.renders == 2


def test_copies_differ_by_name_parts_and_site(settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    part = Part("article:1")
    render(reader_request(), part, parts=(1,))
    render(reader_request(), part, parts=(2,))
    render(reader_request(), part, name="other", parts=(1,))
    render(reader_request(host="other.example"), part, parts=(1,))
    assert part.renders == 4


def test_it_expires_when_told_and_at_the_next_scheduled_publication(monkeypatch, editor):
    soon = timezone.now() + timedelta(minutes=5)
    part = Part("list:front", expires=soon)
    render(reader_request(), part)
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    render(reader_request(), part)
    assert part.renders == 2

    monkeypatch.undo()
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    services.publish_article(story, by=editor, at=timezone.now() + timedelta(minutes=30))
    scheduled = Part("list:front")
    render(reader_request(), scheduled)
    render(reader_request(), scheduled)
    assert scheduled.renders == 1
    after = timezone.now() + timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: after)
    render(reader_request(), scheduled)
    assert scheduled.renders == 2


def test_a_change_while_it_renders_keeps_it_out_of_the_cache():
    part = Part("article:1")
    pagecache.tag_versions(["article:1"])

    def produce_and_change():
        pagecache.bump("article:1")
        return part(request)()

    request = reader_request()
    fragments.render(request, "box", [1], produce_and_change)
    render(reader_request(), part)
    assert part.renders == 2


def test_the_setting_turns_fragments_off(settings):
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 0
    part = Part("article:1")
    render(reader_request(), part)
    render(reader_request(), part)
    assert part.renders == 2


TEMPLATE = ('{% load fragments %}{% fragment "box" key only_if=cacheable %}'
            '{{ counter.next }}{% endfragment %}')


class Counter:
    def __init__(self, request):
        self.request, self.count = request, 0

    def next(self):
        self.count += 1
        pages.show(self.request, "article:5")
        return self.count


@pytest.mark.parametrize("cacheable, expected", [(True, "1"), (False, "2")])
def test_the_template_tag_caches_unless_told_not_to(cacheable, expected):
    template = Template(TEMPLATE)
    request = reader_request()
    counter = Counter(request)
    context = {"request": request, "key": 5, "cacheable": cacheable, "counter": counter}
    assert template.render(Context(context)) == "1"
    assert template.render(Context(context)) == expected


@pytest.mark.parametrize("source, message", [
    ("{% load fragments %}{% fragment %}x{% endfragment %}", "needs a name"),
    ("{% load fragments %}{% fragment only_if=a %}x{% endfragment %}", "needs a name"),
    ("{% load fragments %}{% fragment 'x' %}never closed", "endfragment"),
])
def test_a_malformed_tag_says_what_is_wrong(source, message):
    with pytest.raises(TemplateSyntaxError, match=message):
        Template(source)


class CountingCache:
    """The cache, counting the round trips asked of it."""

    def __init__(self, cache):
        self.cache, self.trips = cache, 0

    def __getattr__(self, name):
        method = getattr(self.cache, name)

        def counted(*args, **kwargs):
            self.trips += 1
            return method(*args, **kwargs)
        return counted


def test_a_kept_fragment_is_read_in_one_round_trip_and_still_sees_every_change(monkeypatch):
    from django.core.cache import cache

    counting = CountingCache(cache)
    monkeypatch.setattr(fragments, "cache", counting)
    part = Part("article:1", "photo:2")
    render(reader_request(), part)
    render(reader_request(), part)
    counting.trips = 0
    assert render(reader_request(), part) == "part #1"
    assert counting.trips == 1
    pagecache.bump("photo:2")
    assert render(reader_request(), part) == "part #2"
    # Stored elsewhere (another worker) with a tag this one has not seen: still checked.
    other = Part("article:1", "photo:2", "author:5")
    other_key = fragments.fragment_key(reader_request(), "box", [1])
    fragments._known_tags.pop(other_key)
    pagecache.bump("article:1")
    assert render(reader_request(), other) == "part #1"
    fragments._known_tags[other_key] = frozenset({"article:1", "photo:2"})
    pagecache.bump("author:5")
    assert render(reader_request(), other) == "part #2"


def test_a_new_release_of_the_site_draws_pages_and_fragments_afresh(client, settings,
                                                                     monkeypatch):
    """After a deploy nothing drawn by the old templates is served, even with nothing
    changed in the newsroom to refresh it."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    story = ArticleFactory(title="Drawn by the old templates")
    url = story.get_absolute_url()
    monkeypatch.setattr(pagecache, "_release", "release-one")
    assert "Drawn by the old templates" in client.get(url).content.decode()
    # Behind the cache's back: no signal, so only a new release can show it.
    Article.objects.filter(pk=story.pk).update(title="Drawn by the new templates")
    assert "Drawn by the old templates" in client.get(url).content.decode()
    monkeypatch.setattr(pagecache, "_release", "release-two")
    page = client.get(url).content.decode()
    assert "Drawn by the new templates" in page and "old templates" not in page


def test_the_release_is_a_digest_of_the_sites_own_files(monkeypatch):
    monkeypatch.setattr(pagecache, "_release", None)
    first = pagecache.release()
    assert len(first) == 16 and int(first, 16) >= 0
    monkeypatch.setattr(pagecache, "_release", None)
    assert pagecache.release() == first  # the same files, the same release


def test_a_page_drawn_before_reads_all_its_fragments_in_one_round_trip(client, monkeypatch,
                                                                      page_cache_off):
    from django.core.cache import cache

    story = ArticleFactory(title="One trip to the cache")
    url = story.get_absolute_url()
    client.get(url)  # draws and stores every fragment
    client.get(url)  # met: this worker knows the page's fragments and their tags
    counting = CountingCache(cache)
    monkeypatch.setattr(fragments, "cache", counting)
    page = client.get(url).content.decode()
    assert "One trip to the cache" in page
    assert counting.trips == 1
    monkeypatch.undo()
    story.title = "Still refreshed"
    story.save()
    assert "Still refreshed" in client.get(url).content.decode()
