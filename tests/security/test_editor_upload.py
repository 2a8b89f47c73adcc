"""CKEditor's image upload: only the desk with the photo permission, checked like a photo."""

import contextlib
import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from PIL import Image

from articles.forms import ArticleForm
from articles.models import Photo
from tests.articles.factories import image_bytes

pytestmark = pytest.mark.django_db

SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b"<script>alert(1)</script></svg>")


@pytest.fixture
def upload_url():
    return reverse("articles:editor-upload")


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def camera_jpeg(size=(300, 200)):
    exif = Image.Exif()
    exif[0x010F] = "Camera Co"
    exif[0x0110] = "Model X"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (50.0, 27.0, 0.0)
    output = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(output, format="JPEG", exif=exif,
                                               comment=b"12 Secret Lane")
    return output.getvalue()


def send(client, url, name="holiday-snap.jpg", data=None, content_type="image/jpeg"):
    data = camera_jpeg() if data is None else data
    return client.post(url, {"upload": SimpleUploadedFile(name, data, content_type)})


def assert_refused(response, settings, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    message = response.json()["error"]["message"]
    assert isinstance(message, str) and message
    assert stored_files(settings) == []
    assert Photo.objects.count() == 0
    return message


# --- who may upload ---------------------------------------------------------------------------

def test_anonymous_upload_is_refused(client, upload_url, settings):
    assert_refused(send(client, upload_url), settings, 403)


def test_logged_in_reader_without_staff_is_refused(client, upload_url, settings):
    reader = User.objects.create_user("reader", "reader@example.org", "pw-for-tests-1234")
    client.force_login(reader)
    assert_refused(send(client, upload_url), settings, 403)


def test_non_staff_user_with_the_photo_permission_is_still_refused(client, upload_url, settings):
    from django.contrib.auth.models import Permission

    user = User.objects.create_user("helper", "helper@example.org", "pw-for-tests-1234")
    user.user_permissions.add(Permission.objects.get(codename="add_photo"))
    client.force_login(user)
    assert_refused(send(client, upload_url), settings, 403)


def test_staff_without_the_photo_permission_is_refused(client, moderator, upload_url, settings):
    client.force_login(moderator)
    assert_refused(send(client, upload_url), settings, 403)


def test_inactive_staff_is_refused(client, reporter, upload_url, settings):
    client.force_login(reporter)
    reporter.is_active = False
    reporter.save()
    assert_refused(send(client, upload_url), settings, 403)


def test_get_is_not_allowed(editor_client, upload_url):
    assert editor_client.get(upload_url).status_code == 405


def test_anonymous_get_is_not_allowed(upload_url):
    assert Client().get(upload_url).status_code == 405


def test_upload_needs_the_csrf_token(editor, upload_url, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = send(client, upload_url)
    assert response.status_code == 403
    assert stored_files(settings) == []


# --- what an accepted upload becomes ----------------------------------------------------------

@pytest.mark.parametrize("who", ["editor", "reporter"])
def test_desk_upload_is_stored_under_a_generated_name(request, client, upload_url, settings,
                                                      who):
    client.force_login(request.getfixturevalue(who))
    response = send(client, upload_url, name="holiday-snap.jpg")
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    assert url.startswith(f"{settings.MEDIA_URL}editor/")
    assert re.fullmatch(r"/media/editor/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", url), url
    assert "holiday-snap" not in url

    files = stored_files(settings)
    assert len(files) == 1
    stored = files[0]
    assert stored.relative_to(settings.MEDIA_ROOT).as_posix() == url.removeprefix("/media/")
    raw = stored.read_bytes()
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        exif = image.getexif()
        assert 0x8825 not in exif and not exif.get_ifd(0x8825)
        assert 0x010F not in exif and 0x0110 not in exif
        assert "comment" not in image.info
    for secret in (b"Camera Co", b"Model X", b"Secret Lane"):
        assert secret not in raw
    # An editor image is not a Photo in the library.
    assert Photo.objects.count() == 0


def test_two_uploads_with_the_same_name_do_not_collide(editor_client, upload_url, settings):
    first = send(editor_client, upload_url, name="image.jpg").json()["url"]
    second = send(editor_client, upload_url, name="image.jpg").json()["url"]
    assert first != second
    assert len(stored_files(settings)) == 2


@pytest.mark.parametrize(("name", "fmt", "content_type"), [
    ("pic.png", "PNG", "image/png"), ("pic.webp", "WEBP", "image/webp"),
    ("pic.gif", "GIF", "image/gif"),
])
def test_other_formats_are_accepted(editor_client, upload_url, settings, name, fmt,
                                    content_type):
    response = send(editor_client, upload_url, name=name, data=image_bytes(fmt, (120, 90)),
                    content_type=content_type)
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    assert url.endswith(os.path.splitext(name)[1])
    with Image.open(stored_files(settings)[0]) as image:
        assert image.format == fmt


# --- refused files: 400 with CKEditor's error shape, nothing stored ---------------------------

def test_svg_is_refused(editor_client, upload_url, settings):
    message = assert_refused(send(editor_client, upload_url, name="logo.svg", data=SVG,
                                  content_type="image/svg+xml"), settings, 400)
    assert "JPEG, PNG, WebP or GIF" in message


def test_svg_named_jpg_is_refused(editor_client, upload_url, settings):
    message = assert_refused(send(editor_client, upload_url, name="logo.jpg", data=SVG),
                             settings, 400)
    assert "not an image" in message


def test_text_file_is_refused(editor_client, upload_url, settings):
    message = assert_refused(send(editor_client, upload_url, name="notes.jpg",
                                  data=b"plain text\n" * 20, content_type="text/plain"),
                             settings, 400)
    assert "not an image" in message


def test_truncated_jpeg_is_refused(editor_client, upload_url, settings):
    data = image_bytes("JPEG", (800, 600))
    message = assert_refused(send(editor_client, upload_url, name="cut.jpg",
                                  data=data[: len(data) // 2]), settings, 400)
    assert "damaged or incomplete" in message


def test_png_named_jpg_is_refused(editor_client, upload_url, settings):
    message = assert_refused(send(editor_client, upload_url, name="lie.jpg",
                                  data=image_bytes("PNG", (50, 50))), settings, 400)
    assert "says .jpg but the file is a PNG" in message


def test_decompression_bomb_is_refused(editor_client, upload_url, settings):
    output = io.BytesIO()
    Image.new("1", (8000, 6000), 0).save(output, format="PNG", optimize=True)
    message = assert_refused(send(editor_client, upload_url, name="bomb.png",
                                  data=output.getvalue(), content_type="image/png"),
                             settings, 400)
    assert "40 megapixels" in message


def test_too_big_is_refused(editor_client, upload_url, settings):
    settings.PHOTO_MAX_BYTES = 1024 * 1024
    data = image_bytes("JPEG", (100, 100))
    data += b"\0" * (settings.PHOTO_MAX_BYTES + 1 - len(data))
    message = assert_refused(send(editor_client, upload_url, name="big.jpg", data=data),
                             settings, 400)
    assert "1 MB" in message


def test_missing_file_is_refused(editor_client, upload_url, settings):
    response = editor_client.post(upload_url, {"other": "x"})
    assert_refused(response, settings, 400)


# --- configuration ----------------------------------------------------------------------------

def test_ckeditor_upload_permission_is_staff():
    assert django_settings.CKEDITOR_5_FILE_UPLOAD_PERMISSION == "staff"


def test_the_packages_own_upload_view_is_not_routed(editor_client, settings):
    with pytest.raises(Resolver404):
        resolve("/ckeditor5/image_upload/")
    # Wherever a path resolves, it is never the package's view (which checks only is_staff).
    from django_ckeditor_5 import views as package_views

    for path in ["/image_upload/", "/ckeditor5/image_upload/", "/editor/image_upload/"]:
        with contextlib.suppress(Resolver404):
            assert resolve(path).func is not package_views.upload_file
    response = Client().post("/ckeditor5/image_upload/",
                             {"upload": SimpleUploadedFile("x.jpg", camera_jpeg())})
    assert response.status_code == 404
    response = editor_client.post("/ckeditor5/image_upload/",
                                  {"upload": SimpleUploadedFile("x.jpg", camera_jpeg())})
    assert response.status_code == 404
    assert stored_files(settings) == []


def test_the_package_view_name_is_not_routed():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("ck_editor_5_upload_file")


def test_the_editor_widget_posts_to_our_view(upload_url):
    html = str(ArticleForm()["body"])
    assert f'data-upload-url="{upload_url}"' in html
