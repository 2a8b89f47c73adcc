"""Photo uploads: what is accepted, what is refused (and then nothing is stored), what is cleaned.

Uploads go through the admin's add form (as an editor) and through PhotoForm directly; both end
in articles.images.prepare_upload. settings.MEDIA_ROOT is a fresh folder for every test.
"""

import html
import io
import os
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageSequence

from articles.forms import PhotoForm
from articles.images import prepare_upload, save_editor_image, save_photo
from articles.models import Photo

from .factories import image_bytes

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/photo/add/"
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
                 "GIF": "image/gif", "MPO": "image/jpeg"}
SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
       b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
       b'<script>alert(document.cookie)</script><rect width="100" height="100"/></svg>')

# Django's own ImageField answers first for files Pillow cannot open at all; ours for the rest.
NOT_AN_IMAGE = ("not an image", "Upload a valid image")


# --- building files -------------------------------------------------------------------------

def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type)


def image_upload(fmt="JPEG", size=(800, 450), name=None, **save_options):
    name = name or f"photo.{ 'jpg' if fmt in ('JPEG', 'MPO') else fmt.lower()}"
    return upload(name, image_bytes(fmt, size, **save_options), CONTENT_TYPES[fmt])


def animated_gif(frames=3, size=(120, 80)):
    colours = [(220, 30, 30), (30, 200, 30), (30, 30, 220), (240, 240, 0)]
    images = [Image.new("RGB", size, colours[i % len(colours)]) for i in range(frames)]
    output = io.BytesIO()
    images[0].save(output, format="GIF", save_all=True, append_images=images[1:],
                   duration=120, loop=0)
    return output.getvalue()


def noisy_png(size):
    """A PNG that does not compress: about 3 bytes a pixel."""
    output = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(output, format="PNG")
    return output.getvalue()


def bomb_png(size=(8000, 6000)):
    """48 megapixels declared in a PNG of a few kilobytes: a one-bit, one-colour picture."""
    output = io.BytesIO()
    Image.new("1", size, 0).save(output, format="PNG", optimize=True)
    return output.getvalue()


def camera_exif(orientation=None):
    exif = Image.Exif()
    exif[0x010F] = "Camera Co"  # Make
    exif[0x0110] = "Model X"  # Model
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (50.0, 27.0, 0.0)
    gps[3] = "E"
    gps[4] = (30.0, 31.0, 0.0)
    return exif


def jpeg_from_camera(size=(200, 100), orientation=None, **extra):
    output = io.BytesIO()
    # Left half red, right half blue, so a rotation can be seen in the pixels.
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    image.save(output, format="JPEG", exif=camera_exif(orientation), quality=95, **extra)
    return output.getvalue()


# --- checking results -----------------------------------------------------------------------

def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def post_photo(client, image, alt_text="A crowd outside the town hall", **extra):
    data = {"alt_text": alt_text, "caption": "Protest on Main Street",
            "credit": "Staff photographer", "_save": "Save", **extra}
    if image is not None:
        data["image"] = image
    return client.post(ADD_URL, data)


def assert_accepted(response):
    assert response.status_code == 302, _form_errors(response)
    assert Photo.objects.count() == 1
    return Photo.objects.get()


def _form_errors(response):
    if response.context and "adminform" in response.context:
        return response.context["adminform"].form.errors.as_data()
    return response.content[:2000]


def assert_rejected(response, settings, *fragments, field="image"):
    """The form comes back with the error, and nothing reached the database or the disk."""
    assert response.status_code == 200
    form = response.context["adminform"].form
    errors = form.errors.get(field)
    assert errors, form.errors
    page = html.unescape(response.content.decode())
    assert any(f in message for message in errors for f in fragments), errors
    assert any(message in page for message in errors), "the error is not shown on the page"
    assert Photo.objects.count() == 0
    assert stored_files(settings) == []
    return errors


def photo_form(image, alt_text="Firefighters at the harbour", **data):
    return PhotoForm(data={"alt_text": alt_text, "caption": "", "credit": "", **data},
                     files={"image": image} if image is not None else {})


def assert_form_rejects(form, settings, *fragments, field="image"):
    assert not form.is_valid()
    errors = form.errors.get(field)
    assert errors, form.errors
    assert any(f in message for message in errors for f in fragments), errors
    assert Photo.objects.count() == 0
    assert stored_files(settings) == []


# --- accepted formats -----------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "extension"), [
    ("JPEG", ".jpg"), ("JPEG", ".jpeg"), ("PNG", ".png"), ("WEBP", ".webp"), ("GIF", ".gif"),
])
def test_each_allowed_format_is_accepted(editor_client, settings, fmt, extension):
    response = post_photo(editor_client, image_upload(fmt, (640, 360), name=f"pic{extension}"))
    photo = assert_accepted(response)
    assert (photo.width, photo.height) == (640, 360)
    assert photo.alt_text == "A crowd outside the town hall"
    assert photo.caption == "Protest on Main Street"
    assert photo.credit == "Staff photographer"
    stored_name = os.path.basename(photo.image.name)
    assert stored_name != f"pic{extension}", "the client's file name must not be reused"
    with Image.open(photo.image.path) as stored:
        assert stored.format == fmt
        assert stored.size == (640, 360)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_photo_form_accepts_each_format(settings, fmt):
    form = photo_form(image_upload(fmt, (300, 200)))
    assert form.is_valid(), form.errors
    photo = form.save()
    assert (photo.width, photo.height) == (300, 200)
    assert Photo.objects.count() == 1


def test_animated_gif_keeps_its_frames(editor_client):
    photo = assert_accepted(post_photo(editor_client, upload("loop.gif", animated_gif(4),
                                                             "image/gif")))
    with Image.open(photo.image.path) as stored:
        assert stored.format == "GIF"
        assert stored.n_frames == 4
        frames = ImageSequence.Iterator(stored)
        colours = [frame.convert("RGB").getpixel((5, 5)) for frame in frames]
    assert len(set(colours)) == 4, colours


def test_phone_jpeg_with_extra_pictures_is_accepted_as_jpeg(editor_client):
    """Phones write JPEGs with a second picture (depth or HDR map); Pillow calls them MPO."""
    output = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 200)).save(
        output, format="MPO", save_all=True, append_images=[Image.new("L", (200, 150))]
    )
    assert Image.open(io.BytesIO(output.getvalue())).format == "MPO"
    photo = assert_accepted(post_photo(editor_client, upload("IMG_0042.jpg", output.getvalue())))
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (400, 300)
        assert getattr(stored, "n_frames", 1) == 1


# --- refused files: a form error, and nothing stored ----------------------------------------

def test_svg_named_svg_is_rejected(editor_client, settings):
    response = post_photo(editor_client, upload("drawing.svg", SVG, "image/svg+xml"))
    assert_rejected(response, settings, "Upload a JPEG", *NOT_AN_IMAGE)


def test_svg_named_jpg_is_rejected(editor_client, settings):
    response = post_photo(editor_client, upload("drawing.jpg", SVG))
    assert_rejected(response, settings, *NOT_AN_IMAGE)


def test_text_file_named_jpg_is_rejected(editor_client, settings):
    response = post_photo(editor_client, upload("notes.jpg", b"Meeting notes, not a photo.\n" * 50))
    assert_rejected(response, settings, *NOT_AN_IMAGE)


def test_png_named_jpg_is_rejected(editor_client, settings):
    response = post_photo(editor_client, upload("holiday.jpg", image_bytes("PNG", (300, 200))))
    errors = assert_rejected(response, settings, "says .jpg but the file is a PNG")
    assert "Rename it or export it again" in errors[0]


def test_jpeg_named_png_is_rejected(settings):
    form = photo_form(upload("chart.png", image_bytes("JPEG", (300, 200)), "image/png"))
    assert_form_rejects(form, settings, "says .png but the file is a JPEG")


def test_gif_named_webp_is_rejected(settings):
    form = photo_form(upload("loop.webp", animated_gif(), "image/webp"))
    assert_form_rejects(form, settings, "says .webp but the file is a GIF")


def test_other_image_format_is_rejected(settings):
    output = io.BytesIO()
    Image.new("RGB", (50, 50)).save(output, format="BMP")
    form = photo_form(upload("scan.jpg", output.getvalue()))
    assert_form_rejects(form, settings, "this file is BMP")


def test_truncated_jpeg_is_rejected(editor_client, settings):
    data = jpeg_from_camera(size=(800, 600))
    response = post_photo(editor_client, upload("cut.jpg", data[: len(data) // 2]))
    assert_rejected(response, settings, "damaged or incomplete")


def test_truncated_png_is_rejected(settings):
    data = noisy_png((200, 200))
    form = photo_form(upload("cut.png", data[: len(data) // 2], "image/png"))
    assert_form_rejects(form, settings, "damaged or incomplete", *NOT_AN_IMAGE)


def test_animated_gif_damaged_after_its_first_frame_is_rejected(editor_client, settings):
    frames = [Image.frombytes("RGB", (200, 150), os.urandom(200 * 150 * 3)) for _ in range(4)]
    output = io.BytesIO()
    frames[0].save(output, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    data = output.getvalue()
    response = post_photo(editor_client, upload("cut.gif", data[: int(len(data) * 0.7)],
                                                "image/gif"))
    assert_rejected(response, settings, "damaged or incomplete")


def test_decompression_bomb_is_rejected(editor_client, settings):
    data = bomb_png((8000, 6000))
    assert len(data) < 100_000  # tiny on disk, 48 megapixels once decoded
    response = post_photo(editor_client, upload("bomb.png", data, "image/png"))
    errors = assert_rejected(response, settings, "megapixels", "pixel limit")
    assert "8000×6000" in errors[0]
    assert "40 megapixels" in errors[0]


def test_image_over_pillows_own_bomb_limit_is_rejected(settings):
    # 15000 x 12000 = 180 megapixels: Pillow itself refuses to open it.
    form = photo_form(upload("huge.png", bomb_png((15000, 12000)), "image/png"))
    assert_form_rejects(form, settings, "pixel limit", "megapixels", *NOT_AN_IMAGE)


def test_pixel_limit_follows_the_setting(settings):
    settings.PHOTO_MAX_PIXELS = 100_000
    form = photo_form(image_upload("JPEG", (400, 300)))  # 120,000 pixels
    assert_form_rejects(form, settings, "400×300 pixels")
    settings.PHOTO_MAX_PIXELS = 120_000
    assert photo_form(image_upload("JPEG", (400, 300))).is_valid()


def test_file_over_the_byte_limit_is_rejected(editor_client, settings):
    settings.PHOTO_MAX_BYTES = 1024 * 1024
    data = noisy_png((700, 700))  # about 1.4 MB
    assert len(data) > settings.PHOTO_MAX_BYTES
    response = post_photo(editor_client, upload("big.png", data, "image/png"))
    errors = assert_rejected(response, settings, "the limit is 1 MB")
    assert "MB" in errors[0]


def test_file_just_over_25_mb_is_rejected(editor_client, settings):
    """A real 25 MB + 1 byte upload: a valid JPEG followed by random bytes."""
    assert settings.PHOTO_MAX_BYTES == 25 * 1024 * 1024
    head = jpeg_from_camera(size=(400, 300))
    data = head + os.urandom(settings.PHOTO_MAX_BYTES + 1 - len(head))
    started = time.monotonic()
    response = post_photo(editor_client, upload("huge.jpg", data))
    assert time.monotonic() - started < 10
    assert_rejected(response, settings, "the limit is 25 MB")


def test_file_at_the_byte_limit_is_not_refused_for_its_size(settings):
    settings.PHOTO_MAX_BYTES = 1024 * 1024
    head = image_bytes("JPEG", (300, 200))
    data = head + b"\0" * (settings.PHOTO_MAX_BYTES - len(head))
    form = photo_form(upload("padded.jpg", data))
    assert form.is_valid(), form.errors


def test_empty_file_is_rejected(editor_client, settings):
    response = post_photo(editor_client, upload("empty.jpg", b""))
    assert_rejected(response, settings, "empty", *NOT_AN_IMAGE)


def test_photo_without_a_file_is_rejected(editor_client, settings):
    assert_rejected(post_photo(editor_client, None), settings, "required")


# --- alt text ---------------------------------------------------------------------------------

def test_alt_text_is_required_in_the_admin(editor_client, settings):
    response = post_photo(editor_client, image_upload("JPEG", (300, 200)), alt_text="")
    assert_rejected(response, settings, "required", field="alt_text")


def test_alt_text_is_required_in_the_form(settings):
    form = photo_form(image_upload("JPEG", (300, 200)), alt_text="")
    assert_form_rejects(form, settings, "required", field="alt_text")
    form = photo_form(image_upload("JPEG", (300, 200)), alt_text="   ")
    assert_form_rejects(form, settings, "required", field="alt_text")


# --- metadata -------------------------------------------------------------------------------

def test_gps_and_camera_exif_are_stripped(editor_client):
    data = jpeg_from_camera(size=(300, 200), comment=b"Shot at 12 Secret Lane")
    source = Image.open(io.BytesIO(data)).getexif()
    assert source[0x010F] == "Camera Co" and source.get_ifd(0x8825)  # the fixture is right
    photo = assert_accepted(post_photo(editor_client, upload("IMG_1234.jpg", data)))
    raw = Path(photo.image.path).read_bytes()
    with Image.open(photo.image.path) as stored:
        exif = stored.getexif()
        assert 0x010F not in exif  # Make
        assert 0x0110 not in exif  # Model
        assert 0x8825 not in exif  # GPS IFD pointer
        assert not exif.get_ifd(0x8825)
        assert "exif" not in stored.info
        assert "comment" not in stored.info
    for secret in (b"Camera Co", b"Model X", b"Secret Lane"):
        assert secret not in raw


@pytest.mark.parametrize(("fmt", "extension"), [("PNG", ".png"), ("WEBP", ".webp")])
def test_exif_is_stripped_from_png_and_webp(settings, fmt, extension):
    output = io.BytesIO()
    Image.new("RGB", (120, 80), (1, 2, 3)).save(output, format=fmt, exif=camera_exif())
    form = photo_form(upload(f"pic{extension}", output.getvalue(), CONTENT_TYPES[fmt]))
    assert form.is_valid(), form.errors
    photo = form.save()
    with Image.open(photo.image.path) as stored:
        exif = stored.getexif()
        assert 0x010F not in exif and 0x0110 not in exif and 0x8825 not in exif
    assert b"Camera Co" not in Path(photo.image.path).read_bytes()


def test_orientation_is_applied_before_exif_is_removed(editor_client):
    data = jpeg_from_camera(size=(200, 100), orientation=6)
    photo = assert_accepted(post_photo(editor_client, upload("sideways.jpg", data)))
    assert (photo.width, photo.height) == (100, 200)
    with Image.open(photo.image.path) as stored:
        assert stored.size == (100, 200)
        assert dict(stored.getexif()) == {}
        # Orientation 6 turns the picture clockwise: the left (red) half ends up on top.
        top = stored.convert("RGB").getpixel((50, 20))
        bottom = stored.convert("RGB").getpixel((50, 180))
    assert top[0] > 150 and top[2] < 100, top
    assert bottom[2] > 150 and bottom[0] < 100, bottom


# --- renditions -----------------------------------------------------------------------------

def test_renditions_are_made_at_each_narrower_width_plus_the_original(editor_client, settings):
    photo = assert_accepted(post_photo(editor_client, image_upload("JPEG", (2000, 1000))))
    assert photo.renditions["source"] == photo.image.name
    widths = sorted(int(w) for w in photo.renditions if w.isdigit())
    assert widths == [320, 480, 720, 1080, 1440, 1920, 2000]
    for width in widths:
        name = photo.renditions[str(width)]
        assert name.startswith(f"renditions/{photo.pk}/")
        with Image.open(Path(settings.MEDIA_ROOT) / name) as rendition:
            assert rendition.format == "WEBP"
            assert rendition.size == (width, width // 2)
    srcset = photo.srcset
    for width in widths:
        assert f"{settings.MEDIA_URL}{photo.renditions[str(width)]} {width}w" in srcset
    # Shared links and search results get the narrowest one at least 1,200 px wide.
    assert photo.best_url.endswith(photo.renditions["1440"])


def test_small_photo_is_never_upscaled(settings):
    form = photo_form(image_upload("PNG", (300, 200)))
    assert form.is_valid(), form.errors
    photo = form.save()
    assert {k: v for k, v in photo.renditions.items() if k != "source"}.keys() == {"300"}
    with Image.open(Path(settings.MEDIA_ROOT) / photo.renditions["300"]) as rendition:
        assert rendition.size == (300, 200)
    assert photo.srcset.endswith(" 300w")
    assert "," not in photo.srcset


def test_renditions_keep_transparency(settings):
    output = io.BytesIO()
    Image.new("LA", (400, 200), (90, 0)).save(output, format="PNG")  # grey, fully see-through
    form = photo_form(upload("logo.png", output.getvalue(), "image/png"))
    assert form.is_valid(), form.errors
    photo = form.save()
    with Image.open(Path(settings.MEDIA_ROOT) / photo.renditions["320"]) as rendition:
        assert rendition.mode == "RGBA"
        assert rendition.getpixel((10, 10))[3] == 0


def test_editing_the_caption_keeps_the_renditions(editor_client, settings):
    photo = assert_accepted(post_photo(editor_client, image_upload("JPEG", (1000, 500))))
    before_renditions = dict(photo.renditions)
    before_files = stored_files(settings)
    before_mtimes = {path: path.stat().st_mtime_ns for path in before_files}
    change_url = reverse("admin:articles_photo_change", args=[photo.pk])
    assert editor_client.get(change_url).status_code == 200

    response = editor_client.post(change_url, {
        "alt_text": photo.alt_text, "caption": "A new caption", "credit": "Agency",
        "_save": "Save",
    })
    assert response.status_code == 302, _form_errors(response)
    photo.refresh_from_db()
    assert photo.caption == "A new caption"
    assert photo.renditions == before_renditions
    assert stored_files(settings) == before_files
    assert {path: path.stat().st_mtime_ns for path in before_files} == before_mtimes

    # Saving through the model (not the form) does not regenerate them either.
    photo.credit = "Another agency"
    photo.save()
    photo.refresh_from_db()
    assert photo.renditions == before_renditions
    assert stored_files(settings) == before_files


def test_form_caption_edit_keeps_the_image_and_renditions(settings):
    form = photo_form(image_upload("JPEG", (700, 400)))
    assert form.is_valid(), form.errors
    photo = form.save()
    image_name, renditions = photo.image.name, dict(photo.renditions)
    edit = PhotoForm(data={"alt_text": photo.alt_text, "caption": "Changed", "credit": ""},
                     files={}, instance=photo)
    assert edit.is_valid(), edit.errors
    edit.save()
    photo.refresh_from_db()
    assert photo.image.name == image_name
    assert photo.renditions == renditions


def test_replacing_the_image_makes_new_renditions(settings):
    form = photo_form(image_upload("JPEG", (700, 400)))
    assert form.is_valid(), form.errors
    photo = form.save()
    old = dict(photo.renditions)
    edit = PhotoForm(data={"alt_text": photo.alt_text, "caption": "", "credit": ""},
                     files={"image": image_upload("PNG", (500, 250))}, instance=photo)
    assert edit.is_valid(), edit.errors
    edit.save()
    photo.refresh_from_db()
    assert photo.renditions["source"] == photo.image.name != old["source"]
    assert sorted(int(w) for w in photo.renditions if w.isdigit()) == [320, 480, 500]
    assert (photo.width, photo.height) == (500, 250)


def test_rejected_replacement_keeps_the_old_image(settings):
    form = photo_form(image_upload("JPEG", (700, 400)))
    assert form.is_valid(), form.errors
    photo = form.save()
    files = stored_files(settings)
    edit = PhotoForm(data={"alt_text": photo.alt_text, "caption": "", "credit": ""},
                     files={"image": upload("evil.jpg", SVG)}, instance=photo)
    assert not edit.is_valid()
    assert "image" in edit.errors
    photo.refresh_from_db()
    assert stored_files(settings) == files
    assert Photo.objects.count() == 1


def test_upload_field_offers_only_the_allowed_types():
    accept = PhotoForm().fields["image"].widget.attrs["accept"].split(",")
    assert {".jpg", ".jpeg", ".png", ".webp", ".gif"} <= set(accept)
    assert ".svg" not in accept


def test_reporter_can_upload_a_photo(reporter_client, settings):
    response = post_photo(reporter_client, image_upload("JPEG", (320, 240)))
    assert_accepted(response)


def test_long_animation_over_the_pixel_budget_is_refused(settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    frames = [Image.new("RGB", (400, 400), (index * 25, 0, 0)) for index in range(10)]  # 1.6 MP
    output = io.BytesIO()
    frames[0].save(output, format="GIF", save_all=True, append_images=frames[1:])
    upload = SimpleUploadedFile("loop.gif", output.getvalue(), "image/gif")
    with pytest.raises(ValidationError) as error:
        prepare_upload(upload)
    assert "10 frames" in error.value.messages[0]


# --- the upload service -------------------------------------------------------------------------

def test_the_upload_service_cleans_stores_and_makes_renditions(settings):
    photo = save_photo(Photo(alt_text="The pier at dawn"),
                       upload("camera.jpg", jpeg_from_camera(size=(800, 400))))
    assert Photo.objects.get() == photo
    with Image.open(Path(settings.MEDIA_ROOT) / photo.image.name) as stored:
        assert not stored.getexif()
    assert sorted(int(w) for w in photo.renditions if w.isdigit()) == [320, 480, 720, 800]
    assert all(name.startswith(f"renditions/{photo.pk}/")
               for width, name in photo.renditions.items() if width.isdigit())


def test_the_upload_service_refuses_a_bad_file_and_stores_nothing(settings):
    with pytest.raises(ValidationError):
        save_photo(Photo(alt_text="Not a photo"), upload("evil.jpg", SVG))
    assert Photo.objects.count() == 0
    assert stored_files(settings) == []


def test_the_admin_and_the_form_save_photos_through_the_upload_service(editor_client,
                                                                       monkeypatch):
    import articles.admin
    import articles.forms

    used = []

    def spy(photo, upload=None):
        used.append(photo.alt_text)
        return save_photo(photo, upload)

    monkeypatch.setattr(articles.admin, "save_photo", spy)
    monkeypatch.setattr(articles.forms, "save_photo", spy)
    assert_accepted(post_photo(editor_client, image_upload("JPEG", (640, 320)),
                               alt_text="Through the admin"))
    form = photo_form(image_upload("PNG", (320, 160)), alt_text="Through the form")
    assert form.is_valid(), form.errors
    form.save()
    assert used == ["Through the admin", "Through the form"]


def test_the_editor_image_service_stores_a_cleaned_copy(settings):
    url = save_editor_image(upload("camera.jpg", jpeg_from_camera()))
    assert url.startswith(f"{settings.MEDIA_URL}editor/")
    [stored] = stored_files(settings)
    with Image.open(stored) as image:
        assert not image.getexif()
    with pytest.raises(ValidationError):
        save_editor_image(upload("evil.jpg", SVG))
    assert stored_files(settings) == [stored]
