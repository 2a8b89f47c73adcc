"""The upload service: what a photo upload may be, how it is cleaned, and the files made from it.

Every image reaches the media folder through `prepare_upload`, after the same checks: a real
JPEG, PNG, WebP or GIF whose name matches its content, within the size and pixel limits, fully
decodable, with its metadata removed. Then `save_photo` stores a Photo with its WebP
renditions (the admin and the Photo form call it), and `save_editor_image` stores an image for
a story's body (CKEditor's upload view). Photo.save() itself only writes the row.
"""

import hashlib
import io
import os
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format name -> (file extensions it may carry, extension we store it under)
FORMATS = {
    "JPEG": ({".jpg", ".jpeg", ".jpe"}, ".jpg"),
    "PNG": ({".png"}, ".png"),
    "WEBP": ({".webp"}, ".webp"),
    "GIF": ({".gif"}, ".gif"),
}
ALLOWED_EXTENSIONS = sorted(ext.lstrip(".") for exts, _ in FORMATS.values() for ext in exts)
# Pillow calls a JPEG that carries extra pictures (phones' depth maps and HDR gain maps) "MPO";
# it is still a JPEG, and only its main picture is kept.
FORMAT_ALIASES = {"MPO": "JPEG"}
# The only `info` entries a re-encoded image keeps: colour and transparency, never metadata
# (Pillow writes some `info` entries, such as a JPEG comment, back out unless they are removed).
KEPT_INFO = {"icc_profile", "transparency"}


def _reject(message, code):
    raise ValidationError(message, code=code)


def _open_checked(data, name):
    """Open and fully decode `data`, or raise ValidationError saying why not."""
    max_pixels = settings.PHOTO_MAX_PIXELS
    extension = os.path.splitext(name or "")[1].lower()
    if extension not in {ext for exts, _ in FORMATS.values() for ext in exts}:
        _reject(
            "Upload a JPEG, PNG, WebP or GIF image (this file is named "
            f"“{os.path.basename(name or '') or 'without a name'}”).",
            "bad_extension",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            image_format = FORMAT_ALIASES.get(image.format, image.format)
            if image_format not in FORMATS:
                _reject(
                    f"Upload a JPEG, PNG, WebP or GIF image; this file is {image_format}.",
                    "bad_format",
                )
            width, height = image.size
            if width * height > max_pixels:
                _reject(
                    f"This image is {width}×{height} pixels; the limit is "
                    f"{max_pixels // 1_000_000} megapixels.",
                    "too_many_pixels",
                )
            # An animation is decoded frame by frame: all of its frames count.
            frames = getattr(image, "n_frames", 1)
            if frames > 1 and width * height * frames > max_pixels:
                _reject(
                    f"This animation has {frames} frames of {width}×{height} pixels; together "
                    f"they may not exceed {max_pixels // 1_000_000} megapixels.",
                    "too_many_pixels",
                )
            if extension not in FORMATS[image_format][0]:
                _reject(
                    f"The file name says {extension} but the file is a {image_format} image. "
                    "Rename it or export it again.",
                    "mismatched_type",
                )
            image.load()
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _reject("This image is too large to process (over the pixel limit).", "too_many_pixels")
        except UnidentifiedImageError:
            _reject(
                "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF.",
                "not_an_image",
            )
        except (OSError, SyntaxError, ValueError, EOFError):
            _reject("This image is damaged or incomplete; export it again.", "truncated")
    return image, image_format


def _strip_metadata(image, image_format):
    """Re-encode without EXIF, GPS, XMP or comments, after applying the EXIF orientation.

    Returns the new file's bytes and its (width, height).
    """
    output = io.BytesIO()
    if image_format == "GIF":
        frames = getattr(image, "n_frames", 1)
        image.info.pop("comment", None)
        image.save(output, format="GIF", save_all=frames > 1, optimize=False)
        return output.getvalue(), image.size
    upright = ImageOps.exif_transpose(image)
    if upright is image:
        upright = image.copy()
    upright.info = {key: value for key, value in upright.info.items() if key in KEPT_INFO}
    if image_format == "JPEG":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(output, format="JPEG", quality=90, optimize=True)
    elif image_format == "PNG":
        upright.save(output, format="PNG", optimize=True)
    else:
        upright.save(output, format="WEBP", quality=90)
    return output.getvalue(), upright.size


def prepare_upload(uploaded):
    """Check an uploaded file and return a cleaned ContentFile with a generated name.

    Raises ValidationError with a message for the editor when the file is not acceptable.
    """
    size = getattr(uploaded, "size", None)
    if size is not None and size > settings.PHOTO_MAX_BYTES:
        _reject(
            f"This file is {size / 1024 / 1024:.1f} MB; the limit is "
            f"{settings.PHOTO_MAX_BYTES // 1024 // 1024} MB.",
            "too_big",
        )
    uploaded.seek(0)
    data = uploaded.read(settings.PHOTO_MAX_BYTES + 1)
    if len(data) > settings.PHOTO_MAX_BYTES:
        _reject(f"The limit is {settings.PHOTO_MAX_BYTES // 1024 // 1024} MB.", "too_big")
    if not data:
        _reject("The file is empty.", "empty")
    image, image_format = _open_checked(data, getattr(uploaded, "name", ""))
    try:
        # Only the first frame was decoded so far; a damaged later frame of an animated GIF
        # shows up while re-encoding.
        content, size = _strip_metadata(image, image_format)
    except (OSError, SyntaxError, ValueError, EOFError):
        _reject("This image is damaged or incomplete; export it again.", "truncated")
    cleaned = ContentFile(content)
    cleaned.name = f"{uuid.uuid4().hex}{FORMATS[image_format][1]}"
    cleaned.image_size = size
    return cleaned


def rendition_widths(width):
    """The widths a photo `width` pixels wide gets: the configured ones narrower than it, and
    its own, so a small photo is never blown up."""
    return sorted({w for w in settings.PHOTO_RENDITION_WIDTHS if w < width} | {width})


def make_renditions(storage, name, folder):
    """Write WebP copies of `name` at its rendition_widths; return {width: stored name}. If one
    fails, the ones already written are removed."""
    with storage.open(name, "rb") as source:
        image = Image.open(source)
        image.load()
    if image.mode not in ("RGB", "RGBA"):
        # Grey with alpha ("LA") and palette transparency both keep their see-through parts.
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    width, height = image.size
    renditions = {}
    try:
        for target in rendition_widths(width):
            resized = image if target == width else image.resize(
                (target, max(1, round(height * target / width))), Image.Resampling.LANCZOS
            )
            output = io.BytesIO()
            resized.save(output, format="WEBP", quality=80, method=4)
            stored = storage.save(f"{folder}/{target}w.webp", ContentFile(output.getvalue()))
            renditions[str(target)] = stored
    except BaseException:
        for stored in renditions.values():
            storage.delete(stored)
        raise
    return renditions


@transaction.atomic
def save_photo(photo, upload=None):
    """Save `photo` and its files: `upload` (a file as uploaded) becomes its image once
    prepare_upload has checked and cleaned it; a new image gets its renditions.

    Raises ValidationError (nothing saved or stored) when the upload is not acceptable. A form
    that already ran prepare_upload in its clean() passes no upload.
    """
    if upload is not None:
        photo.image = prepare_upload(upload)
    photo.save()
    if photo.image and photo.renditions.get("source") != photo.image.name:
        store_renditions(photo)
    return photo


def store_renditions(photo):
    """Make the WebP widths for `srcset` of `photo`'s current image, then remove the older
    ones; if making them fails, the older ones stay and nothing new is left behind."""
    storage = photo.image.storage
    # A folder named after the original and the widths: a new image or a new set of widths
    # gets new addresses, so browsers and proxies may keep a rendition for a year
    # (newsroom.media) and never show an old one. Storage never overwrites a file.
    widths = ",".join(str(w) for w in settings.PHOTO_RENDITION_WIDTHS)
    version = hashlib.sha256(f"{photo.image.name}|{widths}".encode()).hexdigest()[:12]
    made = make_renditions(storage, photo.image.name, f"renditions/{photo.pk}/{version}")
    old = [name for width, name in photo.renditions.items() if width != "source"]
    photo.renditions = {"source": photo.image.name, **made}
    for cached in ("srcset", "best_url"):
        photo.__dict__.pop(cached, None)
    type(photo).objects.filter(pk=photo.pk).update(renditions=photo.renditions)
    for name in old:
        if name not in made.values() and storage.exists(name):
            storage.delete(name)


def renditions_current(photo):
    """Whether `photo` has a rendition at each width it should, each one stored."""
    storage = photo.image.storage
    stored = {int(w): name for w, name in photo.renditions.items() if w.isdigit()}
    return (photo.renditions.get("source") == photo.image.name
            and sorted(stored) == rendition_widths(photo.width or 0)
            and all(storage.exists(name) for name in stored.values()))


def save_editor_image(upload):
    """Store an image for a story's body (CKEditor's upload), checked and cleaned like a
    photo; returns its URL. Raises ValidationError (nothing stored) when it is not acceptable."""
    cleaned = prepare_upload(upload)
    name = default_storage.save(f"editor/{timezone.now():%Y/%m}/{cleaned.name}", cleaned)
    return default_storage.url(name)
