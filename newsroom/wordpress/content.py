"""A WordPress post's HTML as a story body.

WordPress stores what its editors wrote, not what readers saw: block-editor comments
(`<!-- wp:paragraph -->`), shortcodes (`[caption]`, `[embed]`, `[gallery]`, plugins' own),
paragraphs the classic editor leaves as blank lines, images pointing into
`wp-content/uploads`. `convert` turns that into the markup CKEditor writes:

- block comments go; embed blocks, `[embed]` and the media shortcodes, iframes and a URL alone
  on its line (WordPress embeds those) become links (the site loads nothing from elsewhere);
- `[caption]` becomes a figure with its figcaption, `[gallery ids=…]` a figure per image;
- any other shortcode is reported and its tags removed (enclosed text is kept);
- images are handed to `resolve_image`, which returns where the imported photo lives (or
  None: the image is dropped and the caller reports it);
- links into the old site become paths on this one, where the old addresses redirect;
- last, the editor's allow-list (articles.sanitize) cleans the lot: no script survives.

Nothing here touches the database; the importer passes `resolve_image`.
"""

import html
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from articles.sanitize import clean_html

# WordPress's own block-level tags (wpautop): text between them is not wrapped in <p>.
_BLOCK = ("table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|"
          "form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|"
          "article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary")
_STARTS_BLOCK = re.compile(rf"^<(?:{_BLOCK})[\s/>]", re.I)
_ENDS_BLOCK = re.compile(rf"</(?:{_BLOCK})>$", re.I)
_HAS_PARAGRAPHS = re.compile(r"<p[\s>]", re.I)
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")

_EMBED_OPEN = re.compile(r"<!--\s*wp:(core-embed/[\w-]+|embed)\s*(\{.*?\})?\s*(/?)-->", re.S)
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.S)
_MORE = re.compile(r"<!--\s*(?:more|nextpage|noteaser)\b.*?-->", re.S | re.I)
_URL = re.compile(r"https?://[^\s<>\"'\]\[]+", re.I)
_BARE_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"']+)[ \t]*$", re.M | re.I)
_SHORTCODE = re.compile(r"\[(\[?)([A-Za-z][\w-]*)((?:\s[^\[\]]*?)?)(/?)\](\]?)")
_ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)"""
    r"""|"([^"]*)"|'([^']*)'|(\S+)""")
_WP_IMAGE_CLASS = re.compile(r"\bwp-image-(\d+)\b")
_FIGCAPTION = re.compile(r"<figcaption[^>]*>(.*?)</figcaption>", re.S | re.I)
_IMG_PART = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)
_ALIGN = {"alignleft": "image-style-align-left", "alignright": "image-style-align-right",
          "aligncenter": "image-style-align-center"}

# Shortcodes that show something from another site: they become a link to it.
EMBED_SHORTCODES = {"embed", "video", "audio", "youtube", "vimeo", "soundcloud", "tweet",
                    "twitter", "instagram", "dailymotion", "spotify", "flickr", "ted",
                    "googlemaps", "playlist"}
KNOWN_SHORTCODES = EMBED_SHORTCODES | {"caption", "wp_caption", "gallery"}
# Marks an <img> this module wrote itself, until the tree pass has seen it.
PLACED = "data-newsroom-placed"
_MEDIA_ATTRIBUTES = ("src", "url", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mp3", "ogg",
                     "wav", "m4a", "wma")


@dataclass
class PlacedImage:
    """An imported image, as a body shows it."""

    url: str
    srcset: str = ""
    width: int = 0
    height: int = 0
    alt: str = ""
    caption: str = ""
    photo_id: int | None = None


@dataclass
class Converted:
    body: str
    shortcodes: dict = field(default_factory=dict)  # other shortcodes: name -> times seen
    embeds: int = 0
    images: int = 0
    dropped_images: list = field(default_factory=list)  # src of images that were not imported


def convert(text, *, resolve_image, site_urls=()):
    """`text` (a post's content) as a sanitised story body; see the module's docstring.

    `resolve_image(attachment_id, src)` returns a PlacedImage or None. `site_urls` are the old
    site's addresses (links into them become paths).
    """
    result = Converted(body="")
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    # The classic editor stores paragraphs as blank lines; the block editor writes <p>.
    classic = not _HAS_PARAGRAPHS.search(text)
    text = _embed_blocks(text, result)
    text = _BLOCK_COMMENT.sub("", text)
    text = _MORE.sub("", text)
    text = _shortcodes(text, result, resolve_image)
    text = _BARE_URL_LINE.sub(lambda match: _embed_link(match.group(1), result), text)
    if classic:
        text = autop(text)
    text = _rework_tree(text, result, resolve_image, site_urls)
    result.body = _BLANK_LINES.sub("\n\n", clean_html(text))
    return result


def autop(text):
    """WordPress's wpautop, simplified: blank lines separate paragraphs, a single line break
    is a <br>, and block-level markup is left unwrapped."""
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _STARTS_BLOCK.match(chunk) or _ENDS_BLOCK.search(chunk):
            paragraphs.append(chunk)
        else:
            paragraphs.append("<p>" + re.sub(r"\s*\n\s*", "<br>\n", chunk) + "</p>")
    return "\n".join(paragraphs)


# --- embeds -------------------------------------------------------------------------------

def _link(url, label=None):
    url = html.escape(url.strip(), quote=True)
    return f'<a href="{url}">{html.escape(label) if label else url}</a>'


def _embed_link(url, result, caption=""):
    result.embeds += 1
    paragraph = f"<p>{_link(url)}</p>"
    return paragraph + (f"\n<p>{caption}</p>" if caption else "")


def _embed_blocks(text, result):
    """Each embed block (`<!-- wp:embed {"url": …} -->…<!-- /wp:embed -->`) as a link."""
    output, position = [], 0
    while (match := _EMBED_OPEN.search(text, position)) is not None:
        output.append(text[position:match.start()])
        inner, position = "", match.end()
        if not match.group(3):
            closing = re.compile(rf"<!--\s*/wp:{re.escape(match.group(1))}\s*-->").search(
                text, match.end())
            if closing is not None:
                inner, position = text[match.end():closing.start()], closing.end()
        output.append(_embed_block(match.group(2), inner, result))
    output.append(text[position:])
    return "".join(output)


def _embed_block(attributes, inner, result):
    url = ""
    if attributes:
        try:
            url = str(json.loads(attributes).get("url", ""))
        except (ValueError, AttributeError):
            url = ""
    if not url:
        found = _URL.search(re.sub(r"<[^>]+>", " ", inner))
        url = found.group(0) if found else ""
    caption = _FIGCAPTION.search(inner)
    caption = caption.group(1).strip() if caption else ""
    if not url:
        return caption and f"<p>{caption}</p>"
    return "\n\n" + _embed_link(url, result, caption) + "\n\n"


# --- shortcodes ---------------------------------------------------------------------------

def parse_attributes(text):
    """Shortcode attributes as WordPress reads them: named ones by name, positional ones
    under 0, 1, …"""
    named, position = {}, 0
    for match in _ATTRIBUTE.finditer(text or ""):
        if match.group(1):
            named[match.group(1).lower()] = match.group(2)
        elif match.group(3):
            named[match.group(3).lower()] = match.group(4)
        elif match.group(5):
            named[match.group(5).lower()] = match.group(6)
        else:
            value = next(group for group in match.groups()[6:] if group is not None)
            named[position] = value
            position += 1
    return named


def _shortcodes(text, result, resolve_image):
    """Replace the shortcodes in `text`, outermost first (enclosed text is processed too)."""
    output, position = [], 0
    while True:
        match = _SHORTCODE.search(text, position)
        if match is None:
            output.append(text[position:])
            return "".join(output)
        output.append(text[position:match.start()])
        escaped_open, name, attributes, self_closing, escaped_close = match.groups()
        lowered = name.lower()
        if escaped_open and escaped_close:  # [[name]] is WordPress's way to print "[name]"
            output.append(match.group(0)[1:-1])
            position = match.end()
            continue
        if escaped_open:
            output.append("[")
        closing = None
        if not self_closing:
            closing = re.compile(rf"\[/{re.escape(name)}\]", re.I).search(text, match.end())
        if closing is None and not (lowered in KNOWN_SHORTCODES or self_closing
                                    or "=" in attributes):
            # "[sic]", "[Update]": square brackets in ordinary writing, not a shortcode.
            output.append(match.group(0)[len(escaped_open):])
            position = match.end()
            continue
        content = None
        end = match.end()
        if closing is not None:
            content = text[match.end():closing.start()]
            end = closing.end()
        output.append(_shortcode(lowered, parse_attributes(attributes), content, result,
                                 resolve_image))
        position = end


def _shortcode(name, attributes, content, result, resolve_image):
    if name in ("caption", "wp_caption"):
        return _caption(attributes, content or "", result, resolve_image)
    if name == "gallery" and attributes.get("ids"):
        return _gallery(attributes["ids"], result, resolve_image)
    if name in EMBED_SHORTCODES:
        url = _first_url(attributes, content)
        if url:
            return "\n\n" + _embed_link(url, result) + "\n\n"
    result.shortcodes[name] = result.shortcodes.get(name, 0) + 1
    return _shortcodes(content, result, resolve_image) if content else ""


def _first_url(attributes, content):
    for key in (*_MEDIA_ATTRIBUTES, *sorted(k for k in attributes if isinstance(k, int))):
        value = attributes.get(key, "")
        if isinstance(value, str) and _URL.fullmatch(value.strip()):
            return value.strip()
    found = _URL.search(content or "")
    return found.group(0) if found else ""


def _caption(attributes, content, result, resolve_image):
    content = _shortcodes(content, result, resolve_image)
    split = _IMG_PART.match(content)
    image, caption = (split.group(1), split.group(2).strip()) if split else (content, "")
    caption = caption or attributes.get("caption", "")
    align = _ALIGN.get(attributes.get("align", ""), "")
    classes = f"image {align}".strip()
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'\n\n<figure class="{classes}">{image}{figcaption}</figure>\n\n'


def _gallery(ids, result, resolve_image):
    figures = []
    for number in re.findall(r"\d+", ids):
        placed = resolve_image(int(number), None)
        if placed is None:
            result.dropped_images.append(f"attachment {number}")
            continue
        result.images += 1
        figcaption = f"<figcaption>{html.escape(placed.caption)}</figcaption>" \
            if placed.caption else ""
        figures.append(f'<figure class="image">{_img_tag(placed)}{figcaption}</figure>')
    return "\n\n" + "\n".join(figures) + "\n\n"


def _img_tag(placed, alt=None):
    attributes = {"src": placed.url, "alt": alt if alt is not None else placed.alt,
                  PLACED: "1"}
    if placed.srcset:
        attributes["srcset"] = placed.srcset
        attributes["sizes"] = "(min-width: 60rem) 40rem, 100vw"
    if placed.width and placed.height:
        attributes["width"], attributes["height"] = str(placed.width), str(placed.height)
    return "<img " + " ".join(f'{key}="{html.escape(value, quote=True)}"'
                              for key, value in attributes.items()) + ">"


# --- the tree: images, iframes, links --------------------------------------------------------

def _rework_tree(text, result, resolve_image, site_urls):
    if not text.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(text, create_parent="div")
    except (etree.ParserError, ValueError):
        return text
    for img in list(root.iter("img")):
        _place_image(img, result, resolve_image)
    for frame in list(root.iter("iframe", "embed", "object")):
        src = frame.get("src") or frame.get("data") or ""
        if src.startswith(("http://", "https://", "//")):
            url = f"https:{src}" if src.startswith("//") else src
            result.embeds += 1
            parent = frame.getparent()
            markup = _link(url) if parent is not root else f"<p>{_link(url)}</p>"
            replacement = lxml.html.fragment_fromstring(markup)
            replacement.tail = frame.tail
            parent.replace(frame, replacement)
        else:
            _drop(frame)
    for figure in root.iter("figure"):
        classes = (figure.get("class") or "").split()
        if figure.find(".//img") is not None:
            kept = ["image"] + [_ALIGN[name] for name in classes if name in _ALIGN]
            kept += [name for name in classes if name.startswith("image-style-")]
            figure.set("class", " ".join(dict.fromkeys(kept)))
        elif figure.find(".//table") is not None:
            figure.set("class", "table")
        elif "class" in figure.attrib:
            del figure.attrib["class"]
    bases = _site_bases(site_urls)
    for link in root.iter("a"):
        href = link.get("href") or ""
        relative = _site_path(href, bases)
        if relative is not None and "/wp-content/" not in relative:
            link.set("href", relative)
    parts = [html.escape(root.text or "", quote=False)]
    parts += [lxml.html.tostring(child, encoding="unicode") for child in root]
    return "".join(parts)


def _place_image(img, result, resolve_image):
    if img.get(PLACED):  # a gallery's image, already ours
        del img.attrib[PLACED]
        return
    src = img.get("src") or ""
    found = _WP_IMAGE_CLASS.search(img.get("class") or "")
    attachment_id = int(found.group(1)) if found else None
    placed = resolve_image(attachment_id, src) if (src or attachment_id) else None
    if placed is None:
        result.dropped_images.append(src or f"attachment {attachment_id}")
        _drop_image(img)
        return
    result.images += 1
    alt = (img.get("alt") or "").strip() or placed.alt
    for name in list(img.attrib):
        del img.attrib[name]
    new = lxml.html.fragment_fromstring(_img_tag(placed, alt=alt))
    for name, value in new.attrib.items():
        if name != PLACED:
            img.set(name, value)
    parent = img.getparent()
    if parent is not None and parent.tag == "a" and "/wp-content/uploads/" in (
            parent.get("href") or ""):
        # The classic "link to media file": the full-size picture, now ours.
        parent.set("href", placed.url)


def _drop_image(img):
    """Remove an image that could not be imported, with the link or figure that held only it."""
    target = img
    parent = img.getparent()
    if parent is not None and parent.tag == "a" and not (parent.text or "").strip() \
            and len(parent) == 1:
        target, parent = parent, parent.getparent()
    if parent is not None and parent.tag == "figure" and not [
            child for child in parent if child is not target and child.tag != "figcaption"]:
        target = parent
    _drop(target)


def _drop(element):
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _site_bases(site_urls):
    bases = set()
    for url in site_urls:
        parts = urlsplit(url or "")
        if parts.hostname:
            host = parts.hostname.lower().removeprefix("www.")
            bases.add((host, parts.path.rstrip("/")))
    return bases


def _site_path(href, bases):
    """The path (with query and fragment) of a link into the old site, else None."""
    if not bases or not href.lower().startswith(("http://", "https://", "//")):
        return None
    parts = urlsplit(href if "://" in href else f"https:{href}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not any(host == base_host for base_host, _ in bases):
        return None
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    if parts.fragment:
        path += f"#{parts.fragment}"
    return path
