import nested_admin
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html, format_html_join
from taggit.models import Tag, TaggedItem

from articles import publishing
from articles.admin import PreviewLinksAdminMixin, PublishingAdminMixin, can_edit, thumbnail
from articles.admin_history import HistoryAdminMixin
from articles.admin_widgets import CheckedAutocompleteMixin

from . import services
from .forms import (
    AnswerForm,
    InterviewForm,
    InterviewGuestForm,
    QuestionForm,
    SegmentForm,
    SubmittedTranscript,
)
from .models import Answer, Guest, Interview, InterviewGuest, Question, Segment


@admin.register(Guest)
class GuestAdmin(CheckedAutocompleteMixin, admin.ModelAdmin):
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
        return (obj is None or publishing.can_publish(request.user, Interview)
                or not obj.interviews.filter(pk__in=Interview.objects.published()).exists())


def _interview_of(obj):
    """The interview a (nested) inline's parent object belongs to, if it has one yet."""
    if isinstance(obj, Question):
        obj = getattr(obj, "segment", None)  # a missing relation is an AttributeError
    if isinstance(obj, Segment):
        obj = getattr(obj, "interview", None)
    return obj if isinstance(obj, Interview) else None


class InterviewPartInline(CheckedAutocompleteMixin):
    """The parts of an interview are as locked as the interview itself."""

    def _locked(self, request, obj):
        interview = _interview_of(obj)
        return (interview is not None and interview.pk is not None
                and not can_edit(request, interview))

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
    verbose_name_plural = "Parts, questions and answers"
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
class InterviewAdmin(CheckedAutocompleteMixin, PreviewLinksAdminMixin, PublishingAdminMixin,
                     HistoryAdminMixin, nested_admin.NestedModelAdmin):
    form = InterviewForm
    inlines = [InterviewGuestInline, SegmentInline]
    list_display = ["title", "interviewer", "state", "guest_names", "unanswered",
                    "publish_at"]
    list_select_related = ["interviewer", "article"]  # the status shows its story's embargo
    list_filter = ["status", "interviewer", InterviewTagFilter, "comment_mode"]
    search_fields = ["title", "slug", "guests__name", "interviewer__name"]
    date_hierarchy = "publish_at"
    autocomplete_fields = ["article", "interviewer"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["unanswered_list", "created_at", "modified_at"]
    actions = ["mark_answered", "publish", "unpublish"]
    publish_service = staticmethod(services.publish_interview)
    unpublish_service = staticmethod(services.unpublish_interview)
    restore_service = staticmethod(services.restore_version)
    noun = ("interview", "interviews")
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
        # A reporter's desk holds their own interviews only: the list, the change form, its
        # history and the actions never reach a colleague's.
        return publishing.at_desk(request.user, (
            super().get_queryset(request)
            .with_unanswered_count()
            .prefetch_related("lineup__guest")
        ))

    def has_recover_permission(self, request):
        # What deleted interviews held (preparation notes too) is for editors: reporters
        # cannot delete interviews, nor tell whose a deleted one was.
        return self.can_publish(request.user) and super().has_recover_permission(request)

    # The form checks the transcript it is submitted with ---------------------------------------

    def get_form_extra_kwargs(self, request):
        return {**super().get_form_extra_kwargs(request),
                "transcript": self._submitted_transcript(request)}

    def _create_formsets(self, request, obj, change):
        # The admin makes the form, then the formsets, then validates the form: hand it the
        # formsets, so that it can refuse an incomplete interview before anything is saved.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        self._submitted_transcript(request).formsets = formsets
        return formsets, inline_instances

    @staticmethod
    def _submitted_transcript(request):
        if not hasattr(request, "interview_transcript"):
            request.interview_transcript = SubmittedTranscript()
        return request.interview_transcript

    # Saving: the status goes through the services ------------------------------------------

    def save_model(self, request, obj, form, change):
        # Answering and publishing are checked against the saved questions and answers, which
        # are saved after this: keep it "preparing" until they are (save_related).
        obj.wanted_status = obj.status
        obj.status = Interview.Status.PREPARING
        before = Interview.objects.get(pk=obj.pk) if change else None
        services.save_interview(obj, by=request.user, before=before)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        interview = form.instance
        wanted = getattr(interview, "wanted_status", interview.status)
        try:
            if wanted == Interview.Status.PUBLISHED:
                services.publish_interview(interview, by=request.user,
                                           at=form.cleaned_data.get("publish_at"))
            elif wanted == Interview.Status.ANSWERED:
                services.mark_answered(interview, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            # The form checked the same rules on what was submitted; this is someone else's
            # change in between. The work is saved, in preparation.
            reasons = error.messages if hasattr(error, "messages") else [str(error)]
            self.message_user(request, f"{interview}: {' '.join(reasons)}", messages.ERROR)

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

    @admin.action(description="Mark as answered (ready to publish)", permissions=["change"])
    def mark_answered(self, request, queryset):
        self.run_service(request, queryset, services.mark_answered, "marked as answered")
