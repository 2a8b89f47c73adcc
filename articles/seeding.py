"""Load the demo newsroom in seeds/demo.json: staff logins, sections, authors, photos, stories.

Also what every demo-content loader shares: reading a seed file and saying where it is wrong
(read_seed). The `seed` command (newsroom/management/commands/seed.py) calls
load_demo_stories() first, then the interview and comment loaders, all in one transaction.

Running it again changes nothing: rows are found by their slugs and only written when the seed
says something different, each story's photo is drawn once (its file name carries a fingerprint
of the photo's design, see demo_photos.py), and a story that already exists keeps its
publication time.
"""

import copy
import json
import os
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from . import history
from .demo_photos import check_photo, draw_photo, photo_stem
from .images import prepare_upload, save_photo
from .models import Article, ArticleAuthor, Author, Correction, Photo, Section
from .sanitize import clean_html
from .services import save_article

SEED_FILE = "demo.json"
# Demo staff account -> the group (made by a data migration) that gives it its role.
DEMO_USERS = {"editor": "Editor", "reporter": "Reporter", "moderator": "Moderator"}
STATUSES = {"published", "scheduled", "draft"}
FROM_ENVIRONMENT = "password from NEWSROOM_DEMO_PASSWORD"


def read_seed(path, check):
    """The parsed JSON seed at `path`, or a CommandError naming the file (and line).

    `check(data)` returns the list of problems with the file's structure; any problem stops
    the load before anything is written.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}:{error.lineno}: not valid JSON: {error.msg}") from error
    problems = check(data)
    if problems:
        raise CommandError(f"{path}: " + "; ".join(problems))
    return data


@dataclass
class DemoNewsroom:
    """What load_demo_stories() loaded, for the command's report."""

    path: Path
    sections: int
    authors: int
    statuses: list  # each story's status in the seed
    new_photos: int
    # username -> how to sign in: the generated password, FROM_ENVIRONMENT, or None
    # for an account that already existed and keeps its password.
    logins: dict = field(default_factory=dict)

    @property
    def summary(self):
        stories = len(self.statuses)
        return (
            f"Loaded {self.path}: {self.sections} sections, {self.authors} authors, {stories} "
            f"stories ({self.statuses.count('published')} published, "
            f"{self.statuses.count('scheduled')} scheduled, {self.statuses.count('draft')} "
            f"draft), {stories} photos ({self.new_photos} new)."
        )


def load_demo_stories(path=None, *, password="", new_files=None):
    """Load the demo staff and stories, all or nothing; return a DemoNewsroom.

    `password` is the demo staff's password (NEWSROOM_DEMO_PASSWORD); without one, new
    accounts get a generated password and existing ones keep theirs. The names of the image
    files drawn are appended to `new_files`, so that a caller whose own transaction fails
    later can take them away (see removed_on_failure()).
    """
    path = path or settings.BASE_DIR / "seeds" / SEED_FILE
    data = read_seed(path, check_seed)
    new_files = [] if new_files is None else new_files
    loader = _StoryLoader(path, new_files)
    with removed_on_failure(new_files), transaction.atomic(), \
            history.recorded(None, "Loaded from the demo content (manage.py seed)."):
        logins = load_demo_users(password)
        sections = loader.load_sections(data["sections"])
        authors = loader.load_authors(data["authors"], logins)
        stories = loader.load_stories(data["stories"], sections, authors)
        # Bylines, tags and related links came after each story's save: record them too.
        for story in stories.values():
            history.include(story)
    return DemoNewsroom(
        path=path, sections=len(data["sections"]), authors=len(data["authors"]),
        statuses=[item.get("status", "published") for item in data["stories"]],
        new_photos=loader.new_photos,
        logins={username: how for username, (_, how) in logins.items()},
    )


@contextmanager
def removed_on_failure(file_names):
    """Delete the image files named in `file_names` if the block fails.

    Files are not part of a transaction: when the rows of new photos are rolled back, their
    files must go too, or they would be left behind with nothing pointing at them.
    """
    try:
        yield file_names
    except BaseException:
        storage = Photo._meta.get_field("image").storage
        for name in file_names:
            if name and storage.exists(name):
                storage.delete(name)
        raise


# Staff ---------------------------------------------------------------------------------------


def load_demo_users(password=""):
    """Create or update the demo staff; return {username: (user, how to sign in)}."""
    User = get_user_model()
    logins = {}
    for username, group_name in DEMO_USERS.items():
        try:
            group = Group.objects.get(name=group_name)
        except Group.DoesNotExist as error:
            raise CommandError(
                f"Group {group_name!r} is missing: run `manage.py migrate` first."
            ) from error
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username)
        changed = assign(user, {"is_staff": True})
        if password:
            how = FROM_ENVIRONMENT
            # Hashing again would rewrite the row with a new salt; only do it when needed.
            if created or not user.check_password(password):
                user.set_password(password)
                changed = True
        elif created:
            how = secrets.token_urlsafe(12)
            user.set_password(how)
        else:
            how = None  # an existing account keeps whatever password it has
        if created or changed:
            user.save()
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        logins[username] = (user, how)
    return logins


# Sections, authors, stories and their photos -------------------------------------------------


class _StoryLoader:
    def __init__(self, path, new_files):
        self.path = path
        self.now = timezone.now()
        self.new_files = new_files
        self.new_photos = 0

    @contextmanager
    def about(self, what):
        """Turn a model's validation error into a command error naming the seed record."""
        try:
            yield
        except ValidationError as error:
            raise CommandError(f"{self.path}: {what}: {'; '.join(error.messages)}") from error

    def load_sections(self, items):
        sections = {}
        for item in items:
            values = {"name": item["name"], "description": item.get("description", ""),
                      "order": item.get("order", 0)}
            with self.about(f"section {item['slug']!r}"):
                sections[item["slug"]], _ = upsert(Section, item["slug"], values)
        return sections

    def load_authors(self, items, logins):
        authors = {}
        for item in items:
            user = logins[item["user"]][0] if item.get("user") else None
            values = {"name": item["name"], "role": item.get("role", ""),
                      "bio": item.get("bio", ""), "user_id": user.pk if user else None}
            with self.about(f"author {item['slug']!r}"):
                authors[item["slug"]], _ = upsert(Author, item["slug"], values)
        return authors

    def load_stories(self, items, sections, authors):
        stories = {}
        for item in items:
            with self.about(f"story {item['slug']!r}"):
                stories[item["slug"]] = self.load_story(item, sections, authors)
        # Related links point at other stories, so they wait until every story exists.
        for item in items:
            stories[item["slug"]].related.set([stories[slug] for slug in item.get("related", [])])
        return stories

    def load_story(self, item, sections, authors):
        before = Article.objects.filter(slug=item["slug"]).first()
        article = copy.copy(before) if before else Article(slug=item["slug"])
        status = item.get("status", "published")
        values = {
            "title": item["title"],
            "kicker": item.get("kicker", ""),
            "standfirst": item.get("standfirst", ""),
            # Stored bodies are sanitised; compare like with like so a rerun sees no change.
            "body": clean_html(body_html(item["body"])),
            "section_id": sections[item["section"]].pk,
            "lead_photo_id": self.load_photo(before, item).pk,
            "discussion_prompt": item.get("discussion_prompt", ""),
            "comment_mode": item.get("comment_mode", Article.CommentMode.MODERATED),
            "status": Article.Status.DRAFT if status == "draft" else Article.Status.PUBLISHED,
        }
        # A story keeps the time it first went out; only a new one gets one from the seed.
        if status != "draft" and article.publish_at is None:
            values["publish_at"] = self.now - timedelta(hours=item["hours_ago"])
        if assign(article, values) or before is None:
            article.full_clean()
            save_article(article, before=before)
        set_byline(article, [authors[slug] for slug in item["authors"]])
        article.tags.set(item.get("tags", []))
        for correction in item.get("corrections", []):
            Correction.objects.get_or_create(
                article=article, text=correction["text"],
                defaults={"published_at": self.now - timedelta(hours=correction["hours_ago"])},
            )
        return article

    def load_photo(self, article, item):
        """The story's lead photo: the one drawn earlier if its design is unchanged."""
        spec = item["photo"]
        values = {"alt_text": spec["alt"], "caption": spec.get("caption", ""),
                  "credit": spec.get("credit", "")}
        stem = photo_stem(item["slug"], spec)
        photo = article.lead_photo if article else None
        if photo and os.path.basename(photo.image.name).startswith(stem):
            if assign(photo, values):
                photo.full_clean()
                photo.save()
            return photo
        upload = ContentFile(draw_photo(spec, seed=stem), name=f"{stem}.jpg")
        cleaned = prepare_upload(upload)
        cleaned.name = f"{stem}.jpg"
        photo = Photo(image=cleaned, **values)
        photo.full_clean()
        save_photo(photo)  # the upload service writes the WebP renditions
        self.new_files += [photo.image.name, *photo.renditions.values()]
        self.new_photos += 1
        return photo


# Reading the seed ----------------------------------------------------------------------------


def check_seed(data):
    """Everything wrong with the seed's structure and cross-references, as messages."""
    if not isinstance(data, dict) or not all(
        isinstance(data.get(key), list) for key in ("sections", "authors", "stories")
    ):
        return ["expected an object with lists “sections”, “authors” and “stories”"]
    problems = [
        f"{kind} #{number}: needs a “slug” and a “{field}”"
        for kind, field in (("sections", "name"), ("authors", "name"), ("stories", "title"))
        for number, item in enumerate(data[kind], 1)
        if not isinstance(item, dict) or not item.get("slug") or not item.get(field)
    ]
    if problems:
        return problems
    sections = {item.get("slug") for item in data["sections"]}
    authors = {item.get("slug") for item in data["authors"]}
    stories = {item.get("slug") for item in data["stories"]}
    for item in data["authors"]:
        if item.get("user") and item["user"] not in DEMO_USERS:
            problems.append(f"author {item.get('slug')!r}: unknown user {item['user']!r}")
    for item in data["stories"]:
        problems += [f"story {item.get('slug')!r}: {p}"
                     for p in check_story(item, sections, authors, stories)]
    return problems


def check_story(item, sections, authors, stories):
    required = ("slug", "section", "title", "body", "authors", "hours_ago", "photo")
    missing = [key for key in required if key not in item]
    if missing:
        return [f"missing {', '.join(missing)}"]
    problems = []
    status = item.get("status", "published")
    if status not in STATUSES:
        problems.append(f"status must be one of {', '.join(sorted(STATUSES))}")
    if not isinstance(item["hours_ago"], int):
        problems.append("hours_ago must be a whole number")
    elif (status == "scheduled") != (item["hours_ago"] < 0):
        problems.append("only a scheduled story has a negative hours_ago")
    if item["section"] not in sections:
        problems.append(f"unknown section {item['section']!r}")
    if not isinstance(item["body"], list) or not all(isinstance(p, str) for p in item["body"]):
        problems.append("body must be a list of paragraphs")
    if not item["authors"] or set(item["authors"]) - authors:
        problems.append(f"unknown or missing authors {item['authors']!r}")
    unknown = set(item.get("related", [])) - stories
    if unknown or item["slug"] in item.get("related", []):
        problems.append(f"related must name other stories, not {sorted(unknown) or 'itself'}")
    return problems + check_photo(item["photo"])


# Saving --------------------------------------------------------------------------------------


def assign(obj, values):
    """Set `values` on `obj`; return the names of the fields whose value changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def upsert(model, slug, values):
    """Create the row with this slug, or update it only where the seed differs."""
    obj = model.objects.filter(slug=slug).first()
    created = obj is None
    if created:
        obj = model(slug=slug)
    if assign(obj, values) or created:
        obj.full_clean()
        obj.save()
    return obj, created


def set_byline(article, authors):
    wanted = [author.pk for author in authors]
    current = list(
        ArticleAuthor.objects.filter(article=article)
        .order_by("position")
        .values_list("author_id", flat=True)
    )
    if current != wanted:
        ArticleAuthor.objects.filter(article=article).delete()
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=article, author_id=pk, position=position)
            for position, pk in enumerate(wanted)
        )


def body_html(paragraphs):
    """Paragraphs to HTML: "## " starts a subheading, "> " a block quote."""
    parts = []
    for text in paragraphs:
        if text.startswith("## "):
            parts.append(f"<h2>{escape(text[3:])}</h2>")
        elif text.startswith("> "):
            parts.append(f"<blockquote><p>{escape(text[2:])}</p></blockquote>")
        else:
            parts.append(f"<p>{escape(text)}</p>")
    return "\n".join(parts)
