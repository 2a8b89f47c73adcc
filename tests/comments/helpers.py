"""Posting a comment the way a browser does: read the form from the page, fill it, send it."""

import re
import time

from comments.forms import make_token

FORM_FIELDS = re.compile(r'<input type="hidden" name="(token|parent)" value="([^"]*)"')


def form_data(story, *, age=60, **fields):
    """Form fields for `story` as if its page was opened `age` seconds ago."""
    data = {
        "author_name": "Ana Reader",
        "email": "ana@example.org",
        "body": "The harbour board should publish the tide data in full.",
        "website": "",
        "parent": "",
        "token": make_token(story, now=time.time() - age),
    }
    data.update(fields)
    return data


def post_url(story):
    kind = "interview" if story.__class__.__name__ == "Interview" else "article"
    return f"/comments/{kind}/{story.pk}/"


def post(client, story, *, age=60, ip="192.0.2.55", follow=False, **fields):
    return client.post(post_url(story), form_data(story, age=age, **fields),
                       REMOTE_ADDR=ip, follow=follow)


def tokens_on_page(html):
    return dict(FORM_FIELDS.findall(html))
