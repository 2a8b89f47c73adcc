import ipaddress
import math
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from articles.models import Article
from interviews.models import Interview

from . import conf, ratelimit, services
from .forms import CommentForm
from .models import Comment

# Messages the comments section shows (and only it): see templatetags/comments_tags.py.
MESSAGE_TAG = "comments"
STORIES = {
    "article": lambda: Article.objects.published().select_related("section"),
    "interview": lambda: Interview.objects.published(),
}


def client_ip(request):
    """The reader's address: REMOTE_ADDR, or behind N trusted proxies (each appending to
    X-Forwarded-For) the Nth address from the right, which no client can forge."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = conf.get("NEWSROOM_TRUSTED_PROXY_COUNT")
    candidate = remote
    if proxies:
        forwarded = [part.strip() for part in
                     request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        try:
            return str(ipaddress.ip_address(remote))
        except ValueError:
            return None


@never_cache
def csrf_token(request):
    """The reader's CSRF token, for a comment form on a page served to everyone from the
    cache (comments/static/comments/form.js). Sets the cookie when the reader has none."""
    return JsonResponse({"token": get_token(request)})


def csrf_retry(request, reason=""):
    """A comment whose CSRF token was missing or stale (a browser without JavaScript on a page
    from the cache, say): nothing is stored; the reader gets their text back in a form with a
    fresh token and is asked to send it again. Any other form gets Django's own 403 page."""
    from django.views.csrf import csrf_failure

    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is None or match.view_name != "comments:post":
        return csrf_failure(request, reason)
    try:
        story = find_story(match.kwargs["kind"], match.kwargs["pk"])
    except Http404:
        return csrf_failure(request, reason)
    form = CommentForm(request.POST, story=story)
    form.is_valid()
    return _form_page(request, story, form, 403, note=(
        "Nothing has been saved yet: please check your comment and press Send again."))


def find_story(kind, pk):
    """A published article or interview; anything else is a 404, drafts included."""
    if kind not in STORIES:
        raise Http404("No such story")
    return get_object_or_404(STORIES[kind](), pk=pk)


def _form_page(request, story, form, status, refusal="", note=""):
    return render(request, "comments/form_page.html",
                  {"story": story, "form": form, "refusal": refusal, "note": note},
                  status=status)


@require_POST
def post_comment(request, kind, pk):
    story = find_story(kind, pk)
    form = CommentForm(request.POST, story=story)
    reason = services.closed_reason(story)
    if reason:
        return _form_page(request, story, form, 403, refusal=reason)
    if not form.is_valid():
        return _form_page(request, story, form, 400)
    data = form.cleaned_data
    ip = client_ip(request)
    try:
        limited, limits_checked = ratelimit.hit(ip=ip, email=data["email"].lower()), True
    except ratelimit.LimitsUnavailable:
        # Refusing every reader while the cache is down would be worse than a longer queue:
        # the comment is kept and waits for a moderator (services.post_comment).
        limited, limits_checked = None, False
    if limited:
        return rate_limited(request, story, limited)
    parent = None
    if data.get("parent"):
        parent = Comment.objects.filter(pk=data["parent"]).first()
        if parent is None:
            form.add_error(None, "The comment you are replying to is not available.")
            return _form_page(request, story, form, 400)
    try:
        comment = services.post_comment(
            story, author_name=data["author_name"], email=data["email"], body=data["body"],
            parent=parent, ip=ip, user_agent=request.headers.get("User-Agent", ""),
            honeypot=data.get("website", ""), elapsed=form.elapsed,
            referrer=request.headers.get("Referer", ""), submission_key=form.submission_key(),
            limits_checked=limits_checked,
        )
    except services.CommentsClosed as error:
        return _form_page(request, story, form, 403, refusal=error.message)
    except ValidationError as error:
        _add_errors(form, error)
        return _form_page(request, story, form, 400)
    first_name = comment.author_name.split()[0]
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, f"Thank you, {first_name}: your comment is live.",
                         extra_tags=MESSAGE_TAG)
        anchor = f"#comment-{comment.pk}"
    else:
        # Spam hears the same as everyone else: telling bots what tripped the filter helps them.
        messages.info(request, f"Thank you, {first_name}: your comment is held for moderation "
                               "and will appear here once a moderator has approved it.",
                      extra_tags=MESSAGE_TAG)
        anchor = "#comments"
    return HttpResponseRedirect(story.get_absolute_url() + anchor)


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields and field != "parent" else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def rate_limited(request, story, limited):
    minutes = math.ceil(limited.retry_after / 60)
    at = timezone.localtime() + timedelta(seconds=limited.retry_after)
    response = render(request, "comments/rate_limited.html", {
        "story": story, "retry_after": limited.retry_after, "minutes": minutes, "at": at,
    }, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response
