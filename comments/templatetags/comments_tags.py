"""`{% comments_for story %}`: the discussion under an article or an interview.

One query, however many comments: the approved comments and replies come in a single SELECT
and are threaded here; the count is the length of that list.
"""

import functools
import re

from django import template
from django.conf import settings
from django.contrib.messages import get_messages
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.html import Urlizer, escape, linebreaks
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


# Everything Urlizer would turn into a link has one of these in it (it makes no mailto links
# here); text without any is only escaped, which is what Urlizer would return for it, at a
# fraction of the cost. A page shows up to hundreds of comments.
_MAYBE_LINK = re.compile(r"https?://|www\.|\.(?:com|edu|gov|int|mil|net|org)\b", re.IGNORECASE)


@register.filter(is_safe=True)
def comment_body(text):
    """A reader's text as HTML: everything escaped, links made clickable, paragraphs kept."""
    text = str(text)
    if _MAYBE_LINK.search(text):
        linked = _urlize(text, trim_url_limit=60, nofollow=False, autoescape=True)
    else:
        linked = escape(text)
    return mark_safe(linebreaks(linked, autoescape=False))  # noqa: S308 - escaped just above


@functools.lru_cache(maxsize=16)
def _month_names(language):
    return {number: str(name) for number, name in MONTHS.items()}


def comment_time(moment):
    """`<time>` for a comment, in the site's time zone: "28 November 2026, 14:05" for people,
    whole seconds for machines (the HTML standard allows no microseconds there)."""
    local = timezone.localtime(moment)
    month = _month_names(translation.get_language())[local.month]
    return (f'<time datetime="{local.replace(microsecond=0).isoformat()}">'
            f"{local.day} {month} {local.year}, {local:%H:%M}</time>")


@register.simple_tag
def show_comment(comment, reply_link=False):
    """One comment as HTML. Written here rather than as an included template: a story's page
    shows up to hundreds of comments, and the template engine costs more per comment than
    everything else the page does. The markup is the stylesheet's `.comment` block."""
    name = escape(comment.author_name)
    featured = comment.featured
    parts = [
        f'<article class="comment{" comment--featured" if featured else ""}" '
        f'id="comment-{comment.pk}">',
        '<header class="comment__meta">',
        f'<span class="comment__author">{name}</span>',
        f'<a class="comment__time" href="#comment-{comment.pk}">'
        f"{comment_time(comment.created_at)}</a>",
        '<span class="comment__badge">Featured</span>' if featured else "",
        "</header>",
        f'<div class="comment__body">{comment_body(comment.body)}</div>',
    ]
    if reply_link:
        parts.append(f'<p class="comment__actions"><a href="?reply={comment.pk}#comment-form" '
                     f'rel="nofollow">Reply<span class="visually-hidden"> to {name}</span></a>'
                     "</p>")
    parts.append("</article>")
    return mark_safe("".join(parts))  # noqa: S308 - every reader's value is escaped above


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
