"""The admin's "Import from WordPress" page: upload an export (and a zip of the uploads), get
the same summary as `manage.py import_wordpress`."""

import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from articles.images import ALLOWED_EXTENSIONS
from articles.models import Section

from .importer import ExportError, find_uploads, import_export

# A zip of uploads is unpacked to a temporary folder: at most this much, images only.
MAX_UNPACKED_BYTES = 4 * 1024 * 1024 * 1024
IMAGE_SUFFIXES = {f".{extension}" for extension in ALLOWED_EXTENSIONS}


def parse_category_map(text):
    """"slug = Section" lines as {slug: section}; ValidationError naming a bad line."""
    mapping = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        slug, sep, section = line.partition("=")
        if not sep or not slug.strip() or not section.strip():
            raise ValidationError(f"Line {number}: write it as category-slug = Section name.")
        mapping[slug.strip()] = section.strip()
    return mapping


class ImportWordPressForm(forms.Form):
    export = forms.FileField(
        label="WordPress export",
        help_text="The .xml file WordPress writes in Tools → Export → All content.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xml"}),
    )
    media = forms.FileField(
        label="Uploads (zip)", required=False,
        help_text="Optional: a zip of the site's wp-content/uploads folder. Without it the "
                  "stories are imported without their images.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip"}),
    )
    pages = forms.BooleanField(
        label="Import pages too", required=False,
        help_text="Pages become stories in the section “Pages”; otherwise they are counted and "
                  "left out.",
    )
    categories = forms.CharField(
        label="Category → section", required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Optional, one per line: category-slug = Section name. Without a line, a "
                  "subcategory goes to the section of its top category.",
    )

    def clean_export(self):
        upload = self.cleaned_data["export"]
        if not upload.name.lower().endswith(".xml"):
            raise ValidationError(f"“{upload.name}” is not an .xml file: upload the export "
                                  "WordPress wrote.")
        return upload

    def clean_media(self):
        upload = self.cleaned_data.get("media")
        if upload and not zipfile.is_zipfile(upload):
            raise ValidationError(f"“{upload.name}” is not a zip file.")
        return upload

    def clean_categories(self):
        return parse_category_map(self.cleaned_data.get("categories"))


def unpack_uploads(upload, folder):
    """Unpack the images of a zip to `folder`; return the uploads folder inside it. Refuses
    (ValidationError) names that climb out of the folder and archives that unpack too big."""
    total = 0
    with zipfile.ZipFile(upload) as archive:
        for info in archive.infolist():
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if info.is_dir() or name.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            if name.is_absolute() or ".." in name.parts:
                raise ValidationError(f"The zip holds a file outside its folder: {info.filename}")
            total += info.file_size
            if total > MAX_UNPACKED_BYTES:
                raise ValidationError("The zip unpacks to more than 4 GB of images; import it "
                                      "with manage.py import_wordpress --media instead.")
            target = Path(folder, *name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, target.open("wb") as destination:
                shutil.copyfileobj(source, destination)
    return find_uploads(folder)


def import_wordpress_view(request):
    # Editors only, as the "Import story" page: the import creates sections, bylines and
    # users, and publishes what WordPress had published.
    user = request.user
    if not (user.has_perm("articles.add_article") and user.has_perm("articles.publish_article")):
        raise PermissionDenied
    form = ImportWordPressForm(request.POST or None, request.FILES or None)
    summary = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        export = data["export"]
        with tempfile.TemporaryDirectory(prefix="newsroom-wordpress-") as folder:
            try:
                media = unpack_uploads(data["media"], folder) if data["media"] else None
                summary = import_export(export, name=export.name, media=media,
                                        pages=data["pages"], category_map=data["categories"],
                                        by=user)
            except zipfile.BadZipFile as error:
                form.add_error("media", f"The zip cannot be read: {error}.")
            except ValidationError as error:
                form.add_error("media", error)
            except ExportError as error:
                form.add_error("export", f"{error.where(export.name)}: {error.message}. "
                                         "Nothing was imported.")
    context = {
        **admin.site.each_context(request),
        "title": "Import from WordPress",
        "form": form,
        "summary": summary,
        "opts": Section._meta,  # breadcrumbs: the desk's app
    }
    return TemplateResponse(request, "admin/import_wordpress.html", context)
