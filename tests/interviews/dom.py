"""A few lookups over django.test.html's parsed tree, enough to check a page's structure."""

from html.parser import HTMLParser

from django.test.html import parse_html


def page(response):
    assert response.status_code == 200, response.status_code
    return parse_html(response.content.decode())


def attrs(element):
    return dict(element.attributes)


def find_all(element, name=None, cls=None, **attributes):
    """Every element under `element` (depth first, in document order) that matches."""
    found = []
    for child in element.children:
        if isinstance(child, str):
            continue
        own = attrs(child)
        if ((name is None or child.name == name)
                and (cls is None or cls in (own.get("class") or "").split())
                and all(own.get(key) == value for key, value in attributes.items())):
            found.append(child)
        found += find_all(child, name, cls, **attributes)
    return found


def find(element, name=None, cls=None, **attributes):
    found = find_all(element, name, cls, **attributes)
    assert found, f"no <{name or '*'} class={cls!r} {attributes}>"
    return found[0]


def text(element):
    if isinstance(element, str):
        return element
    return " ".join(part for part in (text(child) for child in element.children) if part)


class _FormReader(HTMLParser):
    """The values a browser would submit from the page's main form (no JavaScript)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values = {}
        self._textarea = None
        self._select = None

    def _add(self, name, value):
        if "__prefix__" in name or "-empty-" in name:
            return  # nested-admin's templates for forms added in the browser
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attributes):
        a = dict(attributes)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            else:
                self._add(name, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self._add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_values(html):
    """{name: [values]} as the admin page would post them back unchanged."""
    reader = _FormReader()
    reader.feed(html)
    return reader.values
