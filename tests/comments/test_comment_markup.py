"""How one comment is written into a page: the same escaping and links whichever path the text
takes, whole-second machine times in the site's time zone, and what readers see of a thread."""

import re
from datetime import UTC, datetime

import pytest
from django.utils.html import linebreaks

from comments.templatetags.comments_tags import _urlize, comment_body
from tests.comments.factories import CommentFactory, ReplyFactory

TEXTS = [
    "A fair point about the harbour.",
    "<script>alert(1)</script> & \"quotes\" 'single' > less < more",
    "Two lines\nand a blank one\n\nthen a paragraph.",
    "Dots everywhere... e.g. 3.5 per cent, Mr. Smith, the U.K. and v1.2.",
    "A domain: example.com, another.org/path and sub.example.net.",
    "http://example.org/a?b=1&c=2 (and https://example.net/x).",
    "WWW.EXAMPLE.COM shouting, www.example.com whispering",
    "mail me at reader@example.org or see example.com/",
    "Unicode: Zürich — café, 東京, emoji 🙂 and a \u200b zero-width space.",
    "edu.example: a word ending .edu and .int and .mil and .gov here",
]


@pytest.mark.parametrize("text", TEXTS)
def test_comment_body_is_what_the_full_link_finder_makes(text):
    full = linebreaks(_urlize(text, trim_url_limit=60, nofollow=False, autoescape=True),
                      autoescape=False)
    assert comment_body(text) == full


@pytest.mark.django_db
def test_a_comment_shows_its_time_in_whole_seconds_in_the_site_time_zone(client, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    comment = CommentFactory(created_at=datetime(2026, 11, 28, 13, 5, 9, 123456, tzinfo=UTC))
    html = client.get(comment.article.get_absolute_url()).content.decode()
    assert ('<time datetime="2026-11-28T14:05:09+01:00">28 November 2026, 14:05</time>'
            in html)
    discussion = html[html.index('id="comments"'):]
    assert not re.search(r'datetime="[^"]*\.\d+', discussion)


@pytest.mark.django_db
def test_a_thread_shows_featured_first_replies_inside_and_reply_links_on_top_comments(client):
    first = CommentFactory(author_name='Ann <i>"A"</i>', body="First.")
    featured = CommentFactory(article=first.article, author_name="Bo", body="Featured one.",
                              featured=True)
    reply = ReplyFactory(parent=first, author_name="Cy", body="A reply.")
    html = client.get(first.article.get_absolute_url()).content.decode()

    assert html.index(f'id="comment-{featured.pk}"') < html.index(f'id="comment-{first.pk}"')
    assert f'<article class="comment comment--featured" id="comment-{featured.pk}">' in html
    assert '<span class="comment__badge">Featured</span>' in html
    assert '<span class="comment__author">Ann &lt;i&gt;&quot;A&quot;&lt;/i&gt;</span>' in html
    assert (f'<a href="?reply={first.pk}#comment-form" rel="nofollow">Reply<span '
            'class="visually-hidden"> to Ann &lt;i&gt;&quot;A&quot;&lt;/i&gt;</span></a>') in html
    # A reply sits in its thread's list and offers no reply link of its own.
    replies = html[html.index('<ol class="comment-replies"'):]
    replies = replies[:replies.index("</ol>")]
    assert f'id="comment-{reply.pk}"' in replies
    assert f"?reply={reply.pk}" not in html


@pytest.mark.django_db
def test_no_reply_links_once_the_discussion_is_closed(client):
    comment = CommentFactory()
    story = comment.article
    story.comment_mode = story.CommentMode.CLOSED
    story.save()
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in html
    assert "?reply=" not in html


def django_drawn_fields(form):
    """The fields as Django's own form renderer draws them, every time."""
    from django.template.loader import render_to_string

    return render_to_string("comments/form_fields.html", {"form": form})


@pytest.mark.django_db
def test_a_blank_form_shows_the_fields_django_draws_and_follows_the_length_limit(
        client, settings):
    from comments.forms import CommentForm

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    story = CommentFactory().article
    for limit in (4000, 120):
        settings.COMMENTS_MAX_LENGTH = limit
        for _ in range(2):  # the second page uses the fields drawn for the first
            html = client.get(story.get_absolute_url()).content.decode()
            fields = django_drawn_fields(CommentForm(story=story))
            assert fields in html
            assert f'maxlength="{limit}"' in fields
    for expected in ('<label for="id_author_name">Name</label>',
                     'aria-describedby="id_email_helptext"', 'autocomplete="email"',
                     '<label for="id_website">Leave this field empty</label>'):
        assert expected in html


@pytest.mark.django_db
def test_a_form_sent_back_with_errors_shows_its_values_and_marks(client):
    from comments.forms import CommentForm

    story = CommentFactory().article
    client.get(story.get_absolute_url())  # a blank form's fields are kept
    form = CommentForm({"author_name": "Ann", "email": "not-an-address", "body": ""},
                       story=story)
    fields = django_drawn_fields(form)
    from comments.templatetags.comments_tags import comment_form_fields

    assert comment_form_fields(form) == fields
    assert 'value="Ann"' in fields and 'value="not-an-address"' in fields
    assert fields.count('aria-invalid="true"') == 2
    assert "Write a comment before sending it." in fields
