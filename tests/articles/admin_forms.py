"""Reading and posting the admin's article pages as a browser would: the article desk's tests
(roles, workflow, sanitising) share these."""

from html.parser import HTMLParser

from django.utils import timezone

ADD_URL = "/admin/articles/article/add/"
CHANGELIST_URL = "/admin/articles/article/"


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


class _FormReader(HTMLParser):
    """Collects what a browser would submit from `<form id=form_id>`."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.fields = []  # (name, value) in document order
        self.select = None  # (name, multiple, [selected values], first value)
        self.option_value = None
        self.textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
            return
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "selected": [],
                           "first": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["selected"].append(value)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select is not None:
            select, self.select = self.select, None
            values = select["selected"]
            if not values and not select["multiple"] and select["first"] is not None:
                values = [select["first"]]
            self.fields.extend((select["name"], value) for value in values)
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.textarea = None
            # HTML drops the newline that directly follows <textarea>.
            self.fields.append((name, text[1:] if text.startswith("\n") else text))


def read_admin_form(client, url, form_id="article_form"):
    """GET an admin add/change page and return its form as {name: [values]}."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = {}
    for name, value in reader.fields:
        if "__prefix__" in name:  # the blank template rows the admin's JS copies
            continue
        data.setdefault(name, []).append(value)
    assert data, f"no form {form_id!r} on {url}"
    return data


def inline_prefix(data, field):
    """The formset prefix whose rows have `field` (e.g. 'author' -> 'articleauthor_set')."""
    prefixes = [name[: -len("-TOTAL_FORMS")] for name in data if name.endswith("-TOTAL_FORMS")]
    for prefix in prefixes:
        if any(name.startswith(f"{prefix}-") and name.endswith(f"-{field}") for name in data):
            return prefix
    # No rows yet: the page still names the prefix in its empty template, which we dropped;
    # guess from the known inlines.
    known = {"author": "articleauthor", "text": "corrections"}
    matches = [p for p in prefixes if known[field] in p]
    assert len(matches) == 1, (field, prefixes)
    return matches[0]


def add_inline_rows(data, prefix, rows):
    """Append new rows to formset `prefix`; rows are dicts of field -> value."""
    total = int(data[f"{prefix}-TOTAL_FORMS"][0])
    for offset, row in enumerate(rows):
        for field, value in row.items():
            data[f"{prefix}-{total + offset}-{field}"] = [str(value)]
    data[f"{prefix}-TOTAL_FORMS"] = [str(total + len(rows))]


def split_datetime(value):
    """The admin's two boxes for a datetime, in the site's time zone."""
    if value is None:
        return {"0": "", "1": ""}
    local = timezone.localtime(value)
    return {"0": f"{local:%Y-%m-%d}", "1": f"{local:%H:%M:%S}"}


def post_admin_form(client, url, changes=None, bylines=(), corrections=(), action="_save"):
    """Fill the admin form at `url` like an editor would and submit it.

    `changes` maps field names to values (a datetime for publish_at/updated_at is split into
    the admin's date and time boxes; None clears a field). `bylines` are Authors to add to
    the byline inline, `corrections` dicts with `text` (and optional `kind`, `published_at`).
    """
    data = read_admin_form(client, url)
    for name, value in (changes or {}).items():
        if name in {"publish_at", "updated_at", "embargo_until"} or hasattr(value, "tzinfo"):
            for part, text in split_datetime(value).items():
                data[f"{name}_{part}"] = [text]
        elif value is None:
            data[name] = [""]
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = [str(value)]
    if bylines:
        prefix = inline_prefix(data, "author")
        add_inline_rows(data, prefix, [
            {"author": author.pk, "position": position}
            for position, author in enumerate(bylines)
        ])
    if corrections:
        prefix = inline_prefix(data, "text")
        rows = []
        for correction in corrections:
            when = split_datetime(correction.get("published_at", timezone.now()))
            rows.append({"kind": correction.get("kind", "correction"),
                         "text": correction["text"], "published_at_0": when["0"],
                         "published_at_1": when["1"]})
        add_inline_rows(data, prefix, rows)
    data[action] = ["Save"]
    return client.post(url, data)


def form_errors(response):
    """Every error message the admin form shows, as one string."""
    context = response.context
    assert context is not None and "adminform" in context, "the form was not redisplayed"
    errors = list(context["adminform"].form.non_field_errors())
    for field_errors in context["adminform"].form.errors.values():
        errors.extend(field_errors)
    return " ".join(errors)


def action_choices(client):
    response = client.get(CHANGELIST_URL)
    assert response.status_code == 200
    return {value for value, _ in response.context["action_form"].fields["action"].choices}


def run_action(client, action, *articles):
    return client.post(CHANGELIST_URL, {
        "action": action, "_selected_action": [a.pk for a in articles], "index": 0,
    })
