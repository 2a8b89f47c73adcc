"""`{% comments_for story %}`: the discussion under an article or an interview.

One query, however many comments: the approved comments and replies come in a single SELECT
and are threaded here; the count is the length of that list.
"""

import functools
import html
import re

from django import template
from django.conf import settings
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.html import Urlizer
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


_NEWLINES = re.compile(r"\r\n|\r")
_PARAGRAPHS = re.compile(r"\n{2,}")


@register.filter(is_safe=True)
def comment_body(text):
    """A reader's text as HTML: everything escaped, links made clickable, paragraphs kept.

    What django.utils.html's urlize/escape and linebreaks make, without their lazy-string
    wrappers: a page shows up to hundreds of comments."""
    text = str(text)
    if _MAYBE_LINK.search(text):
        linked = str(_urlize(text, trim_url_limit=60, nofollow=False, autoescape=True))
    else:
        linked = html.escape(text)
    paragraphs = _PARAGRAPHS.split(_NEWLINES.sub("\n", linked))
    return mark_safe("\n\n".join(  # noqa: S308 - escaped just above
        f"<p>{paragraph.replace(chr(10), '<br>')}</p>" for paragraph in paragraphs))


@functools.lru_cache(maxsize=16)
def _month_names(language):
    return {number: str(name) for number, name in MONTHS.items()}


def comment_time(moment, zone=None, months=None):
    """`<time>` for a comment, in the site's time zone: "28 November 2026, 14:05" for people,
    whole seconds for machines (the HTML standard allows no microseconds there)."""
    local = moment.astimezone(zone or timezone.get_current_timezone())
    month = (months or _month_names(translation.get_language()))[local.month]
    return (f'<time datetime="{local.replace(microsecond=0).isoformat()}">'
            f"{local.day} {month} {local.year}, {local:%H:%M}</time>")


def _comment_html(comment, reply_link, zone, months):
    """One comment: the stylesheet's `.comment` block. Every reader's value is escaped."""
    name = html.escape(comment.author_name)
    featured = comment.featured
    badge = '<span class="comment__badge">Featured</span>' if featured else ""
    actions = (f'<p class="comment__actions"><a href="?reply={comment.pk}#comment-form" '
               f'rel="nofollow">Reply<span class="visually-hidden"> to {name}</span></a></p>'
               if reply_link else "")
    return (
        f'<article class="comment{" comment--featured" if featured else ""}" '
        f'id="comment-{comment.pk}">'
        '<header class="comment__meta">'
        f'<span class="comment__author">{name}</span>'
        f'<a class="comment__time" href="#comment-{comment.pk}">'
        f"{comment_time(comment.created_at, zone, months)}</a>"
        f"{badge}</header>"
        f'<div class="comment__body">{comment_body(comment.body)}</div>'
        f"{actions}</article>"
    )


@register.simple_tag
def comment_list(threads, reply_links=False):
    """The threads as one `<ol>`, written here rather than with template loops and includes:
    a story's page shows up to hundreds of comments, and the template engine would cost more
    per comment than everything else the page does. Replies get no reply link."""
    zone = timezone.get_current_timezone()
    months = _month_names(translation.get_language())
    parts = ['<ol class="comment-list">']
    for comment in threads:
        parts.append('<li class="comment-thread">')
        parts.append(_comment_html(comment, reply_links, zone, months))
        if comment.thread_replies:
            parts.append('<ol class="comment-replies" aria-label="Replies to '
                         f'{html.escape(comment.author_name)}">')
            for reply in comment.thread_replies:
                parts.append(f"<li>{_comment_html(reply, False, zone, months)}</li>")
            parts.append("</ol>")
        parts.append("</li>")
    parts.append("</ol>")
    return mark_safe("".join(parts))  # noqa: S308 - every reader's value is escaped


class _Shown:
    """A comment as the page shows it: the few values it needs, cheaper than a model row."""

    __slots__ = ("pk", "parent_id", "author_name", "body", "featured", "created_at",
                 "thread_replies")

    def __init__(self, pk, parent_id, author_name, body, featured, created_at):
        self.pk, self.parent_id, self.author_name = pk, parent_id, author_name
        self.body, self.featured, self.created_at = body, featured, created_at
        self.thread_replies = []


def _thread(comments):
    """Top-level comments (featured first, then oldest first), each with `thread_replies`."""
    top, replies = [], []
    for comment in comments:
        (replies if comment.parent_id else top).append(comment)
    by_pk = {comment.pk: comment for comment in top}
    for reply in replies:
        parent = by_pk.get(reply.parent_id)
        if parent is not None:  # a reply to a comment that is not public stays hidden too
            parent.thread_replies.append(reply)
    featured = [comment for comment in top if comment.featured]
    others = [comment for comment in top if not comment.featured]
    return featured + others, len(top) + sum(len(c.thread_replies) for c in top)


class _Discussion:
    """A story's public comments, threaded, loaded on first use (one query)."""

    def __init__(self, story):
        self.story = story

    @functools.cached_property
    def _loaded(self):
        if not self.story.pk:
            return [], 0
        rows = Comment.objects.for_story_page(self.story).values_list(
            "pk", "parent_id", "author_name", "body", "featured", "created_at")
        return _thread([_Shown(*row) for row in rows])

    @property
    def threads(self):
        return self._loaded[0]

    @property
    def count(self):
        return self._loaded[1]


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
    discussion = _Discussion(story)
    reason = services.closed_reason(story)
    form = reply_to = None
    if not reason:
        reply_to = _reply_target(request, discussion)
        form = CommentForm(story=story, initial={"parent": reply_to.pk if reply_to else None})
    return {
        "story": story,
        "kind": Comment.target_field(story),
        "prompt": getattr(story, "discussion_prompt", ""),
        "discussion": discussion,
        "open": not reason,
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


@register.simple_tag(takes_context=True)
def comments_shown(context, story):
    """Name a story's discussion for the page cache, inside the fragment that shows it."""
    if story.pk:
        pages.show(context.get("request"), f"comments:{Comment.target_field(story)}:{story.pk}")
    return ""


def _reply_target(request, discussion):
    wanted = request.GET.get("reply", "") if request is not None else ""
    # str.isdigit() also accepts "²" and other digits int() refuses; ids are short.
    if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 18):
        return None
    return next((comment for comment in discussion.threads if comment.pk == int(wanted)),
                None)


# The visible fields of a blank form, as HTML, by what they are drawn from (see below).
_blank_fields = {}


def _field_shape(form):
    """Everything a blank form's visible fields are drawn from: the same shape, the same HTML.
    (Limits come from settings at form time, so the shape includes them.)"""
    return (form.auto_id, form.prefix, form.use_required_attribute, *(
        (name, field.label, field.help_text, getattr(field, "max_length", None), field.required,
         type(field.widget), repr(field.widget.attrs), repr(field.initial),
         repr(form.initial.get(name)))
        for name, field in form.fields.items() if not field.widget.is_hidden
    ))


@register.simple_tag
def comment_form_fields(form):
    """The form's name, email, comment and trap fields, with their labels, help and errors.

    Every story's blank form draws the same fields, and Django's widget renderer costs more
    than the rest of the form, so a blank form's fields are drawn once per process and shape
    and used again; they hold no token (those are the hidden inputs around them). A form sent
    back with errors is drawn in full, with its values, errors and aria-invalid marks."""
    if form.is_bound:
        return render_to_string("comments/form_fields.html", {"form": form})
    shape = _field_shape(form)
    html = _blank_fields.get(shape)
    if html is None:
        html = _blank_fields.setdefault(
            shape, render_to_string("comments/form_fields.html", {"form": form}))
    return html


@register.inclusion_tag("comments/form.html", takes_context=True)
def comment_form(context, form, story, reply_to=None):
    """The form on its own, for the page that shows a form's errors."""
    return {"form": form, "story": story, "kind": Comment.target_field(story),
            "reply_to": reply_to, "akismet": bool(conf.get("AKISMET_API_KEY")),
            "request": context.get("request")}
