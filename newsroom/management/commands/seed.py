"""Load the demo content in seeds/demo.json: sections, authors, staff logins, photos, stories.

Running it again changes nothing: rows are found by their slugs and only written when the seed
says something different, each story's photo is drawn once (its file name carries a fingerprint
of the photo's design), and a story that already exists keeps its publication time.
"""

import copy
import hashlib
import io
import json
import math
import os
import random
import secrets
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from PIL import Image, ImageColor, ImageDraw

from articles.images import prepare_upload
from articles.models import Article, ArticleAuthor, Author, Correction, Photo, Section
from articles.sanitize import clean_html
from articles.seeding import read_seed
from articles.services import save_article
from comments.seeding import load_comments
from interviews.seeding import load_demo_interviews

SEED_FILE = "demo.json"
# Demo staff account -> the group (made by a data migration) that gives it its role.
DEMO_USERS = {"editor": "Editor", "reporter": "Reporter", "moderator": "Moderator"}
STATUSES = {"published", "scheduled", "draft"}
PHOTO_SIZE = (1600, 900)


class Command(BaseCommand):
    help = "Load the demo sections, authors, staff logins, photos and stories from seeds/."

    def handle(self, *args, **options):
        self.path = settings.BASE_DIR / "seeds" / SEED_FILE
        data = read_seed(self.path, check_seed)
        self.now = timezone.now()
        self.new_files = []
        try:
            with transaction.atomic():
                logins = self.load_users()
                sections = self.load_sections(data["sections"])
                authors = self.load_authors(data["authors"], logins)
                stories = self.load_stories(data["stories"], sections, authors)
        except BaseException:
            # The rows are rolled back; take the image files written for them away too.
            self.remove_new_files()
            raise
        self.report(data, stories, logins)
        load_demo_interviews(self.stdout)
        load_comments(stdout=self.stdout)

    @contextmanager
    def about(self, what):
        """Turn a model's validation error into a command error naming the seed record."""
        try:
            yield
        except ValidationError as error:
            raise CommandError(f"{self.path}: {what}: {'; '.join(error.messages)}") from error

    # Staff -----------------------------------------------------------------------------------

    def load_users(self):
        """Create or update the demo staff; return {username: (user, how to sign in)}."""
        password = os.environ.get("NEWSROOM_DEMO_PASSWORD", "")
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
                how = "password from NEWSROOM_DEMO_PASSWORD"
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

    # Sections and authors --------------------------------------------------------------------

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

    # Stories ---------------------------------------------------------------------------------

    def load_stories(self, items, sections, authors):
        stories = {}
        self.new_photos = 0
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
        photo.save()  # also writes the WebP renditions
        self.new_files += [photo.image.name, *photo.renditions.values()]
        self.new_photos += 1
        return photo

    def remove_new_files(self):
        storage = Photo._meta.get_field("image").storage
        for name in getattr(self, "new_files", []):
            if name and storage.exists(name):
                storage.delete(name)

    # Summary ---------------------------------------------------------------------------------

    def report(self, data, stories, logins):
        statuses = [item.get("status", "published") for item in data["stories"]]
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {self.path}: {len(data['sections'])} sections, {len(data['authors'])} "
            f"authors, {len(stories)} stories ({statuses.count('published')} published, "
            f"{statuses.count('scheduled')} scheduled, {statuses.count('draft')} draft), "
            f"{len(stories)} photos ({self.new_photos} new)."
        ))
        self.stdout.write("Demo logins (staff; sign in at /admin/):")
        for username, (_, how) in logins.items():
            if how is None:
                self.stdout.write(f"  {username} (already existed; password unchanged)")
            elif how.startswith("password from"):
                self.stdout.write(f"  {username} ({how})")
            else:
                self.stdout.write(f"  {username} / {how}")


# Reading the seed --------------------------------------------------------------------------


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


def check_photo(spec):
    if not isinstance(spec, dict):
        return ["photo must be an object with alt, palette and motif"]
    problems = []
    if spec.get("motif") not in MOTIFS:
        problems.append(f"photo motif must be one of {', '.join(MOTIFS)}")
    if not spec.get("alt"):
        problems.append("photo needs alt text")
    palette = spec.get("palette")
    try:
        if not isinstance(palette, list) or len(palette) != 2:
            raise ValueError
        for colour in palette:
            ImageColor.getrgb(colour)
    except ValueError:
        problems.append("photo palette must be two colours such as “#1f3a5f”")
    return problems


# Saving ------------------------------------------------------------------------------------


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


# Drawing the photos ------------------------------------------------------------------------


def photo_stem(slug, spec):
    """A file name that changes when, and only when, the photo's design changes."""
    design = json.dumps([spec["palette"], spec["motif"]]).encode()
    return f"demo-{slug[:40]}-{hashlib.sha256(design).hexdigest()[:8]}"


def mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def draw_photo(spec, seed):
    """A JPEG: a vertical gradient between the palette's colours with the motif drawn over it."""
    top, bottom = (ImageColor.getrgb(colour) for colour in spec["palette"])
    width, height = PHOTO_SIZE
    column = Image.new("RGB", (1, height))
    column.putdata([mix(top, bottom, y / (height - 1)) for y in range(height)])
    canvas = column.resize(PHOTO_SIZE).convert("RGBA")
    overlay = Image.new("RGBA", PHOTO_SIZE, (0, 0, 0, 0))
    dark, light = mix(top, (0, 0, 0), 0.55), mix(bottom, (255, 255, 255), 0.45)
    rng = random.Random(seed)
    MOTIFS[spec["motif"]](ImageDraw.Draw(overlay), rng, dark, light)
    output = io.BytesIO()
    Image.alpha_composite(canvas, overlay).convert("RGB").save(output, "JPEG", quality=88)
    return output.getvalue()


def draw_skyline(draw, rng, dark, light):
    width, height = PHOTO_SIZE
    for layer, (alpha, tallest) in enumerate([(110, 640), (235, 460)]):
        x = -rng.randint(0, 60)
        while x < width:
            w, h = rng.randint(60, 170), rng.randint(140, tallest)
            colour = mix(dark, light, 0.35) if layer == 0 else dark
            draw.rectangle([x, height - h, x + w, height], fill=(*colour, alpha))
            if layer:  # lit windows on the front row
                for wy in range(height - h + 20, height - 30, 34):
                    for wx in range(x + 12, x + w - 18, 26):
                        if rng.random() < 0.3:
                            draw.rectangle([wx, wy, wx + 10, wy + 14], fill=(*light, 170))
            x += w + rng.randint(4, 30)


def draw_waves(draw, rng, dark, light):
    width, height = PHOTO_SIZE
    for i in range(9):
        base = height * 0.42 + i * 58
        amplitude, phase = rng.randint(8, 36), rng.uniform(0, math.tau)
        frequency = rng.uniform(1.5, 4.0) * math.tau / width
        points = [(x, base + amplitude * math.sin(frequency * x + phase))
                  for x in range(0, width + 20, 16)]
        draw.line(points, fill=(*mix(light, dark, i / 10), 80 + i * 18), width=5 + i)


def draw_hills(draw, rng, dark, light):
    width, height = PHOTO_SIZE
    sun = rng.randint(200, width - 200), rng.randint(120, 260)
    draw.ellipse([sun[0] - 90, sun[1] - 90, sun[0] + 90, sun[1] + 90], fill=(*light, 150))
    for layer in range(4):
        base = height * (0.45 + 0.13 * layer)
        waves = [(rng.uniform(40, 90), rng.uniform(0.6, 2.2), rng.uniform(0, math.tau))
                 for _ in range(2)]
        ridge = [(x, base - sum(a * math.sin(f * math.tau * x / width + p) for a, f, p in waves))
                 for x in range(0, width + 20, 20)]
        colour = mix(light, dark, 0.4 + 0.2 * layer)
        draw.polygon(ridge + [(width, height), (0, height)], fill=(*colour, 200 + layer * 15))


def draw_grid(draw, rng, dark, light):
    width, height = PHOTO_SIZE
    step = rng.choice([60, 75, 90])
    for x in range(0, width, step):
        for y in range(0, height, step):
            if rng.random() < 0.12:
                draw.rectangle([x, y, x + step, y + step], fill=(*light, rng.randint(40, 110)))
    for x in range(0, width + 1, step):
        draw.line([(x, 0), (x, height)], fill=(*dark, 120), width=3)
    for y in range(0, height + 1, step):
        draw.line([(0, y), (width, y)], fill=(*dark, 120), width=3)


def draw_circles(draw, rng, dark, light):
    width, height = PHOTO_SIZE
    for _ in range(16):
        cx, cy, r = rng.randint(0, width), rng.randint(0, height), rng.randint(40, 260)
        box = [cx - r, cy - r, cx + r, cy + r]
        if rng.random() < 0.5:
            draw.ellipse(box, fill=(*light, rng.randint(40, 110)))
        else:
            draw.ellipse(box, outline=(*mix(light, dark, 0.3), 170), width=rng.randint(3, 10))


MOTIFS = {
    "skyline": draw_skyline,
    "waves": draw_waves,
    "hills": draw_hills,
    "grid": draw_grid,
    "circles": draw_circles,
}
