"""Public pages for anonymous readers from the cache, refreshed exactly when what they show
changes.

`PageCacheMiddleware` sits before sessions and authentication: a reader's GET for a page in the
cache is answered from one or two cache reads, with no database query, no session and no
template. A page is stored only when its view named what it shows (articles.pages.show), as
tags; each tag has a version number in the cache, and the stored page keeps the versions it was
rendered with. A change raises the versions of exactly the tags it affects (the signal
handlers below), so the pages showing it, and only those, are rendered again on their next
request, in every worker.

A page is also never kept past the next scheduled publication or embargo end (a story due at
12:00 is on the lists at 12:00), past the time the next scheduled correction appears, past the
time its view gave (comments closing), nor longer than NEWSROOM_PAGE_CACHE_SECONDS.

Staff (a session cookie) and readers with a message waiting always get the page rendered for
them, marked private. Stored pages carry no cookie and no per-reader data: the comment form
gets its CSRF token from the reader's own cookie in the browser (comments/static/comments/form.js).
"""

import contextlib
import hashlib
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags
from taggit.models import Tag, TaggedItem

from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Correction,
    Photo,
    Section,
    public_from,
)
from comments.models import Comment
from interviews.models import Guest, Interview

from . import compression
from .cache import CacheUnavailable, Memory
from .models import FrontPage, FrontPageSlot, Page

PAGE_PREFIX = "newsroom:page:"
TAG_PREFIX = "newsroom:tag:"
# When any tag last changed, in µs: a page whose render began before it may show the old state.
CHANGED_KEY = "newsroom:tags-changed"
# The next scheduled publication, and when a scheduled story or interview last changed.
SCHEDULE_KEY = "newsroom:next-scheduled"
SCHEDULE_CHANGED_KEY = "newsroom:schedule-changed"
# Query parameters a cached page may carry; any other makes the request uncached.
CACHED_PARAMS = {"page", "reply", "p"}  # p: a sitemap's page
# Headers that belong to one response, or that the cache sets itself.
UNSTORED_HEADERS = {"set-cookie", "vary", "cache-control", "etag", "last-modified", "date",
                    "content-length", "expires"}
UNCACHED_PREFIXES = ("/admin/", "/preview/", "/comments/", "/healthz", "/media/", "/static/",
                     "/search/", "/editor/")


def _now_ms():
    return int(time.time() * 1000)


def _now_us():
    # Changes and renders are ordered in microseconds: a change in the same millisecond as a
    # render's start would otherwise stop that render from being stored, for no reason.
    return time.time_ns() // 1000


# Tags and their versions -----------------------------------------------------------------------

# Tags whose bump could not reach the cache; raised as soon as it answers again, so no page
# cached before an outage outlives a change made during it.
_owed = set()


def tag_versions(tags):
    """{tag: version} for `tags`, starting a version (from the clock, so above any older one)
    for each tag that has none."""
    keys = {f"{TAG_PREFIX}{tag}": tag for tag in tags}
    found = cache.get_many(list(keys))
    missing = {key: _now_ms() for key in keys if key not in found}
    if missing:
        for key, start in missing.items():
            cache.add(key, start, None)
        found.update(cache.get_many(list(missing)))
    return {keys[key]: version for key, version in found.items()}


def bump(*tags):
    """Raise the version of `tags`: every stored page showing one of them is stale."""
    tags = {tag for tag in tags if tag}
    if not tags:
        return
    try:
        for tag in tags:
            # No version yet means no page was stored with one: nothing to refresh.
            with contextlib.suppress(ValueError):
                cache.incr(f"{TAG_PREFIX}{tag}")
        cache.set(CHANGED_KEY, _now_us(), None)
    except CacheUnavailable:
        _owed.update(tags)
        return
    _owed.difference_update(tags)


def bump_on_commit(*tags):
    """Now, and again once the change is committed: a reader who rendered the page between the
    two saw the old rows, and their copy must not be kept."""
    bump(*tags)
    transaction.on_commit(lambda: bump(*tags))


def settle_owed(**kwargs):
    if _owed:
        bump(*_owed)
        if not _owed:  # the cache answers again; a schedule changed meanwhile is unknown
            schedule_changed()


# The middleware ------------------------------------------------------------------------------


def _cacheable_request(request):
    if settings.NEWSROOM_PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(UNCACHED_PREFIXES):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return set(request.GET) <= CACHED_PARAMS


def _page_key(request):
    query = request.GET.urlencode() if request.GET else ""
    digest = hashlib.sha256(
        f"{release()}{request.get_host()}{request.path}?{query}".encode()).hexdigest()
    return f"{PAGE_PREFIX}{digest}"


_release = None
RELEASE_FOLDERS = ("templates", "static", "articles", "comments", "interviews", "newsroom",
                   "accounts")


def release():
    """A digest of the site's own templates and code, read once per process: part of every
    page's and fragment's key, so pages drawn by the previous release of the site are not
    served after a deploy, however long they could otherwise be kept."""
    global _release
    if _release is None:
        digest = hashlib.sha256()
        for folder in RELEASE_FOLDERS:
            for path in sorted((settings.BASE_DIR / folder).rglob("*")):
                if path.suffix in (".html", ".py", ".txt", ".xml", ".js", ".css") \
                        and "migrations" not in path.parts and path.is_file():
                    digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                    digest.update(path.read_bytes())
        _release = digest.hexdigest()[:16]
    return _release


def next_scheduled():
    """The next time a scheduled or embargoed story or interview goes public, or a scheduled
    correction appears, or None.

    Kept in the cache until it passes or a scheduled story, interview or correction changes
    (`schedule_changed`), so storing a page usually costs no query for it.
    """
    now = timezone.now()
    known = cache.get(SCHEDULE_KEY)
    if known is not None and (known["at"] is None or known["at"] > now):
        return known["at"]
    started = _now_us()
    times = [model.objects.next_public_at() for model in (Article, Interview)]
    times.append(Correction.objects.next_shown_at())
    times = [when for when in times if when is not None]
    at = min(times) if times else None
    changed = cache.get(SCHEDULE_CHANGED_KEY)
    if changed is None or changed < started:
        cache.set(SCHEDULE_KEY, {"at": at}, None)
    return at


def schedule_changed():
    cache.set(SCHEDULE_CHANGED_KEY, _now_us(), None)
    cache.delete(SCHEDULE_KEY)


def _public_headers(response, etag, modified):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    # Shared caches may keep it but must ask again each time (a cheap 304): a change here
    # shows on the next request, not when a proxy's copy runs out.
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            response = self.get_response(request)
            if getattr(request, "page_tags", None) is None and _is_public_page(response):
                patch_cache_control(response, private=True)
            return response
        key = _page_key(request)
        entry = self._fetch(request, key)
        if entry is not None and self._fresh(entry):
            return self._serve(request, entry)
        request.page_tags, request.page_expires = set(), None
        started = _now_us()
        response = self.get_response(request)
        if self._storable(request, response):
            entry = self._store(request, response, key, started)
            if entry is not None:
                return self._serve(request, entry)  # compressed as the hits will be
        return response

    @staticmethod
    def _fetch(request, key):
        """The stored page with only the body this reader takes (a brotli page of 20 kB is
        read from the cache, not that and its gzip and plain copies), and, once this process
        has met the page, the versions of its tags in the same round trip."""
        coding = compression.preferred(request)
        wanted = f"{key}:{coding or 'plain'}"
        expected = _known_page_tags.get(key, frozenset())
        found = cache.get_many([key, wanted, *(f"{TAG_PREFIX}{tag}" for tag in expected)])
        entry, body = found.pop(key, None), found.pop(wanted, None)
        if entry is None:
            return None
        if coding not in entry["codings"]:  # a page too small to be worth compressing
            coding, body = None, (body if coding is None else cache.get(f"{key}:plain"))
        if body is None:
            return None  # a part of it was evicted: as good as none
        if not entry["tags"].keys() <= expected:
            found = None  # it carries other tags than last time: ask for them
            _known_page_tags.remember(key, frozenset(entry["tags"]))
        return {**entry, "coding": coding, "body": body, "versions": found}

    @staticmethod
    def _fresh(entry):
        if timezone.now().timestamp() >= entry["until"]:
            return False
        current = entry.get("versions")
        if current is None:
            try:
                current = cache.get_many([f"{TAG_PREFIX}{tag}" for tag in entry["tags"]])
            except CacheUnavailable:
                return False
        return all(current.get(f"{TAG_PREFIX}{tag}") == version
                   for tag, version in entry["tags"].items())

    @staticmethod
    def _serve(request, entry):
        coding = entry["coding"]
        # The compressed copies are the same page: one validator, weak, for all of them.
        etag = f"W/{entry['etag']}" if entry["codings"] else entry["etag"]
        asked = parse_etags(request.headers.get("If-None-Match", ""))
        if etag in asked or entry["etag"] in asked:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(entry["body"])
            if coding:
                response["Content-Encoding"] = coding
        for name, value in entry["headers"]:
            response[name] = value
        if entry["codings"]:
            patch_vary_headers(response, ("Accept-Encoding",))
        _public_headers(response, etag, entry["modified"])
        return response

    @staticmethod
    def _storable(request, response):
        return (
            request.page_tags
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Cache-Control")
            and not response.has_header("Vary")
        )

    @staticmethod
    def _store(request, response, key, started):
        now = timezone.now()
        until = now + timedelta(seconds=settings.NEWSROOM_PAGE_CACHE_SECONDS)
        for limit in (request.page_expires, next_scheduled()):
            if limit is not None:
                until = min(until, limit)
        keep = (until - now).total_seconds()
        if keep <= 0:
            return
        request.page_tags.add("nav")  # every page has the section menu (base.html)
        versions = tag_versions(request.page_tags)
        if len(versions) != len(request.page_tags):
            return  # the cache did not answer
        changed = cache.get(CHANGED_KEY)
        if changed is not None and changed >= started:
            return  # something changed while this page was rendered
        body = response.content
        etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
        modified = now.timestamp()
        headers = [(name, value) for name, value in response.items()
                   if name.lower() not in UNSTORED_HEADERS]
        variants = (compression.compressed_variants(body)
                    if compression.compressible(response) else {})
        entry = {"headers": headers, "tags": versions, "until": until.timestamp(),
                 "etag": etag, "modified": modified, "codings": sorted(variants)}
        # The page's description and each of its bodies under keys of their own, so a hit
        # reads the one body its reader takes.
        cache.set_many({key: entry, f"{key}:plain": body,
                        **{f"{key}:{coding}": data for coding, data in variants.items()}}, keep)
        coding, _body = compression.choose(request, variants)
        return {**entry, "coding": coding, "body": variants[coding] if coding else body}


# The tags each page this process met last carried.
_known_page_tags = Memory()


def _is_public_page(response):
    return response.status_code == 200 and not response.has_header("Cache-Control")


# What a change refreshes -----------------------------------------------------------------------
# Each handler names the tags of what changed (articles/pages.py says what each tag means).


def _article_lists(article):
    """The lists a public story is on: front, its section, tags, authors, feeds, sitemaps."""
    tags = ["list:front", f"list:section:{article.section_id}", "feeds", "sitemaps",
            "list:corrections"]
    if article.pk:
        tags += [f"list:tag:{pk}" for pk in
                 TaggedItem.objects.filter(object_id=article.pk,
                                           content_type__model="article",
                                           content_type__app_label="articles")
                 .values_list("tag_id", flat=True)]
        tags += [f"list:author:{pk}" for pk in
                 ArticleAuthor.objects.filter(article_id=article.pk)
                 .values_list("author_id", flat=True)]
    return tags


def _remember_old(sender, instance, **kwargs):
    """Before a story or interview is saved: was it public, and in which section?"""
    fields = ["status", "publish_at",
              *(["section_id", "embargo_until"] if sender is Article else [])]
    instance._pagecache_old = (
        sender._base_manager.filter(pk=instance.pk).values(*fields).first()
        if instance.pk else None
    )


def _public_from(state):
    return public_from(state.get("status"), state.get("publish_at"), state.get("embargo_until"))


def _current(instance):
    return {"status": instance.status, "publish_at": instance.publish_at,
            "embargo_until": getattr(instance, "embargo_until", None)}


def _was_public(instance):
    old = getattr(instance, "_pagecache_old", None)
    when = _public_from(old) if old else None
    return when is not None and when <= timezone.now()


def _is_public(instance):
    when = _public_from(_current(instance))
    return when is not None and when <= timezone.now()


def _touches_schedule(instance):
    """Is or was it scheduled or embargoed: then the next time something goes public may
    have moved."""
    old = getattr(instance, "_pagecache_old", None) or {}
    now = timezone.now()
    for state in (old, _current(instance)):
        when = _public_from(state) if state else None
        if when is not None and when > now:
            return True
    return False


def _on_commit_too(function):
    function()
    transaction.on_commit(function)


def article_changed(sender, instance, **kwargs):
    if _touches_schedule(instance):
        _on_commit_too(schedule_changed)
    tags = [f"article:{instance.pk}"]
    # A story that is public, was public, or is scheduled (the lists' expiry moves) is on, or
    # leaves, lists; a draft that stays a draft is on no public page but its own preview.
    if (_was_public(instance) or _is_public(instance)
            or (instance.status == "published" and instance.publish_at is not None)):
        tags += _article_lists(instance)
        old = getattr(instance, "_pagecache_old", None) or {}
        if old.get("section_id"):
            tags.append(f"list:section:{old['section_id']}")
    if _was_public(instance) != _is_public(instance):
        # Stories that name it as related show it only while it is public.
        tags += [f"article:{pk}" for pk in
                 Article.related.through.objects.filter(to_article_id=instance.pk)
                 .values_list("from_article_id", flat=True)]
    old = getattr(instance, "_pagecache_old", None) or {}
    if instance.pk and old.get("embargo_until") != instance.embargo_until:
        # Its interviews are public no earlier than its embargo ends (InterviewQuerySet).
        for interview in Interview.objects.filter(article_id=instance.pk):
            tags += [f"interview:{interview.pk}", *_interview_lists(interview)]
    bump_on_commit(*tags)


def article_deleted(sender, instance, **kwargs):
    if _touches_schedule(instance):
        _on_commit_too(schedule_changed)
    bump_on_commit(f"article:{instance.pk}", *_article_lists(instance))


def tags_changed(sender, instance, action, pk_set, **kwargs):
    """Tags added to or taken from a story (its page, the tag lists) or an interview."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if isinstance(instance, Interview):
        bump_on_commit(f"interview:{instance.pk}")
    elif isinstance(instance, Article):
        if action == "pre_clear":
            pk_set = set(TaggedItem.objects.filter(
                object_id=instance.pk, content_type__model="article",
                content_type__app_label="articles").values_list("tag_id", flat=True))
        bump_on_commit(f"article:{instance.pk}", *(f"list:tag:{pk}" for pk in pk_set or ()))


def related_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Article):
        bump_on_commit(f"article:{instance.pk}")


def _public_story_lists(article_ids):
    """The lists of those of `article_ids` that are public now (their cards show the change)."""
    tags = []
    for article in Article.objects.published().filter(pk__in=article_ids):
        tags += _article_lists(article)
    return tags


def byline_changed(sender, instance, **kwargs):
    bump_on_commit(f"article:{instance.article_id}", f"list:author:{instance.author_id}",
                   *_public_story_lists([instance.article_id]))


def _remember_old_correction(sender, instance, **kwargs):
    instance._pagecache_old = (
        Correction._base_manager.filter(pk=instance.pk).values_list("published_at", flat=True)
        .first() if instance.pk else None
    )


def correction_changed(sender, instance, **kwargs):
    # A note dated later appears by itself then (next_scheduled), so does its story's page.
    now = timezone.now()
    dates = (instance.published_at, getattr(instance, "_pagecache_old", None))
    if any(when is not None and when > now for when in dates):
        _on_commit_too(schedule_changed)
    bump_on_commit(f"article:{instance.article_id}",
                   *_public_story_lists([instance.article_id]))


def section_changed(sender, instance, **kwargs):
    bump_on_commit("nav", f"list:section:{instance.pk}", "sitemaps")


def author_changed(sender, instance, **kwargs):
    bump_on_commit(f"author:{instance.pk}", f"list:author:{instance.pk}")


def tag_changed(sender, instance, **kwargs):
    bump_on_commit(f"tag:{instance.pk}", f"list:tag:{instance.pk}", "sitemaps", "feeds")


def photo_changed(sender, instance, **kwargs):
    # Pages show a photo through a story, an author or a guest; each of those carries it.
    bump_on_commit(f"photo:{instance.pk}",
                   *_public_story_lists(Article.objects.filter(lead_photo=instance)
                                        .values("pk")),
                   *(f"author:{pk}" for pk in Author.objects.filter(photo=instance)
                     .values_list("pk", flat=True)),
                   *(f"guest:{pk}" for pk in Guest.objects.filter(photo=instance)
                     .values_list("pk", flat=True)))


def _interview_lists(interview):
    tags = ["list:interviews", "list:front", "feeds", "sitemaps"]
    if interview.article_id:
        tags.append(f"article-interviews:{interview.article_id}")
    if interview.pk:
        tags += [f"list:guest:{pk}" for pk in
                 interview.lineup.values_list("guest_id", flat=True)]
    return tags


def interview_changed(sender, instance, **kwargs):
    if _touches_schedule(instance):
        _on_commit_too(schedule_changed)
    tags = [f"interview:{instance.pk}", f"transcript:{instance.pk}"]
    if (_was_public(instance) or _is_public(instance)
            or (instance.status == "published" and instance.publish_at is not None)):
        tags += _interview_lists(instance)
    bump_on_commit(*tags)


def interview_deleted(sender, instance, **kwargs):
    if _touches_schedule(instance):
        _on_commit_too(schedule_changed)
    bump_on_commit(f"interview:{instance.pk}", *_interview_lists(instance))


def transcript_changed(sender, instance, **kwargs):
    """A part, a question or an answer: the interview's own page, not the cards listing it."""
    ids = instance.interview_ids() if hasattr(instance, "interview_ids") else {
        getattr(instance, "interview_id", None)}
    bump_on_commit(*(f"transcript:{pk}" for pk in ids if pk))


def lineup_changed(sender, instance, **kwargs):
    """A guest joins or leaves: the interview wherever it shows its guests, the guest's list."""
    bump_on_commit(f"interview:{instance.interview_id}", f"transcript:{instance.interview_id}",
                   f"list:guest:{instance.guest_id}")


def guest_changed(sender, instance, **kwargs):
    bump_on_commit(f"guest:{instance.pk}", f"list:guest:{instance.pk}")


def _remember_comment(sender, instance, **kwargs):
    instance._pagecache_old = None
    if instance.pk:
        instance._pagecache_old = (
            Comment._base_manager.filter(pk=instance.pk).values("status", "featured").first()
        )


def comment_changed(sender, instance, **kwargs):
    """Only a comment that readers see, or saw, changes a page: its story's."""
    old = getattr(instance, "_pagecache_old", None) or {}
    shown = Comment.Status.APPROVED
    if instance.status != shown and old.get("status") != shown:
        return
    bump_on_commit(_comments_tag(instance))


def comment_deleted(sender, instance, **kwargs):
    if instance.status == Comment.Status.APPROVED:
        bump_on_commit(_comments_tag(instance))


def _comments_tag(comment):
    if comment.article_id:
        return f"comments:article:{comment.article_id}"
    return f"comments:interview:{comment.interview_id}"


def front_page_changed(sender, instance, **kwargs):
    """The editors' curation: the front page (its expiry times are read when it is stored)."""
    bump_on_commit("list:front")


def page_changed(sender, instance, **kwargs):
    """An about or contact page: its own page, every footer that links it, the sitemaps."""
    from .context_processors import FOOTER_PAGES_KEY

    def forget_footer():
        with contextlib.suppress(Exception):
            cache.delete(FOOTER_PAGES_KEY)

    _on_commit_too(forget_footer)
    bump_on_commit("nav", f"page:{instance.pk}", "sitemaps")


def connect():
    from interviews import models as interview_models

    def on(signal, handler, sender):
        signal.connect(handler, sender=sender,
                       dispatch_uid=f"pagecache-{handler.__name__}-{sender.__name__}")

    for model in (Article, Interview):
        on(pre_save, _remember_old, model)
    on(post_save, article_changed, Article)
    on(pre_delete, article_deleted, Article)
    on(post_save, interview_changed, Interview)
    on(pre_delete, interview_deleted, Interview)
    on(m2m_changed, tags_changed, Article.tags.through)
    on(m2m_changed, related_changed, Article.related.through)
    for signal in (post_save, pre_delete):
        on(signal, byline_changed, ArticleAuthor)
        on(signal, correction_changed, Correction)
        on(signal, section_changed, Section)
        on(signal, author_changed, Author)
        on(signal, tag_changed, Tag)
        on(signal, photo_changed, Photo)
        on(signal, guest_changed, Guest)
        on(signal, front_page_changed, FrontPage)
        on(signal, front_page_changed, FrontPageSlot)
        on(signal, page_changed, Page)
        on(signal, lineup_changed, interview_models.InterviewGuest)
        for name in ("Segment", "Question", "Answer"):
            on(signal, transcript_changed, getattr(interview_models, name))
    on(m2m_changed, transcript_changed, interview_models.Question.addressed_to.through)
    on(pre_save, _remember_old_correction, Correction)
    on(pre_save, _remember_comment, Comment)
    on(post_save, comment_changed, Comment)
    on(pre_delete, comment_deleted, Comment)
    request_started.connect(settle_owed, dispatch_uid="pagecache-settle-owed")
