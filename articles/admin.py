from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from taggit.models import Tag, TaggedItem

from . import previews, publishing, services
from .admin_history import HistoryAdminMixin
from .admin_paging import ArchivePaginator, BoundedChangeList
from .admin_widgets import CheckedAutocompleteMixin
from .forms import ArticleForm, PhotoForm
from .images import save_photo
from .models import Article, ArticleAuthor, Author, Correction, Photo, Section


def thumbnail(photo, width=120):
    if not photo or not photo.image:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" width="{}" class="newsroom-thumb">',
        photo.best_url, photo.alt_text, width,
    )


def can_edit(request, obj):
    """publishing.can_edit for request.user, asked once per request and stored row: the change
    form asks it of the row, and of it again for each part and question of an interview."""
    if obj.pk is None:
        return publishing.can_edit(request.user, obj)
    if not hasattr(request, "editable_rows"):
        request.editable_rows = {}
    key = (obj._meta.label, obj.pk)
    if key not in request.editable_rows:
        request.editable_rows[key] = publishing.can_edit(request.user, obj)
    return request.editable_rows[key]


class PublishingAdminMixin:
    """What the desk's admins for public things (stories, interviews) share, all of it asked of
    the publishing policy (articles.publishing): who may change which one, the status badge,
    the publish and unpublish actions (only offered to those who may use them), the form's
    status choices, the fields only publishers set, no deleting what one may not change, and
    "view on site" that opens the preview until the thing is public.

    A subclass names its services: `publish_service(obj, by=, at=)`,
    `unpublish_service(obj, by=)`, and its `noun` for messages.
    """

    publisher_only_fields = ["publish_at"]
    noun = ("item", "items")

    def can_publish(self, user):
        return publishing.can_publish(user, self.model)

    def has_publish_permission(self, request):
        return self.can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or can_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.can_publish(request.user):
            fields += self.publisher_only_fields
        return fields

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_public else obj.get_preview_url()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        extra = self.get_form_extra_kwargs(request)

        class FormForUser(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, **extra, **inner)

        return FormForUser

    def get_form_extra_kwargs(self, request):
        """What the form is built with besides the data: the user the policy asks about."""
        return {"user": request.user}

    @admin.display(description="Status", ordering="status")
    def state(self, obj):
        if obj.is_scheduled:
            when = timezone.localtime(obj.public_from())
            label = "Embargoed until" if when != timezone.localtime(obj.publish_at) else (
                "Scheduled for")
            return format_html('<span class="newsroom-state scheduled">{} {}</span>',
                               label, f"{when:%d %b %Y %H:%M}")
        return format_html('<span class="newsroom-state {}">{}</span>',
                           obj.status, obj.get_status_display())

    def run_service(self, request, queryset, action, done):
        """Run service `action` on each selected one as request.user; report what it did and,
        one by one, what the services refused."""
        count = 0
        for obj in queryset:
            try:
                action(obj, by=request.user)
                count += 1
            except (ValidationError, PermissionDenied) as error:
                reasons = error.messages if hasattr(error, "messages") else [str(error)]
                self.message_user(request, f"{obj}: {' '.join(reasons)}", messages.ERROR)
        if count:
            self.message_user(request, f"{count} {self.noun[count != 1]} {done}.",
                              messages.SUCCESS)

    @admin.action(description="Publish (or schedule, when the time is in the future)",
                  permissions=["publish"])
    def publish(self, request, queryset):
        self.run_service(request, queryset, self.publish_service, "published")

    @admin.action(description="Unpublish", permissions=["publish"])
    def unpublish(self, request, queryset):
        self.run_service(request, queryset, self.unpublish_service, "unpublished")


class PreviewLinksAdminMixin:
    """Preview links (articles/previews.py) on a story's or interview's change form: the panel
    under the form (admin/articles/preview_links.html, included by each change_form.html) and
    the two buttons it posts. The buttons post the change form to their own addresses
    (formaction): making or revoking a link does not save the story."""

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        own = [
            path("<int:pk>/preview-links/", self.admin_site.admin_view(self.make_preview_link),
                 name=f"{name}_preview_link_add"),
            path("<int:pk>/preview-links/<int:link>/revoke/",
                 self.admin_site.admin_view(self.revoke_preview_link),
                 name=f"{name}_preview_link_revoke"),
        ]
        return own + super().get_urls()

    def _admin_url(self, what, *args):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{what}", args=args)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        target = (self.model.objects.filter(pk=object_id).first()
                  if str(object_id).isdigit() else None)
        panel = None
        if target is not None and publishing.can_share_preview(request.user, target):
            links = list(target.preview_links.active().select_related("created_by"))
            for link in links:
                link.revoke_url = self._admin_url("preview_link_revoke", target.pk, link.pk)
            panel = {
                "target": target, "links": links, "lifetimes": previews.LIFETIMES,
                "add_url": self._admin_url("preview_link_add", target.pk),
                "embargo": target.embargo_end(),
            }
        extra_context = {**(extra_context or {}), "preview_panel": panel}
        return super().change_view(request, object_id, form_url, extra_context)

    def _target_for_links(self, request, pk):
        target = self.model.objects.filter(pk=pk).first()
        if target is None or not publishing.can_share_preview(request.user, target):
            raise PermissionDenied
        return target

    def make_preview_link(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        target = self._target_for_links(request, pk)
        try:
            link, url = previews.create_link(
                target, by=request.user, lifetime=request.POST.get("preview_lifetime", ""),
                allow_before_embargo=request.POST.get("preview_allow_before_embargo") == "on",
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            address = request.build_absolute_uri(url)
            expires = timezone.localtime(link.expires_at)
            self.message_user(request, format_html(
                'Preview link made; it works until {}. Copy it now, it is not shown again: '
                '<input type="text" readonly class="vLargeTextField newsroom-preview-url" '
                'value="{}" aria-label="Preview link">', f"{expires:%d %b %Y %H:%M}", address,
            ), messages.SUCCESS)
        return HttpResponseRedirect(self._admin_url("change", pk))

    def revoke_preview_link(self, request, pk, link):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        target = self._target_for_links(request, pk)
        found = target.preview_links.filter(pk=link).first()
        if found is None:
            self.message_user(request, "That preview link does not exist.", messages.ERROR)
        else:
            previews.revoke_link(found, by=request.user)
            self.message_user(request, "Preview link revoked: it no longer opens the page.",
                              messages.SUCCESS)
        return HttpResponseRedirect(self._admin_url("change", pk))


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(CheckedAutocompleteMixin, admin.ModelAdmin):
    list_display = ["name", "role", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "role"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["photo"]
    raw_id_fields = ["user"]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    form = PhotoForm
    list_display = ["preview", "caption", "credit", "dimensions", "uploaded_at"]
    search_fields = ["caption", "credit", "alt_text"]
    date_hierarchy = "uploaded_at"
    readonly_fields = ["preview_large", "dimensions"]
    fields = ["image", "preview_large", "dimensions", "alt_text", "caption", "credit"]

    class Media:
        css = {"all": ["admin_extra/desk.css"]}

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or publishing.can_publish(request.user, Article):
            return True
        # What readers already see (a live story's photo, a byline photo) is the editors'.
        return not (
            obj.lead_of.filter(pk__in=Article.objects.published()).exists()
            or Author.objects.filter(photo=obj).exists()
        )

    def save_model(self, request, obj, form, change):
        save_photo(obj)  # the form already checked and cleaned a new upload

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="Photo")
    def preview(self, photo):
        return thumbnail(photo, 96)

    @admin.display(description="Preview")
    def preview_large(self, photo):
        return thumbnail(photo, 480)

    @admin.display(description="Size")
    def dimensions(self, photo):
        return f"{photo.width} × {photo.height}" if photo.width else "—"


class TagFilter(admin.SimpleListFilter):
    """The tags of the newest stories, most used first (and the chosen one).

    Listing every tag an archive ever used (thousands) made the sidebar, not the stories, the
    slow part of the page; any other tag is one click away on a story. Filtering is a
    `pk IN (tagged stories)`, so the list is not made DISTINCT either."""

    title = "tag"
    parameter_name = "tag"
    newest = 500  # stories whose tags are offered
    offered = 30

    def lookups(self, request, model_admin):
        newest = Article.objects.order_by("-publish_at", "-pk").values("pk")[: self.newest]
        tags = (Tag.objects.filter(taggit_taggeditem_items__content_type=self._content_type(),
                                   taggit_taggeditem_items__object_id__in=newest)
                .annotate(uses=Count("taggit_taggeditem_items"))
                .order_by("-uses", "name")[: self.offered])
        choices = [(str(tag.pk), tag.name) for tag in tags]
        chosen = self._chosen()
        if chosen is not None and str(chosen) not in dict(choices):
            tag = Tag.objects.filter(pk=chosen).first()
            if tag is not None:
                choices.insert(0, (str(tag.pk), tag.name))
        return choices

    def queryset(self, request, queryset):
        chosen = self._chosen()
        if chosen is None:
            return queryset
        tagged = TaggedItem.objects.filter(content_type=self._content_type(), tag_id=chosen)
        return queryset.filter(pk__in=tagged.values("object_id"))

    def _chosen(self):
        try:
            return int(self.value())
        except (TypeError, ValueError):
            return None

    @staticmethod
    def _content_type():
        return ContentType.objects.get_for_model(Article)


class StoryChangeList(BoundedChangeList):
    def get_ordering_field(self, field_name):
        # Sorting by section groups the stories by section, newest first within each, straight
        # from the (section, publish_at) index. (By the sections' menu order it was a join
        # that read and sorted every story of the archive.)
        if field_name == "section":
            return "section_id"
        return super().get_ordering_field(field_name)


def search_words(search_term):
    """The words of an admin search, a quoted phrase as one (as Django's own search)."""
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        yield bit


class BylineInline(CheckedAutocompleteMixin, admin.TabularInline):
    model = ArticleAuthor
    extra = 0
    min_num = 0
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "byline name"
    verbose_name_plural = "Byline (in order)"


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["kind", "published_at", "text"]
    verbose_name = "correction or note"
    verbose_name_plural = "Corrections and notes (shown under the story and on /corrections/)"


@admin.register(Article)
class ArticleAdmin(CheckedAutocompleteMixin, PreviewLinksAdminMixin, PublishingAdminMixin,
                   HistoryAdminMixin, admin.ModelAdmin):
    form = ArticleForm
    inlines = [BylineInline, CorrectionInline]
    list_display = ["title", "section", "byline", "state", "publish_at", "updated_at"]
    list_select_related = ["section"]
    list_filter = ["status", "section", "authors", TagFilter, "comment_mode"]
    # What get_search_results looks in (trigram-indexed on PostgreSQL, migration 0004).
    search_fields = ["title", "standfirst", "slug", "authors__name"]
    date_hierarchy = "publish_at"
    # Newest first within any column the list is sorted by: the (column, publish_at) indexes
    # then hand over the first page already sorted.
    ordering = ["-publish_at", "-pk"]
    # 100,000 stories: never counted in full, never paged past the first 10,000
    # (articles/admin_paging.py), and the list's query leaves out what it does not show.
    paginator = ArchivePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice, over every story
    list_defer = ["body", "body_text", "search_vector"]
    autocomplete_fields = ["section", "lead_photo", "related"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["lead_photo_preview", "embargo_lifted", "created_at", "modified_at"]
    actions = ["submit_for_review", "publish", "unpublish"]
    publisher_only_fields = ["publish_at", "updated_at"]
    publish_service = staticmethod(services.publish_article)
    unpublish_service = staticmethod(services.unpublish_article)
    restore_service = staticmethod(services.restore_version)
    noun = ("story", "stories")
    save_on_top = True

    class Media:
        css = {"all": ["admin_extra/desk.css"]}

    fieldsets = [
        (None, {"fields": ["kicker", "title", "slug", "standfirst", "section", "body"]}),
        ("Photo", {"fields": ["lead_photo", "lead_photo_preview"]}),
        ("Publishing", {"fields": ["status", "publish_at", "embargo_until", "embargo_lifted",
                                   "updated_at"]}),
        ("Tags and links", {"fields": ["tags", "related"]}),
        ("Discussion", {"fields": ["discussion_prompt", "comment_mode"]}),
        ("History", {"fields": ["created_at", "modified_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description="Embargo lifted")
    def embargo_lifted(self, article):
        if article.embargo_lifted_at is None:
            return "—"
        who = article.embargo_lifted_by.get_username() if article.embargo_lifted_by else "—"
        when = timezone.localtime(article.embargo_lifted_at)
        return f"{when:%d %b %Y %H:%M} by {who}"

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    def get_search_results(self, request, queryset, search_term):
        """Stories whose headline, standfirst, slug or a byline name contains every word, any
        case, as Django's own search finds them. Each word is one `pk IN (stories UNION
        bylines)`: PostgreSQL answers both halves from trigram indexes, and the list is
        neither joined to its bylines nor made DISTINCT (which read every match in full)."""
        for word in search_words(search_term):
            stories = Article.objects.filter(
                Q(title__icontains=word) | Q(standfirst__icontains=word)
                | Q(slug__icontains=word)
            ).order_by().values("pk")
            bylines = (ArticleAuthor.objects.filter(author__name__icontains=word)
                       .order_by().values("article_id"))
            queryset = queryset.filter(pk__in=stories.union(bylines))
        return queryset, False

    def save_model(self, request, obj, form, change):
        before = Article.objects.get(pk=obj.pk) if change else None
        services.save_article(obj, by=request.user, before=before)

    @admin.display(description="Byline")
    def byline(self, article):
        return ", ".join(author.name for author in article.authors.all()) or "—"

    @admin.display(description="Lead photo preview")
    def lead_photo_preview(self, article):
        return thumbnail(article.lead_photo, 320)

    @admin.action(description="Submit for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self.run_service(request, queryset, services.submit_for_review, "sent for review")
