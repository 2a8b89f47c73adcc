"""The desk's history pages and the guards of its change forms, for the story and interview
admins: the revision list (the change form's "History"), the difference between any two
revisions, restoring one, recovering a deleted one (articles.history); the edit token, who else
has the form open, and the heartbeat that keeps the session alive (articles.editing).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from reversion.admin import VersionAdmin

from . import editing, history


class HistoryAdminMixin(VersionAdmin):
    """A subclass names `restore_service(version, by=)` (its model's restore)."""

    object_history_template = "admin/desk/history.html"
    change_list_template = None  # the app's own, which links to the recover list
    restore_service = None

    class Media:
        css = {"all": ["admin_extra/desk.css"]}
        js = ["admin_extra/editing.js"]

    def _url_name(self, view):
        opts = self.model._meta
        return f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}"

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/history/compare/", wrap(self.compare_view),
                 name=f"{name}_compare"),
            path("<path:object_id>/history/<int:version_id>/restore/", wrap(self.restore_view),
                 name=f"{name}_restore"),
            path("<path:object_id>/editing/", wrap(self.editing_view), name=f"{name}_editing"),
            *super().get_urls(),
        ]

    def _object_or_404(self, request, object_id):
        # As the change form: whoever may see none of them is refused before being told
        # whether this one exists (or is one they may not see).
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def _context(self, request, obj, title, **extra):
        opts = self.model._meta
        return {
            **self.admin_site.each_context(request),
            "opts": opts,
            "app_label": opts.app_label,
            "object": obj,
            "title": title,
            "subtitle": None,
            "noun": history_noun(self.model),
            **extra,
        }

    def changelist_view(self, request, extra_context=None):
        # The list's actions (publish, unpublish) record their own revisions through the
        # services; the list itself needs no transaction (django-reversion opens one).
        extra_context = {**(extra_context or {}),
                         "can_recover": self.has_recover_permission(request)}
        return super(VersionAdmin, self).changelist_view(request, extra_context)

    def has_recover_permission(self, request):
        """See the deleted ones (what they held) and bring one back."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    # The revision list, differences, restoring -------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        obj = self._object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = list(history.versions_of(obj))
        compare_url = reverse(self._url_name("compare"), args=[obj.pk])
        rows = []
        for index, version in enumerate(versions):
            older = versions[index + 1] if index + 1 < len(versions) else None
            rows.append({
                "version": version,
                "changes_url": (f"{compare_url}?from={older.pk}&to={version.pk}"
                                if older else None),
                "restore_url": reverse(self._url_name("restore"), args=[obj.pk, version.pk]),
                "is_current": index == 0,
            })
        context = self._context(
            request, obj, f"History: {obj}", rows=rows, compare_url=compare_url,
            can_restore=self.has_change_permission(request, obj),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request, object_id):
        obj = self._object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = {version.pk: version for version in history.versions_of(obj)}
        try:
            newer = versions[int(request.GET.get("to") or max(versions, default=0))]
            older_id = request.GET.get("from")
            older = versions[int(older_id)] if older_id else None
        except (KeyError, ValueError):
            raise Http404("No such revision of this item.") from None
        if older is not None and older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        rows = history.compare(older, newer)
        changed = [row for row in rows if row.changed]
        context = self._context(
            request, obj, f"Changes to {obj}", older=older, newer=newer, changed=changed,
            unchanged=len(rows) - len(changed),
            history_url=reverse(self._url_name("history"), args=[obj.pk]),
            restore_url=reverse(self._url_name("restore"), args=[obj.pk, older.pk])
            if older is not None else None,
            can_restore=self.has_change_permission(request, obj),
        )
        return TemplateResponse(request, "admin/desk/compare.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """django-reversion's own revision page reverts in a form; ours shows what changed."""
        url = reverse(self._url_name("compare"), args=[unquote(object_id)])
        return redirect(f"{url}?to={int(version_id)}")

    def restore_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._object_or_404(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        version = get_object_or_404(history.versions_of(obj), pk=version_id)
        return self._restore(request, version, reverse(self._url_name("history"), args=[obj.pk]))

    def _restore(self, request, version, back):
        try:
            obj = self.restore_service(version, by=request.user)
        except (PermissionDenied, ValidationError) as error:
            reasons = error.messages if hasattr(error, "messages") else [str(error)]
            self.message_user(request, f"Nothing was restored: {' '.join(reasons)}",
                              messages.ERROR)
            return redirect(back)
        self.message_user(request, f"Restored the version of {history.describe(version)}. "
                                   "It is now the newest revision.", messages.SUCCESS)
        return redirect(reverse(self._url_name("change"), args=[obj.pk]))

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        version = get_object_or_404(history.deleted_versions(self.model), pk=version_id)
        back = reverse(self._url_name("recoverlist"))
        if request.method == "POST":
            return self._restore(request, version, back)
        rows = [row for row in history.compare(None, version) if row.new not in (None, "—")]
        context = self._context(request, None, f"Recover {version.object_repr}",
                                version=version, rows=rows, back_url=back)
        return TemplateResponse(request, "admin/desk/recover.html", context)

    def log_change(self, request, obj, message):
        """Keep what the services said (published, unpublished) before the admin's summary."""
        said = history.reversion.get_comment() if history.reversion.is_active() else ""
        entry = super().log_change(request, obj, message)
        if said:
            history.reversion.set_comment(f"{said} {history.reversion.get_comment()}")
        return entry

    def log_addition(self, request, obj, message):
        said = history.reversion.get_comment() if history.reversion.is_active() else ""
        entry = super().log_addition(request, obj, message)
        if said:
            history.reversion.set_comment(f"{said} {history.reversion.get_comment()}")
        return entry

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Tags and other links are set after the object's own save: record them too.
        history.include(form.instance)

    # The change form: edit token, who else has it open -----------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        return editing.with_edit_token(super().get_form(request, obj, change=change, **kwargs))

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        form = context["adminform"].form
        conflict = getattr(form, "conflict", None)
        desk = {"heartbeat_seconds": settings.NEWSROOM_EDIT_HEARTBEAT_SECONDS}
        if obj is not None and obj.pk is not None:
            desk["others"] = editing.here(obj, request.user)
            desk["heartbeat_url"] = reverse(self._url_name("editing"), args=[obj.pk])
            desk["history_url"] = reverse(self._url_name("history"), args=[obj.pk])
        if conflict is not None:
            desk["conflict"] = conflict
            desk["conflict_rows"] = history.compare_with_form(conflict.obj, form)
            if conflict.latest is not None and conflict.opened:
                desk["conflict_url"] = (reverse(self._url_name("compare"), args=[obj.pk])
                                        + f"?from={conflict.opened}&to={conflict.latest.pk}")
                desk["conflict_link"] = "See everything they changed since you opened it"
            else:  # opened before its history began: the history shows their save
                desk["conflict_url"] = desk["history_url"]
                desk["conflict_link"] = "See their save in the history"
        context["desk"] = desk
        context["edit_token_field"] = form["edit_token"]
        return super().render_change_form(request, context, add=add, change=change,
                                          form_url=form_url, obj=obj)

    def editing_view(self, request, object_id):
        """The open change form's heartbeat: who else has it open (JSON). Sent with
        `leave=1` when the form is closed. Saving the session renews it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        request.session.modified = True
        if request.POST.get("leave"):
            editing.gone(obj, request.user)
            return JsonResponse({"others": []})
        return JsonResponse({"others": editing.here(obj, request.user)})


def history_noun(model):
    name = model._meta.verbose_name
    return "story" if name == "article" else capfirst(name).lower()
