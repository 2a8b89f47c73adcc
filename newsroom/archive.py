"""A made-up newsroom archive at scale, for benchmarks: `manage.py generate_archive`.

Stories (sections, bylines, tags, lead photos, related stories, corrections), interviews
(guests, segments, questions, answers) and comments in every moderation state, written with
bulk inserts in batches inside ONE transaction: nothing is saved row by row, no model signal
fires, and an interrupted run leaves nothing behind (except the handful of photo files, which
are removed again when the transaction rolls back).

What the models' save() methods would do for a row is done here for the whole batch:
- a story's body is sanitised (articles.sanitize.clean_html) and its plain text stored in
  `body_text`; on PostgreSQL its `search_vector` is computed by the INSERT itself, from the
  same expression articles.search.search_vector() gives (over the row's values, since an
  INSERT cannot read its own columns), so no UPDATE and no dead rows follow;
- an interview's search text (and vector) is written by interviews.search.refresh_search_text
  once its guests, segments, questions and answers exist;
- a comment's fingerprint is comments.models.body_fingerprint of its body, and every decided
  comment has its ModerationDecision.
The page cache never heard of any of it (no signals), so the tags of every list the new rows
appear on are raised once at the end (newsroom.pagecache.bump).

Running it again ADDS another archive of the requested size: sections, authors, guests, tags,
moderators and photos are found again and reused, every new story and interview gets a slug of
its own, and each run has its own showcase story (200 approved comments, an interview, tags, a
photo, related stories). `showcase_urls()` finds the newest showcase again later.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles import search as article_search
from articles.demo_photos import MOTIFS, draw_photo
from articles.images import save_photo
from articles.models import Article, ArticleAuthor, Author, Correction, Photo, Section
from articles.sanitize import clean_html
from comments import conf as comments_conf
from comments.models import Comment, ModerationDecision, body_fingerprint
from interviews import search as interview_search
from interviews.models import Answer, Guest, Interview, InterviewGuest, Question, Segment

# The showcase story: what the benchmark loads as "the article page".
SHOWCASE_SUFFIX = "-showcase"
SHOWCASE_APPROVED = 200
SHOWCASE_REPLIES = 30  # of the 200, replies to approved comments
SHOWCASE_OTHERS = {"pending": 3, "rejected": 2, "spam": 2}
SHOWCASE_COMMENTS = SHOWCASE_APPROVED + sum(SHOWCASE_OTHERS.values())
SHOWCASE_AGE = timedelta(hours=36)

PHOTO_CREDIT = "Newsroom archive"  # marks the generated photos, reused by the next run
MODERATORS = ["archive-moderator-1", "archive-moderator-2", "archive-moderator-3"]

SECTIONS = [
    ("world", "World"), ("politics", "Politics"), ("business", "Business"),
    ("science", "Science"), ("health", "Health"), ("technology", "Technology"),
    ("environment", "Environment"), ("sport", "Sport"), ("culture", "Culture"),
    ("education", "Education"), ("opinion", "Opinion"), ("travel", "Travel"),
]
KICKERS = ["Analysis", "Explainer", "Live", "Opinion", "Exclusive", "Review", "Investigation"]
HONORIFICS = ["Dr.", "Professor", "Ambassador", "Colonel", "Judge", "Senator", "", "", "", ""]
USER_AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36",
]
SPAM_REASONS = ["Too many links (4)", "Blocked word: “casino”", "Suspect word: “crypto”",
                "Learned filter: 0.97", "Duplicate of a recent comment", "Posted too fast"]
PENDING_REASONS = ["Suspect word: “cheap”", "Learned filter: 0.41", "First comment from this "
                   "address", "One link"]
# Searches the benchmark rotates through besides the showcase's own word: words every
# archive has (they are in NEWS_WORDS), from very common to rare.
SEARCH_SAMPLES = ["election", "minister budget", "flood warning", "court ruling",
                  "energy prices", "hospital nurses", "football", "ceasefire talks",
                  "satellite launch", "housing rent"]



def _words(text):
    return text.split()


FIRST_NAMES = _words("""
Mara Daniel Ines Tomas Jonah Lena Piet Amara Noor Felix Sofia Kwame Hana Ravi
Elena Mateo Aisha Lukas Yara Omar Freya Iker Leila Jonas Priya Tariq Nadia Emil Zofia Malik
Clara Anton Selin Hugo Mirela Kofi Astrid Bruno Ilse Dario""")
LAST_NAMES = _words("""Ellison Okafor Castellan Reyna Whitlock Marsh Varga Osei Haddad Lindqvist
Moreau Kowalski Tanaka Brennan Alvarez Nakamura Petrov Mensah Fischer Quinn Duarte Novak Sato
Abara Holm Rossi Kaur Demir Walsh Ivanova Berg Santos Farouk Lund Costa Mwangi Jansen Dubois
Keller Sørlie""")

NEWS_WORDS = _words("""
government minister president election vote parliament party leader opposition coalition
policy budget tax economy inflation prices market bank interest rates growth recession jobs
unemployment workers union strike wages trade tariff exports imports industry factory energy
oil gas electricity power grid renewable solar wind nuclear climate emissions carbon warming
flood drought storm hurricane earthquake wildfire heatwave rain snow weather forecast river
coast sea ocean island mountain valley city town village region province state country nation
border refugee migrants asylum police court judge trial verdict sentence prison law bill
reform rights protest demonstration rally crowd march violence attack security military army
troops soldiers war conflict ceasefire truce talks peace agreement treaty summit diplomat
embassy sanctions ambassador foreign defence missile drone weapons navy commander
general officer investigation inquiry report evidence witness crime murder fraud corruption
scandal resignation campaign candidate poll survey voters turnout ballot result victory defeat
majority minority seat council mayor governor senator congress assembly committee hearing
health hospital doctor nurse patients disease virus vaccine outbreak pandemic cancer treatment
drug medicine research study scientists university school students teachers education exam
children families parents housing rent homes property construction transport railway train
station airport flight airline passengers road traffic accident crash bridge tunnel port ship
cargo shipping supply chain shortage food farmers harvest crops wheat rice water pollution
waste plastic recycling forest wildlife species conservation park museum exhibition art
artist music concert festival film cinema theatre book author novel prize award ceremony
football match team coach player goal league cup championship tournament olympics athlete
race record season club stadium fans transfer injury final semifinal draw penalty
technology internet software company startup investors shares profit loss revenue quarter
chief executive board merger acquisition deal contract billion million thousand percent
figures data statistics analysis experts official spokesperson statement announcement
interview press conference media newspaper television radio journalist editor reporter
social network platform privacy online users phone device computer robot artificial
intelligence space rocket satellite mission launch moon planet telescope discovery ancient
history heritage religion church mosque temple holiday tourism tourists hotel
restaurant chef consumers shops retail sales delivery cars electric vehicles
battery charging standards regulation agency authority ministry department
spending cuts debt deficit loan bailout pension retirement benefits welfare poverty charity
volunteers aid donation humanitarian crisis emergency rescue relief shelter evacuation
damage casualties victims survivors funeral memorial anniversary celebration warning
monday tuesday wednesday thursday friday saturday sunday january february march april
june july august september october november december morning evening night week month year
decade century early late second third last next previous former current
major minor key central local national international global regional rural urban northern
southern eastern western public private independent senior junior young elderly
said told says announced warned claimed denied confirmed agreed rejected approved launched
increased decreased rose fell climbed dropped doubled expected planned proposed signed
arrested charged accused convicted released freed killed injured wounded missing found
opened closed built destroyed damaged repaired reported revealed published leaked
""")
FUNCTION_WORDS = _words("""
the the the the of of of and and and to to to a a in in is was for on that with as by at
from it its this be are were has have had not but or an which their they after before
over under about into more than also while when where who will would could should
""")
COMMENT_WORDS = _words("""I we you think agree disagree really great article thanks point fair
wrong right exactly interesting important read again never always maybe perhaps surely
people here local council should must would could why how what simply clearly honestly
""")
SYLLABLES = ["ka", "lo", "mi", "ra", "ven", "tor", "sa", "del", "bar", "an", "ost", "ur",
             "zem", "pol", "gra", "nik", "ta", "rin", "hol", "mar", "es", "ly", "qu", "ber"]

SENTENCE_POOL = 20_000
COMMENT_POOL = 5_000
STORY_BATCH = 1_000
COMMENT_BATCH = 5_000
INTERVIEW_BATCH = 100


@dataclass
class ArchiveSize:
    articles: int = 100_000
    comments: int = 1_000_000
    interviews: int | None = None  # default: one for every 100 stories
    seed: int = 1
    authors: int = 300
    guests: int = 300
    tags: int = 3_000
    photos: int = 6
    years: int = 5

    def __post_init__(self):
        if self.interviews is None:
            self.interviews = max(1, self.articles // 100)


@dataclass
class Report:
    """What one run made, and where the benchmark should look."""

    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    urls: dict = field(default_factory=dict)


# Text ----------------------------------------------------------------------------------------


class Writer:
    """Newsroom-flavoured word salad: a vocabulary with Zipf-like frequencies (a few words in
    nearly every story, most rare), made-up place and person names as its long tail."""

    def __init__(self, seed):
        self.rng = random.Random(f"newsroom-archive-{seed}")
        names = set()
        while len(names) < 2_000:
            names.add("".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4))))
        vocabulary = NEWS_WORDS + sorted(names)
        self.rng.shuffle(vocabulary)
        self.vocabulary = vocabulary
        total, self.cum_weights = 0.0, []
        for rank in range(len(vocabulary)):
            total += 1 / (rank + 1) ** 0.9
            self.cum_weights.append(total)
        self.sentences = [self._sentence() for _ in range(SENTENCE_POOL)]
        self.comment_sentences = [self._comment_sentence() for _ in range(COMMENT_POOL)]

    def words(self, count):
        return self.rng.choices(self.vocabulary, cum_weights=self.cum_weights, k=count)

    def _sentence(self, low=8, high=22):
        rng = self.rng
        words = [rng.choice(FUNCTION_WORDS) if rng.random() < 0.35 else word
                 for word in self.words(rng.randint(low, high))]
        return " ".join(words).capitalize() + "."

    def _comment_sentence(self):
        rng = self.rng
        words = [rng.choice(COMMENT_WORDS) if rng.random() < 0.4 else word
                 for word in self.words(rng.randint(5, 16))]
        return " ".join(words).capitalize() + rng.choice([".", ".", ".", "!", "?"])

    def headline(self):
        return " ".join(self.words(self.rng.randint(5, 9))).capitalize()

    def sentence(self):
        return self.rng.choice(self.sentences)

    def paragraph(self, low=2, high=4):
        return " ".join(self.rng.choices(self.sentences, k=self.rng.randint(low, high)))

    def question(self):
        return " ".join(self.words(self.rng.randint(6, 12))).capitalize() + "?"

    def story(self, title, section_slug):
        """(body HTML, its plain text): 3-7 paragraphs, the first about the headline; some
        with a subheading, a quotation or a link. The plain text is what
        articles.search.plain_lines() reads from the HTML, a line per block (the tests check
        that)."""
        rng = self.rng
        lede = (f"{title} {' '.join(self.words(6))}.").capitalize()
        blocks = [("p", f"{lede} {self.paragraph(1, 3)}")]
        for _ in range(rng.randint(2, 6)):
            blocks.append(("p", self.paragraph()))
        if rng.random() < 0.3:
            blocks.insert(2, ("h2", " ".join(self.words(rng.randint(3, 5))).capitalize()))
        if rng.random() < 0.2:
            blocks.insert(len(blocks) - 1, ("blockquote", self.sentence()))
        html, text = [], []
        for tag, words in blocks:
            text.append(words)
            if tag == "blockquote":
                html.append(f"<blockquote><p>{words}</p></blockquote>")
            else:
                html.append(f"<{tag}>{words}</{tag}>")
        if rng.random() < 0.25:
            link = " ".join(self.words(2))
            html.append(f'<p>More from <a href="/{section_slug}/">{link}</a>.</p>')
            text.append(f"More from {link}.")
        return "".join(html), "\n".join(text)

    def comment(self, spam=False):
        rng = self.rng
        text = " ".join(rng.choices(self.comment_sentences, k=rng.randint(1, 3)))
        if spam:
            text += (f" Cheap {rng.choice(['pills', 'loans', 'followers', 'casino chips'])} at "
                     f"https://spam-{rng.randint(1, 400)}.example.com/offer and "
                     f"https://deals-{rng.randint(1, 400)}.example.net/")
        elif rng.random() < 0.2:
            text = text + "\n\n" + " ".join(rng.choices(self.comment_sentences, k=2))
        return text


def person_names(count, offset=0):
    """`count` distinct "First Last" names, the same every run (so runs reuse the rows)."""
    names, step = [], 7
    for n in range(offset, offset + count):
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n * step + n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        extra = n // (len(FIRST_NAMES) * len(LAST_NAMES))
        names.append(f"{first} {last}" + (f" {extra + 1}" if extra else ""))
    return names


# Progress --------------------------------------------------------------------------------------


class Progress:
    """One line per stage, redrawn in place on a terminal (a bar, counts, seconds); elsewhere
    only each stage's final line."""

    def __init__(self, stream=None, enabled=None):
        self.stream = stream
        self.live = bool(stream is not None and (enabled if enabled is not None else
                                                 getattr(stream, "isatty", lambda: False)()))
        self.label, self.total, self.done, self.started, self.drawn = "", 0, 0, 0.0, 0.0

    def start(self, label, total):
        self.label, self.total, self.done = label, max(0, total), 0
        self.started = self.drawn = time.monotonic()
        self._draw(force=True)

    def advance(self, count=1):
        self.done += count
        self._draw()

    def finish(self):
        self.done = self.total
        self._draw(force=True, final=True)
        return time.monotonic() - self.started

    def _draw(self, force=False, final=False):
        if self.stream is None:
            return
        now = time.monotonic()
        if not (final or (self.live and (force or now - self.drawn >= 0.2))):
            return
        self.drawn = now
        share = self.done / self.total if self.total else 1.0
        bar = "#" * int(share * 30)
        line = (f"{self.label:<12} [{bar:<30}] {self.done:>10,}/{self.total:,} "
                f"{share * 100:3.0f}% {now - self.started:6.1f} s")
        self.stream.write(("\r" + line if self.live else line) + ("\n" if final else ""))
        self.stream.flush()


# The builder -----------------------------------------------------------------------------------


def _utc(timestamp):
    return datetime.fromtimestamp(timestamp, tz=UTC)


class ArchiveBuilder:
    def __init__(self, size, progress=None, now=None):
        self.size = size
        self.progress = progress or Progress()
        self.now = now or timezone.now()
        self.writer = Writer(size.seed)
        self.rng = random.Random(f"newsroom-archive-plan-{size.seed}")
        self.postgres = connection.vendor == "postgresql"
        self.report = Report()
        self.new_files = []
        close_days = comments_conf.get("COMMENTS_CLOSE_AFTER_DAYS") or 14
        self.comment_window = timedelta(days=close_days).total_seconds()

    # Entry point ---------------------------------------------------------------------------

    def build(self):
        try:
            with transaction.atomic():
                self._build()
        except BaseException:
            self._remove_new_files()
            raise
        self._refresh_page_cache()
        self._analyze()
        self.report.urls = showcase_urls(self.showcase)
        return self.report

    def _build(self):
        self._people()
        self._stories()
        self._interviews()
        self._comments()

    def _stage(self, name, total):
        self.progress.start(name, total)

    def _done(self, name):
        self.report.seconds[name] = self.progress.finish()

    # Sections, people, photos, tags ----------------------------------------------------------

    def _people(self):
        self._stage("setup", 5)
        existing = list(Section.objects.all())
        if len(existing) < 6:
            names = {s.name for s in existing}
            slugs = {s.slug for s in existing}
            Section.objects.bulk_create([
                Section(slug=slug, name=name, order=10 + n)
                for n, (slug, name) in enumerate(SECTIONS)
                if slug not in slugs and name not in names
            ])
        self.sections = list(Section.objects.order_by("order", "pk"))
        self.section_weights = [self.rng.uniform(0.5, 3.0) for _ in self.sections]
        self.progress.advance()

        self.photos = list(Photo.objects.filter(credit=PHOTO_CREDIT).order_by("pk"))
        for n in range(len(self.photos), self.size.photos):
            self.photos.append(self._photo(n))
        self.photos = self.photos[: self.size.photos]
        self.progress.advance()

        self.authors = self._authors()
        self.guests = self._guests()
        self.progress.advance()

        moderators = []
        group = Group.objects.filter(name="Moderator").first()
        user_model = get_user_model()
        for username in MODERATORS:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model.objects.create_user(username, f"{username}@example.org",
                                                      password=None, is_staff=True)
                if group:
                    user.groups.add(group)
            moderators.append(user.pk)
        self.moderators = moderators
        self.progress.advance()

        self.tags = self._tags()
        self.tag_cum = list(_cumulative(1 / (rank + 1) ** 0.8 for rank in range(len(self.tags))))
        self.article_type = ContentType.objects.get_for_model(Article)
        self.interview_type = ContentType.objects.get_for_model(Interview)
        self._done("setup")

    def _photo(self, number):
        motifs = sorted(MOTIFS)
        rng = random.Random(f"archive-photo-{number}")
        palette = [f"#{rng.randrange(0x20, 0x90):02x}{rng.randrange(0x20, 0x90):02x}"
                   f"{rng.randrange(0x40, 0xb0):02x}",
                   f"#{rng.randrange(0xa0, 0xf0):02x}{rng.randrange(0xa0, 0xf0):02x}"
                   f"{rng.randrange(0xa0, 0xf0):02x}"]
        spec = {"palette": palette, "motif": motifs[number % len(motifs)]}
        upload = ContentFile(draw_photo(spec, seed=f"archive-{number}"),
                             name=f"archive-{number}.jpg")
        photo = Photo(alt_text=f"An illustration: {spec['motif']} in {palette[0]} and "
                               f"{palette[1]}",
                      caption=f"Archive picture {number + 1}", credit=PHOTO_CREDIT)
        save_photo(photo, upload=upload)
        self.new_files += [photo.image.name, *photo.renditions.values()]
        return photo

    def _remove_new_files(self):
        for name in set(self.new_files):
            storage = Photo._meta.get_field("image").storage
            if storage.exists(name):
                storage.delete(name)

    def _authors(self):
        names = person_names(self.size.authors)
        wanted = {slugify(name): name for name in names}
        found = {a.slug: a for a in Author.objects.filter(slug__in=list(wanted))}
        roles = ["Reporter", "Correspondent", "Political editor", "Science writer",
                 "Business reporter", "Foreign correspondent", "Data journalist", ""]
        new = []
        for n, (slug, name) in enumerate(wanted.items()):
            if slug in found:
                continue
            photo = self.photos[n % len(self.photos)] if self.photos and n % 5 == 0 else None
            new.append(Author(name=name, slug=slug, role=roles[n % len(roles)],
                              bio=f"{name} writes for the newsroom. {self.writer.sentence()}",
                              photo=photo))
        Author.objects.bulk_create(new)
        return list(Author.objects.filter(slug__in=list(wanted)).order_by("pk"))

    def _guests(self):
        names = person_names(self.size.guests, offset=700)
        wanted = {f"{slugify(name)}-guest": name for name in names}
        found = set(Guest.objects.filter(slug__in=list(wanted)).values_list("slug", flat=True))
        new = []
        for n, (slug, name) in enumerate(wanted.items()):
            if slug in found:
                continue
            photo = self.photos[n % len(self.photos)] if self.photos and n % 4 == 0 else None
            topic = " ".join(self.writer.words(3))
            new.append(Guest(name=name, slug=slug, honorific=HONORIFICS[n % len(HONORIFICS)],
                             credentials=f"Expert on {topic}",
                             bio=f"{name} has worked on {topic} for years. "
                                 f"{self.writer.sentence()}", photo=photo))
        # The plain manager: a guest in no interview yet changes no interview's search text.
        Guest._base_manager.bulk_create(new)
        return list(Guest.objects.filter(slug__in=list(wanted)).order_by("pk"))

    def _tags(self):
        rng = random.Random(f"archive-tags-{self.size.seed}")
        names, seen = [], set()
        pool = sorted(set(self.writer.vocabulary))
        while len(names) < self.size.tags and len(seen) < 50 * self.size.tags:
            first = rng.choice(pool)
            name = first.capitalize() if rng.random() < 0.6 else \
                f"{first.capitalize()} {rng.choice(pool)}"
            if slugify(name) not in seen:
                seen.add(slugify(name))
                names.append(name)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
        taken = set(Tag.objects.filter(slug__in=[slugify(n) for n in names])
                    .values_list("slug", flat=True))
        Tag.objects.bulk_create([Tag(name=name, slug=slugify(name)) for name in names
                                 if name not in existing and slugify(name) not in taken])
        by_name = {t.name: t.pk for t in Tag.objects.filter(name__in=names)}
        return [by_name[name] for name in names if name in by_name]

    def _pick_tags(self, low, high):
        count = self.rng.randint(low, high)
        return set(self.rng.choices(self.tags, cum_weights=self.tag_cum, k=count))

    # Stories ------------------------------------------------------------------------------------

    def _plan_stories(self):
        """(status, publish_at) for every story, oldest first, so ids follow time as in a
        real archive; and which one is the showcase."""
        rng, total = self.rng, self.size.articles
        now = self.now.timestamp()
        span = self.size.years * 365 * 86400
        scheduled = max(1, round(total * 0.005))
        past = total - scheduled
        times = sorted(now - 3600 - rng.random() * span for _ in range(past))
        plan = []
        for when in times:
            roll = rng.random()
            if roll < 0.03:
                plan.append((Article.Status.DRAFT, None))
            elif roll < 0.04:
                plan.append((Article.Status.REVIEW, None))
            else:
                plan.append((Article.Status.PUBLISHED, when))
        for _ in range(scheduled):
            plan.append((Article.Status.PUBLISHED, now + 3600 + rng.random() * 6 * 86400))
        published = [n for n, (status, when) in enumerate(plan)
                     if status == Article.Status.PUBLISHED and when <= now]
        if not published:  # tiny archives: make sure one story is public
            plan[0] = (Article.Status.PUBLISHED, now - 7200)
            published = [0]
        target = now - SHOWCASE_AGE.total_seconds()
        showcase = min(published, key=lambda n: abs(plan[n][1] - target))
        plan[showcase] = (Article.Status.PUBLISHED, target)
        return plan, showcase

    def _story_slugs(self, titles, first_number):
        slugs = [f"{slugify(title)[:170] or 'story'}-{first_number + n}"
                 for n, title in enumerate(titles)]
        taken = set(Article.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        return [f"{slug}-{self.size.seed}" if slug in taken else slug for slug in slugs]

    def _stories(self):
        plan, showcase_index = self._plan_stories()
        total = len(plan)
        self._stage("stories", total)
        rng, writer = self.rng, self.writer
        first_number = (Article.objects.order_by("-pk").values_list("pk", flat=True).first()
                        or 0) + 1
        section_weights = list(_cumulative(self.section_weights))
        # For comments, interviews and related links: (pk, section pk, publish timestamp)
        # of the public stories, oldest first.
        self.public_stories = []
        recent_by_section = {}
        related_rows, bylines, tagged, corrections = [], [], [], []
        now = self.now.timestamp()
        self.showcase = None
        story_ids = []
        # The search index is built once at the end: far cheaper than growing it row by row.
        search_indexes = self._drop_indexes(Article, gin_only=True)
        for start in range(0, total, STORY_BATCH):
            chunk = range(start, min(total, start + STORY_BATCH))
            titles = [writer.headline() for _ in chunk]
            slugs = self._story_slugs(titles, first_number + start)
            rows = []
            for n, title, slug in zip(chunk, titles, slugs, strict=True):
                status, when = plan[n]
                is_showcase = n == showcase_index
                section = rng.choices(self.sections, cum_weights=section_weights)[0]
                if is_showcase:
                    slug = slug + SHOWCASE_SUFFIX
                body, body_text = writer.story(title, section.slug)
                # What Article.save() would store: the body sanitised, its plain text.
                row = {
                    "title": title[:200], "slug": slug, "section_id": section.pk,
                    "status": status,
                    "kicker": rng.choice(KICKERS) if rng.random() < 0.15 else "",
                    "standfirst": writer.sentence(), "body": clean_html(body),
                    "body_text": body_text,
                    "publish_at": _utc(when) if when is not None else None,
                    "lead_photo_id": (rng.choice(self.photos).pk if self.photos and
                                      (is_showcase or rng.random() < 0.7) else None),
                    "discussion_prompt": (writer.question() if is_showcase or rng.random() < 0.2
                                          else ""),
                    "comment_mode": (Article.CommentMode.MODERATED if is_showcase else
                                     rng.choices(list(Article.CommentMode),
                                                 weights=[70, 25, 5])[0]),
                    "updated_at": (_utc(min(now, when + rng.uniform(600, 86400)))
                                   if when is not None and when <= now and rng.random() < 0.1
                                   else None),
                }
                rows.append(row)
            self._insert(Article, rows, with_ids=True)
            story_ids += [row["id"] for row in rows]

            for n, row in zip(chunk, rows, strict=True):
                status, when = plan[n]
                is_showcase = n == showcase_index
                for position, author in enumerate(rng.sample(
                        self.authors, 2 if rng.random() < 0.15 else 1)):
                    bylines.append({"article_id": row["id"], "author_id": author.pk,
                                    "position": position})
                for tag_id in self._pick_tags(3 if is_showcase else 1, 6):
                    tagged.append({"content_type_id": self.article_type.pk,
                                   "object_id": row["id"], "tag_id": tag_id})
                if status != Article.Status.PUBLISHED or when > now:
                    continue
                self.public_stories.append((row["id"], row["section_id"], when))
                recent = recent_by_section.setdefault(row["section_id"], [])
                wanted = 4 if is_showcase else (rng.randint(1, 3) if rng.random() < 0.25 else 0)
                candidates = recent
                if is_showcase and len(recent) < wanted:  # a young section: any section's
                    candidates = [pk for pks in recent_by_section.values() for pk in pks[-50:]]
                for other in rng.sample(candidates, min(wanted, len(candidates))):
                    related_rows.append({"from_article_id": row["id"],
                                         "to_article_id": other})
                recent.append(row["id"])
                if len(recent) > 300:
                    del recent[:100]
                if rng.random() < 0.01:
                    corrections.append({
                        "article_id": row["id"], "published_at": _utc(min(now, when + 86400)),
                        "text": f"An earlier version of this story misstated the "
                                f"{writer.words(1)[0]} figures. {writer.sentence()}"})
                if is_showcase:
                    showcase = row["id"]
            self._flush_story_rows(bylines, tagged, related_rows, corrections)
            self.progress.advance(len(rows))
        self._flush_story_rows(bylines, tagged, related_rows, corrections, final=True)
        if self.postgres:
            # What Article.save() does for each row (the stored search vector), in a few
            # UPDATEs, then the search index again.
            for start in range(0, len(story_ids), 10_000):
                Article.objects.filter(pk__in=story_ids[start:start + 10_000]).update(
                    search_vector=article_search.search_vector())
            self._restore_indexes(search_indexes)
        self.showcase = Article.objects.get(pk=showcase)
        self.report.counts["stories"] = total
        self.report.counts["public stories"] = len(self.public_stories)
        self._done("stories")

    def _flush_story_rows(self, bylines, tagged, related_rows, corrections, final=False):
        if not final and len(tagged) < COMMENT_BATCH:
            return
        self._insert(ArticleAuthor, bylines)
        self._insert(TaggedItem, tagged)
        self._insert(Article.related.through, related_rows)
        self._insert(Correction, corrections)
        for rows in (bylines, tagged, related_rows, corrections):
            rows.clear()

    # Bulk writing -------------------------------------------------------------------------------

    def _insert(self, model, rows, with_ids=False):
        """Insert `rows`, dicts of column values by attribute name (all with the same keys);
        with_ids, each row gets its "id".

        bulk_create in batches; on PostgreSQL the database's own bulk path, COPY, which takes
        the same rows without building a model instance and an INSERT statement for each (an
        order of magnitude less Python per row, what makes a million comments take a minute
        rather than ten). Either way no save() and no signal. Columns left out get the model
        field's default (the time of the run for auto_now ones), as bulk_create gives them.
        """
        if not rows:
            return
        if not self.postgres:
            objs = model._base_manager.bulk_create([model(**row) for row in rows],
                                                   batch_size=COMMENT_BATCH)
            for row, obj in zip(rows, objs, strict=True):
                row["id"] = obj.pk
            return
        from psycopg.types.json import Jsonb

        quote = connection.ops.quote_name
        if with_ids:
            for row, pk in zip(rows, self._next_ids(model, len(rows)), strict=True):
                row["id"] = pk
        names = list(rows[0])
        defaults = {}
        for column in model._meta.concrete_fields:
            if column.attname not in names and not column.primary_key:
                auto = getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False)
                defaults[column.attname] = self.now if auto else column.get_default()
        names += list(defaults)
        rows = [{**row, **defaults} for row in rows] if defaults else rows
        fields = [model._meta.get_field(name) for name in names]
        json = [n for n, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
        columns = ", ".join(quote(field.column) for field in fields)
        with connection.cursor() as cursor, \
                cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = [row[name] for name in names]
                for n in json:
                    values[n] = Jsonb(values[n])
                copy.write_row(values)

    @staticmethod
    def _next_ids(model, count):
        """`count` ids from the table's sequence (PostgreSQL), for rows COPY will write."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                           "FROM generate_series(1, %s)",
                           [model._meta.db_table, model._meta.pk.column, count])
            return [row[0] for row in cursor.fetchall()]

    def _drop_indexes(self, model, gin_only=False):
        """PostgreSQL: drop `model`'s plain indexes (not its primary key, unique ones or
        constraints; with gin_only its full-text ones only) for the duration of the load;
        returns their definitions for _restore_indexes. Inside the run's transaction, so a
        failed run puts them back as they were."""
        if not self.postgres:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [model._meta.db_table],
            )
            found = [(name, definition) for name, definition in cursor.fetchall()
                     if not gin_only or " USING gin " in definition]
            if found:
                _check_deferred_constraints(cursor)
            for name, _definition in found:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return [definition for _name, definition in found]

    @staticmethod
    def _restore_indexes(definitions):
        if not definitions:
            return
        with connection.cursor() as cursor:
            _check_deferred_constraints(cursor)
            for definition in definitions:
                cursor.execute(definition)

    # Interviews ----------------------------------------------------------------------------------

    def _interviews(self):
        total = self.size.interviews
        self._stage("interviews", total)
        rng, writer = self.rng, self.writer
        now = self.now.timestamp()
        hosts = [pk for pk, _section, _when in self.public_stories if pk != self.showcase.pk]
        attached = rng.sample(hosts, min(len(hosts), round(total * 0.9) - 1)) \
            if total > 1 else []
        when_by_story = {pk: when for pk, _section, when in self.public_stories}
        story_for = [self.showcase.pk, *attached]
        story_for += [None] * (total - len(story_for))
        first_number = (Interview.objects.order_by("-pk").values_list("pk", flat=True).first()
                        or 0) + 1
        self.public_interviews = []
        self.showcase_interview = None
        span = self.size.years * 365 * 86400
        for start in range(0, total, INTERVIEW_BATCH):
            chunk = range(start, min(total, start + INTERVIEW_BATCH))
            plans, interviews = [], []
            for n in chunk:
                story = story_for[n]
                guests = rng.sample(self.guests, min(len(self.guests),
                                                     rng.choices([1, 2, 3], [2, 6, 2])[0]))
                roll = 0.0 if n == 0 else rng.random()
                if roll < 0.85:
                    status = Interview.Status.PUBLISHED
                    base = when_by_story[story] if story else now - rng.random() * span
                    when = min(now - 60, base + rng.uniform(600, 6 * 3600))
                elif roll < 0.9:
                    status, when = Interview.Status.ANSWERED, None
                else:
                    status, when = Interview.Status.PREPARING, None
                topic = " ".join(writer.words(3))
                title = f"{topic.capitalize()}: talking with " + \
                    " and ".join(guest.short_name for guest in guests)
                names = ", ".join(f"{g.full_name}, {g.credentials[0].lower()}"
                                  f"{g.credentials[1:]}" for g in guests)
                interviews.append(Interview(
                    title=title[:200], slug=f"{slugify(title)[:150]}-{first_number + n}",
                    article_id=story, interviewer_id=rng.choice(self.authors).pk,
                    introduction=clean_html(f"<p>Our guests: {names}. {writer.paragraph()}</p>"),
                    closing=clean_html(f"<p>{writer.sentence()} Thank you.</p>"),
                    prep_notes=f"Keep it short. {writer.sentence()}", status=status,
                    publish_at=_utc(when) if when is not None else None,
                    comment_mode=rng.choices(list(Article.CommentMode), weights=[70, 25, 5])[0],
                ))
                plans.append((guests, status))
            Interview.objects.bulk_create(interviews)
            self._transcripts(interviews, plans)
            for interview, (_guests, status) in zip(interviews, plans, strict=True):
                interview_search.refresh_search_text(interview)
                if status == Interview.Status.PUBLISHED:
                    self.public_interviews.append((interview.pk, interview.publish_at.timestamp()))
                if interview.article_id == self.showcase.pk:
                    self.showcase_interview = interview
            self.progress.advance(len(interviews))
        self.report.counts["interviews"] = total
        self.report.counts["public interviews"] = len(self.public_interviews)
        self._done("interviews")

    def _transcripts(self, interviews, plans):
        """Line-ups, segments, questions (some for one guest) and answers (a preparing
        interview still owes some), in bulk through the plain managers: the search text is
        refreshed once per interview afterwards."""
        rng, writer = self.rng, self.writer
        lineup, segments, tagged = [], [], []
        for interview, (guests, _status) in zip(interviews, plans, strict=True):
            lineup += [InterviewGuest(interview_id=interview.pk, guest_id=guest.pk,
                                      position=position) for position, guest in enumerate(guests)]
            segments += [Segment(interview_id=interview.pk, position=position,
                                 title=" ".join(writer.words(rng.randint(2, 5))).capitalize())
                         for position in range(rng.randint(2, 4))]
            tagged += [{"content_type_id": self.interview_type.pk, "object_id": interview.pk,
                        "tag_id": tag_id} for tag_id in self._pick_tags(1, 3)]
        InterviewGuest._base_manager.bulk_create(lineup)
        Segment._base_manager.bulk_create(segments)
        self._insert(TaggedItem, tagged)
        by_interview = {interview.pk: plan for interview, plan in
                        zip(interviews, plans, strict=True)}
        questions, asked = [], []
        for segment in segments:
            guests, _status = by_interview[segment.interview_id]
            for position in range(rng.randint(1, 3)):
                to = [rng.choice(guests)] if len(guests) > 1 and rng.random() < 0.6 else []
                questions.append(Question(segment_id=segment.pk, position=position,
                                          text=writer.question(),
                                          is_follow_up=position > 0 and rng.random() < 0.2))
                asked.append((segment, to))
        Question._base_manager.bulk_create(questions)
        addressed, answers = [], []
        last_segment = {}
        for segment in segments:
            last_segment[segment.interview_id] = segment.pk
        for question, (segment, to) in zip(questions, asked, strict=True):
            guests, status = by_interview[segment.interview_id]
            addressed += [Question.addressed_to.through(question_id=question.pk,
                                                        guest_id=guest.pk) for guest in to]
            owing = status == Interview.Status.PREPARING and \
                segment.pk == last_segment[segment.interview_id]
            for guest in to or guests:
                if owing and rng.random() < 0.7:
                    if rng.random() < 0.5:  # a placeholder, as the importer leaves them
                        answers.append(Answer(question_id=question.pk, guest_id=guest.pk,
                                              text="<p>…</p>", has_text=False))
                    continue
                answers.append(Answer(question_id=question.pk, guest_id=guest.pk,
                                      text=clean_html(f"<p>{writer.paragraph(1, 3)}</p>"),
                                      has_text=True))
        Question.addressed_to.through.objects.bulk_create(addressed)
        Answer._base_manager.bulk_create(answers, batch_size=COMMENT_BATCH)

    # Comments -------------------------------------------------------------------------------------

    def _commenters(self):
        rng = random.Random(f"archive-commenters-{self.size.seed}")
        people = []
        for n, name in enumerate(person_names(2_000, offset=1_500)):
            for variant in range(10):
                first, last = name.split()[:2]
                email = f"{first}.{last}{variant or ''}@example.org".lower()
                ip = f"100.{64 + rng.randrange(64)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                people.append((f"{first} {last[0]}." if variant else name, email, ip,
                               USER_AGENTS[(n + variant) % len(USER_AGENTS)]))
        rng.shuffle(people)
        spammers = [(f"Best Deals {n}", f"offers{n}@spam-{n % 40}.example.com",
                     f"100.127.{n % 256}.{1 + n % 250}", USER_AGENTS[n % len(USER_AGENTS)])
                    for n in range(500)]
        return people, list(_cumulative(1 / (rank + 1) ** 0.7 for rank in range(len(people)))), \
            spammers

    def _status(self, created):
        """Moderators keep up: pending comments are recent ones, save a few forgotten."""
        age = self.now.timestamp() - created
        weights = [35, 50, 5, 10] if age < 3 * 86400 else [0.3, 87, 5, 8]
        return self.rng.choices(("pending", "approved", "rejected", "spam"), weights)[0]

    def _comment(self, target, created, status, parent=None, featured=False):
        rng = self.rng
        spam = status == "spam"
        if spam:
            name, email, ip, agent = rng.choice(self.spammers)
        else:
            name, email, ip, agent = rng.choices(self.commenters, cum_weights=self.commenter_cum)[0]
        body = self.writer.comment(spam=spam)
        score = {"approved": rng.uniform(0, 0.3), "pending": rng.uniform(0.05, 0.8),
                 "rejected": rng.uniform(0.1, 0.7), "spam": rng.uniform(0.7, 1.0)}[status]
        reasons = (rng.sample(SPAM_REASONS, rng.randint(1, 3)) if spam else
                   rng.sample(PENDING_REASONS, 1) if status == "pending" and score > 0.3 else [])
        moderated = None if status == "pending" else \
            min(self.now.timestamp(), created + rng.uniform(60, 8 * 3600))
        kind, pk = target
        # Every column (COPY leaves out none: the model's defaults are not the database's);
        # the email is already what Comment.save() would store (lower case).
        comment = {
            "article_id": pk if kind == "article" else None,
            "interview_id": pk if kind == "interview" else None,
            "parent_id": None, "author_name": name, "email": email, "body": body,
            "status": status, "featured": featured, "spam_score": round(score, 3),
            "spam_reasons": reasons, "ip": ip, "user_agent": agent,
            "created_at": _utc(created),
            "moderated_at": _utc(moderated) if moderated else None,
            "moderated_by_id": (rng.choice(self.moderators) if moderated and rng.random() < 0.9
                                else None),
            "learned_as": "", "fingerprint": body_fingerprint(body), "submission_key": None,
        }
        if parent is not None:
            comment["_parent"] = parent  # its id once it has one (_flush_comments)
        return comment

    def _thread(self, target, published, count):
        """`count` comments on one story, oldest first, about 15% of them replies to an
        earlier approved top-level comment, one in forty approved ones featured."""
        rng, now = self.rng, self.now.timestamp()
        window = min(self.comment_window, max(60.0, now - published - 120))
        times = sorted(published + 60 + rng.random() * window for _ in range(count))
        tops, replies, approved = [], [], []
        for created in times:
            status = self._status(created)
            if approved and rng.random() < 0.15:
                parent = rng.choice(approved[-30:])
                replies.append(self._comment(target, created, status, parent=parent))
                continue
            comment = self._comment(target, created, status)
            tops.append(comment)
            if status == "approved":
                approved.append(comment)
        for comment in rng.sample(approved, len(approved) // 40):
            comment["featured"] = True
        return tops, replies

    def _showcase_thread(self):
        """Exactly SHOWCASE_APPROVED approved comments (SHOWCASE_REPLIES of them replies, two
        featured) and a few in every other state."""
        rng = self.rng
        published = self.showcase.publish_at.timestamp()
        now = self.now.timestamp()
        target = ("article", self.showcase.pk)
        span = now - published - 600
        tops, replies = [], []
        for n in range(SHOWCASE_APPROVED - SHOWCASE_REPLIES):
            created = published + 60 + span * n / SHOWCASE_APPROVED
            tops.append(self._comment(target, created, "approved", featured=n in (3, 40)))
        for _ in range(SHOWCASE_REPLIES):
            parent = tops[rng.randrange(len(tops) // 2)]
            created = parent["created_at"].timestamp() + rng.uniform(60, 3600)
            replies.append(self._comment(target, min(created, now - 120), "approved",
                                         parent=parent))
        for status, count in SHOWCASE_OTHERS.items():
            for _ in range(count):
                tops.append(self._comment(target, now - rng.uniform(600, span), status))
        return tops, replies

    def _allocate(self, targets, total):
        """How many comments each target gets: log-normal weights, most stories a few, a
        handful several hundred; exactly `total` in all."""
        weights = [self.rng.lognormvariate(0, 1.2) for _ in targets]
        scale = total / sum(weights) if weights else 0
        counts = [int(w * scale) for w in weights]
        short = total - sum(counts)
        by_remainder = sorted(range(len(targets)), key=lambda n: counts[n] - weights[n] * scale)
        for n in by_remainder[:short]:
            counts[n] += 1
        return counts

    def _comments(self):
        total = self.size.comments
        self._stage("comments", total)
        self.commenters, self.commenter_cum, self.spammers = self._commenters()
        targets = [(("article", pk), when) for pk, _s, when in self.public_stories
                   if pk != self.showcase.pk]
        targets += [(("interview", pk), when) for pk, when in self.public_interviews]
        counts = self._allocate(targets, total - SHOWCASE_COMMENTS)
        tops, replies = self._showcase_thread()
        made = {"approved": 0, "pending": 0, "rejected": 0, "spam": 0, "replies": 0}
        # Indexes are built once at the end, from sorted data: cheaper than a million
        # insertions into each of them.
        indexes = self._drop_indexes(Comment) + self._drop_indexes(ModerationDecision)
        for (target, published), count in zip(targets, counts, strict=True):
            if count:
                more_tops, more_replies = self._thread(target, published, count)
                tops += more_tops
                replies += more_replies
            if len(tops) + len(replies) >= COMMENT_BATCH:
                self._flush_comments(tops, replies, made)
        self._flush_comments(tops, replies, made)
        self._restore_indexes(indexes)
        self.report.counts["comments"] = sum(made[s] for s in Comment.Status.values)
        self.report.counts.update({f"comments {key}": value for key, value in made.items()})
        self._done("comments")

    def _flush_comments(self, tops, replies, made):
        if not tops and not replies:
            return
        if self.postgres:
            ids = self._next_ids(Comment, len(tops) + len(replies))
            for row, pk in zip((*tops, *replies), ids, strict=True):
                row["id"] = pk
        else:
            self._insert(Comment, tops)  # gives them their ids
        for row in replies:
            row["parent_id"] = row.pop("_parent")["id"]
        self._insert(Comment, tops + replies if self.postgres else replies)
        ids = [row["id"] for row in (*tops, *replies)]
        self._record_decisions(min(ids), max(ids))
        for comment in (*tops, *replies):
            made[comment["status"]] += 1
        made["replies"] += len(replies)
        self.progress.advance(len(tops) + len(replies))
        tops.clear()
        replies.clear()

    @staticmethod
    def _record_decisions(first, last):
        """Each decided comment with ids first..last gets its ModerationDecision (from
        pending to its state, by its moderator, at its moderation time): one INSERT … SELECT,
        as cheap for the database as the comments were and no Python per row."""
        quote = connection.ops.quote_name
        decision, comment = ModerationDecision._meta, Comment._meta
        column = {f.name: quote(f.column) for f in decision.concrete_fields}
        source = {f.name: quote(f.column) for f in comment.concrete_fields}
        actions = {Comment.Status.APPROVED: ModerationDecision.Action.APPROVE,
                   Comment.Status.REJECTED: ModerationDecision.Action.REJECT,
                   Comment.Status.SPAM: ModerationDecision.Action.SPAM}
        cases = " ".join("WHEN %s THEN %s" for _ in actions)
        columns = ", ".join(column[name] for name in ("comment", "action", "from_status",
                                                       "to_status", "moderator", "created_at"))
        # Names from the models' own meta, values as parameters.
        sql = (
            f"INSERT INTO {quote(decision.db_table)} ({columns}) "  # noqa: S608
            f"SELECT {source['id']}, CASE {source['status']} {cases} END, %s, "
            f"{source['status']}, {source['moderated_by']}, {source['moderated_at']} "
            f"FROM {quote(comment.db_table)} WHERE {source['id']} BETWEEN %s AND %s "
            f"AND {source['status']} IN ({', '.join('%s' for _ in actions)})"
        )
        params = [value for pair in actions.items() for value in pair]
        params += [Comment.Status.PENDING, first, last, *actions]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    # Afterwards -------------------------------------------------------------------------------

    def _refresh_page_cache(self):
        """No signal told the page cache: raise the tags of every list that gained rows."""
        try:
            from newsroom import pagecache
        except ImportError:  # pragma: no cover - a project without the page cache
            return
        tags = ["nav", "list:front", "list:interviews", "feeds", "sitemaps"]
        tags += [f"list:section:{section.pk}" for section in self.sections]
        tags += [f"list:author:{author.pk}" for author in self.authors]
        tags += [f"list:guest:{guest.pk}" for guest in self.guests]
        tags += [f"list:tag:{pk}" for pk in self.tags]
        pagecache.bump(*tags)
        if hasattr(pagecache, "schedule_changed"):
            pagecache.schedule_changed()

    def _analyze(self):
        """Fresh planner statistics (and, on PostgreSQL, a visibility map) for what was
        written, as autovacuum would make them some time later."""
        tables = [model._meta.db_table for model in (
            Article, ArticleAuthor, Article.related.through, TaggedItem, Tag, Correction,
            Interview, InterviewGuest, Segment, Question, Answer, Comment, ModerationDecision)]
        started = time.monotonic()
        with connection.cursor() as cursor:
            for table in tables:
                if self.postgres and not connection.in_atomic_block:
                    cursor.execute(f'VACUUM ANALYZE "{table}"')
                else:
                    cursor.execute(f'ANALYZE "{table}"')
        self.report.seconds["analyze"] = time.monotonic() - started


def _check_deferred_constraints(cursor):
    """PostgreSQL refuses to change a table's indexes while checks of its (deferred) foreign
    keys are pending: run them now; later rows are checked at commit again, as usual."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _cumulative(weights):
    total = 0.0
    for weight in weights:
        total += weight
        yield total


# Finding the showcase again ----------------------------------------------------------------------


def search_word(title):
    """The showcase's search: the longest word of its headline (every story's headline words
    are in its search vector, weight A)."""
    words = [w for w in title.split() if w.isalpha() and len(w) >= 4]
    return max(words or title.split()[:1], key=len).lower()


def showcase_urls(story=None):
    """Where the benchmark looks, for the newest showcase story (or `story`): {name: URL}, or
    {} when there is no generated archive."""
    if story is None:
        story = (Article.objects.published().filter(slug__endswith=SHOWCASE_SUFFIX)
                 .order_by("-pk").first())
        if story is None:
            return {}
    story = Article.objects.select_related("section").get(pk=story.pk)
    interview = Interview.objects.published().filter(article=story).order_by("pk").first()
    tag = story.tags.order_by("name").first()
    word = search_word(story.title)
    return {
        "front": "/",
        "article": story.get_absolute_url(),
        "interview": interview.get_absolute_url() if interview else "",
        "section": story.section.get_absolute_url(),
        "tag": f"/tags/{tag.slug}/" if tag else "",
        "search": f"/search/?q={quote(word)}",
        "searches": [f"/search/?q={quote(word)}",
                     *(f"/search/?q={quote(q)}" for q in SEARCH_SAMPLES)],
        "feed": "/feed/",
        "admin_articles": "/admin/articles/article/",
        "admin_comments": "/admin/comments/comment/",
    }


def generate(size, progress=None, now=None):
    """Write an archive of `size` (see ArchiveSize); returns its Report."""
    return ArchiveBuilder(size, progress=progress, now=now).build()
