"""How long `manage.py import_wordpress` takes for a large generated WordPress export.

    .venv/bin/python bench/import_wordpress.py [--posts 10000] [--comments 100000] [--images 40]

Writes a WXR 1.2 export the size of a busy newsroom's (posts in the block editor and the
classic one, nested categories, tags, 20 authors, featured images and images in bodies drawn
from `--images` uploads, captions, embeds, threaded comments in every state: approved,
pending, spam, trash, pingbacks), with its wp-content/uploads folder, to a temporary folder.
Then imports it once into a throwaway database (SQLite unless DATABASE_URL is set), imports it
again (nothing changed: every post and comment is found and left alone), and prints both
times, what was imported and the process's peak memory. Target: 10,000 posts and 100,000
comments in under 5 minutes on SQLite.
"""

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

WORDS = [
    "harbour", "council", "budget", "ferry", "strike", "union", "minister", "vote", "housing",
    "rent", "bridge", "port", "election", "mayor", "court", "ruling", "museum", "festival",
    "river", "flood", "weather", "school", "teachers", "hospital", "nurses", "trade", "tariff",
    "factory", "jobs", "market", "bank", "rates", "energy", "wind", "solar", "grid", "transit",
    "tram", "rail", "farmers", "harvest", "drought", "coast", "storm", "science", "satellite",
]
SPAM_WORDS = ["casino", "bonus", "viagra", "cheap", "pills", "crypto", "winner", "loans"]
CATEGORIES = [("world", "World", ""), ("europe", "Europe", "world"),
              ("baltic", "Baltic", "europe"), ("politics", "Politics", ""),
              ("business", "Business", ""), ("markets", "Markets", "business"),
              ("science", "Science", ""), ("culture", "Culture", "")]
STATES = ["1"] * 70 + ["0"] * 12 + ["spam"] * 12 + ["trash"] * 4 + ["pingback"] * 2
HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Bench Gazette</title><link>https://bench.example.com</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example.com</wp:base_site_url>
<wp:base_blog_url>https://bench.example.com</wp:base_blog_url>
"""


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def sentence(rng, words=14, pool=WORDS):
    text = " ".join(rng.choice(pool) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def body(rng, number, images):
    image = rng.randrange(images) + 1 if images else 0
    if number % 2:  # the block editor
        parts = [f"<!-- wp:paragraph -->\n<p>{sentence(rng, 30)}</p>\n<!-- /wp:paragraph -->"
                 for _ in range(rng.randint(4, 8))]
        if image:
            parts.insert(2, f'<!-- wp:image {{"id":{900000 + image}}} -->\n'
                            f'<figure class="wp-block-image"><img src="https://bench.example'
                            f'.com/wp-content/uploads/2024/01/photo-{image}-1024x576.jpg" '
                            f'alt="" class="wp-image-{900000 + image}"/><figcaption>'
                            f"{sentence(rng, 6)}</figcaption></figure>\n<!-- /wp:image -->")
        if number % 7 == 0:
            parts.append('<!-- wp:embed {"url":"https://www.youtube.com/watch?v=abc"} -->\n'
                         '<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">'
                         "\nhttps://www.youtube.com/watch?v=abc\n</div></figure>\n"
                         "<!-- /wp:embed -->")
        return "\n\n".join(parts)
    parts = [" ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
             for _ in range(rng.randint(4, 8))]
    if image:
        parts.insert(1, f'[caption id="attachment_{900000 + image}" align="alignright" '
                        f'width="300"]<img class="size-medium wp-image-{900000 + image}" '
                        f'src="https://bench.example.com/wp-content/uploads/2024/01/'
                        f'photo-{image}-300x169.jpg" width="300" height="169" /> '
                        f"{sentence(rng, 5)}[/caption]")
    if number % 5 == 0:
        parts.append("[embed]https://vimeo.com/76979871[/embed]")
    return "\n\n".join(parts)


def comments(rng, post_id, count, first_id, published):
    lines, ids = [], []
    for offset in range(count):
        number = first_id + offset
        state = rng.choice(STATES)
        kind = "pingback" if state == "pingback" else "comment"
        state = "1" if state == "pingback" else state
        parent = rng.choice(ids) if ids and rng.random() < 0.4 else 0
        spam = state == "spam"
        text = sentence(rng, rng.randint(8, 30), SPAM_WORDS + WORDS[:5] if spam else WORDS)
        if spam:
            text += f' <a href="https://spam{rng.randint(1, 50)}.example.net/">click</a>'
        day = 1 + offset % 27
        lines.append(
            f"<wp:comment><wp:comment_id>{number}</wp:comment_id>"
            f"<wp:comment_author>{cdata(f'Reader {rng.randint(1, 5000)}')}</wp:comment_author>"
            f"<wp:comment_author_email>{cdata(f'reader{rng.randint(1, 5000)}@example.org')}"
            f"</wp:comment_author_email>"
            f"<wp:comment_author_url>https://reader.example.org/</wp:comment_author_url>"
            f"<wp:comment_author_IP>{cdata(f'203.0.113.{rng.randint(1, 254)}')}"
            f"</wp:comment_author_IP>"
            f"<wp:comment_date>{cdata(f'{published[:8]}{day:02d} 12:00:00')}</wp:comment_date>"
            f"<wp:comment_date_gmt>{cdata(f'{published[:8]}{day:02d} 11:00:00')}"
            f"</wp:comment_date_gmt>"
            f"<wp:comment_content>{cdata(text)}</wp:comment_content>"
            f"<wp:comment_approved>{cdata(state)}</wp:comment_approved>"
            f"<wp:comment_type>{cdata(kind)}</wp:comment_type>"
            f"<wp:comment_parent>{parent}</wp:comment_parent>"
            f"<wp:comment_user_id>0</wp:comment_user_id></wp:comment>")
        ids.append(number)
    return "\n".join(lines)


def write_export(path, *, posts, total_comments, images, rng):
    per_post = [total_comments // posts] * posts
    for extra in range(total_comments - sum(per_post)):
        per_post[extra % posts] += 1
    statuses = ["publish"] * 90 + ["draft"] * 5 + ["pending"] * 2 + ["future"] * 2 + \
        ["private"] * 1
    comment_id = 1
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD)
        for number in range(1, 21):
            out.write(f"<wp:author><wp:author_login>{cdata(f'writer{number}')}</wp:author_login>"
                      f"<wp:author_email>{cdata(f'writer{number}@bench.example.com')}"
                      f"</wp:author_email><wp:author_display_name>"
                      f"{cdata(f'Writer Number {number}')}</wp:author_display_name>"
                      "</wp:author>\n")
        for term, (slug, name, parent) in enumerate(CATEGORIES, start=2):
            out.write(f"<wp:category><wp:term_id>{term}</wp:term_id><wp:category_nicename>"
                      f"{slug}</wp:category_nicename><wp:category_parent>{parent}"
                      f"</wp:category_parent><wp:cat_name>{cdata(name)}</wp:cat_name>"
                      "</wp:category>\n")
        for number in range(1, posts + 1):
            status = rng.choice(statuses)
            year = 2030 if status == "future" else rng.choice([2022, 2023, 2024])
            published = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            slug = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{number}"
            category = rng.choice(CATEGORIES)
            thumbnail = (f"<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>"
                         f"{900000 + rng.randrange(images) + 1}</wp:meta_value></wp:postmeta>"
                         if images and number % 3 == 0 else "")
            tags = "".join(
                f'<category domain="post_tag" nicename="{tag}">{cdata(tag)}</category>'
                for tag in sorted({rng.choice(WORDS) for _ in range(3)}))
            out.write(
                f"<item><title>{cdata(sentence(rng, 7)[:-1])}</title>"
                f"<link>https://bench.example.com/{category[0]}/{slug}/</link>"
                f"<dc:creator>{cdata(f'writer{rng.randint(1, 20)}')}</dc:creator>"
                f"<content:encoded>{cdata(body(rng, number, images))}</content:encoded>"
                f"<excerpt:encoded>{cdata(sentence(rng, 20))}</excerpt:encoded>"
                f"<wp:post_id>{number}</wp:post_id>"
                f"<wp:post_date>{cdata(published + ' 10:00:00')}</wp:post_date>"
                f"<wp:post_date_gmt>{cdata(published + ' 09:00:00')}</wp:post_date_gmt>"
                f"<wp:comment_status>open</wp:comment_status>"
                f"<wp:post_name>{cdata(slug)}</wp:post_name>"
                f"<wp:status>{cdata(status)}</wp:status>"
                f"<wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>"
                f"<wp:is_sticky>{1 if number % 2500 == 0 else 0}</wp:is_sticky>"
                f'<category domain="category" nicename="{category[0]}">{cdata(category[1])}'
                f"</category>{tags}{thumbnail}\n"
                f"{comments(rng, number, per_post[number - 1], comment_id, published)}"
                "</item>\n")
            comment_id += per_post[number - 1]
        for image in range(1, images + 1):
            out.write(
                f"<item><title>photo-{image}</title><wp:post_id>{900000 + image}</wp:post_id>"
                "<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>"
                f"<excerpt:encoded>{cdata(escape(sentence(rng, 6)))}</excerpt:encoded>"
                f"<wp:attachment_url>https://bench.example.com/wp-content/uploads/2024/01/"
                f"photo-{image}.jpg</wp:attachment_url>"
                "<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>"
                f"2024/01/photo-{image}.jpg</wp:meta_value></wp:postmeta>"
                "<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key>"
                f"<wp:meta_value>{cdata(sentence(rng, 5))}</wp:meta_value></wp:postmeta>"
                "</item>\n")
        out.write("</channel>\n</rss>\n")


def write_uploads(folder, images, rng):
    from PIL import Image

    uploads = Path(folder) / "wp-content" / "uploads" / "2024" / "01"
    uploads.mkdir(parents=True)
    for image in range(1, images + 1):
        colour = tuple(rng.randrange(256) for _ in range(3))
        output = io.BytesIO()
        Image.new("RGB", (1600, 900), colour).save(output, format="JPEG", quality=85)
        (uploads / f"photo-{image}.jpg").write_bytes(output.getvalue())
    return Path(folder)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--images", type=int, default=40)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import CommandError, call_command

    from articles.models import Article, Photo
    from comments.models import Comment

    call_command("migrate", verbosity=0)
    rng = random.Random(20261129)
    with tempfile.TemporaryDirectory(prefix="newsroom-wordpress-") as folder:
        export = Path(folder) / "export.xml"
        started = time.perf_counter()
        write_export(export, posts=args.posts, total_comments=args.comments,
                     images=args.images, rng=rng)
        media = write_uploads(folder, args.images, rng)
        print(f"Wrote {export.stat().st_size / 1e6:.1f} MB: {args.posts} posts, "
              f"{args.comments} comments, {args.images} images "
              f"({time.perf_counter() - started:.1f} s)")
        for run in ("first import", "same export again"):
            out = StringIO()
            started, cpu = time.perf_counter(), time.process_time()
            try:
                call_command("import_wordpress", str(export), "--media", str(media),
                             stdout=out, stderr=StringIO())
            except CommandError as error:
                print(out.getvalue())
                raise SystemExit(f"import failed: {error}") from None
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(f"{run}: {elapsed:.1f} s ({cpu:.1f} s of CPU; load average "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
            for line in out.getvalue().splitlines()[:5]:
                print(f"  {line}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"In the database: {Article.objects.count()} stories, {Comment.objects.count()} "
          f"comments, {Photo.objects.count()} photos. Peak memory: {peak:.0f} MB.")


if __name__ == "__main__":
    main()
