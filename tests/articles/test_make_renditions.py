"""`manage.py make_renditions`: existing photos brought to the widths configured now."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Photo
from tests.articles.factories import ArticleFactory, PhotoFactory, image_upload

pytestmark = pytest.mark.django_db


def widths(photo):
    return sorted(int(w) for w in photo.renditions if w.isdigit())


def stored(settings, photo):
    return [name for w, name in photo.renditions.items()
            if w.isdigit() and (Path(settings.MEDIA_ROOT) / name).exists()]


def run():
    out = StringIO()
    call_command("make_renditions", stdout=out)
    return out.getvalue()


def test_photos_get_the_new_widths_and_lose_the_old(settings):
    settings.PHOTO_RENDITION_WIDTHS = [320, 640]
    photo = PhotoFactory()  # 700 px wide
    old = dict(photo.renditions)
    assert widths(photo) == [320, 640, 700]
    settings.PHOTO_RENDITION_WIDTHS = [320, 480]
    assert "Remade the renditions of 1 photo(s); 0 already had them." in run()
    photo.refresh_from_db()
    assert widths(photo) == [320, 480, 700]
    assert len(stored(settings, photo)) == 3
    media = Path(settings.MEDIA_ROOT)
    assert not any((media / name).exists() for w, name in old.items() if w.isdigit())
    assert photo.renditions["source"] == photo.image.name
    assert (media / photo.image.name).exists()


def test_a_second_run_changes_nothing(settings):
    settings.PHOTO_RENDITION_WIDTHS = [320, 640]
    PhotoFactory.create_batch(2)
    settings.PHOTO_RENDITION_WIDTHS = [320, 480]
    run()
    before = {p.pk: dict(p.renditions) for p in Photo.objects.all()}
    assert "Remade the renditions of 0 photo(s); 2 already had them." in run()
    assert {p.pk: p.renditions for p in Photo.objects.all()} == before


def test_a_lost_rendition_file_is_made_again(settings):
    photo = PhotoFactory()
    lost = photo.renditions["320"]
    (Path(settings.MEDIA_ROOT) / lost).unlink()
    assert "Remade the renditions of 1 photo(s)" in run()
    photo.refresh_from_db()
    assert len(stored(settings, photo)) == len(widths(photo))


def test_readers_see_the_new_addresses_at_once(client, settings):
    settings.PHOTO_RENDITION_WIDTHS = [320, 640]
    story = ArticleFactory(lead_photo=PhotoFactory())
    page = client.get(story.get_absolute_url()).content.decode()
    assert "640w.webp 640w" in page
    settings.PHOTO_RENDITION_WIDTHS = [320, 480]
    run()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "480w.webp 480w" in page
    assert "640w" not in page
    photo = Photo.objects.get()
    assert client.get(photo.image.storage.url(photo.renditions["480"])).status_code == 200


def test_an_unreadable_photo_is_named_and_kept_as_it_was_while_the_others_are_remade(settings):
    settings.PHOTO_RENDITION_WIDTHS = [320, 640]
    broken, fine = PhotoFactory(), PhotoFactory()
    (Path(settings.MEDIA_ROOT) / broken.image.name).write_bytes(b"not an image any more")
    missing = PhotoFactory()
    (Path(settings.MEDIA_ROOT) / missing.image.name).unlink()
    before = dict(broken.renditions)
    settings.PHOTO_RENDITION_WIDTHS = [320, 480]
    with pytest.raises(CommandError) as error:
        run()
    message = str(error.value)
    assert f"photo {broken.pk}: {broken.image.name} could not be read" in message
    assert f"photo {missing.pk}: its file {missing.image.name} is missing" in message
    assert f"photo {fine.pk}" not in message
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.renditions == before
    assert len(stored(settings, broken)) == 3
    assert widths(fine) == [320, 480, 700]
    folder = Path(settings.MEDIA_ROOT) / "renditions" / str(broken.pk)
    assert sorted(p.name for p in folder.rglob("*.webp")) == ["320w.webp", "640w.webp",
                                                             "700w.webp"]


def test_a_new_upload_gets_the_configured_widths(settings):
    from articles.images import save_photo
    settings.PHOTO_RENDITION_WIDTHS = [320, 480, 720, 1080, 1440, 1920]
    photo = save_photo(Photo(alt_text="A quay"), image_upload(size=(1600, 900)))
    assert widths(photo) == [320, 480, 720, 1080, 1440, 1600]
