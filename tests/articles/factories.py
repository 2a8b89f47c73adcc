import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.images import prepare_upload, save_photo
from articles.models import Article, ArticleAuthor, Author, Correction, Photo, Section


def image_bytes(fmt="JPEG", size=(800, 450), color=(40, 90, 160), **save_options):
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, format=fmt, **save_options)
    return output.getvalue()


def image_upload(name="photo.jpg", fmt="JPEG", size=(800, 450), **save_options):
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
                    "GIF": "image/gif"}.get(fmt, "application/octet-stream")
    return SimpleUploadedFile(name, image_bytes(fmt, size, **save_options), content_type)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Reporter Number {n}")
    slug = factory.Sequence(lambda n: f"reporter-{n}")
    role = "Correspondent"


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    image = factory.LazyFunction(lambda: prepare_upload(image_upload(size=(700, 400))))
    alt_text = factory.Sequence(lambda n: f"A street scene, number {n}")
    caption = "Morning traffic on the harbour road."
    credit = "Staff photographer"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the desk makes photos: through the upload service, which writes the renditions.
        return save_photo(model_class(*args, **kwargs))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Story number {n}")
    slug = factory.Sequence(lambda n: f"story-{n}")
    standfirst = "What happened, and why it matters."
    body = "<p>The first paragraph of the story.</p>"
    section = factory.SubFactory(SectionFactory)
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        for position, author in enumerate(extracted or []):
            ArticleAuthor.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def related(self, create, extracted, **kwargs):
        if extracted:
            self.related.set(extracted)


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory)
    text = "An earlier version misspelled the minister's name."
