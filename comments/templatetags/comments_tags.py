"""`{% comments_for story %}`: the discussion under an article or an interview.

One query, however many comments: the approved comments and replies come in a single SELECT
and are threaded here; the count is the length of that list.
"""

from django import template
from django.conf import settings
from django.contrib.messages import get_messages
from django.utils.html import Urlizer, linebreaks
from django.utils.safestring import mark_safe

from articles import pages
from comments import conf, services
from comments.forms import CommentForm
from comments.models import Comment
from comments.views import MESSAGE_TAG

register = template.Library()


class _UgcUrlizer(Urlizer):
    """Links in readers' text: marked as user content that earns no ranking; no mailto links
    (addresses stay plain text, so the page does not hand them to harvesters)."""

    url_template = '<a href="{href}" rel="nofollow ugc">{url}</a>'

    def is_email_simple(self, value):
        return False


_urlize = _UgcUrlizer()


@register.filter(is_safe=True)
def comment_body(text):
    """A reader's text as HTML: everything escaped, links made clickable, paragraphs kept."""
    linked = _urlize(str(text), trim_url_limit=60, nofollow=False, autoescape=True)
    return mark_safe(linebreaks(linked, autoescape=False))  # noqa: S308 - escaped just above


def _thread(comments):
    """Top-level comments (featured first, then oldest first), each with `thread_replies`."""
    top, replies = [], []
    for comment in comments:
        (replies if comment.parent_id else top).append(comment)
        comment.thread_replies = []
    by_pk = {comment.pk: comment for comment in top}
    for reply in replies:
        parent = by_pk.get(reply.parent_id)
        if parent is not None:  # a reply to a comment that is not public stays hidden too
            parent.thread_replies.append(reply)
    featured = [comment for comment in top if comment.featured]
    others = [comment for comment in top if not comment.featured]
    return featured + others, len(top) + sum(len(c.thread_replies) for c in top)


def _take_our_messages(request):
    """Our messages for this section; anyone else's are put back for their own page.

    A page rendered for the cache has none (a reader with a message waiting is never served
    from it), and must not touch the message storage, which would answer with a cookie."""
    if request is None or _for_the_cache(request):
        return []
    storage = get_messages(request)
    ours, theirs = [], []
    for message in storage:
        (ours if MESSAGE_TAG in (message.extra_tags or "").split() else theirs).append(message)
    for message in theirs:
        storage.add(message.level, message.message, message.extra_tags)
    return ours


def _for_the_cache(request):
    return getattr(request, "page_tags", None) is not None


@register.inclusion_tag("comments/section.html", takes_context=True)
def comments_for(context, story):
    request = context.get("request")
    if story.pk:
        pages.show(request, f"comments:{Comment.target_field(story)}:{story.pk}")
        pages.expires(request, services.closes_at(story))  # the form goes away then
    comments = list(Comment.objects.for_story_page(story)) if story.pk else []
    threads, count = _thread(comments)
    reason = services.closed_reason(story)
    form = reply_to = None
    if not reason:
        reply_to = _reply_target(request, threads)
        form = CommentForm(story=story, initial={"parent": reply_to.pk if reply_to else None})
    return {
        "story": story,
        "kind": Comment.target_field(story),
        "prompt": getattr(story, "discussion_prompt", ""),
        "threads": threads,
        "count": count,
        "form": form,
        "reply_to": reply_to,
        "closed_reason": reason,
        "closes_at": None if reason else services.closes_at(story),
        "comment_messages": _take_our_messages(request),
        "akismet": bool(conf.get("AKISMET_API_KEY")),
        "request": request,
        # A page kept in the cache for every reader carries no CSRF token: the reader's
        # browser adds its own (comments/form.js); any other page gets one here.
        "shared_page": _for_the_cache(request),
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
    }


def _reply_target(request, threads):
    wanted = request.GET.get("reply", "") if request is not None else ""
    # str.isdigit() also accepts "²" and other digits int() refuses; ids are short.
    if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 18):
        return None
    return next((comment for comment in threads if comment.pk == int(wanted)), None)


@register.inclusion_tag("comments/form.html", takes_context=True)
def comment_form(context, form, story, reply_to=None):
    """The form on its own, for the page that shows a form's errors."""
    return {"form": form, "story": story, "kind": Comment.target_field(story),
            "reply_to": reply_to, "akismet": bool(conf.get("AKISMET_API_KEY")),
            "request": context.get("request")}
