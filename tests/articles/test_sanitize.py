"""Story bodies are cleaned with an allow-list when saved; nothing else is printed unescaped."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from articles.models import Article
from articles.sanitize import clean_html

from .admin_forms import change_url, form_errors, post_admin_form
from .factories import ArticleFactory, CorrectionFactory, PhotoFactory

pytestmark = pytest.mark.django_db

ATTACKS = {
    "script": ("<p>Before</p><script>alert('script')</script><p>After</p>", "alert('script')"),
    "onerror": ('<p><img src="/media/editor/a.jpg" onerror="alert(1)"></p>', "onerror"),
    "onclick": ('<p onclick="alert(1)">Click</p>', "onclick"),
    "javascript href": ('<p><a href="javascript:alert(1)">win</a></p>', "javascript:"),
    "javascript href mixed case": ('<p><a href="JaVaScRiPt:alert(1)">win</a></p>',
                                   "alert(1)"),
    "javascript href encoded": ('<p><a href="&#106;avascript:alert(1)">win</a></p>',
                                "alert(1)"),
    "iframe": ('<iframe src="https://evil.example/"></iframe><p>text</p>', "evil.example"),
    "style tag": ("<style>body { display: none }</style><p>text</p>", "display: none"),
    "style attribute": ('<p style="position:fixed;top:0">text</p>', "position:fixed"),
    "data image": ('<p><img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x"></p>', "data:"),
    "javascript srcset": ('<p><img src="/media/a.jpg" srcset="/media/a.jpg 1x, '
                          'javascript:alert(1) 2x"></p>', "javascript:"),
    "data srcset": ('<p><img src="/media/a.jpg" srcset="data:image/png;base64,AAAA 1x"></p>',
                    "data:"),
    "source srcset": ('<picture><source srcset="javascript:alert(1)"><img src="/media/a.jpg">'
                      "</picture>", "javascript:"),
    "object": ('<object data="https://evil.example/x.swf"></object>', "evil.example"),
    "form": ('<form action="https://evil.example/"><input name="password"></form>',
             "evil.example"),
    "svg": ("<svg><script>alert(1)</script></svg>", "alert(1)"),
    "class": ('<p class="fixed-overlay">text</p>', "fixed-overlay"),
    "image from another site": ('<figure class="image"><img src="https://tracker.example/p.gif"'
                                ' srcset="https://cdn.example/a.jpg 640w" alt=""></figure>',
                                ".example/"),
    "protocol-relative image": ('<p><img src="//tracker.example/p.gif"></p>', "tracker"),
}

CKEDITOR_MARKUP = (
    "<h2>What happened</h2>"
    "<p>Some <strong>bold</strong> and <em>italic</em> words and "
    '<a href="https://example.org/report">a link</a>.</p>'
    "<ul><li>First point</li><li>Second point</li></ul>"
    "<ol><li>Step one</li><li>Step two</li></ol>"
    "<blockquote><p>A quotation.</p></blockquote>"
    '<figure class="image"><img src="/media/editor/2026/01/photo.jpg" alt="A harbour">'
    "<figcaption>The harbour at dawn.</figcaption></figure>"
    '<figure class="image image-style-align-left"><img src="/media/editor/x.jpg" alt="Map">'
    "</figure>"
)


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_is_removed_on_save_and_never_rendered(client, name):
    body, marker = ATTACKS[name]
    story = ArticleFactory(body=body)
    story.refresh_from_db()
    assert marker not in story.body
    html = client.get(story.get_absolute_url()).content.decode()
    article_body = html.split('class="story__body">', 1)[1].split("</div>", 1)[0]
    assert marker not in article_body
    assert "<script>alert" not in html
    assert "<iframe" not in html


def test_safe_text_around_an_attack_survives():
    cleaned = clean_html(ATTACKS["script"][0])
    assert cleaned == "<p>Before</p><p>After</p>"
    srcset = clean_html(ATTACKS["javascript srcset"][0])
    assert 'srcset="/media/a.jpg 1x"' in srcset


def test_ckeditor_markup_survives(client):
    story = ArticleFactory(body=CKEDITOR_MARKUP)
    story.refresh_from_db()
    html = client.get(story.get_absolute_url()).content.decode()
    for fragment in [
        "<h2>What happened</h2>", "<strong>bold</strong>", "<em>italic</em>",
        '<a href="https://example.org/report" rel="noopener noreferrer">a link</a>',
        "<ul><li>First point</li><li>Second point</li></ul>",
        "<ol><li>Step one</li><li>Step two</li></ol>",
        "<blockquote><p>A quotation.</p></blockquote>",
        '<figure class="image"><img src="/media/editor/2026/01/photo.jpg" alt="A harbour">'
        "<figcaption>The harbour at dawn.</figcaption></figure>",
        '<figure class="image image-style-align-left"><img src="/media/editor/x.jpg" alt="Map">',
    ]:
        assert fragment in story.body, fragment
        assert fragment in html, fragment


def test_images_from_our_own_address_survive(settings):
    settings.NEWSROOM_SITE_URL = "https://news.example.org"
    body = ('<img src="https://news.example.org/media/a.jpg" '
            'srcset="https://news.example.org/media/a-640.webp 640w, /media/a-320.webp 320w">')
    assert clean_html(body) == body


def test_body_posted_through_the_admin_is_cleaned(editor_client):
    story = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    body = '<p>Hello<img src="/media/x.jpg" onerror="alert(1)"><script>alert(2)</script></p>'
    response = post_admin_form(editor_client, change_url(story), {"body": body})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.body == '<p>Hello<img src="/media/x.jpg"></p>'


def test_plain_text_fields_are_escaped(client):
    evil = '<script>alert("x")</script>'
    story = ArticleFactory(title=f"Title {evil}", kicker=f"K{evil}", standfirst=f"S{evil}",
                           discussion_prompt=f"D{evil}", tags=[f"T{evil}"],
                           lead_photo=PhotoFactory(caption=f"C{evil}", credit=f"R{evil}",
                                                   alt_text='A" onload="alert(1)'))
    CorrectionFactory(article=story, text=f"Fix {evil}")
    html = client.get(story.get_absolute_url()).content.decode()
    outside_json = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html,
                          flags=re.S)
    # The one script element of ours: the comment form's, inlined from its file.
    form_script = (Path(settings.BASE_DIR) / "comments/static/comments/form.js").read_text()
    assert f"<script>{form_script}</script>" in outside_json
    assert "<script>" not in outside_json.replace(f"<script>{form_script}</script>", "")
    assert 'onload="alert(1)"' not in html
    assert "&lt;script&gt;" in html
