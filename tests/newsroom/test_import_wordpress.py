"""Moving a WordPress site over: `manage.py import_wordpress` and the admin's import page.

tests/newsroom/wxr/site.xml is an export in WordPress's own form, written for these tests:
published, scheduled, draft, pending, private, trashed, password-protected and unreadable
posts, a page, a menu item, attachments, Gutenberg and classic bodies, threaded comments in
every state. The uploads folder is made per test (tmp_path) with real images.
"""

import io
import zipfile
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image
from reversion.models import Revision

from articles import history
from articles.models import Article, ArticleRedirect, Author, Photo, Section
from comments import bayes
from comments.models import Comment, SpamFilterTotals
from newsroom.models import (
    FrontPage,
    FrontPageSlot,
    WordPressComment,
    WordPressImage,
    WordPressPost,
)
from newsroom.wordpress import content, wxr
from tests.articles.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

SITE = Path(__file__).resolve().parent / "wxr" / "site.xml"
STORY_URL = "/world/2024/05/03/harbour-cranes-stop/"


# --- helpers ----------------------------------------------------------------------------------

def run(*args):
    """(succeeded, stdout, stderr with the error) of one command run."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_wordpress", *[str(arg) for arg in args], stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def variant(tmp_path, *replacements, name="changed.xml"):
    """site.xml with each (old, new) text replaced once: the same site exported again later."""
    text = SITE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def gps_jpeg(size=(1200, 675)):
    exif = Image.Exif()
    exif[0x010F] = "Camera Co"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (50.0, 27.0, 0.0), "E", (30.0, 31.0, 0.0)
    output = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(output, format="JPEG", exif=exif)
    return output.getvalue()


def png(size=(600, 400)):
    output = io.BytesIO()
    Image.new("RGB", size, (200, 90, 60)).save(output, format="PNG")
    return output.getvalue()


@pytest.fixture
def media(tmp_path):
    """A WordPress site's folder: wp-content/uploads with two of the three attached files."""
    uploads = tmp_path / "site" / "wp-content" / "uploads" / "2024" / "05"
    uploads.mkdir(parents=True)
    (uploads / "harbour.jpg").write_bytes(gps_jpeg())
    (uploads / "council.png").write_bytes(png())
    return tmp_path / "site"


@pytest.fixture
def imported(media):
    ok, out, err = run(SITE, "--media", media)
    assert not ok  # post 108 cannot be read: listed, and the command exits non-zero
    return out, err


def story(post_id):
    return WordPressPost.objects.select_related("article").get(wordpress_id=post_id).article


def comment(comment_id):
    return WordPressComment.objects.select_related("comment").get(
        wordpress_id=comment_id).comment


# --- posts become stories ---------------------------------------------------------------------

def test_posts_keep_their_status_and_publication_time(imported):
    published = story(101)
    assert published.status == Article.Status.PUBLISHED
    assert published.publish_at == datetime(2024, 5, 3, 8, 30, tzinfo=UTC)  # post_date_gmt
    assert published.is_public
    scheduled = story(103)
    assert scheduled.status == Article.Status.PUBLISHED and scheduled.is_scheduled
    assert scheduled.publish_at == datetime(2030, 1, 1, 7, 0, tzinfo=UTC)
    assert story(104).status == Article.Status.DRAFT and story(104).publish_at is None
    assert story(105).status == Article.Status.REVIEW
    assert story(106).status == Article.Status.DRAFT  # private
    assert story(109).status == Article.Status.DRAFT  # password-protected
    assert not WordPressPost.objects.filter(wordpress_id__in=[107, 108, 110, 120]).exists()
    assert Article.objects.count() == 7


def test_slug_title_standfirst_and_comment_mode(imported):
    first = story(101)
    assert first.slug == "harbour-cranes-stop"
    assert first.title == "Harbour cranes stop for a second day"
    assert first.standfirst == "Port Alder is quiet again & the union waits."
    assert first.comment_mode == Article.CommentMode.MODERATED
    assert story(102).comment_mode == Article.CommentMode.CLOSED
    assert story(104).slug == "draft-tram-extension"  # a draft without post_name


def test_authors_are_matched_or_created_by_login(media):
    mara = User.objects.create_user("mara", "mara@newsroom.example", "pw-for-tests-1234")
    run(SITE, "--media", media)
    first = story(101)
    assert first.created_by == mara
    assert [author.name for author in first.authors.all()] == ["Mara Ellison"]
    assert Author.objects.get(name="Mara Ellison").user == mara
    tomas = User.objects.get(username="tomas")
    assert not tomas.has_usable_password() and not tomas.is_staff
    assert tomas.email == "tomas@old.example.com"
    assert [author.name for author in story(102).authors.all()] == ["Tomás Reyna"]
    assert User.objects.filter(username="mara").count() == 1
    assert Author.objects.count() == 2


def test_categories_become_sections_nested_ones_by_their_top_level(imported):
    assert story(101).section.name == "World"  # Baltic → Europe → World
    # The primary category (Yoast) wins over the first one listed.
    assert story(102).section.name == "Politics & Power"
    assert story(102).section.slug == "politics"
    assert story(104).section.name == "Uncategorized"
    assert not Section.objects.filter(name__in=["Europe", "Baltic"]).exists()


def test_a_category_mapping_overrides_the_top_level(media):
    SectionFactory(name="Europe desk", slug="europe-desk")
    ok, out, err = run(SITE, "--media", media, "--map-category", "europe=europe-desk")
    assert story(101).section.slug == "europe-desk"  # Baltic → Europe, mapped
    assert story(103).section.name == "World"


def test_an_existing_section_is_used_not_duplicated(media):
    world = SectionFactory(name="World", slug="world")
    run(SITE, "--media", media)
    assert story(101).section == world
    assert Section.objects.filter(name__iexact="world").count() == 1


def test_tags_come_along(imported):
    assert sorted(tag.name for tag in story(101).tags.all()) == ["Strike", "harbour"]


def test_sticky_posts_are_featured_on_the_front_page(imported, client, media):
    out, _err = imported
    assert WordPressPost.objects.get(wordpress_id=101).sticky
    assert not WordPressPost.objects.get(wordpress_id=102).sticky
    assert "Sticky in WordPress (1): “Harbour cranes stop for a second day”" in out
    assert "featured on the front page (1 new slot)" in out
    sticky = story(101)
    assert list(FrontPageSlot.objects.values_list("article_id", flat=True)) == [sticky.pk]
    front = client.get("/").content.decode()
    featured = front[front.index('class="front-featured'):]
    assert sticky.get_absolute_url() in featured

    # Running the export again adds no second slot.
    ok, out, err = run(SITE, "--media", media)
    assert "featured on the front page (0 new slots)" in out
    assert FrontPageSlot.objects.count() == 1


def test_sticky_posts_go_after_the_editors_own_slots(media):
    chosen = ArticleFactory(title="The desk's choice", slug="desks-choice")
    front = FrontPage.objects.create()
    FrontPageSlot.objects.create(front_page=front, article=chosen, position=0)
    run(SITE, "--media", media)
    assert list(FrontPageSlot.objects.order_by("position").values_list("article_id", flat=True)
                ) == [chosen.pk, story(101).pk]


def test_pages_are_reported_and_skipped_unless_asked_for(media):
    ok, out, err = run(SITE, "--media", media)
    assert "1 page (import pages with --pages)" in out
    assert not Article.objects.filter(title="About us").exists()
    run(SITE, "--media", media, "--pages")
    page = story(110)
    assert page.section.name == "Pages" and page.is_public


# --- bodies -------------------------------------------------------------------------------------

def test_gutenberg_body_loses_block_comments_and_scripts(imported):
    body = story(101).body
    assert "wp:" not in body and "<!--" not in body
    assert "<script" not in body and "tracker" not in body and "onclick" not in body
    assert "The union said talks would resume." in body
    # Embeds become links; links into the old site become paths (they redirect).
    assert '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in body
    assert 'href="/politics/council-votes-on-budget/"' in body


def test_caption_shortcode_becomes_a_figure_and_other_shortcodes_are_reported(imported):
    out, _err = imported
    body = story(102).body
    assert '<figure class="image image-style-align-right">' in body
    assert "<figcaption>Councillors before the vote</figcaption>" in body
    assert "[caption" not in body and "[embed" not in body and "[contact-form-7" not in body
    assert '<a href="https://vimeo.com/76979871"' in body
    assert '<a href="https://twitter.com/portalder/status/123456"' in body
    assert "<p>Seven voted for the budget,<br>" in body  # classic editor paragraphs
    assert "We will not close the port" in body  # an unknown shortcode keeps its text
    assert "The mayor [sic] said nothing." in body  # brackets that are not a shortcode
    assert "shortcode [contact-form-7] is not supported" in out
    assert "shortcode [pullquote] is not supported" in out


def test_convert_handles_embeds_galleries_and_iframes():
    def resolve(number, src):
        if number == 7:
            return content.PlacedImage(url="/media/a.jpg", alt="A quay", caption="The quay")
        return None

    converted = content.convert(
        '<p>Before</p>[gallery ids="7,8"]<iframe src="https://player.example/v/1"></iframe>'
        '[[caption]] [video src="https://old.example.com/wp-content/uploads/clip.mp4"]',
        resolve_image=resolve)
    assert '<figure class="image"><img src="/media/a.jpg" alt="A quay">' \
           "<figcaption>The quay</figcaption></figure>" in converted.body
    assert '<a href="https://player.example/v/1"' in converted.body
    assert "[caption]" in converted.body  # WordPress's escape for a literal shortcode
    assert converted.dropped_images == ["attachment 8"]
    assert converted.embeds == 2


# --- images ------------------------------------------------------------------------------------

def test_images_are_stored_once_with_alt_text_caption_and_renditions(imported):
    harbour = WordPressImage.objects.get(path="2024/05/harbour.jpg").photo
    # Featured image of two posts and an image in a body: one photo.
    assert story(101).lead_photo == harbour == story(102).lead_photo
    assert Photo.objects.count() == 2
    assert harbour.alt_text == "Three idle cranes over the container quay"
    assert harbour.caption == "Cranes at Port Alder"
    assert harbour.renditions and "480" in harbour.renditions
    body = story(101).body
    assert f'src="{harbour.image.url}"' in body and "srcset=" in body
    assert "<figcaption>Idle cranes at dawn</figcaption>" in body
    assert "old.example.com/wp-content" not in body
    council = WordPressImage.objects.get(path="2024/05/council.png")
    assert council.attachment_id == 202
    assert f'src="{council.photo.image.url}"' in story(102).body


def test_photo_checks_strip_the_location(imported):
    harbour = WordPressImage.objects.get(path="2024/05/harbour.jpg").photo
    with harbour.image.open("rb") as handle:
        stored = Image.open(handle)
        exif = stored.getexif()
        assert 0x8825 not in exif and 0x010F not in exif
        assert not exif.get_ifd(0x8825)


def test_a_missing_image_is_reported_not_fatal(imported):
    out, _err = imported
    assert "image 2024/05/missing.jpg is not in the media folder" in out
    body = story(102).body
    assert "missing.jpg" not in body and "A missing picture" not in body
    assert "Images: 2 imported" in out and "1 missing" in out


def test_without_media_the_stories_come_without_images(tmp_path):
    ok, out, err = run(SITE)
    assert Article.objects.count() == 7
    assert Photo.objects.count() == 0 and story(101).lead_photo is None
    assert "no media folder given" in out
    assert "<img" not in story(101).body


# --- comments ----------------------------------------------------------------------------------

def test_comments_keep_their_thread_author_and_state(imported):
    first, reply, deep = comment(1001), comment(1002), comment(1003)
    assert first.parent is None and first.article == story(101)
    assert reply.parent == first
    assert deep.parent == first  # a reply to a reply joins the thread's first comment
    assert first.status == Comment.Status.APPROVED
    assert first.author_name == "Ines Castellan" and first.email == "ines@example.org"
    assert first.ip == "203.0.113.7" and reply.ip == "2001:db8::5"
    assert first.created_at == datetime(2024, 5, 3, 9, 0, tzinfo=UTC)
    assert first.body == ("The cranes have been idle since Thursday morning.\n"
                          "Dockers wait at the gate.")
    assert WordPressComment.objects.get(wordpress_id=1001).author_url == "https://ines.example.org/"
    pending = comment(1004)
    assert pending.status == Comment.Status.PENDING and pending.ip is None
    assert pending in Comment.objects.pending()  # waits in the moderation queue
    spam = comment(1005)
    assert spam.status == Comment.Status.SPAM and spam.spam_score == 1.0
    assert "best pills (https://pills.example.net/buy)" in spam.body
    # Trash and pingbacks stay behind.
    assert not WordPressComment.objects.filter(wordpress_id__in=[1006, 1007]).exists()
    assert Comment.objects.count() == 5


def test_readers_see_the_approved_comments(imported, client):
    page = client.get(STORY_URL).content.decode()
    assert "Thanks for the correction, Jonah." in page
    assert "Will the ferries run on Monday?" not in page
    assert "best pills" not in page


def test_spam_and_approved_comments_train_the_filter(imported):
    out, _err = imported
    totals = SpamFilterTotals.objects.get()
    assert (totals.ham_count, totals.spam_count) == (3, 1)
    assert "Spam filter retrained on 3 approved and 1 spam comments." in out
    probe = Comment(author_name="Cheap Pills", email="offers@pills.example.net",
                    body="cheap viagra casino bonus https://pills.example.net/win")
    score, _words = bayes.spam_probability(probe)
    assert score > 0.5
    ham_score, _ = bayes.spam_probability(Comment(
        author_name="Ines Castellan", email="ines@example.org",
        body="The cranes at the gate since Thursday"))
    assert ham_score < score


# --- old addresses -----------------------------------------------------------------------------

@pytest.mark.parametrize("old", [
    "/europe/harbour-cranes-stop/",  # the export's link
    "/europe/harbour-cranes-stop",
    "/2024/05/03/harbour-cranes-stop/",  # date and slug
    "/?p=101",
])
def test_old_wordpress_addresses_redirect_permanently(imported, client, old):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == STORY_URL
    assert client.get(STORY_URL).status_code == 200


def test_a_link_path_that_looks_like_a_story_address_redirects_too(imported, client):
    response = client.get("/politics/council-votes-on-budget/")
    assert response.status_code == 301
    assert response["Location"] == story(102).get_absolute_url()


def test_unpublished_stories_are_not_revealed_by_their_old_address(imported, client):
    assert client.get("/staff-rota/").status_code == 404  # private → draft
    home = client.get("/?p=104")  # a draft: the front page, as for any unknown ?p=
    assert home.status_code == 200
    assert client.get("/?p=103").status_code == 200  # scheduled, not yet public
    assert client.get("/2030/01/01/new-ferry-timetable/").status_code == 404
    assert client.get("/no-such-post/").status_code == 404


@pytest.mark.parametrize(("old", "new"), [
    ("/category/world/", "/world/"),
    ("/category/world/europe/baltic/", "/world/"),  # nested: the top level's section
    ("/category/world/europe/baltic/page/3/", "/world/"),
    ("/category/politics/feed/", "/politics/feed/"),
    ("/tag/harbour/", "/tags/harbour/"),
    ("/tag/strike/feed/", "/tags/strike/feed/"),
    ("/tag/harbour/page/2/", "/tags/harbour/"),
    ("/?tag=harbour", "/tags/harbour/"),
])
def test_old_category_and_tag_archives_redirect_to_sections_and_tags(imported, client, old,
                                                                      new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_an_old_author_archive_redirects_to_the_byline_page(imported, client):
    mara = Author.objects.get(user__username="mara")
    response = client.get("/author/mara/")
    assert response.status_code == 301
    assert response["Location"] == mara.get_absolute_url()
    assert client.get(mara.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("old", [
    "/category/no-such-category/", "/tag/no-such-tag/", "/author/nobody/",
    "/tag/harbour/extra/", "/category/" + "x/" * 12, "/?tag=" + "x" * 300,
])
def test_unknown_archives_stay_not_found(imported, client, old):
    response = client.get(old)
    assert response.status_code == (200 if old.startswith("/?") else 404)
    assert "Location" not in response


def test_summary_counts_everything(imported):
    out, err = imported
    assert ("Posts: 7 imported: 2 published, 1 scheduled, 3 draft, 1 in review (7 created)."
            in out)
    assert ("Comments: 5 imported: 3 approved, 1 pending, 1 spam (5 created); skipped 1 in "
            "the trash, 1 pingback or trackback.") in out
    assert "Images: 2 imported, 2 used again, 1 missing, 0 refused" in out
    assert "Redirects: 8 old WordPress addresses" in out
    assert "Created 3 sections: World, Politics & Power, Uncategorized." in out
    assert "1 post in the trash" in out and "1 item of type nav_menu_item" in out
    assert "post 108 (line 340): wp:post_date “2024-13-45 10:00:00” is not a date" in out
    assert "1 post failed" in err


# --- running it again --------------------------------------------------------------------------

def test_the_same_export_again_changes_nothing(imported, media):
    ids = sorted(Article.objects.values_list("pk", flat=True))
    ok, out, err = run(SITE, "--media", media)
    assert sorted(Article.objects.values_list("pk", flat=True)) == ids
    assert Comment.objects.count() == 5 and Photo.objects.count() == 2
    assert ArticleRedirect.objects.count() == 8
    assert "(7 unchanged)" in out and "(5 unchanged)" in out
    assert "Images: 0 imported" in out


def test_a_rerun_keeps_desk_edits_where_the_export_did_not_change(imported, media, tmp_path,
                                                                  moderator):
    first = story(101)
    first.title = "Cranes idle for a second day"  # the desk's edit
    first.save()
    waiting = comment(1004)
    waiting.status = Comment.Status.APPROVED  # a moderator's decision
    waiting.save()
    changed = variant(
        tmp_path,
        ("The union said talks would resume.</p>",
         "The union said talks would resume on Monday.</p>"),
        ("Thursday at six, to be exact.", "Thursday at half past six, to be exact."),
        ("\t\t<wp:comment>\n\t\t\t<wp:comment_id>1002</wp:comment_id>",
         "\t\t<wp:comment>\n\t\t\t<wp:comment_id>1008</wp:comment_id>\n"
         "\t\t\t<wp:comment_author><![CDATA[Late Reader]]></wp:comment_author>\n"
         "\t\t\t<wp:comment_author_email><![CDATA[late@example.org]]></wp:comment_author_email>\n"
         "\t\t\t<wp:comment_date_gmt><![CDATA[2024-05-06 10:00:00]]></wp:comment_date_gmt>\n"
         "\t\t\t<wp:comment_content><![CDATA[A new comment since.]]></wp:comment_content>\n"
         "\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>\n"
         "\t\t\t<wp:comment_parent>1003</wp:comment_parent>\n"
         "\t\t</wp:comment>\n"
         "\t\t<wp:comment>\n\t\t\t<wp:comment_id>1002</wp:comment_id>"),
    )
    ok, out, err = run(changed, "--media", media)
    first = story(101)
    assert first.title == "Cranes idle for a second day"  # kept
    assert "talks would resume on Monday." in first.body  # the export changed it
    assert first.pk == WordPressPost.objects.get(wordpress_id=101).article_id
    assert comment(1004).status == Comment.Status.APPROVED  # kept
    assert comment(1002).body == "Thursday at half past six, to be exact."
    late = comment(1008)
    assert late.parent == comment(1001) and late.status == Comment.Status.APPROVED
    assert Article.objects.count() == 7 and Comment.objects.count() == 6
    assert "(1 updated, 6 unchanged)" in out
    # Now the headline changes in WordPress too: the export wins for that field.
    retitled = variant(tmp_path, ("Harbour cranes stop for a second day",
                                  "Harbour cranes stop for a third day"), name="retitled.xml")
    run(retitled, "--media", media)
    assert story(101).title == "Harbour cranes stop for a third day"
    assert Article.objects.count() == 7



def revisions_by_story():
    return {story.pk: history.versions_of(story).count() for story in Article.objects.all()}


def test_a_rerun_adds_a_revision_only_to_the_story_the_export_changed(imported, media,
                                                                     tmp_path):
    before = revisions_by_story()
    assert set(before.values()) == {1}
    revisions = Revision.objects.count()

    run(SITE, "--media", media)
    assert Revision.objects.count() == revisions
    assert revisions_by_story() == before

    changed = variant(tmp_path, ("The union said talks would resume.</p>",
                                 "The union said talks would resume on Monday.</p>"))
    run(changed, "--media", media)
    first = story(101)
    assert revisions_by_story() == {**before, first.pk: 2}
    latest = history.versions_of(first)[0]
    assert latest.revision.comment.startswith("Imported from WordPress post 101")
    assert "talks would resume on Monday." in latest.field_dict["body"]

    run(changed, "--media", media)
    assert revisions_by_story() == {**before, first.pk: 2}


NEW_POST = """	<item>
		<title><![CDATA[Second ferry joins the harbour line]]></title>
		<link>https://old.example.com/europe/second-ferry/</link>
		<dc:creator><![CDATA[mara]]></dc:creator>
		<content:encoded><![CDATA[<p>A second ferry starts on Monday.</p>]]></content:encoded>
		<wp:post_id>111</wp:post_id>
		<wp:post_date><![CDATA[2024-05-06 10:00:00]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[2024-05-06 08:00:00]]></wp:post_date_gmt>
		<wp:post_name><![CDATA[second-ferry]]></wp:post_name>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<category domain="category" nicename="world"><![CDATA[World]]></category>
		<category domain="post_tag" nicename="harbour"><![CDATA[harbour]]></category>
	</item>
</channel>"""


def test_pages_readers_have_cached_show_what_a_rerun_brings(imported, media, tmp_path, client):
    author = Author.objects.get(name="Mara Ellison").get_absolute_url()
    for url in (STORY_URL, author, "/tags/harbour/", "/"):
        assert client.get(url).status_code == 200  # now in the page cache
    changed = variant(
        tmp_path, ("</channel>", NEW_POST),
        ("Thanks for the correction, Jonah.", "Thanks for the correction, Jonah. Noted."))
    run(changed, "--media", media)
    assert "Noted." in client.get(STORY_URL).content.decode()
    for url in (author, "/tags/harbour/", "/"):
        assert "Second ferry joins the harbour line" in client.get(url).content.decode(), url


def test_a_slug_changed_in_wordpress_keeps_the_old_address(imported, media, tmp_path, client):
    changed = variant(tmp_path, ("<wp:post_name><![CDATA[harbour-cranes-stop]]></wp:post_name>",
                                 "<wp:post_name><![CDATA[cranes-stop]]></wp:post_name>"))
    run(changed, "--media", media)
    new_url = "/world/2024/05/03/cranes-stop/"
    assert story(101).get_absolute_url() == new_url
    for old in (STORY_URL, "/europe/harbour-cranes-stop/", "/2024/05/03/cranes-stop/", "/?p=101"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new_url), old


def test_images_added_later_are_picked_up_on_a_rerun(tmp_path, media):
    run(SITE)
    assert story(101).lead_photo is None
    run(SITE, "--media", media)
    assert story(101).lead_photo is not None
    assert Photo.objects.count() == 2 and Article.objects.count() == 7


# --- bad files and bad posts -------------------------------------------------------------------

@pytest.mark.parametrize(("data", "expected"), [
    (b"", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "line 1: this is not XML"),
    (b"Harbour cranes stop\n\nBy Lena Ortiz\n", "line 1: this is not XML"),
    (b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Feed</title></channel></rss>',
     "line 2: this is XML but not a WordPress export"),
    (b"<html><body><p>Saved page</p></body></html>",
     "line 1: this is XML but not a WordPress export"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
     b' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
     b' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
     b'<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&lol3;</title>'
     b"</channel></rss>", "declares a DOCTYPE"),
])
def test_a_broken_file_is_refused_naming_the_line(tmp_path, data, expected):
    path = tmp_path / "export.xml"
    path.write_bytes(data)
    ok, out, err = run(path)
    assert not ok
    assert f"{path}" in err and expected in err
    assert "Nothing was imported" in err
    assert Article.objects.count() == 0


def test_a_truncated_export_is_refused_before_anything_is_saved(tmp_path, media):
    text = SITE.read_bytes()
    cut = text[: int(len(text) * 0.7)]
    path = tmp_path / "cut.xml"
    path.write_bytes(cut)
    ok, out, err = run(path, "--media", media)
    assert not ok
    lines = cut.count(b"\n") + 1
    assert f"line {lines}: the XML ends too early" in err
    assert Article.objects.count() == 0 and Comment.objects.count() == 0
    assert User.objects.count() == 0 and Photo.objects.count() == 0


def test_a_bad_post_is_listed_and_the_rest_imported(imported):
    out, err = imported
    assert "Not imported (1):" in out
    assert "post 108 (line 340)" in out
    assert Article.objects.count() == 7


def test_a_post_that_fails_while_saving_leaves_nothing_behind(tmp_path, media, monkeypatch):
    from newsroom.wordpress import importer

    original = importer._Importer._comments

    def failing(self, item, article, outcome, where):
        if item.post_id == 101:
            original(self, item, article, outcome, where)
            raise RuntimeError("disk full")
        return original(self, item, article, outcome, where)

    monkeypatch.setattr(importer._Importer, "_comments", failing)
    ok, out, err = run(SITE, "--media", media)
    assert not ok
    assert "post 101 “Harbour cranes stop for a second day” (line 57): disk full" in out
    assert not WordPressPost.objects.filter(wordpress_id=101).exists()
    assert not Article.objects.filter(slug="harbour-cranes-stop").exists()
    assert not Comment.objects.filter(author_name="Ines Castellan").exists()
    assert not ArticleRedirect.objects.filter(old_path="/europe/harbour-cranes-stop/").exists()
    assert Article.objects.count() == 6


def test_a_batch_the_database_refuses_stops_the_run_with_nothing_of_it_saved(monkeypatch):
    from django.db import DatabaseError

    from newsroom.wordpress import importer

    def refused(self):
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(importer, "BATCH_SECONDS", 600)  # the whole export is one batch
    monkeypatch.setattr(importer._Importer, "_write_batch", refused)
    ok, out, err = run(SITE)
    assert not ok
    assert "posts 101, 102, 103, 104, 105, 106, 109: the database refused them" in out
    assert "run it again to carry on" in out
    assert Article.objects.count() == 0 and Section.objects.count() == 0
    assert "Posts: 0 imported" in out


def test_missing_files_and_folders_are_refused(tmp_path):
    ok, out, err = run(tmp_path / "nope.xml")
    assert not ok and "no such file" in err
    ok, out, err = run(SITE, "--media", tmp_path / "nowhere")
    assert not ok and "no such folder" in err
    ok, out, err = run(SITE, "--map-category", "europe")
    assert not ok and "category-slug=Section" in err


def test_the_reader_releases_items_as_it_goes(tmp_path, monkeypatch):
    """Streaming: when an item has been read, only it is held, not the ones before it."""
    items = "".join(
        f"<item><title>Post {n}</title><wp:post_id>{n}</wp:post_id>"
        f"<wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>"
        for n in range(1, 200))
    path = tmp_path / "many.xml"
    path.write_text('<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/">'
                    f"<channel><wp:wxr_version>1.2</wp:wxr_version>{items}</channel></rss>")
    export = wxr.read_index(str(path))
    assert export.items[("post", "publish")] == 199
    held, release = [], wxr._release

    def spy(elem):
        held.append(len(list(elem.itersiblings(preceding=True))))
        release(elem)

    monkeypatch.setattr(wxr, "_release", spy)
    assert [item.post_id for item in wxr.read_items(str(path))] == list(range(1, 200))
    assert len(held) == 199 and max(held) == 1  # only the item read before, emptied


# --- the admin page ----------------------------------------------------------------------------

def uploads_zip(media):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for path in media.rglob("*"):
            if path.is_file():
                archive.write(path, path.relative_to(media).as_posix())
    output.seek(0)
    output.name = "uploads.zip"
    return output


def test_editors_import_an_export_with_its_uploads_on_the_admin_page(editor_client, media):
    url = reverse("import-wordpress")
    assert editor_client.get(url).status_code == 200
    with SITE.open("rb") as export:
        response = editor_client.post(url, {"export": export, "media": uploads_zip(media),
                                            "categories": "europe = Europe"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Posts: 7 imported: 2 published, 1 scheduled, 3 draft, 1 in review" in page
    assert "Images: 2 imported" in page
    assert "post 108 (line 340)" in page
    assert story(101).section.name == "Europe"
    assert story(101).lead_photo is not None


def test_the_admin_page_works_without_media_and_refuses_a_broken_file(editor_client):
    url = reverse("import-wordpress")
    with SITE.open("rb") as export:
        response = editor_client.post(url, {"export": export})
    assert "Images: 0 imported" in response.content.decode()
    broken = io.BytesIO(SITE.read_bytes()[:2000])
    broken.name = "site.xml"
    Article.objects.all().delete()
    response = editor_client.post(url, {"export": broken})
    page = response.content.decode()
    assert "site.xml, line" in page and "Nothing was imported" in page
    assert Article.objects.count() == 0


def test_the_admin_page_refuses_a_zip_that_climbs_out(editor_client):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("../../evil.jpg", gps_jpeg((10, 10)))
    output.seek(0)
    output.name = "uploads.zip"
    with SITE.open("rb") as export:
        response = editor_client.post(reverse("import-wordpress"),
                                      {"export": export, "media": output})
    assert "outside its folder" in response.content.decode()
    assert Article.objects.count() == 0


def test_only_editors_have_the_admin_page(client, editor, reporter):
    url = reverse("import-wordpress")
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(reporter)
    assert client.get(url).status_code == 403
    changelist = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert url not in changelist
    client.force_login(editor)
    changelist = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert url in changelist
