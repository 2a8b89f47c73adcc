"""The admin's "Import story" page: upload a .txt or .md file, get a draft to edit."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from articles import publishing
from articles.importing import ImportProblem
from articles.models import Article, Section

from .importing import import_file

ALLOWED_SUFFIXES = (".txt", ".md", ".markdown", ".text")


class ImportStoryForm(forms.Form):
    file = forms.FileField(
        help_text="A plain-text (.txt) or Markdown (.md) file, UTF-8.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES)}),
    )
    section = forms.ModelChoiceField(
        queryset=Section.objects.all(), required=False, empty_label="— as the file says —",
        help_text="Used when the file has no “Home » Section” line; without a choice such "
                  "a story goes into the section for imports (NEWSROOM_IMPORT_SECTION) as a "
                  "draft.",
    )
    create_sections = forms.BooleanField(
        required=False, label="Create missing sections",
        help_text="Tick to create a section the file names that does not exist yet.",
    )
    publish = forms.BooleanField(
        required=False, label="Publish at once",
        help_text="Otherwise the story is saved as a draft. An interview is published only "
                  "when every question is answered.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise ValidationError(f"“{upload.name}” is not a .txt or .md file.")
        return upload


def import_story_view(request):
    # The page is the editors' (it creates sections, authors and guests, and may publish); what
    # one import may do is then the policy's, for request.user, as in the rest of the admin.
    user = request.user
    if not (publishing.can_add(user, Article) and publishing.can_publish(user, Article)):
        raise PermissionDenied
    form = ImportStoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            result = import_file(
                upload.name, upload.read(), by=user, publish=data["publish"],
                create_sections=data["create_sections"], section=data["section"],
                source="the admin's Import story page",
            )
        except ImportProblem as problem:
            form.add_error("file", f"{problem.where(upload.name)}: {problem.message}. "
                                   "Nothing was imported.")
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, "; ".join(getattr(error, "messages", [str(error)])))
        else:
            verb = "Imported" if result.created else "Updated"
            messages.success(request, f"{verb} “{result.article.title}” from {upload.name}.")
            for entry in result.report:
                messages.info(request, entry)
            return redirect(reverse("admin:articles_article_change", args=[result.article.pk]))
    context = {
        **admin.site.each_context(request),
        "title": "Import a story",
        "form": form,
        "opts": Section._meta,  # breadcrumbs: the desk's app
    }
    return TemplateResponse(request, "admin/import_story.html", context)
