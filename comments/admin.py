"""The moderation desk: the comment queue, decisions, bans and word rules.

The admin's front page shows the queue's size through templates/comments/admin/index.html
(the `moderation_summary` tag); newsroom/urls.py makes it the admin site's index template,
with the site's headers. The overview page (30 days of comments in a chart) is overview.py.
"""

import ipaddress

from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Case, Count, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from articles.admin_paging import ArchivePaginator, BoundedChangeList, capped_count

from . import overview, services
from .models import Ban, Comment, ModerationDecision, WordRule, normalise_email
from .templatetags.comments_tags import comment_body

Status = Comment.Status


HISTORY = {"history_approved": Status.APPROVED, "history_rejected": Status.REJECTED,
           "history_spam": Status.SPAM}


def with_history(comments):
    """The comments of one page of the queue, each with its commenter's history (how many of
    the address's comments were approved, rejected, marked spam), in one query for the page.

    (As subqueries of the list's own query they also ran for every row an OFFSET skipped:
    minutes, on the last pages of a million comments.)"""
    comments = list(comments)
    if not comments:
        return comments
    counts = (
        Comment.objects.filter(email__in={comment.email for comment in comments},
                               status__in=HISTORY.values())
        .order_by()
        .values_list("email", "status")
        .annotate(n=Count("*"))  # not of a column: the (email, status) index alone answers
    )
    found = {(email, status): n for email, status, n in counts}
    for comment in comments:
        for name, status in HISTORY.items():
            setattr(comment, name, found.get((comment.email, status), 0))
    return comments


class StoryKindFilter(admin.SimpleListFilter):
    title = "story type"
    parameter_name = "on"

    def lookups(self, request, model_admin):
        return [("article", "Articles"), ("interview", "Interviews")]

    def queryset(self, request, queryset):
        if self.value() == "article":
            return queryset.filter(article__isnull=False)
        if self.value() == "interview":
            return queryset.filter(interview__isnull=False)
        return queryset


class DecisionInline(admin.TabularInline):
    model = ModerationDecision
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_status", "to_status", "moderator"]
    readonly_fields = fields
    verbose_name_plural = "Moderation history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _search_ip_too(admin_super, request, queryset, search_term):
    """Text search, plus an exact match on the IP column when the term is an address.

    (A plain "=ip" search field would send words like "Jonas" to PostgreSQL's inet column,
    which refuses them.)"""
    results, may_have_duplicates = admin_super.get_search_results(request, queryset,
                                                                  search_term)
    try:
        address = str(ipaddress.ip_address(search_term.strip()))
    except ValueError:
        return results, may_have_duplicates
    return results | queryset.filter(ip=address), may_have_duplicates


def _search_queue(admin_super, request, queryset, search_term):
    """A commenter's email address or IP address finds their comments, matched exactly (an
    index lookup); any other term is the text search over the comment, the name and the
    email (trigram-indexed on PostgreSQL), so part of a name or an address still finds it.

    (As a text search, a whole email address was looked for in every comment's words too:
    a quarter of a second on a million comments, for what is one commenter.)"""
    term = search_term.strip()
    try:
        validate_email(term)
    except ValidationError:
        pass
    else:
        return queryset.filter(email=normalise_email(term)), False
    try:
        return queryset.filter(ip=str(ipaddress.ip_address(term))), False
    except ValueError:
        return admin_super.get_search_results(request, queryset, search_term)


class QueueChangeList(BoundedChangeList):
    def get_ordering_field_columns(self):
        # The queue's own order (pending, cleanest first) is no single column's: mark none.
        if ORDER_VAR not in self.params:
            return {}
        return super().get_ordering_field_columns()

    def get_ordering(self, request, queryset):
        # Filtered to one status, the queue's order is the same rows in the same order said
        # in plain columns, which the (status, spam_score) and (status, created_at) indexes
        # keep sorted: pending ones cleanest first, any other status newest first.
        statuses = self.filter_params.get("status__exact", [])
        if ORDER_VAR not in self.params and len(statuses) == 1 and statuses[0] in Status.values:
            if statuses[0] == Status.PENDING:
                return ["spam_score", "-created_at", "-pk"]
            return ["-created_at", "-pk"]
        return super().get_ordering(request, queryset)

    def get_results(self, request):
        super().get_results(request)
        self.result_list = with_history(self.result_list)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["state_and_time", "text", "commenter", "story_link", "score", "reasons"]
    list_display_links = ["state_and_time"]
    list_select_related = ["article__section", "interview", "parent"]
    list_filter = ["status", "featured", StoryKindFilter, "created_at"]
    # Trigram-indexed on PostgreSQL (migration 0003); a whole email or IP address is matched
    # exactly instead (_search_queue).
    search_fields = ["body", "author_name", "email"]
    list_per_page = 50
    # A million comments: never counted in full, never paged past the first 10,000
    # (articles/admin_paging.py).
    paginator = ArchivePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice, over every comment
    actions = ["approve", "reject", "mark_spam", "mark_not_spam", "feature", "unfeature",
               "ban_email", "ban_ip", "close_discussion"]
    inlines = [DecisionInline]
    change_list_template = "comments/admin/change_list.html"
    change_form_template = "comments/admin/change_form.html"
    fieldsets = [
        (None, {"fields": ["state", "story_link", "in_reply_to", "text"]}),
        ("Commenter", {"fields": ["author_name", "email", "ip", "user_agent", "history"]}),
        ("Spam checks", {"fields": ["spam_score", "reasons"]}),
        ("Moderation", {"fields": ["created_at", "moderated_at", "moderated_by", "featured"]}),
    ]
    readonly_fields = ["state", "story_link", "in_reply_to", "text", "author_name", "email",
                       "ip", "user_agent", "history", "spam_score", "reasons", "created_at",
                       "moderated_at", "moderated_by", "featured"]

    class Media:
        css = {"all": ["comments/admin.css"]}

    # The queue ---------------------------------------------------------------------------

    def get_queryset(self, request):
        # Annotate first: the queue's ordering uses the annotations.
        return Comment.objects.annotate(
            # Pending first; among them the cleanest first, so the top can be approved in bulk
            # and the likeliest spam gathers at the bottom. The index "comment_queue_order"
            # (comments/models.py) holds these very expressions, in this order: change both.
            queue_rank=Case(When(status=Status.PENDING, then=Value(0)), default=Value(1)),
            queue_score=Case(When(status=Status.PENDING, then="spam_score"), default=Value(0.0)),
        ).order_by(*self.get_ordering(request))

    def get_search_results(self, request, queryset, search_term):
        return _search_queue(super(), request, queryset, search_term)

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def get_ordering(self, request):
        return ["queue_rank", "queue_score", "-created_at"]

    def has_add_permission(self, request):
        return False  # comments come from readers

    def view_on_site(self, comment):
        return comment.get_absolute_url() if comment.status == Status.APPROVED else \
            comment.story.get_absolute_url() + "#comments"

    def has_moderate_permission(self, request):
        return services.can_moderate(request.user)

    def has_ban_permission(self, request):
        return request.user.has_perm("comments.add_ban")

    def has_close_permission(self, request):
        return request.user.has_perm(services.CLOSE_PERMISSION)

    @admin.display(description="Status", ordering="queue_rank")
    def state(self, comment):
        badge = format_html('<span class="comment-state comment-state--{}">{}</span>',
                           comment.status, comment.get_status_display())
        if comment.featured:
            badge += format_html(' <span class="comment-state comment-state--featured">{}</span>',
                                 "Featured")
        return badge

    @admin.display(description="Status, posted", ordering="created_at")
    def state_and_time(self, comment):
        return format_html("{}<br>{}", self.state(comment), self.posted(comment))

    @admin.display(description="Comment")
    def text(self, comment):
        reply = ""
        if comment.parent_id:
            reply = format_html('<p class="comment-reply-to">↳ reply to {}</p>',
                                comment.parent.author_name)
        return format_html('{}<div class="comment-text">{}</div>', reply,
                           comment_body(comment.body))

    @admin.display(description="Commenter", ordering="author_name")
    def commenter(self, comment):
        return format_html(
            '<strong>{}</strong><br><span class="comment-email">{}</span><br>{}<br>{}',
            comment.author_name, comment.email, comment.ip or "no IP", self.history(comment),
        )

    @admin.display(description="History")
    def history(self, comment):
        approved = getattr(comment, "history_approved", None)
        if approved is None:  # the change form's object comes without the annotations
            counts = Comment.objects.by_commenter(comment.email).values("status") \
                .annotate(n=Count("pk"))
            found = {row["status"]: row["n"] for row in counts}
            approved, rejected, spam = (found.get(s, 0) for s in
                                        (Status.APPROVED, Status.REJECTED, Status.SPAM))
        else:
            rejected, spam = comment.history_rejected, comment.history_spam
        url = reverse("admin:comments_comment_changelist") + "?" + \
            f"q={comment.email}"
        return format_html(
            '<a class="comment-history" href="{}" title="All comments from this address">'
            '{} approved · {} rejected · {} spam</a>', url, approved, rejected, spam,
        )

    @admin.display(description="Story")
    def story_link(self, comment):
        story = comment.story
        kind = "Interview" if comment.interview_id else "Article"
        return format_html('<span class="comment-kind">{}</span><br><a href="{}">{}</a>', kind,
                           comment.get_absolute_url() if comment.status == Status.APPROVED
                           else story.get_absolute_url() + "#comments", story.title)

    @admin.display(description="In reply to")
    def in_reply_to(self, comment):
        if not comment.parent_id:
            return "—"
        parent = comment.parent
        url = reverse("admin:comments_comment_change", args=[parent.pk])
        return format_html('<a href="{}">{}</a> ({})', url, parent, parent.get_status_display())

    @admin.display(description="Score", ordering="spam_score")
    def score(self, comment):
        level = ("high" if comment.spam_score >= 0.7 else
                 "medium" if comment.spam_score >= 0.3 else "low")
        return format_html('<span class="comment-score comment-score--{}">{}</span>', level,
                           f"{comment.spam_score:.2f}")

    @admin.display(description="Reasons")
    def reasons(self, comment):
        if not comment.spam_reasons:
            return "—"
        return format_html('<ul class="comment-reasons">{}</ul>',
                           format_html_join("", "<li>{}</li>",
                                            ((reason,) for reason in comment.spam_reasons)))

    @admin.display(description="Posted", ordering="created_at")
    def posted(self, comment):
        return format_html('<time datetime="{}">{}</time>', comment.created_at.isoformat(),
                           timezone.localtime(comment.created_at).strftime("%d %b %Y %H:%M"))

    # Decisions ---------------------------------------------------------------------------

    def _apply(self, request, queryset, decide, done):
        changed = 0
        for comment in queryset:
            try:
                changed += bool(decide(comment, by=request.user))
            except (ValidationError, PermissionDenied) as error:
                message = error.messages[0] if hasattr(error, "messages") else str(error)
                self.message_user(request, f"Comment #{comment.pk} ({comment.author_name}): "
                                           f"{message}", messages.WARNING)
        noun = "comment" if changed == 1 else "comments"
        self.message_user(request, f"{changed} {noun} {done}.",
                          messages.SUCCESS if changed else messages.INFO)

    @admin.action(description="Approve (publish)", permissions=["moderate"])
    def approve(self, request, queryset):
        self._apply(request, queryset, services.approve_comment, "approved")

    @admin.action(description="Reject (keep off the site)", permissions=["moderate"])
    def reject(self, request, queryset):
        self._apply(request, queryset, services.reject_comment, "rejected")

    @admin.action(description="Mark as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._apply(request, queryset, services.mark_spam, "marked as spam")

    @admin.action(description="Not spam (publish)", permissions=["moderate"])
    def mark_not_spam(self, request, queryset):
        self._apply(request, queryset, services.mark_not_spam, "published as not spam")

    @admin.action(description="Feature", permissions=["moderate"])
    def feature(self, request, queryset):
        self._apply(request, queryset, services.feature_comment, "featured")

    @admin.action(description="Unfeature", permissions=["moderate"])
    def unfeature(self, request, queryset):
        def unfeature(comment, by):
            return services.feature_comment(comment, by=by, featured=False)

        self._apply(request, queryset, unfeature, "unfeatured")

    def _ban(self, request, queryset, include_ip):
        bans, moved = set(), 0
        for comment in queryset:
            if include_ip and not comment.ip:
                continue
            the_ban, count = services.ban(
                email="" if include_ip else comment.email,
                ip=comment.ip if include_ip else None,
                by=request.user, reason=f"Banned from comment #{comment.pk}",
            )
            bans.add(str(the_ban))
            moved += count
        self.message_user(request, f"Banned {', '.join(sorted(bans)) or 'nobody'}; "
                                   f"{moved} pending comment{'s' if moved != 1 else ''} moved "
                                   "to spam.", messages.SUCCESS)

    @admin.action(description="Ban commenter (email address)", permissions=["ban"])
    def ban_email(self, request, queryset):
        self._ban(request, queryset, include_ip=False)

    @admin.action(description="Ban commenter's IP address", permissions=["ban"])
    def ban_ip(self, request, queryset):
        self._ban(request, queryset, include_ip=True)

    @admin.action(description="Close comments on these stories", permissions=["close"])
    def close_discussion(self, request, queryset):
        closed = set()
        for comment in queryset.select_related("article", "interview"):
            story = comment.story
            if services.close_comments(story, by=request.user):
                closed.add(story.title)
        self.message_user(request, f"Closed comments on {len(closed)} "
                                   f"{'story' if len(closed) == 1 else 'stories'}.",
                          messages.SUCCESS)

    # Extra pages: a decision from the change form, and the overview -----------------------

    def get_urls(self):
        return [
            path("overview/", self.admin_site.admin_view(self.overview_view),
                 name="comments_comment_overview"),
            path("<int:pk>/decide/", self.admin_site.admin_view(self.decide_view),
                 name="comments_comment_decide"),
            *super().get_urls(),
        ]

    DECISION_BUTTONS = {
        "approve": (services.approve_comment, "approved"),
        "reject": (services.reject_comment, "rejected"),
        "spam": (services.mark_spam, "marked as spam"),
        "not_spam": (services.mark_not_spam, "published as not spam"),
    }

    def decide_view(self, request, pk):
        return require_POST(self._decide)(request, pk)

    def _decide(self, request, pk):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment, pk=pk)
        decide, done = self.DECISION_BUTTONS.get(request.POST.get("decision"), (None, ""))
        if decide is None:
            self.message_user(request, "Choose a decision.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:comments_comment_change", args=[pk]))
        try:
            decide(comment, by=request.user)
            self.message_user(request, f"Comment #{pk} {done}.", messages.SUCCESS)
        except ValidationError as error:
            self.message_user(request, f"Comment #{pk}: {error.messages[0]}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:comments_comment_change", args=[pk]))
        # Straight on to the next comment waiting, the way the queue is sorted.
        following = (self.get_queryset(request).filter(status=Status.PENDING)
                     .exclude(pk=pk).order_by("spam_score", "-created_at").first())
        if following is not None:
            return HttpResponseRedirect(
                reverse("admin:comments_comment_change", args=[following.pk]))
        return HttpResponseRedirect(reverse("admin:comments_comment_changelist"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_moderate": self.has_moderate_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "pending_count": capped_count(Comment.objects.pending())}
        return super().changelist_view(request, extra_context)

    def overview_view(self, request):
        return overview.overview_view(self, request)


@admin.register(WordRule)
class WordRuleAdmin(admin.ModelAdmin):
    list_display = ["phrase", "kind", "note", "created_at"]
    list_editable = ["kind"]
    list_filter = ["kind"]
    search_fields = ["phrase", "note"]


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "ip", "reason", "expires_at", "created_by", "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["email", "reason"]

    def get_search_results(self, request, queryset, search_term):
        return _search_ip_too(super(), request, queryset, search_term)
    fields = ["email", "ip", "reason", "expires_at"]

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        moved = services.apply_ban(obj, by=request.user)
        if moved:
            self.message_user(request, f"{moved} pending comment{'s' if moved != 1 else ''} "
                                       "from this commenter moved to spam.", messages.INFO)


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "comment", "from_status", "to_status", "moderator"]
    list_select_related = ["comment", "moderator"]
    list_filter = ["action", "moderator"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
