"""Save a WordPress export as stories, comments, photos and old addresses.

`import_export` reads the file twice (see wxr): the first pass refuses a broken file before
anything is saved; the second saves the posts one by one, each in its own transaction, so a
post that fails leaves nothing behind and the run carries on with the next.

What is shared between posts (sections, bylines and their users, photos) is made outside the
posts' transactions, once, and reused: a photo used by a hundred posts is stored once.

Running the same export again finds every post and comment by its WordPress ID
(newsroom.models) and compares each field with a fingerprint of what the last run wrote: a field
the export did not change is left as it is now, so edits made on the desk since are kept; a
field the export changed is written again (newsroom.reimport, the text importer's rule too).
"""

import functools
import html
import ipaddress
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, router, transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles import history, images
from articles import services as article_services
from articles.models import (
    RESERVED_SLUGS,
    Article,
    ArticleAuthor,
    ArticleRedirect,
    Author,
    Photo,
    Section,
)
from comments import bayes
from comments.models import Comment, body_fingerprint, normalise_email

from .. import reimport
from ..models import FrontPage, FrontPageSlot, WordPressComment, WordPressImage, WordPressPost
from . import content, wxr

ExportError = wxr.ExportError

# WordPress post status -> (story status, keeps its publication time)
STATUSES = {
    "publish": (Article.Status.PUBLISHED, True),
    "future": (Article.Status.PUBLISHED, True),
    "draft": (Article.Status.DRAFT, False),
    "pending": (Article.Status.REVIEW, False),
    "private": (Article.Status.DRAFT, False),
}
COMMENT_STATES = {"1": Comment.Status.APPROVED, "approve": Comment.Status.APPROVED,
                  "0": Comment.Status.PENDING, "hold": Comment.Status.PENDING,
                  "spam": Comment.Status.SPAM}
TRASHED = {"trash", "post-trashed"}
COMMENT_TYPES = {"comment", ""}
PRIMARY_CATEGORY_KEYS = ("_yoast_wpseo_primary_category", "rank_math_primary_category",
                         "_primary_term_category")
FALLBACK_SECTION = "Uncategorized"
PAGES_SECTION = "Pages"
BATCH_SECONDS = 1.0
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"<a\b[^>]*?href\s*=\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</a>", re.S | re.I)
_BREAK = re.compile(r"<br\s*/?>|</p>\s*", re.I)


def _plain(text):
    """HTML (a title, an excerpt, a caption) as plain text."""
    text = text or ""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def comment_text(text):
    """A WordPress comment's HTML as the plain text Newsroom stores (links keep their URL)."""
    def link(match):
        url, label = match.group(1).strip(), _plain(match.group(2))
        return url if not label or label == url else f"{label} ({url})"

    text = _LINK.sub(link, (text or "").replace("\r\n", "\n"))
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass
class Summary:
    """What a run did, for the command's last lines and the admin page."""

    name: str = ""
    posts: Counter = field(default_factory=Counter)  # final state: published, scheduled, …
    actions: Counter = field(default_factory=Counter)  # created, updated, unchanged
    skipped: Counter = field(default_factory=Counter)  # what was left out, and how often
    comments: Counter = field(default_factory=Counter)  # by state
    comment_actions: Counter = field(default_factory=Counter)
    comments_skipped: Counter = field(default_factory=Counter)
    images: Counter = field(default_factory=Counter)  # imported, reused, missing, refused
    redirects: int = 0  # old addresses that lead to an imported story
    redirects_added: int = 0
    created: dict = field(default_factory=lambda: {"sections": [], "bylines": [], "users": []})
    sticky: list = field(default_factory=list)
    sticky_note: str = "Only published posts are featured on the front page."
    trained: tuple | None = None  # (approved, spam) the learned filter was retrained on
    problems: list = field(default_factory=list)
    failures: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.failures

    def lines(self):
        """The summary as sentences, one a line (the command prints them, the page lists
        them)."""
        total = sum(self.posts.values())
        lines = [f"Posts: {total} imported{_breakdown(self.posts)}"
                 f"{_breakdown(self.actions, brackets=True)}."]
        if self.skipped:
            lines.append(f"Skipped: {_join(self.skipped)}.")
        lines.append(f"Comments: {sum(self.comments.values())} imported"
                     f"{_breakdown(self.comments)}"
                     f"{_breakdown(self.comment_actions, brackets=True)}"
                     + (f"; skipped {_join(self.comments_skipped)}" if self.comments_skipped
                        else "") + ".")
        lines.append(f"Images: {self.images['imported']} imported, {self.images['reused']} "
                     f"used again, {self.images['missing']} missing, "
                     f"{self.images['refused']} refused by the photo checks.")
        lines.append(f"Redirects: {self.redirects} old WordPress addresses lead to the imported "
                     f"stories ({self.redirects_added} new), besides /?p=ID for every post.")
        for what, names in self.created.items():
            if names:
                lines.append(f"Created {len(names)} {what}: {', '.join(names[:20])}"
                             + (" …" if len(names) > 20 else "") + ".")
        if self.sticky:
            lines.append(
                f"Sticky in WordPress ({len(self.sticky)}): {', '.join(self.sticky[:10])}"
                + (" …" if len(self.sticky) > 10 else "")
                + ". " + self.sticky_note)
        if self.trained is not None:
            lines.append(f"Spam filter retrained on {self.trained[0]} approved and "
                         f"{self.trained[1]} spam comments.")
        if self.problems:
            lines.append(f"Problems ({len(self.problems)}):")
            lines += [f"  {problem}" for problem in self.problems]
        if self.failures:
            lines.append(f"Not imported ({len(self.failures)}):")
            lines += [f"  {failure}" for failure in self.failures]
        return lines


def _join(counter):
    """"2 published, 1 draft"; a key may be (singular, plural, what follows)."""
    parts = []
    for what, count in counter.items():
        if isinstance(what, tuple):
            singular, plural, rest = what
            what = " ".join(part for part in (singular if count == 1 else plural, rest) if part)
        if count:
            parts.append(f"{count} {what}")
    return ", ".join(parts)


def _breakdown(counter, brackets=False):
    text = _join(counter)
    if not text:
        return ""
    return f" ({text})" if brackets else f": {text}"


@dataclass
class _Batch:
    """What the posts of one transaction queued to be written together at its end."""

    posts: list = field(default_factory=list)  # (item, article, outcome) saved
    roots: list = field(default_factory=list)  # (comment, WordPress comment, hashes)
    replies: list = field(default_factory=list)
    updates: list = field(default_factory=list)  # (WordPressComment, changed fields)
    redirects: dict = field(default_factory=dict)  # old path -> (article, outcome, where)
    known: dict = field(default_factory=dict)  # WordPress comment ID -> Comment pk
    existing: set = field(default_factory=set)  # stories that were here before this run
    queued: set = field(default_factory=set)  # WordPress comment IDs of new comments

    def mark(self):
        return (len(self.roots), len(self.replies), len(self.updates), set(self.redirects),
                set(self.queued))

    def undo(self, mark):
        """Forget what a post that failed had queued."""
        roots, replies, updates, redirects, queued = mark
        del self.roots[roots:], self.replies[replies:], self.updates[updates:]
        for path in set(self.redirects) - redirects:
            del self.redirects[path]
        self.queued = queued


@dataclass
class _Outcome:
    action: str = "unchanged"
    comments: Counter = field(default_factory=Counter)
    comment_actions: Counter = field(default_factory=Counter)
    comments_skipped: Counter = field(default_factory=Counter)
    redirects: int = 0
    redirects_added: int = 0
    train: bool = False


def import_export(source, *, name="export", media=None, pages=False, category_map=None,
                  by=None, progress=None):
    """Import the WordPress export `source` (a path or a binary file) and return a Summary.

    `media`: the folder holding wp-content/uploads (None: no images). `pages`: import pages
    too. `category_map`: {category slug: section name or slug}. `by`: the desk user the import
    runs as (None: the operator at the shell). `progress(done, total)` is called as posts go.
    Raises ExportError (nothing saved) when the file is not a readable WordPress export.
    """
    importer = _Importer(source, name=name, media=media, pages=pages,
                         category_map=category_map or {}, by=by, progress=progress)
    return importer.run()


class _Importer:
    def __init__(self, source, *, name, media, pages, category_map, by, progress):
        self.source, self.by, self.progress = source, by, progress
        self.media = find_uploads(media) if media else None
        self.pages = pages
        self.category_map = {key.strip().lower(): value.strip()
                             for key, value in category_map.items()}
        self.summary = Summary(name=name)
        self.sections, self.authors, self.placed, self.tags = {}, {}, {}, {}
        self.slugs = None
        self.sticky_articles = []
        self.reported = set()
        self.train = False

    # --- the run ---------------------------------------------------------------------------

    def run(self):
        self.export = export = wxr.read_index(self.source)
        self.site_urls = [url for url in {export.site_url, export.blog_url} if url]
        self.blog_path = urlsplit(export.blog_url).path.rstrip("/")
        self.files = {attachment.file: number for number, attachment
                      in export.attachments.items() if attachment.file}
        self.categories_by_id = {category.term_id: category.slug
                                 for category in export.categories.values() if category.term_id}
        self.known_posts = set(WordPressPost.objects.values_list("wordpress_id", flat=True))
        self.known_comments = set(WordPressComment.objects.values_list("wordpress_id",
                                                                       flat=True))
        types = ("post", "page") if self.pages else ("post",)
        total = 0
        for (post_type, _status), count in export.items.items():
            if post_type in types:
                total += count
            elif post_type == "page":
                self.summary.skipped[("page", "pages", "(import pages with --pages)")] += count
            elif post_type != "attachment":
                self.summary.skipped[("item", "items", f"of type {post_type}")] += count
        items = self._items(types)
        done, finished = 0, False
        while not finished:
            # The posts of about a second share one transaction, because a commit waits for
            # the disk (SQLite: ~20 ms), and their comments and old addresses are written
            # together at its end. Each post still changes all or nothing: its own savepoint,
            # and a batch that cannot be written stops the run with nothing of it saved.
            self.batch = _Batch()
            try:
                with transaction.atomic():
                    deadline = time.monotonic() + BATCH_SECONDS
                    for item in items:
                        done += 1
                        if self.progress:
                            self.progress(done, total)
                        self._handle(item)
                        if time.monotonic() > deadline:
                            break
                    else:
                        finished = True
                    self._write_batch()
            except DatabaseError as error:
                posts = ", ".join(str(item.post_id) for item, _, _ in self.batch.posts)
                self._fail(f"posts {posts}", f"the database refused them ({error}); nothing of "
                                             "them was saved and the import stopped here: run "
                                             "it again to carry on")
                break
            for item, article, outcome in self.batch.posts:
                self._count(item, article, outcome)
        if self.train:
            self.summary.trained = bayes.retrain()
        self._feature_sticky()
        return self.summary

    def _feature_sticky(self):
        """WordPress's sticky posts become featured slots on the front page, after any the
        editors set and without an end time; a post already on it is not added again. Only a
        user who may change the front page (an editor, or the shell) makes them."""
        wanted = list(dict.fromkeys(self.sticky_articles))
        if not wanted:
            return
        if self.by is not None and not self.by.has_perm("newsroom.change_frontpage"):
            self.summary.sticky_note = ("You may not change the front page, so they were not "
                                        "featured on it; an editor can add them under Front "
                                        "page.")
            return
        with transaction.atomic():
            front = FrontPage.objects.order_by("pk").first() or FrontPage.objects.create()
            present = set(front.slots.values_list("article_id", flat=True)) | {front.lead_id}
            position = max(front.slots.values_list("position", flat=True), default=-1) + 1
            added = 0
            for article_id in wanted:
                if article_id not in present:
                    FrontPageSlot.objects.create(front_page=front, article_id=article_id,
                                                 position=position + added)
                    added += 1
        self.summary.sticky_note = (
            f"They are featured on the front page ({added} new slot{'s' if added != 1 else ''}"
            "), after any the editors chose: reorder or remove them under Front page.")

    def _items(self, types):
        try:
            yield from wxr.read_items(self.source, types)
        except ExportError as error:
            # The file changed under us between the two passes: keep what was imported.
            self._fail(error.where(self.summary.name), error.message)

    def _handle(self, item):
        if isinstance(item, wxr.BadItem):
            self._fail(f"post {item.post_id} (line {item.line})", item.message)
        elif item.status not in STATUSES:
            what = {"trash": ("post", "posts", "in the trash"),
                    "auto-draft": ("automatic draft", "automatic drafts", ""),
                    "inherit": ("revision", "revisions", "")}.get(
                item.status, ("post", "posts", f"with the status {item.status}"))
            self.summary.skipped[what] += 1
        else:
            self._import_post(item)

    def _fail(self, where, message):
        self.summary.failures.append(f"{where}: {message}")

    def _problem(self, where, message, key=None):
        if key is not None:
            if key in self.reported:
                return
            self.reported.add(key)
        self.summary.problems.append(f"{where}: {message}")

    def _import_post(self, item):
        where = f"post {item.post_id} “{_plain(item.title)[:60] or 'untitled'}” (line {item.line})"
        mark = self.batch.mark()
        try:
            values, user = self._values(item, where)
            comment = f"Imported from WordPress post {item.post_id} (import_wordpress)."
            with transaction.atomic(), history.recorded(self.by, comment):
                article, outcome = self._save_article(item, values, user)
                self._redirects(item, article, outcome, where)
                self._comments(item, article, outcome, where)
                history.include(article)
        except Exception as error:  # noqa: BLE001 - one bad post must not stop the run
            self.batch.undo(mark)
            message = "; ".join(getattr(error, "messages", [])) or str(error) or repr(error)
            self._fail(where, f"{message} (nothing of this post was saved)")
            return
        self.batch.posts.append((item, article, outcome))

    def _count(self, item, article, outcome):
        summary = self.summary
        summary.actions[outcome.action] += 1
        summary.posts[_state(article)] += 1
        summary.comments.update(outcome.comments)
        summary.comment_actions.update(outcome.comment_actions)
        summary.comments_skipped.update(outcome.comments_skipped)
        summary.redirects += outcome.redirects
        summary.redirects_added += outcome.redirects_added
        self.train = self.train or outcome.train
        if item.sticky or item.post_id in self.export.sticky_ids:
            summary.sticky.append(f"“{article.title}”")
            if item.post_type == "post" and article.status == Article.Status.PUBLISHED:
                self.sticky_articles.append(article.pk)

    # --- the story's fields --------------------------------------------------------------------

    def _values(self, item, where):
        """What the export says each field should be (made hashable), and the author's user."""
        title = _plain(item.title)[:200] or f"Untitled (WordPress post {item.post_id})"
        slug = slugify(unquote(item.slug))[:200] or slugify(title)[:200] \
            or f"wordpress-{item.post_id}"
        status, timed = STATUSES[item.status]
        publish_at = None
        if item.password and status == Article.Status.PUBLISHED:
            status, timed = Article.Status.DRAFT, False
            self._problem(where, "password-protected in WordPress; imported as a draft")
        if item.status == "private":
            self._problem(where, "private in WordPress; imported as a draft")
        if timed:
            # Without any date (WordPress always writes one) the story is published now.
            publish_at = item.date_gmt or (timezone.make_aware(item.date) if item.date else None)
        converted = content.convert(item.content, resolve_image=lambda number, src: self._image(
            number, src, where), site_urls=self.site_urls)
        for name, count in sorted(converted.shortcodes.items()):
            times = f" ({count} times)" if count > 1 else ""
            self._problem(where, f"shortcode [{name}] is not supported; removed{times}")
        lead = None
        thumbnail = item.meta.get("_thumbnail_id", "")
        if thumbnail.isdigit() and int(thumbnail):
            placed = self._image(int(thumbnail), None, where)
            lead = placed.photo_id if placed else None
        user, author = self._author(item.creator)
        mode = Article.CommentMode.CLOSED if item.comment_status == "closed" \
            else Article.CommentMode.MODERATED
        section = self._section(item)
        values = {
            "title": title,
            "slug": slug,
            "standfirst": _plain(item.excerpt)[:600],
            "body": converted.body,
            "section": section.pk,
            "authors": [author.pk] if author else [],
            "tags": sorted({self._tag(_plain(name)[:100] or tag_slug).name
                            for tag_slug, name in item.tags}),
            "lead_photo": lead,
            "publishing": [status, publish_at.isoformat() if publish_at else None],
            "comment_mode": mode,
        }
        return values, user

    def _save_article(self, item, values, user):
        hashes = reimport.fingerprints(values)
        mapping = None
        if item.post_id in self.known_posts:
            mapping = (WordPressPost.objects.select_related("article__section")
                       .filter(wordpress_id=item.post_id).first())
        sticky = item.sticky or item.post_id in self.export.sticky_ids
        if mapping is None:
            article = Article(created_by=user)
            self._apply(article, values, set(values))
            article_services.save_article(article, by=self.by, before=None)
            _bulk_create(ArticleAuthor, [
                ArticleAuthor(article=article, author_id=pk, position=position)
                for position, pk in enumerate(values["authors"])])
            _tag_new_story(article, [self.tags[name.lower()] for name in values["tags"]])
            WordPressPost.objects.create(wordpress_id=item.post_id, post_type=item.post_type,
                                         article=article, link=item.link[:500], sticky=sticky,
                                         imported=hashes)
            self.known_posts.add(item.post_id)
            return article, _Outcome(action="created")
        article = mapping.article
        changed = reimport.changed(hashes, mapping.imported)
        if not changed and mapping.sticky == sticky and mapping.link == item.link[:500]:
            return article, _Outcome(action="unchanged")
        if changed - {"authors", "tags"}:
            before = Article.objects.select_related("section").get(pk=article.pk)
            self._apply(article, values, changed)
            article_services.save_article(article, by=self.by, before=before)
        if "authors" in changed:
            ArticleAuthor.objects.filter(article=article).delete()
            _bulk_create(ArticleAuthor, [
                ArticleAuthor(article=article, author_id=pk, position=position)
                for position, pk in enumerate(values["authors"])])
        if "tags" in changed:
            article.tags.set([self.tags[name.lower()] for name in values["tags"]])
        mapping.imported, mapping.sticky, mapping.link = hashes, sticky, item.link[:500]
        mapping.save(update_fields=["imported", "sticky", "link", "imported_at"])
        return article, _Outcome(action="updated" if changed else "unchanged")

    def _apply(self, article, values, changed):
        if "title" in changed:
            article.title = values["title"]
        if "slug" in changed:
            article.slug = self._free_slug(values["slug"], article.slug)
        if "standfirst" in changed:
            article.standfirst = values["standfirst"]
        if "body" in changed:
            article.body = values["body"]
        if "section" in changed:
            article.section = self.sections[values["section"]]
        if "lead_photo" in changed:
            article.lead_photo_id = values["lead_photo"]
        if "publishing" in changed:
            status, when = values["publishing"]
            article.status = status
            article.publish_at = datetime.fromisoformat(when) if when else None
        if "comment_mode" in changed:
            article.comment_mode = values["comment_mode"]

    # --- shared things: sections, bylines, photos ------------------------------------------

    def _section(self, item):
        if item.post_type == "page":
            return self._section_named(PAGES_SECTION)
        slugs = [slug for slug, _name in item.categories if slug]
        for key in PRIMARY_CATEGORY_KEYS:
            primary = item.meta.get(key, "")
            if primary.isdigit() and int(primary) in self.categories_by_id:
                slugs.insert(0, self.categories_by_id[int(primary)])
                break
        if not slugs:
            return self._section_named(FALLBACK_SECTION)
        names = dict(item.categories)
        chain, current = [], slugs[0]
        while current and current not in chain:
            chain.append(current)
            category = self.export.categories.get(current)
            current = category.parent if category else ""
        for slug in chain:
            target = self.category_map.get(slug.lower())
            if target:
                return self._section_named(target)
        top = chain[-1]
        category = self.export.categories.get(top)
        name = (category.name if category else names.get(top)) or top
        return self._section_named(_plain(name), slug=unquote(top))

    def _section_named(self, name, slug=None):
        key = (name.lower(), slug)
        if key in self.sections:
            return self.sections[key]
        slug = slugify(slug or name)[:80] or "section"
        section = (Section.objects.filter(slug=slug).first()
                   or Section.objects.filter(name__iexact=name).first()
                   or Section.objects.filter(slug=slugify(name)).first())
        if section is None:
            if slug in RESERVED_SLUGS:
                slug = f"{slug}-news"
            with transaction.atomic():
                section = Section.objects.create(
                    name=_free_name(name[:80]), slug=_free_value(Section, "slug", slug, 80),
                    order=Section.objects.count())
            self.summary.created["sections"].append(section.name)
        self.sections[key] = self.sections[section.pk] = section
        return section

    def _free_slug(self, slug, current):
        """`slug`, or `slug-2`, `-3` … when another story has it. The stories' slugs are read
        once; the database's unique index still has the last word."""
        if self.slugs is None:
            self.slugs = set(Article.objects.values_list("slug", flat=True))
        value, number = slug, 2
        while value in self.slugs and value != current:
            suffix = f"-{number}"
            value, number = slug[: 200 - len(suffix)] + suffix, number + 1
        self.slugs.add(value)
        return value

    def _tag(self, name):
        """The tag called `name` (whatever its case, as taggit is set up), made once."""
        key = name.lower()
        if key not in self.tags:
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is None:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name)
            self.tags[key] = tag
        return self.tags[key]

    def _author(self, login):
        """The desk user with this WordPress login (created without a password when new) and
        their byline, named as WordPress displayed them."""
        login = (login or "").strip()
        if not login:
            return None, None
        if login in self.authors:
            return self.authors[login]
        info = self.export.authors.get(login) or wxr.Author(login=login)
        display = _plain(info.display_name) or " ".join(
            part for part in (info.first_name, info.last_name) if part) or login
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(username=login[:150]).first()
            if user is None:
                user = User(username=login[:150], email=normalise_email(info.email)[:254],
                            first_name=info.first_name[:150], last_name=info.last_name[:150])
                user.set_unusable_password()
                user.save()
                self.summary.created["users"].append(login)
            author = (Author.objects.filter(user=user).first()
                      or Author.objects.filter(name__iexact=display[:120],
                                               user__isnull=True).first())
            if author is None:
                author = Author.objects.create(
                    name=display[:120], user=user,
                    slug=_free_value(Author, "slug", slugify(display) or "author", 120))
                self.summary.created["bylines"].append(author.name)
            elif author.user_id is None:
                author.user = user
                author.save(update_fields=["user"])
        self.authors[login] = (user, author)
        return user, author

    def _image(self, attachment_id, src, where):
        """The imported photo for an attachment or an image address (imported now if it is
        new), or None when it cannot be had; a problem is reported once per file."""
        attachment = self.export.attachments.get(attachment_id) if attachment_id else None
        path = self._upload_path(attachment, src)
        if path is None:
            what = src if src and not attachment else f"attachment {attachment_id}"
            if ("unknown", what) not in self.reported:
                self.summary.images["missing"] += 1
                reason = ("is not from this site's uploads" if src and not attachment
                          else "is not in the export")
                self._problem(where, f"image {what[:120]} {reason}; left out",
                              key=("unknown", what))
            return None
        if path in self.placed:
            placed = self.placed[path]
            if placed is not None:
                self.summary.images["reused"] += 1
            return placed
        if attachment is None and path in self.files:
            attachment = self.export.attachments[self.files[path]]
        stored = WordPressImage.objects.select_related("photo").filter(path=path).first()
        placed = None
        if stored is not None:
            placed = _placed(stored.photo)
            self.summary.images["reused"] += 1
        else:
            placed = self._import_image(path, attachment, where)
        self.placed[path] = placed
        return placed

    def _upload_path(self, attachment, src):
        """The file's path under wp-content/uploads: the attachment's own file, else the
        original of a resized copy named in `src` when the export or the folder has it."""
        if attachment is not None:
            if attachment.file:
                return attachment.file.lstrip("/")
            src = src or attachment.url
        if not src or "/wp-content/uploads/" not in src:
            return None
        path = unquote(urlsplit(src).path.split("/wp-content/uploads/", 1)[1]).lstrip("/")
        if path in self.files:
            return path
        original = _SIZE_SUFFIX.sub("", path)
        stem, dot, extension = original.rpartition(".")
        for candidate in (original, f"{stem}-scaled{dot}{extension}"):
            if candidate in self.files or (self.media and (self.media / candidate).is_file()):
                return candidate
        return path

    def _import_image(self, path, attachment, where):
        if self.media is None:
            self.summary.images["missing"] += 1
            self._problem("images", "no media folder given (--media): images were left out",
                          key="no-media")
            return None
        file_path = (self.media / path).resolve()
        if not file_path.is_relative_to(self.media) or not file_path.is_file():
            self.summary.images["missing"] += 1
            self._problem(where, f"image {path} is not in the media folder; left out",
                          key=("missing", path))
            return None
        alt = _plain(attachment.alt if attachment else "") or _plain(
            attachment.title if attachment else "") or Path(path).stem.replace("-", " ")
        photo = Photo(alt_text=alt[:250],
                      caption=_plain(attachment.caption if attachment else "")[:400])
        try:
            with file_path.open("rb") as handle, transaction.atomic():
                upload = File(handle, name=file_path.name)
                images.save_photo(photo, upload)  # the checks of every photo upload
                WordPressImage.objects.create(
                    path=path, photo=photo,
                    attachment_id=attachment.post_id if attachment else None)
        except ValidationError as error:
            self.summary.images["refused"] += 1
            self._problem(where, f"image {path}: {' '.join(error.messages)}",
                          key=("refused", path))
            return None
        except OSError as error:
            self.summary.images["missing"] += 1
            self._problem(where, f"image {path} cannot be read ({error.strerror or error})",
                          key=("unreadable", path))
            return None
        self.summary.images["imported"] += 1
        return _placed(photo)

    # --- old addresses ---------------------------------------------------------------------

    def _old_paths(self, item):
        paths = []
        parts = urlsplit(item.link)
        if parts.path and not re.search(r"(?:^|&)(?:p|page_id)=", parts.query or ""):
            paths.append(unquote(parts.path))
        if item.post_type == "post" and item.slug and item.status in ("publish", "future"):
            when = item.date or (timezone.localtime(item.date_gmt) if item.date_gmt else None)
            if when:
                paths.append(f"{self.blog_path}/{when:%Y/%m/%d}/{unquote(item.slug)}/")
        return [path for path in dict.fromkeys(paths) if path not in ("", "/")
                and len(path) <= 400]

    def _redirects(self, item, article, outcome, where):
        own = article.get_absolute_url()
        for path in self._old_paths(item):
            if path != own and path not in self.batch.redirects:
                self.batch.redirects[path] = (article, outcome, where)

    def _write_batch(self):
        """Write what the batch's posts queued: comments (threads first, then replies, then
        their WordPress records), changed comments, old addresses."""
        batch = self.batch
        # The comments of stories created in this batch need no signals: their pages cannot
        # have been shown, let alone cached, before the batch commits. Those of stories that
        # were already here get them (the page cache refreshes the story's page).
        def shown_before(comment):
            return comment.article_id in batch.existing

        roots = [comment for comment, _, _ in batch.roots]
        _bulk_create(Comment, roots, signals=shown_before)
        comment_pk = batch.known
        for comment, wp_comment, _ in batch.roots:
            comment_pk[wp_comment.comment_id] = comment.pk
        for comment, _, _ in batch.replies:
            comment.parent_id = comment_pk.get(comment.wordpress_parent)
        _bulk_create(Comment, [comment for comment, _, _ in batch.replies], signals=shown_before)
        WordPressComment.objects.bulk_create([
            WordPressComment(wordpress_id=wp_comment.comment_id, comment=comment,
                             author_url=wp_comment.url[:500], imported=hashes)
            for comment, wp_comment, hashes in batch.roots + batch.replies])
        by_fields = {}
        for mapping, fields in batch.updates:
            if "parent" in fields:
                mapping.comment.parent_id = comment_pk.get(mapping.comment.wordpress_parent)
            by_fields.setdefault(tuple(sorted(fields)), []).append(mapping)
        for fields, mappings in by_fields.items():
            comments = [mapping.comment for mapping in mappings]
            db = router.db_for_write(Comment)
            for comment in comments:  # what bulk_update does not say: listeners may look
                pre_save.send(sender=Comment, instance=comment, raw=False, using=db,
                              update_fields=fields)
            Comment.objects.bulk_update(comments, fields)
            for comment in comments:
                post_save.send(sender=Comment, instance=comment, created=False, raw=False,
                               using=db, update_fields=fields)
            WordPressComment.objects.bulk_update(mappings, ["imported", "author_url"])
        owners = {}
        paths = list(batch.redirects)
        for start in range(0, len(paths), 500):
            owners.update(ArticleRedirect.objects.filter(old_path__in=paths[start:start + 500])
                          .values_list("old_path", "article_id"))
        new = []
        for path, (article, outcome, where) in batch.redirects.items():
            owner = owners.get(path)
            if owner is None:
                new.append(ArticleRedirect(old_path=path, article=article))
                outcome.redirects_added += 1
            elif owner != article.pk:
                self._problem(where, f"the old address {path} already leads to another story; "
                                     "left as it was", key=("redirect", path))
                continue
            outcome.redirects += 1
        ArticleRedirect.objects.bulk_create(new)
        self.known_comments.update(batch.queued)

    # --- comments ----------------------------------------------------------------------------

    def _comments(self, item, article, outcome, where):
        if not item.comments:
            return
        by_id = {comment.comment_id: comment for comment in item.comments}
        known = {}
        if not self.known_comments.isdisjoint(by_id):
            known = {mapping.wordpress_id: mapping for mapping in WordPressComment.objects
                     .filter(wordpress_id__in=list(by_id)).select_related("comment")}
        batch = self.batch
        if outcome.action != "created":
            batch.existing.add(article.pk)
        batch.known.update((number, mapping.comment.pk) for number, mapping in known.items())
        for wp_comment in item.comments:
            if wp_comment.comment_id in batch.queued:
                continue  # the same comment twice in one export: the first one counts
            if wp_comment.type not in COMMENT_TYPES:
                outcome.comments_skipped[("pingback or trackback",
                                          "pingbacks and trackbacks", "")] += 1
                continue
            mapping = known.get(wp_comment.comment_id)
            if wp_comment.approved in TRASHED and mapping is None:
                outcome.comments_skipped[("", "", "in the trash")] += 1
                continue
            values = self._comment_values(wp_comment, by_id, article)
            hashes = reimport.fingerprints(values)
            if mapping is None:
                comment = _new_comment(article, values)
                row = (comment, wp_comment, hashes)
                (batch.replies if values["parent"] else batch.roots).append(row)
                batch.queued.add(wp_comment.comment_id)
                outcome.comment_actions["created"] += 1
                outcome.comments[comment.status] += 1
                outcome.train = outcome.train or comment.status in (Comment.Status.APPROVED,
                                                                    Comment.Status.SPAM)
                continue
            comment = mapping.comment
            comment.wordpress_parent = values["parent"]
            changed = reimport.changed(hashes, mapping.imported)
            if changed:
                fields = _update_comment(comment, values, changed, mapping)
                if mapping.comment.article_id != article.pk:
                    comment.article, comment.interview = article, None
                    fields.add("article")
                mapping.imported = hashes
                batch.updates.append((mapping, fields))
                outcome.comment_actions["updated"] += 1
                outcome.train = outcome.train or "status" in changed
            else:
                outcome.comment_actions["unchanged"] += 1
            outcome.comments[comment.status] += 1

    def _comment_values(self, wp_comment, by_id, article):
        status = COMMENT_STATES.get(wp_comment.approved)
        if wp_comment.approved in TRASHED:
            status = Comment.Status.REJECTED
        elif status is None:
            status = Comment.Status.PENDING
        created = wp_comment.date_gmt or (timezone.make_aware(wp_comment.date)
                                          if wp_comment.date else article.publish_at)
        return {
            "author": [_plain(wp_comment.author)[:80] or "Anonymous",
                       normalise_email(wp_comment.email)[:254], wp_comment.url[:500],
                       _ip(wp_comment.ip)],
            "body": comment_text(wp_comment.content),
            "created_at": created.isoformat() if created else "",
            "status": status,
            "parent": _thread_top(wp_comment, by_id),
        }


def _thread_top(wp_comment, by_id):
    """The WordPress ID of the first comment of this one's thread that is imported, or 0 for
    a comment that starts a thread: Newsroom has one level of replies."""
    top, seen, current = 0, {wp_comment.comment_id}, wp_comment
    while current.parent and current.parent in by_id and current.parent not in seen:
        seen.add(current.parent)
        current = by_id[current.parent]
        if current.type in COMMENT_TYPES and current.approved not in TRASHED:
            top = current.comment_id
    return top


def _new_comment(article, values):
    name, email, _url, ip = values["author"]
    comment = Comment(article=article, author_name=name, email=email, ip=ip,
                      body=values["body"], created_at=_when(values["created_at"]),
                      fingerprint=body_fingerprint(values["body"]))
    _set_status(comment, values["status"])
    comment.wordpress_parent = values["parent"]
    return comment


def _update_comment(comment, values, changed, mapping):
    fields = set()
    if "author" in changed:
        name, email, url, ip = values["author"]
        comment.author_name, comment.email, comment.ip = name, email, ip
        mapping.author_url = url
        fields |= {"author_name", "email", "ip"}
    if "body" in changed:
        comment.body = values["body"]
        comment.fingerprint = body_fingerprint(comment.body)
        fields |= {"body", "fingerprint"}
    if "created_at" in changed:
        comment.created_at = _when(values["created_at"])
        fields.add("created_at")
    if "status" in changed:
        _set_status(comment, values["status"])
        fields |= {"status", "moderated_at", "spam_score", "spam_reasons"}
    if "parent" in changed:
        fields.add("parent")
    return fields


def _set_status(comment, status):
    comment.status = status
    comment.spam_score, comment.spam_reasons = 0.0, []
    if status == Comment.Status.SPAM:
        comment.spam_score = 1.0
        comment.spam_reasons = ["Marked as spam in WordPress"]
    elif status == Comment.Status.PENDING:
        comment.spam_reasons = ["Imported from WordPress, where it was waiting for moderation"]
    elif status == Comment.Status.REJECTED:
        comment.spam_reasons = ["Moved to the trash in WordPress"]
    # The learned spam filter trains on decided comments; WordPress decided these.
    decided = status != Comment.Status.PENDING
    comment.moderated_at = (comment.moderated_at or comment.created_at) if decided else None


def _bulk_create(model, objects, signals=lambda instance: True):
    """bulk_create, then the post_save signal save() would have sent for each object
    `signals` picks: the page cache listens to them."""
    model.objects.bulk_create(objects)
    db = router.db_for_write(model)
    for instance in objects:
        if signals(instance):
            post_save.send(sender=model, instance=instance, created=True, raw=False, using=db,
                           update_fields=None)


def _tag_new_story(article, tags):
    """What `article.tags.add(*tags)` does for a story that has no tags yet, in one insert
    instead of a lookup and an insert per tag; the same signals go out (the page cache
    listens)."""
    if not tags:
        return
    through = Article.tags.through
    signal = {"sender": through, "instance": article, "reverse": False, "model": Tag,
              "pk_set": {tag.pk for tag in tags}, "using": article._state.db}
    m2m_changed.send(action="pre_add", **signal)
    through.objects.bulk_create([through(tag=tag, content_object=article) for tag in tags])
    m2m_changed.send(action="post_add", **signal)


def _when(value):
    return datetime.fromisoformat(value) if value else timezone.now()


@functools.lru_cache(maxsize=4096)
def _ip(value):
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _state(article):
    if article.status == Article.Status.PUBLISHED:
        return "scheduled" if article.is_scheduled else "published"
    return "in review" if article.status == Article.Status.REVIEW else "draft"


def _placed(photo):
    return content.PlacedImage(url=photo.image.url, srcset=photo.srcset, width=photo.width,
                               height=photo.height, alt=photo.alt_text, caption=photo.caption,
                               photo_id=photo.pk)


def _free_value(model, field_name, base, limit):
    base = base[:limit] or model.__name__.lower()
    value, number = base, 2
    while model.objects.filter(**{field_name: value}).exists():
        suffix = f"-{number}"
        value, number = base[: limit - len(suffix)] + suffix, number + 1
    return value


def _free_name(name):
    value, number = name, 2
    while Section.objects.filter(name__iexact=value).exists():
        suffix = f" ({number})"
        value, number = name[: 80 - len(suffix)] + suffix, number + 1
    return value




def find_uploads(folder):
    """The uploads folder itself, given it or a folder above it (the site's root, or
    wp-content)."""
    folder = Path(folder).resolve()
    for candidate in (folder / "wp-content" / "uploads", folder / "uploads"):
        if candidate.is_dir():
            return candidate
    return folder
