import nested_admin
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from taggit.models import Tag, TaggedItem

from articles.admin import PublishingAdminMixin, thumbnail

from . import services
from .forms import AnswerForm, InterviewForm, InterviewGuestForm, QuestionForm, SegmentForm
from .models import Answer, Guest, Interview, InterviewGuest, Question, Segment


class PublishRefused(Exception):
    """publish_interview (or mark_answered) said no after the parts were saved."""

    def __init__(self, reasons):
        super().__init__(reasons)
        self.messages = reasons


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "credentials", "photo_thumb"]
    list_select_related = ["photo"]
    search_fields = ["name", "honorific", "credentials"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["photo"]
    fields = ["honorific", "name", "slug", "credentials", "bio", "photo"]

    @admin.display(description="Photo")
    def photo_thumb(self, guest):
        return thumbnail(guest.photo, 64)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        # A guest of a live interview is shown to readers: the editors' to change.
        return (obj is None or services.can_publish(request.user)
                or not obj.interviews.filter(pk__in=Interview.objects.published()).exists())


def _interview_of(obj):
    """The interview a (nested) inline's parent object belongs to, if it has one yet."""
    if isinstance(obj, Question):
        obj = getattr(obj, "segment", None)  # a missing relation is an AttributeError
    if isinstance(obj, Segment):
        obj = getattr(obj, "interview", None)
    return obj if isinstance(obj, Interview) else None


class InterviewPartInline:
    """The parts of a live interview are as locked as the interview itself."""

    def _locked(self, request, obj):
        interview = _interview_of(obj)
        return (interview is not None and interview.status == Interview.Status.PUBLISHED
                and not services.can_publish(request.user))

    def has_add_permission(self, request, obj=None):
        return not self._locked(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(request, obj) and super().has_delete_permission(request, obj)


class InterviewGuestInline(InterviewPartInline, nested_admin.NestedTabularInline):
    model = InterviewGuest
    form = InterviewGuestForm
    extra = 0
    autocomplete_fields = ["guest"]
    fields = ["guest", "position"]
    sortable_field_name = "position"


class AnswerInline(InterviewPartInline, nested_admin.NestedStackedInline):
    model = Answer
    form = AnswerForm
    extra = 0
    autocomplete_fields = ["guest"]
    fields = ["guest", "text"]
    verbose_name_plural = "Answers"
    classes = ["interview-answers"]


class QuestionInline(InterviewPartInline, nested_admin.NestedStackedInline):
    model = Question
    form = QuestionForm
    extra = 0
    inlines = [AnswerInline]
    autocomplete_fields = ["addressed_to"]
    fields = ["text", "addressed_to", "is_follow_up", "position"]
    sortable_field_name = "position"
    classes = ["interview-questions"]


class SegmentInline(InterviewPartInline, nested_admin.NestedStackedInline):
    model = Segment
    form = SegmentForm
    extra = 0
    inlines = [QuestionInline]
    fields = ["title", "position"]
    sortable_field_name = "position"
    verbose_name_plural = "Sections, questions and answers"
    classes = ["interview-segments"]


class InterviewTagFilter(admin.SimpleListFilter):
    """Only the tags interviews use (the shared tag table also holds every story's)."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        used = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Interview)
        ).values("tag_id")
        return Tag.objects.filter(pk__in=used).order_by("name").values_list("slug", "name")

    def queryset(self, request, queryset):
        return queryset.filter(tags__slug=self.value()) if self.value() else queryset


@admin.register(Interview)
class InterviewAdmin(PublishingAdminMixin, nested_admin.NestedModelAdmin):
    form = InterviewForm
    inlines = [InterviewGuestInline, SegmentInline]
    list_display = ["title", "interviewer", "state", "guest_names", "unanswered",
                    "publish_at"]
    list_select_related = ["interviewer"]
    list_filter = ["status", "interviewer", InterviewTagFilter, "comment_mode"]
    search_fields = ["title", "slug", "guests__name", "interviewer__name"]
    date_hierarchy = "publish_at"
    autocomplete_fields = ["article", "interviewer"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["unanswered_list", "created_at", "modified_at"]
    actions = ["mark_answered", "publish", "unpublish"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "interviewer", "article", "introduction",
                           "closing"]}),
        ("Preparation (internal, never shown to readers)", {"fields": ["prep_notes"]}),
        ("Publishing", {"fields": ["status", "publish_at", "unanswered_list"]}),
        ("Tags and discussion", {"fields": ["tags", "comment_mode"]}),
        ("History", {"fields": ["created_at", "modified_at"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["interviews/admin.css"]}

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .with_unanswered_count()
            .prefetch_related("lineup__guest")
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_interview_refusal", None)

        class FormForUser(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, refusal=refusal, **inner)

        return FormForUser

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        # A live interview is the editors' to change.
        return (obj is None or obj.status != Interview.Status.PUBLISHED
                or services.can_publish(request.user))

    def can_publish(self, user):
        return services.can_publish(user)

    # Saving: the status goes through the services ------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PublishRefused as refusal:
            # The whole save was rolled back (changeform_view runs in a transaction); show the
            # same submission again with the reason on the status field.
            request._interview_refusal = refusal.messages
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # Whether it may be answered or published depends on the questions and answers,
        # which are saved after this: hold it as "preparing" until they are.
        obj._wanted_status = obj.status
        if obj.status != Interview.Status.PREPARING:
            obj.status = Interview.Status.PREPARING
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        interview = form.instance
        wanted = getattr(interview, "_wanted_status", interview.status)
        try:
            if wanted == Interview.Status.PUBLISHED:
                services.publish_interview(interview, by=request.user,
                                           at=form.cleaned_data.get("publish_at"))
            elif wanted == Interview.Status.ANSWERED:
                services.mark_answered(interview, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            raise PublishRefused(
                error.messages if hasattr(error, "messages") else [str(error)]
            ) from error

    # Change list ---------------------------------------------------------------------------

    @admin.display(description="Guests")
    def guest_names(self, interview):
        return ", ".join(a.guest.full_name for a in interview.lineup.all()) or "—"

    @admin.display(description="Still unanswered")
    def unanswered_list(self, interview):
        if interview.pk is None:
            return "—"
        missing = [services.describe(question) for question in interview.unanswered_questions()]
        if not missing:
            return "Every question has its answers."
        items = format_html_join("", "<li>{}</li>", ((item,) for item in missing))
        return format_html("<ul>{}</ul>", items)

    @admin.display(description="Unanswered questions", ordering="unanswered_count")
    def unanswered(self, interview):
        return interview.unanswered_count  # annotated by get_queryset, counted in SQL

    @admin.display(description="Status", ordering="status")
    def state(self, interview):
        if interview.is_scheduled:
            when = timezone.localtime(interview.publish_at)
            return format_html('<span class="newsroom-state scheduled">Scheduled for {}</span>',
                               f"{when:%d %b %Y %H:%M}")
        return format_html('<span class="newsroom-state {}">{}</span>',
                           interview.status, interview.get_status_display())

    # Actions -------------------------------------------------------------------------------

    def _apply(self, request, queryset, action, done):
        count = 0
        for interview in queryset:
            try:
                action(interview, by=request.user)
                count += 1
            except (ValidationError, PermissionDenied) as error:
                reasons = error.messages if hasattr(error, "messages") else [str(error)]
                messages.error(request, f"{interview}: {' '.join(reasons)}")
        if count:
            noun = "interview" if count == 1 else "interviews"
            messages.success(request, f"{count} {noun} {done}.")

    @admin.action(description="Mark as answered (ready to publish)", permissions=["change"])
    def mark_answered(self, request, queryset):
        allowed = [i for i in queryset if self.has_change_permission(request, i)]
        self._apply(request, allowed, services.mark_answered, "marked as answered")

    @admin.action(description="Publish (or schedule, when the time is in the future)",
                  permissions=["publish"])
    def publish(self, request, queryset):
        self._apply(request, queryset, services.publish_interview, "published")

    @admin.action(description="Unpublish", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._apply(request, queryset, services.unpublish_interview, "unpublished")
