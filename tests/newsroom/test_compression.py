"""Text responses go out compressed (brotli when accepted, else gzip), cached pages compressed
once when stored, pages holding a CSRF token only with BREACH-safe gzip; photos carry cache
lifetimes that fit how their addresses change."""

import gzip
from unittest import mock

import brotli
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from newsroom.compression import accepted
from newsroom.pagecache import PAGE_PREFIX
from tests.articles.factories import ArticleFactory, PhotoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return ArticleFactory(title="Harbour lights return", body="<p>" + "Lamps. " * 300 + "</p>")


def plain(client, path):
    response = client.get(path)
    assert "Content-Encoding" not in response
    return response.content


DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.mark.parametrize("coding", ["br", "gzip"])
def test_a_page_decodes_to_the_same_page(client, story, coding):
    url = story.get_absolute_url()
    expected = plain(client, url)
    response = client.get(url, HTTP_ACCEPT_ENCODING=f"{coding}")
    assert response["Content-Encoding"] == coding
    assert "Accept-Encoding" in response["Vary"]
    assert DECODE[coding](response.content) == expected
    assert len(response.content) < len(expected) / 3


def test_brotli_is_preferred_when_both_are_accepted(client, story):
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "br"
    refused = client.get("/", HTTP_ACCEPT_ENCODING="gzip, br;q=0")
    assert refused["Content-Encoding"] == "gzip"


def test_a_cache_hit_is_sent_compressed_without_a_query(client, story):
    url = story.get_absolute_url()
    first = client.get(url, HTTP_ACCEPT_ENCODING="br")
    with CaptureQueriesContext(connection) as queries:
        hit = client.get(url, HTTP_ACCEPT_ENCODING="br")
    assert len(queries) == 0
    assert hit["Content-Encoding"] == "br"
    assert hit.content == first.content  # compressed once, when stored
    assert brotli.decompress(hit.content) == plain(client, url)
    assert "Accept-Encoding" in hit["Vary"]
    again = client.get(url, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=hit["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize("coding", ["br", "gzip", None])
def test_a_hit_reads_only_the_copy_its_reader_takes(client, story, coding):
    url = story.get_absolute_url()
    headers = {"HTTP_ACCEPT_ENCODING": coding} if coding else {}
    client.get(url, **headers)
    cache_keys = []
    real_get_many = cache.get_many

    def get_many(keys, *args, **kwargs):
        cache_keys.extend(keys)
        return real_get_many(keys, *args, **kwargs)

    with mock.patch.object(cache, "get_many", get_many):
        hit = client.get(url, **headers)
    assert hit.get("Content-Encoding") == coding
    bodies = [key.rsplit(":", 1)[1] for key in cache_keys if key.startswith(PAGE_PREFIX)
              and key.count(":") == 3]
    assert bodies == [coding or "plain"]


def test_a_page_whose_body_was_evicted_is_rendered_again(client, story):
    url = story.get_absolute_url()
    plain(client, url)
    body_key = _page_keys()[1]
    cache.delete(body_key)
    assert b"Harbour lights return" in plain(client, url)
    assert b"Harbour lights return" in cache.get(body_key)  # stored again


def _page_keys():
    from newsroom.pagecache import _page_key

    request = RequestFactory().get(ArticleFactory._meta.model.objects.first().get_absolute_url())
    key = _page_key(request)
    return [key, f"{key}:plain", f"{key}:br", f"{key}:gzip"]


def test_staff_pages_are_compressed_too(editor_client, story):
    response = editor_client.get(story.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"Harbour lights return" in gzip.decompress(response.content)


def test_a_page_with_a_csrf_token_gets_gzip_with_random_bytes_never_brotli(client):
    lengths = set()
    for _ in range(10):
        response = client.get("/admin/login/", HTTP_ACCEPT_ENCODING="br, gzip")
        assert response["Content-Encoding"] == "gzip"
        assert b"csrfmiddlewaretoken" in gzip.decompress(response.content)
        assert response.content[3] & 0x08  # a file name in the header: random padding
        lengths.add(response.content.index(b"\0", 10))  # where that random name ends
    assert len(lengths) > 1


def test_tiny_bodies_and_images_are_sent_as_they_are(client, settings):
    response = client.get("/healthz", HTTP_ACCEPT_ENCODING="br, gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    photo = PhotoFactory()
    response = client.get(photo.image.url, HTTP_ACCEPT_ENCODING="br, gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_renditions_are_kept_a_year_and_originals_a_day(client):
    photo = PhotoFactory()
    rendition = client.get(photo.image.storage.url(sorted(
        name for key, name in photo.renditions.items() if key != "source")[0]))
    assert rendition.status_code == 200
    assert "max-age=31536000" in rendition["Cache-Control"]
    assert "immutable" in rendition["Cache-Control"]
    original = client.get(photo.image.url)
    assert "max-age=86400" in original["Cache-Control"]
    assert "immutable" not in original["Cache-Control"]


def test_a_new_image_gets_new_rendition_addresses():
    from articles.images import prepare_upload, save_photo
    from tests.articles.factories import image_upload

    photo = PhotoFactory()
    before = set(photo.renditions.values())
    photo.image = prepare_upload(image_upload(size=(640, 360)))
    save_photo(photo)
    photo.refresh_from_db()
    after = {name for key, name in photo.renditions.items() if key != "source"}
    assert after and not after & before


@pytest.mark.parametrize("header, codings", [
    ("gzip, deflate, br", {"gzip", "deflate", "br"}),
    ("br;q=0, gzip;q=0.5", {"gzip"}),
    ("*", {"*", "br", "gzip"}),
    ("", set()),
    ("gzip;q=nonsense", set()),
])
def test_accept_encoding_is_read_with_its_weights(header, codings):
    assert accepted(header) == codings


def test_a_page_this_worker_met_is_served_in_one_round_trip_and_still_refreshed(client, story):
    url = story.get_absolute_url()
    client.get(url)  # stored
    client.get(url)  # met: its tags are known from now on
    calls = []
    real_get_many = cache.get_many

    def get_many(keys, *args, **kwargs):
        calls.append(list(keys))
        return real_get_many(keys, *args, **kwargs)

    with mock.patch.object(cache, "get_many", get_many):
        hit = client.get(url)
    assert len(calls) == 1 and b"Harbour lights return" in hit.content
    story.title = "Harbour lights dim"
    story.save()
    assert b"Harbour lights dim" in client.get(url).content
