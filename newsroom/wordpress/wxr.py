"""Read a WordPress export (WXR, the file Tools → Export → All content writes) as plain data.

The file is streamed, never held whole: lxml's iterparse hands over one `<item>` at a time,
which is cleared (with every item before it) as soon as it has been read, so a 500 MB export
needs the memory of one post. It is read twice:

1. `read_index` checks the whole file (well-formed XML, a WordPress export) and collects what
   posts refer to: authors, categories, tags and the attachments (featured images and the
   files in bodies usually come after the post that uses them). A broken file is refused here,
   with its line, before anything is saved.
2. `read_items` yields the posts and pages one by one, with their comments.

Nothing here touches the database. The parser resolves no entities, loads no DTD and opens
nothing on the network; a file that declares a DOCTYPE (WordPress never writes one, and
entity declarations are how "billion laughs" bombs are built) is refused outright.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
_WP_NAMESPACE = re.compile(r"^http://wordpress\.org/export/(1\.\d+)/$")
ZERO_DATE = "0000-00-00 00:00:00"
_POSITION = re.compile(r",? line \d+, column \d+$")
_DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


class ExportError(Exception):
    """The file cannot be imported at all. Nothing was saved."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message = message
        self.line = line

    def where(self, name):
        return f"{name}, line {self.line}" if self.line else str(name)


class ItemProblem(ValueError):
    """One post cannot be read (a field WordPress never writes like that)."""


@dataclass
class Author:
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Category:
    slug: str
    name: str
    parent: str = ""  # the parent category's slug
    term_id: int | None = None


@dataclass
class Attachment:
    post_id: int
    url: str = ""
    file: str = ""  # _wp_attached_file: the path under wp-content/uploads
    alt: str = ""
    caption: str = ""
    title: str = ""


@dataclass
class Comment:
    comment_id: int
    author: str = ""
    email: str = ""
    url: str = ""
    ip: str = ""
    date: datetime | None = None  # naive, the site's local time
    date_gmt: datetime | None = None  # aware, UTC
    content: str = ""
    approved: str = "1"  # "1", "0", "spam", "trash", "post-trashed"
    type: str = "comment"
    parent: int = 0
    line: int | None = None


@dataclass
class Item:
    post_id: int
    post_type: str
    status: str
    title: str = ""
    link: str = ""
    slug: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    date: datetime | None = None  # naive, the site's local time (used in its permalinks)
    date_gmt: datetime | None = None  # aware, UTC
    comment_status: str = "open"
    password: str = ""
    sticky: bool = False
    categories: list = field(default_factory=list)  # [(slug, name)] in the export's order
    tags: list = field(default_factory=list)  # [(slug, name)]
    meta: dict = field(default_factory=dict)
    comments: list = field(default_factory=list)
    line: int | None = None


@dataclass
class BadItem:
    """An item that could not be read; the import lists it and carries on."""

    line: int | None
    post_id: str
    message: str


@dataclass
class Export:
    version: str = ""
    title: str = ""
    site_url: str = ""
    blog_url: str = ""
    authors: dict = field(default_factory=dict)  # login -> Author
    categories: dict = field(default_factory=dict)  # slug -> Category
    attachments: dict = field(default_factory=dict)  # post id -> Attachment
    # (post type, status) -> how many items
    items: Counter = field(default_factory=Counter)
    sticky_ids: set = field(default_factory=set)


def _iterparse(source):
    if hasattr(source, "seek"):
        source.seek(0)
        empty = not source.read(1)
        source.seek(0)
    else:
        with open(source, "rb") as handle:
            empty = not handle.read(1)
    if empty:
        raise ExportError("the file is empty")
    return etree.iterparse(
        source, events=("end",), resolve_entities=False, load_dtd=False, no_network=True,
        remove_comments=True, remove_pis=True, huge_tree=False, dtd_validation=False,
    )


def _check_document(elem):
    """Refuse, at the first element read, what is not a WordPress export; return the
    export's version and its `wp:` namespace in Clark notation."""
    tree = elem.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ExportError("the file declares a DOCTYPE; WordPress exports have none, and "
                          "entity declarations can blow up memory, so it is refused", 1)
    root = tree.getroot()
    namespaces = {uri: _WP_NAMESPACE.match(uri) for uri in root.nsmap.values() if uri}
    versions = [(match.group(1), uri) for uri, match in namespaces.items() if match]
    if root.tag != "rss" or not versions:
        raise ExportError(
            f"this is XML but not a WordPress export: the document is <{_local(root.tag)}>, "
            "not <rss> with the WordPress export namespace (make the file with WordPress's "
            "Tools → Export → All content)", root.sourceline)
    version, uri = max(versions)
    return version, "{" + uri + "}", "{" + uri + "excerpt/}"


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else "?"


def _syntax_error(error, source):
    line = getattr(error, "lineno", None) or (error.position[0] if error.position else None)
    message = _POSITION.sub("", (getattr(error, "msg", "") or str(error)).strip())
    if "Document is empty" in message or "Start tag expected" in message:
        return ExportError(f"this is not XML ({message}); an export from WordPress starts "
                           "with <?xml … ?> and <rss …>", line)
    if "Premature end" in message or (line and line >= _last_line(source)):
        return ExportError(f"the XML ends too early ({message}): the export was cut short; "
                           "download or upload it again", line)
    return ExportError(f"the XML is broken here: {message}", line)


def _last_line(source):
    """The number of the file's last line (read again only when the XML is broken)."""
    count, last = 0, b""
    if hasattr(source, "seek"):
        source.seek(0)
        handle, close = source, False
    else:
        handle, close = open(source, "rb"), True  # noqa: SIM115
    try:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    finally:
        if close:
            handle.close()
    return count + (0 if last == b"\n" else 1)


def _walk(source):
    """Yield (element, wp namespace, excerpt namespace) for each closed element, checking the
    document first; turn lxml's errors into ExportError."""
    try:
        events = _iterparse(source)
        wp = excerpt = None
        for _event, elem in events:
            if wp is None:
                _version, wp, excerpt = _check_document(elem)
            yield elem, wp, excerpt
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error, source) from None


def _release(elem):
    """Free an item (and the items before it) once read."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _text(elem):
    return (elem.text or "").strip() if elem is not None else ""


def _int(value, what):
    value = (value or "").strip()
    if not value.isdigit():
        raise ItemProblem(f"{what} “{value[:40]}” is not a number")
    return int(value)


def _date(value, what, *, gmt):
    value = (value or "").strip()
    if not value or value == ZERO_DATE:
        return None
    # strptime would do, at five times the cost: an export has a few dates per comment.
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        parsed = datetime(int(value[0:4]), int(value[5:7]), int(value[8:10]),
                          int(value[11:13]), int(value[14:16]), int(value[17:19]),
                          tzinfo=UTC if gmt else None)
    except ValueError:
        raise ItemProblem(f"{what} “{value[:40]}” is not a date (YYYY-MM-DD HH:MM:SS)") from None
    return parsed


def read_index(source):
    """Check the whole export and return its Export (everything but the posts themselves).

    Raises ExportError naming the line when the file is not a readable WordPress export.
    """
    export = Export()
    seen_channel = False
    wp = None
    for elem, wp, excerpt in _walk(source):
        parent = elem.getparent()
        in_channel = parent is not None and parent.tag == "channel"
        tag = elem.tag
        if tag == "channel":
            seen_channel = True
        if not in_channel:
            continue
        if tag == "item":
            _index_item(export, elem, wp, excerpt)
            _release(elem)
        elif tag == f"{wp}wxr_version":
            export.version = _text(elem)
        elif tag == "title":
            export.title = _text(elem)
        elif tag == f"{wp}base_site_url":
            export.site_url = _text(elem)
        elif tag == f"{wp}base_blog_url":
            export.blog_url = _text(elem)
        elif tag == f"{wp}author":
            values = {_local(child.tag): _text(child) for child in elem}
            login = values.get("author_login", "")
            if login:
                export.authors[login] = Author(
                    login=login, email=values.get("author_email", ""),
                    display_name=values.get("author_display_name", ""),
                    first_name=values.get("author_first_name", ""),
                    last_name=values.get("author_last_name", ""),
                )
            _release(elem)
        elif tag == f"{wp}category":
            values = {_local(child.tag): _text(child) for child in elem}
            slug = values.get("category_nicename", "")
            if slug:
                term_id = values.get("term_id", "")
                export.categories[slug] = Category(
                    slug=slug, name=values.get("cat_name", "") or slug,
                    parent=values.get("category_parent", ""),
                    term_id=int(term_id) if term_id.isdigit() else None,
                )
            _release(elem)
        elif tag in (f"{wp}tag", f"{wp}term"):
            _release(elem)
    if wp is None or not seen_channel:
        raise ExportError("this is XML but not a WordPress export: it has no <channel>", 1)
    if not export.version:
        raise ExportError("this is XML but not a WordPress export: it has no wp:wxr_version "
                          "(make the file with WordPress's Tools → Export → All content)", 1)
    export.blog_url = export.blog_url or export.site_url
    return export


def _index_item(export, elem, wp, excerpt):
    values, meta = {}, {}
    for child in elem:
        if child.tag == f"{wp}postmeta":
            key = _text(child.find(f"{wp}meta_key"))
            if key in ("_wp_attached_file", "_wp_attachment_image_alt"):
                meta[key] = _text(child.find(f"{wp}meta_value"))
        elif child.tag in (f"{wp}post_type", f"{wp}status", f"{wp}post_id", f"{wp}is_sticky",
                           f"{wp}attachment_url", f"{excerpt}encoded", "title"):
            values[child.tag] = _text(child)
    post_type = values.get(f"{wp}post_type", "") or "post"
    status = values.get(f"{wp}status", "")
    export.items[(post_type, status)] += 1
    post_id = values.get(f"{wp}post_id", "")
    if not post_id.isdigit():
        return
    if values.get(f"{wp}is_sticky") == "1":
        export.sticky_ids.add(int(post_id))
    if post_type == "attachment":
        export.attachments[int(post_id)] = Attachment(
            post_id=int(post_id),
            url=values.get(f"{wp}attachment_url", ""),
            file=meta.get("_wp_attached_file", ""),
            alt=meta.get("_wp_attachment_image_alt", ""),
            caption=values.get(f"{excerpt}encoded", ""),
            title=values.get("title", ""),
        )


def read_items(source, post_types=("post",)):
    """Yield an Item (or a BadItem) for every item of `post_types`, in the file's order."""
    for elem, wp, excerpt in _walk(source):
        if elem.tag != "item":
            continue
        parent = elem.getparent()
        if parent is None or parent.tag != "channel":
            continue
        post_type = _text(elem.find(f"{wp}post_type")) or "post"
        if post_type in post_types:
            line = elem.sourceline
            try:
                yield _item(elem, wp, excerpt, post_type)
            except ItemProblem as problem:
                yield BadItem(line, _text(elem.find(f"{wp}post_id")) or "?", str(problem))
        _release(elem)


def _item(elem, wp, excerpt, post_type):
    values, categories, tags, meta, comments = {}, [], [], {}, []
    for child in elem:
        tag = child.tag
        if tag == "category":
            pair = ((child.get("nicename") or "").strip(), _text(child))
            if child.get("domain") == "category":
                categories.append(pair)
            elif child.get("domain") == "post_tag":
                tags.append(pair)
        elif tag == f"{wp}postmeta":
            meta[_text(child.find(f"{wp}meta_key"))] = _text(child.find(f"{wp}meta_value"))
        elif tag == f"{wp}comment":
            comments.append(_comment(child, wp))
        else:
            values[tag] = child.text or ""
    if f"{wp}post_id" not in values:
        raise ItemProblem("the item has no wp:post_id")

    def value(name, namespace=wp):
        return values.get(f"{namespace}{name}", "").strip()

    return Item(
        post_id=_int(value("post_id"), "wp:post_id"),
        post_type=post_type,
        status=value("status") or "draft",
        title=values.get("title", "").strip(),
        link=values.get("link", "").strip(),
        slug=value("post_name"),
        creator=value("creator", DC),
        content=values.get(f"{CONTENT}encoded", ""),
        excerpt=values.get(f"{excerpt}encoded", "").strip(),
        date=_date(value("post_date"), "wp:post_date", gmt=False),
        date_gmt=_date(value("post_date_gmt"), "wp:post_date_gmt", gmt=True),
        comment_status=value("comment_status") or "open",
        password=value("post_password"),
        sticky=value("is_sticky") == "1",
        categories=categories,
        tags=tags,
        meta=meta,
        comments=comments,
        line=elem.sourceline,
    )


def _comment(elem, wp):
    start = len(wp)
    values = {child.tag[start:]: child.text or "" for child in elem}

    def value(name):
        return values.get(name, "").strip()

    number = value("comment_id")
    where = f"comment {number or '?'} (line {elem.sourceline})"
    return Comment(
        comment_id=_int(number, f"{where}: wp:comment_id"),
        author=value("comment_author"),
        email=value("comment_author_email"),
        url=value("comment_author_url"),
        ip=value("comment_author_IP"),
        date=_date(value("comment_date"), f"{where}: wp:comment_date", gmt=False),
        date_gmt=_date(value("comment_date_gmt"), f"{where}: wp:comment_date_gmt", gmt=True),
        content=values.get("comment_content", ""),
        approved=value("comment_approved") or "0",
        type=value("comment_type") or "comment",
        parent=_int(value("comment_parent") or "0", f"{where}: wp:comment_parent"),
        line=elem.sourceline,
    )
