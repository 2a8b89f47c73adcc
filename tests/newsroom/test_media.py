"""Uploads served by the site itself (newsroom/media.py): photos as images, kept by browsers,
nothing outside the media root, nothing a browser would run."""

from pathlib import Path

import pytest
from django.test import Client

from tests.articles.factories import PhotoFactory

pytestmark = pytest.mark.django_db


def rendition_url(photo):
    return photo.image.storage.url(
        min((int(w), name) for w, name in photo.renditions.items() if w.isdigit())[1])


def test_a_rendition_is_an_image_kept_a_year(client):
    photo = PhotoFactory()
    response = client.get(rendition_url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body[:4] == b"RIFF" and body[8:12] == b"WEBP"
    assert int(response["Content-Length"]) == len(body)
    # Every byte counts on a phone's first round trip: no page policy on an image.
    assert "Content-Security-Policy" not in response


def test_a_photo_is_answered_without_a_session_or_a_query(client, django_assert_num_queries):
    photo = PhotoFactory()
    url = rendition_url(photo)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200
    assert "Set-Cookie" not in response
    assert "Vary" not in response


def test_an_unchanged_photo_is_not_sent_again(client):
    photo = PhotoFactory()
    first = client.get(rendition_url(photo))
    again = client.get(rendition_url(photo), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    assert again.content == b""
    assert "immutable" in again["Cache-Control"]


def test_head_gives_the_headers_only(client):
    photo = PhotoFactory()
    response = client.head(rendition_url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"


def test_a_photo_cannot_be_written_to(client):
    photo = PhotoFactory()
    for method in (client.post, client.put, client.delete):
        response = method(rendition_url(photo))
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
    assert client.get(rendition_url(photo)).status_code == 200


@pytest.mark.parametrize("address", [
    "/media/", "/media/renditions/", "/media/nothing-here.jpg", "/media/../settings.py",
    "/media/%2e%2e/%2e%2e/etc/passwd", "/media//etc/passwd", "/media/renditions/1/../../..",
])
def test_anything_but_a_file_in_the_media_root_is_the_sites_not_found_page(client, address,
                                                                           settings, tmp_path):
    (tmp_path / "secret.txt").write_text("not for readers")
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    response = client.get(address)
    assert response.status_code == 404
    assert b"not for readers" not in response.content
    assert "Page not found" in response.content.decode()


def test_a_file_put_in_the_folder_by_hand_is_a_download_not_a_page(client, settings):
    folder = Path(settings.MEDIA_ROOT)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg">'
                                        '<script>alert(1)</script></svg>')
    (folder / "notes.html").write_text("<script>alert(1)</script>")
    for name in ("drawing.svg", "notes.html"):
        response = client.get(f"/media/{name}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_media_is_not_served_when_a_front_server_does_it(settings):
    photo = PhotoFactory()
    settings.SERVE_MEDIA = False
    response = Client().get(rendition_url(photo))
    assert response.status_code == 404
