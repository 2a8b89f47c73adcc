"""The desk's front page (one row: lead, ordered featured slots, pinned interview) with a
preview of the page as the form stands, and the site's simple pages (about, contact)."""

import nested_admin
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django_ckeditor_5.widgets import CKEditor5Widget

from articles.models import Article

from . import front
from .context_processors import sections_for
from .models import FrontPage, FrontPageSlot, Page
from .views import show_front_page


class FrontPageSlotInline(nested_admin.NestedTabularInline):
    model = FrontPageSlot
    fields = ["article", "until", "position"]
    sortable_field_name = "position"  # drag the rows to order them
    autocomplete_fields = ["article"]
    extra = 0
    max_num = front.FEATURED_COUNT

    def get_formset(self, request, obj=None, **kwargs):
        # More slots than the page has places is an error, not rows silently dropped.
        return super().get_formset(request, obj, validate_max=True, **kwargs)


@admin.register(FrontPage)
class FrontPageAdmin(nested_admin.NestedModelAdmin):
    inlines = [FrontPageSlotInline]
    autocomplete_fields = ["lead", "interview"]
    fieldsets = [
        (None, {"fields": ["is_live"]}),
        ("Lead story", {"fields": ["lead", "lead_until"]}),
        ("Interview", {"fields": ["interview", "interview_until"]}),
    ]
    change_form_template = "admin/newsroom/frontpage/change_form.html"

    # One front page: the list is its form --------------------------------------------------

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not FrontPage.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        existing = FrontPage.objects.first()
        if existing is not None:
            return redirect("admin:newsroom_frontpage_change", existing.pk)
        return redirect("admin:newsroom_frontpage_add")

    def response_post_save_change(self, request, obj):
        return redirect("admin:newsroom_frontpage_change", obj.pk)

    response_post_save_add = response_post_save_change

    # The preview: the page as the submitted form would make it, nothing saved ---------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_preview" in request.POST:
            response = self.preview(request, object_id)
            if response is not None:
                return response
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def preview(self, request, object_id):
        """The front page with the submitted curation, for staff only and never cached.
        None when the form has errors: the form is then shown again with them."""
        obj = self.get_object(request, object_id) if object_id else None
        if object_id and obj is None:
            return None
        if not (self.has_change_permission(request, obj) if obj
                else self.has_add_permission(request)):
            return None
        form = self.get_form(request, obj, change=obj is not None)(
            request.POST, instance=obj or FrontPage())
        formsets, _ = self._create_formsets(request, form.instance, change=obj is not None)
        if not (form.is_valid() and all(formset.is_valid() for formset in formsets)):
            return None
        data = form.cleaned_data
        rows = [f.cleaned_data for formset in formsets for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        rows.sort(key=lambda row: row.get("position") or 0)
        curation = front.Curation(
            lead_id=data["lead"].pk if data["lead"] else None, lead_until=data["lead_until"],
            slots=[(row["article"].pk, row["until"]) for row in rows],
            interview_id=data["interview"].pk if data["interview"] else None,
            interview_until=data["interview_until"],
        )
        content = front.build(curation, sections_for(request))
        chosen = [data["lead"], *(row["article"] for row in rows)]
        skipped = [article for article in chosen
                   if isinstance(article, Article) and not article.is_public]
        show_front_page(request, content)
        response = render(request, "home.html", {
            "front": content, "front_preview": True, "skipped": skipped,
            "back_url": reverse("admin:newsroom_frontpage_changelist"),
        })
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        return response


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "in_footer", "position", "updated_at"]
    list_editable = ["in_footer", "position"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "body"]
    formfield_overrides = {models.TextField: {"widget": CKEditor5Widget(config_name="default")}}
