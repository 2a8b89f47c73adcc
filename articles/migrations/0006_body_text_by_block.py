# A story's plain body text (body_text) keeps one line per block (paragraph, heading, list
# item, quotation…) so that search snippets can be cut by sentence without running a heading
# into the next paragraph. Rewrites body_text from the body; the search vector is rebuilt
# only for the rare story whose words change (text glued across tags, such as a nested list).
#
# The conversion is a copy of articles.search.plain_lines() as it was when this migration was
# written, so later changes to the app cannot change what it does on an old database.
import re
import unicodedata
from html.parser import HTMLParser

from django.conf import settings
from django.db import migrations

BLOCK_ELEMENTS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "figure",
    "figcaption", "table", "tr", "td", "th", "div", "pre", "br", "hr", "section", "aside",
})
BATCH = 2000


def clean_text(raw):
    text = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in raw or ""
    )
    return re.sub(r"\s+", " ", text).strip()


class Blocks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.current = [], []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_ELEMENTS:
            self.close_block()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in BLOCK_ELEMENTS:
            self.close_block()

    def handle_data(self, data):
        self.current.append(data)

    def close_block(self):
        text = clean_text("".join(self.current))
        if text:
            self.blocks.append(text)
        self.current = []


def plain_lines(fragment):
    parser = Blocks()
    parser.feed(fragment or "")
    parser.close()
    parser.close_block()
    return "\n".join(parser.blocks)


def by_block(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    changed, reworded = [], []
    rows = Article.objects.order_by().values_list("pk", "body", "body_text")
    for pk, body, old in rows.iterator(chunk_size=BATCH):
        new = plain_lines(body)
        if new != old:
            changed.append(Article(pk=pk, body_text=new))
            if new.split() != (old or "").split():
                reworded.append(pk)
        if len(changed) >= BATCH:
            Article.objects.bulk_update(changed, ["body_text"], batch_size=500)
            changed = []
    Article.objects.bulk_update(changed, ["body_text"], batch_size=500)
    if reworded and schema_editor.connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchVector

        config = getattr(settings, "NEWSROOM_SEARCH_CONFIG", "english")
        for start in range(0, len(reworded), BATCH):
            Article.objects.filter(pk__in=reworded[start:start + BATCH]).update(search_vector=(
                SearchVector("title", weight="A", config=config)
                + SearchVector("standfirst", weight="B", config=config)
                + SearchVector("body_text", weight="C", config=config)
            ))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_typed_corrections_embargo_preview_links"),
    ]

    # Going back leaves the lines: the older code reads them as spaces.
    operations = [migrations.RunPython(by_block, migrations.RunPython.noop)]
