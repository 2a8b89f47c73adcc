"""Backups of the whole newsroom in one file, and restoring one into an empty database.

`manage.py backup` writes a gzipped tar archive:

    data/<app>.<model>.jsonl   every row of every model, one JSON object a line (Django's
                               serializer: the same file loads into SQLite or PostgreSQL)
    media/<name>               every file in the media storage (photos, their renditions,
                               editor uploads)
    manifest.json              format version, when and from what it was made, the latest
                               applied migration of each app, rows per model, and the size and
                               sha256 of every other member

Content types and permissions are left out: migrations make them in every database, and rows
that point at them (tags, the admin log, group and user permissions) name them by natural key
(app label and model) instead of by id, which differs between databases. Groups are written
by name and merged into the groups migrations made. Sessions are left out: after a restore
everyone signs in again. Everything else keeps its primary key.

`manage.py restore FILE` reads the archive twice. The first pass changes nothing: it checks
that the file is a complete archive whose every member matches the manifest, that this code
knows every migration the archive was made with, that the target database has no content and
that no media file would be overwritten with something else. The second pass migrates an
empty database, loads every row in one transaction, writes the media files, resets
PostgreSQL's sequences and rebuilds the search vectors; any failure rolls the rows back and
deletes the files it wrote. Then the cache is cleared, so no page rendered from the old
database is served.

Rows and files are streamed in both directions: memory does not grow with the archive.
"""

import contextlib
import gzip
import hashlib
import io
import json
import os
import posixpath
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from itertools import islice

import django
from django.apps import apps
from django.contrib.postgres.search import SearchVectorField
from django.core import serializers
from django.core.cache import cache
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, reset_queries, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

FORMAT = "newsroom-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Made by migrations in every database, so never copied (rows name them by natural key).
LEFT_OUT = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Written by natural key without their ids and merged into the rows migrations made.
MERGED = {"auth.group"}
CHUNK = 1024 * 1024
BATCH = 1000


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# What is backed up ------------------------------------------------------------------------------


def backed_up_models():
    """Every model whose rows are copied, in an order that loads (natural keys first)."""
    models = []
    for app_config in apps.get_app_configs():
        chosen = [model for model in app_config.get_models()
                  if model._meta.managed and not model._meta.proxy
                  and model._meta.label_lower not in LEFT_OUT]
        if chosen:
            models.append((app_config, chosen))
    return serializers.sort_dependencies(models, allow_cycles=True)


def _serialized_fields(model, all_fields=False):
    # Search vectors are PostgreSQL's own format: rebuilt after a restore, on PostgreSQL only.
    return [f.name for f in model._meta.local_fields + model._meta.local_many_to_many
            if f.serialize and not f.primary_key
            and (all_fields or not isinstance(f, SearchVectorField))]


def _queryset(model):
    """All rows by primary key, with what the serializer would otherwise fetch row by row."""
    natural = [f.name for f in model._meta.local_fields
               if f.is_relation and hasattr(f.related_model, "natural_key")]
    m2m = [f.name for f in model._meta.local_many_to_many
           if f.serialize and f.remote_field.through._meta.auto_created]
    queryset = model._base_manager.order_by("pk")
    if natural:
        queryset = queryset.select_related(*natural)
    if m2m:
        queryset = queryset.prefetch_related(*m2m)
    return queryset


def migration_state():
    """{app label: its latest applied migration} of the default database."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    state = {}
    for app_label, name in loader.applied_migrations:
        if (app_label, name) not in loader.graph.nodes:
            continue
        known = state.get(app_label)
        if known is None or (app_label, known) in loader.graph.forwards_plan((app_label, name)):
            state[app_label] = name
    return dict(sorted(state.items()))


def media_names(storage=default_storage, folder=""):
    """Every file name in `storage`, folder by folder (no list of them all in memory)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from media_names(storage, posixpath.join(folder, sub) if folder else sub)


# Writing an archive -----------------------------------------------------------------------------


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder keeps times to the millisecond; a backup keeps them to the microsecond
    (the order of comments or decisions made in the same millisecond is part of the record)."""

    def default(self, o):
        if isinstance(o, datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, time) and o.utcoffset() is None:
            return o.isoformat()
        return super().default(o)



class _HashingWriter:
    """A text stream that writes UTF-8 to `raw` and keeps its sha256 and size."""

    def __init__(self, raw):
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def write(self, text):
        data = text.encode()
        self.sha.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self):
        self.raw.flush()


class _HashingReader:
    """A binary stream read through, keeping its sha256 and size."""

    def __init__(self, raw):
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def read(self, size=-1):
        data = self.raw.read(size)
        self.sha.update(data)
        self.size += len(data)
        return data

    def readline(self, size=-1):
        data = self.raw.readline(size)
        self.sha.update(data)
        self.size += len(data)
        return data

    def readable(self):
        return True

    def read_rest(self):
        while self.read(CHUNK):
            pass


def default_name(now=None):
    now = now or datetime.now(UTC)
    return f"newsroom-backup-{now:%Y%m%d-%H%M%S}Z.tar.gz"


@contextlib.contextmanager
def _snapshot():
    """One consistent view of the database for the whole dump."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # SQLite: the site's transactions are IMMEDIATE, so writers wait until the dump ends.
        yield


def _counted(iterable, counter):
    for item in iterable:
        counter[0] += 1
        yield item


def write_backup(path, *, progress=lambda message: None):
    """Write the archive to `path` (a new file, mode 0600); return its manifest."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path):
        raise BackupError(f"{path} already exists: choose another name.")
    if not os.path.isdir(folder):
        raise BackupError(f"{folder} is not a folder.")
    partial = f"{path}.partial"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, \
                tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive:
            manifest = _write_members(archive, folder, progress)
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            _add_bytes(archive, MANIFEST, body)
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(partial)
        raise
    return manifest


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


def _write_members(archive, folder, progress):
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "django": django.get_version(),
        "database": connection.vendor,
        "migrations": {},
        "models": [],
        "files": {},
    }
    with _snapshot():
        manifest["migrations"] = migration_state()
        for model in backed_up_models():
            label = model._meta.label_lower
            name = f"data/{label}.jsonl"
            count = [0]
            fields = _serialized_fields(model)
            if len(fields) == len(_serialized_fields(model, all_fields=True)):
                fields = None  # every field (the serializer's default)
            with tempfile.TemporaryFile(dir=folder) as scratch:
                stream = _HashingWriter(scratch)
                serializers.serialize(
                    "jsonl", _counted(_queryset(model).iterator(chunk_size=2000), count),
                    stream=stream, fields=fields,
                    use_natural_foreign_keys=True, use_natural_primary_keys=label in MERGED,
                    cls=_ExactEncoder,
                )
                scratch.seek(0)
                info = tarfile.TarInfo(name)
                info.size, info.mode = stream.size, 0o600
                info.mtime = int(datetime.now(UTC).timestamp())
                archive.addfile(info, scratch)
            manifest["models"].append({"model": label, "file": name, "rows": count[0]})
            manifest["files"][name] = {"sha256": stream.sha.hexdigest(), "size": stream.size}
            progress(f"{label}: {count[0]} rows")
    files = 0
    for name in media_names():
        member = f"media/{name}"
        with default_storage.open(name, "rb") as source:
            size = default_storage.size(name)
            reader = _HashingReader(source)
            info = tarfile.TarInfo(member)
            info.size, info.mode = size, 0o600
            info.mtime = int(datetime.now(UTC).timestamp())
            archive.addfile(info, reader)
            if reader.size != size:
                raise BackupError(f"media file {name} changed while it was copied: "
                                  f"run the backup again.")
        manifest["files"][member] = {"sha256": reader.sha.hexdigest(), "size": size}
        files += 1
        if files % 500 == 0:
            progress(f"media: {files} files")
    progress(f"media: {files} files")
    return manifest


# Reading an archive -----------------------------------------------------------------------------


@dataclass
class Checked:
    manifest: dict
    order: list = field(default_factory=list)  # member names as they come in the archive


@contextlib.contextmanager
def _open_stream(path):
    """The archive's members in order, read as a stream; the gzip layer notices a cut-off end
    (tarfile's own stream reader does not)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder, not a backup archive.") from None
    with raw, gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
        try:
            archive = tarfile.open(fileobj=unzipped, mode="r|")  # noqa: SIM115 - with below
        except (EOFError, zlib.error):
            raise BackupError(f"{path} is damaged or incomplete (truncated?). Nothing was "
                              f"restored.") from None
        except (tarfile.TarError, OSError):
            raise BackupError(f"{path} is not a Newsroom backup archive (a .tar.gz file made "
                              f"by manage.py backup).") from None
        with archive:
            yield archive


def _members(path, archive):
    """The archive's regular files; a damaged or cut-off archive says so."""
    try:
        for member in archive:
            name = member.name
            if (not member.isfile() or "\\" in name
                    or any(part in ("", ".", "..") for part in name.split("/"))):
                raise BackupError(f"{path}: unexpected member {name!r}: not an archive made "
                                  f"by manage.py backup.")
            yield member
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"{path} is damaged or incomplete (truncated?): {error}. Nothing "
                          f"was restored.") from None


def check_archive(path, *, progress=lambda message: None):
    """Read the whole archive once: every member against the manifest. Changes nothing."""
    seen, order, manifest = {}, [], None
    with _open_stream(path) as archive:
        for member in _members(path, archive):
            source = archive.extractfile(member)
            if member.name == MANIFEST:
                try:
                    manifest = json.loads(source.read())
                except ValueError:
                    raise BackupError(f"{path}: manifest.json is not valid JSON.") from None
                continue
            reader = _HashingReader(source)
            try:
                reader.read_rest()
            except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
                raise BackupError(f"{path} is damaged or incomplete (truncated?): {error}. "
                                  f"Nothing was restored.") from None
            seen[member.name] = (reader.sha.hexdigest(), reader.size)
            order.append(member.name)
            if len(order) % 500 == 0:
                progress(f"checked {len(order)} members")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has no Newsroom manifest: not an archive made by "
                          f"manage.py backup, or cut off before its end.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is backup format {manifest.get('format_version')!r}; this "
                          f"code reads format {FORMAT_VERSION}.")
    expected = manifest.get("files", {})
    for name, facts in expected.items():
        if name not in seen:
            raise BackupError(f"{path}: {name} is in the manifest but not in the archive.")
        sha, size = seen[name]
        if sha != facts.get("sha256") or size != facts.get("size"):
            raise BackupError(f"{path}: the checksum of {name} does not match the manifest: "
                              f"the archive is damaged. Nothing was restored.")
    extra = sorted(set(seen) - set(expected))
    if extra:
        raise BackupError(f"{path}: {extra[0]} is in the archive but not in the manifest.")
    for entry in manifest.get("models", []):
        try:
            apps.get_model(entry["model"])
        except (LookupError, ValueError, KeyError, TypeError):
            raise BackupError(f"{path} holds rows of {entry.get('model')!r}, a model this code "
                              f"does not have: restore it with the version that made it.") from None
        if entry.get("file") not in expected:
            raise BackupError(f"{path}: the manifest lists {entry.get('file')!r}, which is not "
                              f"in the archive.")
    return Checked(manifest=manifest, order=order)


def check_migrations(manifest):
    """Refuse an archive made by code with migrations this code lacks; say when it is older."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    notes = []
    for app_label, name in manifest.get("migrations", {}).items():
        if (app_label, name) not in loader.graph.nodes:
            raise BackupError(
                f"The archive was made with migration {app_label}.{name}, which this code does "
                f"not have: it comes from a newer version of Newsroom (or one with other apps). "
                f"Restore it with that version (or newer).")
        if (app_label, name) not in loader.graph.leaf_nodes(app_label):
            notes.append(f"the archive was made at migration {app_label}.{name}, before this "
                         f"code's; its rows were loaded into today's tables")
    return notes


def _content_tables():
    existing = set(connection.introspection.table_names())
    return [(model, model._meta.db_table in existing) for model in backed_up_models()]


def check_empty():
    """Refuse a database that holds content (anything but what migrations make)."""
    for model, exists in _content_tables():
        label = model._meta.label_lower
        if exists and label not in MERGED and model._base_manager.exists():
            raise BackupError(
                f"The database is not empty: {model._meta.verbose_name_plural} "
                f"({label}) has rows. Restore into a new, empty database (create one and point "
                f"DATABASE_URL at it); nothing was changed.")


def check_media(manifest, storage=default_storage):
    """Refuse to overwrite a media file with a different one; return the names already there."""
    present = set()
    for member, facts in manifest.get("files", {}).items():
        if not member.startswith("media/"):
            continue
        name = member.removeprefix("media/")
        if not storage.exists(name):
            continue
        with storage.open(name, "rb") as existing:
            reader = _HashingReader(existing)
            reader.read_rest()
        if reader.sha.hexdigest() != facts["sha256"]:
            raise BackupError(f"The media file {name} already exists with other content: "
                              f"restore into an empty media folder. Nothing was changed.")
        present.add(name)
    return present


# Restoring --------------------------------------------------------------------------------------


@dataclass
class Restored:
    rows: dict
    files: int
    notes: list


def _save_batch(model, batch, deferred):
    if model._meta.label_lower in MERGED or model._meta.parents:
        for item in batch:
            item.save()
            if item.deferred_fields:
                deferred.append(item)
        return
    # A raw insert, as loaddata's raw save: creation and change times are the archive's, not
    # now (bulk_create would stamp auto_now fields).
    objects = [item.object for item in batch]
    fields = model._meta.concrete_fields
    size = max(connection.ops.bulk_batch_size(fields, objects) or len(objects), 1)
    for start in range(0, len(objects), size):
        model._base_manager._insert(objects[start:start + size], fields=fields, raw=True)
    for item in batch:
        if item.deferred_fields:
            deferred.append(item)
    for name in {name for item in batch for name in (item.m2m_data or {})}:
        relation = model._meta.get_field(name)
        through = relation.remote_field.through
        source = relation.m2m_field_name()
        target = relation.m2m_reverse_field_name()
        rows = [through(**{f"{source}_id": item.object.pk, f"{target}_id": pk})
                for item in batch for pk in (item.m2m_data or {}).get(name, [])]
        through._base_manager.bulk_create(rows, batch_size=BATCH)


def _natural_relations(model):
    return {f.name: f for f in model._meta.get_fields()
            if f.concrete and f.is_relation and hasattr(f.related_model, "natural_key")}


def _by_natural_key(related, key, known):
    """The primary key of the `related` row with natural key `key`, looked up once per run
    (the deserializer would ask the database for every row: a tag for each tagged story)."""
    if not isinstance(key, list):
        return key
    seen = known.setdefault(related, {})
    index = tuple(map(str, key))
    if index not in seen:
        try:
            seen[index] = related._default_manager.get_by_natural_key(*key).pk
        except related.DoesNotExist:
            return key  # the deserializer says so, or resolves it later
    return seen[index]


def _rows(reader, model, known):
    """The member's rows as the serializer's dicts, natural keys already turned into ids."""
    relations = _natural_relations(model)
    for line in iter(reader.readline, b""):
        row = json.loads(line)
        fields = row.get("fields", {})
        for name, relation in relations.items():
            value = fields.get(name)
            if value is None:
                continue
            if relation.many_to_many:
                fields[name] = [_by_natural_key(relation.related_model, key, known)
                                for key in value]
            else:
                fields[name] = _by_natural_key(relation.related_model, value, known)
        yield row


def _load(path, reader, label, expected_rows, deferred, known):
    model = apps.get_model(label)
    objects = serializers.deserialize("python", _rows(reader, model, known),
                                      handle_forward_references=True)
    rows = 0
    try:
        while batch := list(islice(objects, BATCH)):
            for item in batch:
                if type(item.object) is not model:
                    raise BackupError(f"{path}: data/{label}.jsonl holds a "
                                      f"{item.object._meta.label_lower} row.")
            _save_batch(model, batch, deferred)
            rows += len(batch)
            # With DEBUG on, Django keeps the last 9,000 statements: each batch's INSERT holds
            # a thousand rows, so the log alone would hold hundreds of megabytes.
            reset_queries()
    except (DeserializationError, ValueError, AttributeError) as error:
        raise BackupError(f"{path}: data/{label}.jsonl, near row {rows + 1}: {error}. Nothing "
                          f"was restored.") from None
    if rows != expected_rows:
        raise BackupError(f"{path}: data/{label}.jsonl has {rows} rows, the manifest says "
                          f"{expected_rows}.")
    return rows


def _reset_sequences(models):
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _rebuild_search():
    """PostgreSQL's search vectors, from the plain-text columns the archive carries."""
    if connection.vendor != "postgresql":
        return
    from articles import search as article_search
    from articles.models import Article
    from interviews import search as interview_search
    from interviews.models import Interview

    Article._base_manager.update(search_vector=article_search.search_vector())
    Interview._base_manager.update(search_vector=interview_search.search_vector())


def restore_backup(path, *, progress=lambda message: None):
    """Bring the archive at `path` back into this empty database and media storage."""
    checked = check_archive(path, progress=progress)
    manifest = checked.manifest
    notes = check_migrations(manifest)
    check_empty()
    present = check_media(manifest)
    progress("archive checked: every member matches the manifest")

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        progress("migrating the empty database")
        call_command("migrate", interactive=False, verbosity=0)
        check_empty()

    plan = {entry["file"]: entry for entry in manifest["models"]}
    written, deferred, rows, known = [], [], {}, {}
    try:
        with transaction.atomic():
            with _open_stream(path) as archive:
                for member in _members(path, archive):
                    if member.name == MANIFEST:
                        continue
                    facts = manifest["files"][member.name]
                    reader = _HashingReader(archive.extractfile(member))
                    if member.name in plan:
                        entry = plan[member.name]
                        rows[entry["model"]] = _load(path, reader, entry["model"],
                                                     entry["rows"], deferred, known)
                        progress(f"{entry['model']}: {rows[entry['model']]} rows")
                    else:
                        name = member.name.removeprefix("media/")
                        if name in present:
                            reader.read_rest()
                        else:
                            saved = default_storage.save(name, File(reader, name=name))
                            written.append(saved)
                            if saved != name:
                                raise BackupError(f"media file {name} was stored as {saved}.")
                    reader.read_rest()
                    if reader.sha.hexdigest() != facts["sha256"]:
                        raise BackupError(f"{path}: the checksum of {member.name} does not "
                                          f"match the manifest: the archive is damaged. "
                                          f"Nothing was restored.")
            for item in deferred:
                item.save_deferred_fields()
            models = [apps.get_model(label) for label in rows]
            _reset_sequences(models)
            _rebuild_search()
    except BaseException as error:
        for name in written:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        if isinstance(error, (IntegrityError, DatabaseError)):
            raise BackupError(f"{path}: the rows do not load into this database ({error}). "
                              f"Nothing was restored.") from None
        raise

    for entry in manifest["models"]:
        model = apps.get_model(entry["model"])
        if entry["model"] not in MERGED and model._base_manager.count() != entry["rows"]:
            raise BackupError(f"after the restore {entry['model']} has "
                              f"{model._base_manager.count()} rows, the archive "
                              f"{entry['rows']}.")
    files = 0
    for member, facts in manifest["files"].items():
        if member.startswith("media/"):
            name = member.removeprefix("media/")
            if default_storage.size(name) != facts["size"]:
                raise BackupError(f"after the restore media file {name} has the wrong size.")
            files += 1
    _clear_cache(notes)
    return Restored(rows=rows, files=files, notes=notes)


def _clear_cache(notes):
    # Pages, their versions and the schedule in the cache describe the old database.
    try:
        cache.clear()
    except Exception as error:  # noqa: BLE001 - any cache outage: say so, the rows are in
        notes.append(f"the cache could not be cleared ({error}): clear it before serving "
                     f"pages, or readers may get pages of the old database")
