"""Revision history of stories and interviews (django-reversion): what each save held, who made
it and why, a readable difference between any two revisions, restoring one, and recovering a
deleted story or interview.

A revision of a story holds the story and what belongs to it (its byline, corrections and tag
links); one of an interview holds its line-up, parts, questions and answers and tag links. Each
model names what belongs to it when it registers (`register`); `interviews` registers its own.

Every save in the admin is a revision (the admin opens one per request). Publishing,
unpublishing, restoring, the seed and the importers open their own with a comment saying so
(`recorded`), which joins the admin's revision when there is one. A revision they open holds
only what changed: a story or interview saved or included just as its latest revision has it
is left out, and a revision left with nothing is not recorded, so running the seed or an
import again adds no history where nothing changed (`_leave_out_unchanged`).

Restoring goes through the same service as a save in the admin, so the publishing policy
(articles.publishing) decides whether the user may make that change, the body is sanitised
again, and the page cache hears of it like of any other save.
"""

import difflib
import functools
import html
import re
from contextlib import contextmanager

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from reversion.models import Version
from reversion.revisions import (
    _current_frame,
    _follow_relations_recursive,
    _get_options,
    _update_frame,
)

# Stored fields that only mirror others, or that every save changes: not worth showing.
HIDDEN_FIELDS = {"id", "body_text", "search_vector", "search_text", "modified_at", "has_text",
                 "content_type", "object_id"}


def register(model, follow=()):
    """Keep `model`'s history, with what is reached through `follow` (names of its relations,
    or of properties giving a queryset) in each of its revisions."""
    if not reversion.is_registered(model):
        reversion.register(model, follow=tuple(follow))


@contextmanager
def recorded(by, comment):
    """What the block saves is one revision, by `by`, with `comment` (added to the comment of
    a revision already open, such as the admin's). A revision this opens itself leaves out
    whatever the block did not change, and is not recorded when it changed nothing."""
    opens = not reversion.is_active()
    with reversion.create_revision():
        if by is not None and reversion.get_user() is None:
            reversion.set_user(by)
        note(comment)
        yield
        if opens:
            _leave_out_unchanged()


def recording(service):
    """A service (called with `by=`) that is one revision of history, in one transaction."""

    @functools.wraps(service)
    def wrapper(obj, *args, by=None, **kwargs):
        with recorded(by, ""):
            return service(obj, *args, by=by, **kwargs)

    return wrapper


def publishing_note(at):
    if at is not None and at > timezone.now():
        return f"Scheduled for {timezone.localtime(at):%d %b %Y %H:%M}."
    return "Published."


def note_status(obj, before):
    """Say so when a save publishes or unpublishes `obj` (`before`: the stored row)."""
    published = type(obj).Status.PUBLISHED
    was = before is not None and before.status == published
    # The interview admin saves in two steps; `wanted_status` is what the form asked for.
    status = getattr(obj, "wanted_status", obj.status)
    if status == published and not was:
        note(publishing_note(obj.publish_at))
    elif was and status != published:
        note("Unpublished.")


def include(obj):
    """Record `obj` as it is now, with its parts, in the revision being recorded (after a
    change its save did not see, such as tags set in bulk)."""
    if reversion.is_active() and obj.pk is not None:
        reversion.add_to_revision(obj)


def _leave_out_unchanged():
    """Take out of the revision being recorded every story or interview whose versions there
    (its own and its parts') are what its latest revision holds; django-reversion records no
    revision when nothing is left. The revision's contents are django-reversion's (its current
    frame): it offers no public way to drop what was added to one."""
    db_versions = {}
    for db, versions in _current_frame().db_versions.items():
        left = dict(versions)
        for key, version in versions.items():
            if _is_part(version._model):
                continue
            parts = _belonging(key, versions)
            if _as_latest(version, [versions[part] for part in parts]):
                for part in parts:
                    left.pop(part, None)
        db_versions[db] = left
    _update_frame(db_versions=db_versions)


def _as_latest(version, parts):
    """Do `parts` (`version` of a story or interview and the versions of its parts, not yet
    recorded) hold what its latest recorded revision holds?"""
    latest = (Version.objects.get_for_object_reference(version._model, version.object_id)
              .order_by("-revision__date_created", "-pk").first())
    if latest is None:
        return False

    def held(versions):
        return {(part._model, str(part.object_id)): _comparable(part) for part in versions}

    return held(parts) == held(belonging_to(latest))


def _comparable(version):
    many = {field.attname for field in version._model._meta.many_to_many
            if isinstance(field, models.ManyToManyField)}
    # Tags (django-taggit's manager, not a many-to-many field) are compared as tag links.
    managers = {field.attname for field in version._model._meta.many_to_many} - many
    return {name: sorted(value) if name in many else value
            for name, value in version.field_dict.items()
            if name not in HIDDEN_FIELDS and name not in managers}


def _is_part(model):
    """Does `model` belong to a story or interview (a byline, a question, a tag link…)?"""
    return _is_tag_link(model) or any(
        field.many_to_one and _followed_from_parent(field)
        for field in model._meta.concrete_fields)


def note(comment):
    """Add `comment` to the revision being recorded, if one is."""
    if not reversion.is_active():
        return
    current = reversion.get_comment()
    if comment and comment not in current:
        reversion.set_comment(f"{current} {comment}".strip())


def versions_of(obj):
    """Every revision of `obj`, newest first, with who made it."""
    return (Version.objects.get_for_object(obj)
            .select_related("revision__user").order_by("-revision__date_created", "-pk"))


def deleted_versions(model):
    """The last revision of each deleted `model` row, newest first."""
    return Version.objects.get_deleted(model).select_related("revision__user")


def latest_version(obj):
    return versions_of(obj).first()


def who(revision):
    user = revision.user
    if user is None:
        return "the system"
    return user.get_full_name() or user.get_username()


def describe(version):
    """“30 Nov 2026 10:42, Ana Editor”."""
    when = timezone.localtime(version.revision.date_created)
    return f"{when:%d %b %Y %H:%M}, {who(version.revision)}"


# What a revision holds, as text ----------------------------------------------------------------


def rich_text(value):
    """Editor HTML as the words a reader sees, a paragraph per line, never as markup."""
    spaced = re.sub(r"</(p|h\d|li|blockquote|figcaption)>|<br\s*/?>", "\n", str(value))
    text = html.unescape(strip_tags(spaced))
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class _Names:
    """str() of related rows by primary key, read once per model."""

    def __init__(self):
        self.known = {}

    def __call__(self, model, pk):
        if pk in (None, ""):
            return "—"
        known = self.known.setdefault(model, {})
        if pk not in known:
            row = model._base_manager.filter(pk=pk).first()
            known[pk] = str(row) if row is not None else f"#{pk} (deleted)"
        return known[pk]


def _raw(fields, field):
    """A field's value in a version's field_dict (keyed by column: `section_id`)."""
    return fields.get(field.attname, fields.get(field.name))


def _value_text(field, value, names):
    if field.many_to_many:
        return ", ".join(sorted(names(field.related_model, pk) for pk in value or ())) or "—"
    if field.many_to_one or field.one_to_one:
        return names(field.related_model, value)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(field, models.DateTimeField):
        return f"{timezone.localtime(value):%d %b %Y %H:%M}"
    if isinstance(field, models.TextField):
        return rich_text(value)
    return str(value)


def _shown_fields(model):
    parents = {accessor_field.name for accessor_field in model._meta.concrete_fields
               if accessor_field.many_to_one and _followed_from_parent(accessor_field)}
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if field.name in HIDDEN_FIELDS or field.name in parents:
            continue
        if not field.serialize:
            continue
        yield field


def _followed_from_parent(field):
    """Is this foreign key how a followed part points to what it belongs to?"""
    if not reversion.is_registered(field.related_model):
        return False
    return field.remote_field.get_accessor_name() in _get_options(field.related_model).follow


def _is_tag_link(model):
    field_names = {field.name for field in model._meta.concrete_fields}
    return {"tag", "content_type", "object_id"} <= field_names


def snapshot(version):
    """What `version` (of a story or an interview) held with its parts: {key: (label, text)},
    in reading order. Keys stay the same across revisions, labels are for people."""
    names = _Names()
    versions = belonging_to(version)
    rows = {}
    model = version._model
    fields = version.field_dict
    for field in _shown_fields(model):
        rows[("", field.name)] = (capfirst(field.verbose_name),
                                  _value_text(field, _raw(fields, field), names))
    tag_names = []
    for part in versions:
        if part.pk == version.pk:
            continue
        part_model = part._model
        part_fields = part.field_dict
        if _is_tag_link(part_model):
            tag_model = part_model._meta.get_field("tag").related_model
            tag_names.append(names(tag_model, part_fields.get("tag_id")))
            continue
        heading = f"{capfirst(part_model._meta.verbose_name)} “{part.object_repr}”"
        for field in _shown_fields(part_model):
            key = (f"{part_model._meta.label}:{part.object_id}", field.name)
            rows[key] = (f"{heading}: {field.verbose_name}",
                         _value_text(field, _raw(part_fields, field), names))
    if "tagged_items" in _get_options(model).follow:
        rows[("", "tags")] = ("Tags", ", ".join(sorted(tag_names, key=str.lower)) or "—")
    return rows


class Row:
    def __init__(self, label, old, new):
        self.label, self.old, self.new = label, old, new
        self.changed = old != new
        self.added = old is None
        self.removed = new is None

    @property
    def diff(self):
        return word_diff(self.old or "", self.new or "")


def compare(old, new):
    """The rows of two revisions' snapshots (`old` may be None: everything is new), in the
    newer one's order, those gone from it last."""
    before = snapshot(old) if old is not None else {}
    after = snapshot(new)
    rows = [Row(label, before.get(key, (None, None))[1], text)
            for key, (label, text) in after.items()]
    rows += [Row(label, text, None) for key, (label, text) in before.items() if key not in after]
    return rows


def compare_with_form(obj, form):
    """What is stored for `obj` against what `form` (its change form) was sent with: rows of
    the form's own text and choice fields that differ."""
    names = _Names()
    cleaned = getattr(form, "cleaned_data", {})
    model_fields = {field.name: field for field in obj._meta.concrete_fields}
    rows = []
    for name in form.fields:
        field = model_fields.get(name)
        if field is None or field.name in HIDDEN_FIELDS or name not in cleaned:
            continue
        submitted = cleaned[name]
        if isinstance(submitted, models.Model):
            submitted = submitted.pk
        old = _value_text(field, field.value_from_object(obj), names)
        new = _value_text(field, submitted, names)
        if old != new:
            rows.append(Row(capfirst(field.verbose_name), old, new))
    return rows


TOKENS = re.compile(r"\n|[^\S\n]+|\w+|[^\w\s]")


def word_diff(old, new):
    """`old` against `new`, word by word, escaped: removed words in <del>, added in <ins>."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


# Which versions of a revision belong to one thing ----------------------------------------------


def belonging_to(version):
    """The versions of `version`'s revision that are its object or its parts (a revision may
    hold more: an import saves a story with its interview)."""
    versions = {part.pk: part for part in version.revision.version_set.all()}
    return [versions[key] for key in _belonging(version.pk, versions)]


def _belonging(root, versions):
    """The keys of those `versions` (a dict) that are the one at `root` or its parts."""
    tree = {(versions[root]._model, str(versions[root].object_id))}
    chosen = [root]
    found = True
    while found:
        found = False
        for key, part in versions.items():
            if key in chosen:
                continue
            if _points_into(part, tree):
                tree.add((part._model, str(part.object_id)))
                chosen.append(key)
                found = True
    return chosen


def _points_into(version, tree):
    model = version._model
    fields = version.field_dict
    if _is_tag_link(model):
        content_type = ContentType.objects.get_for_id(fields["content_type_id"])
        return (content_type.model_class(), str(fields["object_id"])) in tree
    for field in model._meta.concrete_fields:
        if (field.many_to_one and _followed_from_parent(field)
                and (field.related_model, str(_raw(fields, field))) in tree):
            return True
    return False


# Restoring -------------------------------------------------------------------------------------


def restore(version, *, by, save):
    """Make `version` of a story or an interview (deleted or not) current again, as a new
    revision. `save(obj, by=, before=)` is the model's own save service, which refuses
    (PermissionDenied, ValidationError) what the policy does not allow `by`; then nothing
    changes. Returns the restored object."""
    model = version._model
    comment = f"Restored the version of {describe(version)}."
    try:
        with transaction.atomic(), recorded(by, comment):
            obj = _restore(version, model, by, save)
            # A row the revision points at may be gone. Checked here, not left to the commit:
            # that may be a caller's (a test's, a command's) and come too late to refuse.
            tables = {model._meta.db_table}
            tables.update(part._model._meta.db_table for part in belonging_to(version))
            connections[version.db].check_constraints(table_names=sorted(tables))
    except IntegrityError as error:
        raise ValidationError(
            "This revision names a section, author, photo or guest that has since been "
            "deleted. Nothing was changed."
        ) from error
    return obj


def _restore(version, model, by, save):
    current = model._base_manager.filter(pk=version.object_id).first()
    parts = belonging_to(version)
    if current is not None:
        kept = {(part._model, str(part.object_id)) for part in parts}
        extra = [obj for obj in _follow_relations_recursive(current)
                 if (type(obj), str(obj.pk)) not in kept]
        for kind in {type(obj) for obj in extra}:
            collector = Collector(using=version.db)
            collector.collect([obj for obj in extra if type(obj) is kind])
            collector.delete()
    if hasattr(current, "tags"):
        # Tells the page cache which tag lists the story leaves (the links are restored
        # below without signals).
        current.tags.clear()
    for part in parts:
        if _is_tag_link(part._model) and not _tag_exists(part):
            continue
        part.revert()
    obj = model._base_manager.get(pk=version.object_id)
    save(obj, by=by, before=current)
    return obj


def _tag_exists(version):
    tag_model = version._model._meta.get_field("tag").related_model
    return tag_model._base_manager.filter(pk=version.field_dict["tag_id"]).exists()
