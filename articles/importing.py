"""Read a story saved as plain text into plain data, ready for an editor.

It understands wire copy (a headline, paragraphs, a byline) and pages saved from news sites in
the shape of the reference page: a breadcrumb (`Home » World » …`), the headline, body
paragraphs with the headline repeated where the photo stood, an `Author:` line, a timestamp,
a line of hashtags, a photo label, a bold discussion question and a prepared interview in
Markdown. Nothing here touches the database, the command line or HTTP: the importer in
`newsroom/importing.py` saves what this returns.

Words: the story's `section` is the site's section from the breadcrumb (World, Politics…); an
interview's titled parts are `segments`, written `**Section N: Title:**` (or `Part N`,
`Segment N`) in the text.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

MAX_BYTES = 2 * 1024 * 1024

HONORIFICS = (
    "Dr", "Doctor", "Prof", "Professor", "Colonel", "Col", "General", "Gen", "Major", "Captain",
    "Capt", "Lieutenant", "Admiral", "Ambassador", "Senator", "Minister", "Mr", "Mrs", "Ms",
    "Mx", "Sir", "Dame", "Lord", "Lady", "Rev", "Father", "Sister", "Judge", "Mayor",
)
_HONORIFIC = r"(?:{})\.?".format("|".join(HONORIFICS))
_NAME = r"[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)*"

BREADCRUMB = re.compile(r"^Home\s*[»>›/]\s*(?P<section>[^»>›/]+?)(?:\s*[»>›/].*)?$")
AUTHOR_LABEL = re.compile(r"^(?:Author|By|Byline)\s*:\s*(?P<name>.*)$", re.IGNORECASE)
BY_LINE = re.compile(r"^By\s+(?P<name>[A-Z][^,.;:]{2,80})$")
TIMESTAMP = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?$")
LOOSE_TIMESTAMP = re.compile(r"^\d{4}-\d+-\d+(?:[ T][\d:]+)?$")
HASHTAGS = re.compile(r"^(?:#[^\s#]+\s*)+$")
# Where the story came from: "Source: https://…" (or URL:, Link:, Permalink:) or the address
# alone on a line, as a browser prints it; a wire service's identifier, "Wire ID: NRW-2024-118".
SOURCE_LABEL = re.compile(
    r"^(?:source|url|link|permalink|original(?: address| url)?)\s*:\s*<?(?P<url>https?://\S+?)>?$",
    re.IGNORECASE,
)
BARE_URL = re.compile(r"^<?(?P<url>https?://[^\s<>]+?)>?$", re.IGNORECASE)
WIRE_ID = re.compile(
    r"^(?:wire id|wire|story id|id|ref|reference)\s*:\s*(?P<id>[\w][\w.:/#\-]{2,99})$",
    re.IGNORECASE,
)
# A line that is plainly meant as the wire identifier, whatever follows the label.
WIRE_ID_LABEL = re.compile(r"^(?:wire id|story id)\s*:", re.IGNORECASE)
PHOTO_LABEL = re.compile(r"^(?:detail |lead |main )?(?:photo|photograph|picture|image)$",
                         re.IGNORECASE)
BOLD_LINE = re.compile(r"^\*\*(?P<text>.+?)\*\*$")
INTERVIEW_HEADING = re.compile(r"^#{1,3}\s+(?P<text>.*\bInterview\b.*)$", re.IGNORECASE)
LABEL = re.compile(r"^\*\*(?P<label>[^*]+?):\s*\*\*\s*(?P<rest>.*)$")
SEGMENT_LABEL = re.compile(
    r"^(?:Section|Part|Segment)\s+(?P<number>\d+)\s*[:.\-–—]\s*(?P<title>.+?)$", re.IGNORECASE
)
CHROME = (
    re.compile(r"^leave a (?:comment|reply)$", re.IGNORECASE),
    re.compile(r"^this site uses akismet", re.IGNORECASE),
    re.compile(r"^(?:share|tweet|print|related posts?|read more|advertisement)$", re.IGNORECASE),
)
EMPTY_ANSWERS = {"", "…", "...", "-", "—", "tbd", "[answer]"}
GUESTS_WORDS = re.compile(r"\b(?:both|all)\b.*\bguests?\b|\bboth of you\b", re.IGNORECASE)


class ImportProblem(Exception):
    """A file that cannot be imported, with the line that says why."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message = message
        self.line = line

    def where(self, name):
        return f"{name}:{self.line}" if self.line else name

    def __str__(self):
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class Guest:
    name: str
    honorific: str = ""
    credentials: str = ""

    @property
    def surname(self):
        return self.name.split()[-1]

    def answers_to(self, speaker):
        """Whether a transcript label like 'Dr. Hassan' or 'Omar Hassan' means this guest."""
        words = re.sub(r"[.,]", "", speaker).split()
        return bool(words) and words[-1].lower() == self.surname.lower()


@dataclass
class Question:
    text: str
    line: int
    addressed_to: list = field(default_factory=list)  # guest names; empty means everyone
    answers: dict = field(default_factory=dict)  # guest name -> text ("" = not yet answered)


@dataclass
class Segment:
    title: str
    line: int
    questions: list = field(default_factory=list)


@dataclass
class Interview:
    title: str
    programme: str = ""
    introduction: list = field(default_factory=list)
    guests: list = field(default_factory=list)
    segments: list = field(default_factory=list)
    closing: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def questions(self):
        return [question for segment in self.segments for question in segment.questions]


@dataclass
class Story:
    title: str
    section: str = ""
    standfirst: str = ""
    paragraphs: list = field(default_factory=list)
    author: str = ""
    published: datetime | None = None  # naive: the site's time zone applies
    tags: list = field(default_factory=list)
    photo_caption: str = ""
    photo_label: str = ""
    prompt: str = ""
    source: str = ""  # the address the story was saved from, when the text gives it
    wire_id: str = ""  # a wire service's identifier for the story
    interview: Interview | None = None
    recognised: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (line, text) of chrome that was dropped


def decode(data):
    """Bytes to text, refusing what is not UTF-8 text."""
    if not data or not data.strip():
        raise ImportProblem("the file is empty")
    if len(data) > MAX_BYTES:
        raise ImportProblem(f"the file is larger than {MAX_BYTES // 1024 // 1024} MB")
    if b"\x00" in data[:8192]:
        raise ImportProblem("this is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportProblem(
            f"the text is not UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8", line
        ) from None
    if sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f") > 8:
        raise ImportProblem("this is a binary file, not text")
    return text


def parse(data):
    """Parse the bytes of one file into a Story, or raise ImportProblem."""
    text = decode(data)
    lines = [(number, line.strip()) for number, line in
             enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1)]
    return _Parser(lines).story()


def _strip_trailing_dash(text):
    return re.sub(r"\s+[–—-]\s*$", "", text).strip()


def _paragraph_text(text):
    return re.sub(r"\s+", " ", text).strip()


class _Parser:
    def __init__(self, lines):
        self.lines = [(n, t) for n, t in lines]

    def story(self):
        content = [(n, t) for n, t in self.lines if t]
        if not content:
            raise ImportProblem("the file is empty")
        story = Story(title="")
        index = 0
        # A printed page may start with its address, wire copy with its identifier.
        while index < len(content) - 1 and self._provenance(story, *content[index]):
            index += 1
        crumb = BREADCRUMB.match(content[index][1])
        if crumb:
            story.section = crumb.group("section").strip()
            story.recognised.append(f"section “{story.section}” from the breadcrumb")
            index += 1
        if index >= len(content):
            raise ImportProblem("no headline: the file has nothing after the breadcrumb",
                                content[-1][0])
        line, headline = content[index]
        headline = _strip_trailing_dash(headline)
        if len(headline) < 3 or BOLD_LINE.match(headline) or headline.startswith("#") \
                or AUTHOR_LABEL.match(headline) or LOOSE_TIMESTAMP.match(headline):
            raise ImportProblem("no headline: the first line of text is not a headline", line)
        if len(headline) > 200:
            raise ImportProblem("no headline: the first line is longer than 200 characters "
                                "(is the headline missing?)", line)
        story.title = headline
        story.recognised.append("headline")
        index += 1

        interview_start = next(
            (i for i in range(index, len(content)) if INTERVIEW_HEADING.match(content[i][1])),
            len(content),
        )
        self._read_article(story, content[index:interview_start])
        if interview_start < len(content):
            story.interview = self._read_interview(content[interview_start:], story)
        return story

    def _read_article(self, story, content):
        expecting_author = False
        paragraphs = []
        for line, text in content:
            if expecting_author:
                story.author = _paragraph_text(text)
                story.recognised.append(f"author “{story.author}”")
                expecting_author = False
                continue
            if any(pattern.match(text) for pattern in CHROME):
                story.skipped.append((line, text))
                continue
            label = AUTHOR_LABEL.match(text)
            if label:
                if label.group("name").strip():
                    story.author = _paragraph_text(label.group("name"))
                    story.recognised.append(f"author “{story.author}”")
                else:
                    expecting_author = True
                continue
            by_line = BY_LINE.match(text)
            if by_line and not story.author and len(text.split()) <= 6:
                story.author = by_line.group("name").strip()
                story.recognised.append(f"author “{story.author}”")
                continue
            if self._provenance(story, line, text, labelled_only=True):
                continue
            if LOOSE_TIMESTAMP.match(text):
                story.published = self._timestamp(text, line)
                story.recognised.append(f"publication time {story.published:%Y-%m-%d %H:%M}")
                continue
            if HASHTAGS.match(text):
                tags = [tag.strip("#").strip() for tag in text.split()
                        if re.search(r"\w", tag)]
                story.tags = list(dict.fromkeys(tags))
                story.recognised.append(f"{len(story.tags)} tags")
                continue
            if PHOTO_LABEL.match(text):
                story.photo_label = text
                story.recognised.append(f"photo label “{text}”")
                continue
            bold = BOLD_LINE.match(text)
            if bold and not LABEL.match(text):
                story.prompt = bold.group("text").strip()
                story.recognised.append("discussion question")
                continue
            if _strip_trailing_dash(text) == story.title:
                # A saved page repeats the headline where its photo stood: the photo's caption.
                story.photo_caption = story.title
                story.recognised.append("photo placeholder (headline repeated in the body)")
                continue
            paragraphs.append(_paragraph_text(text))
        if expecting_author:
            raise ImportProblem("an Author: line is not followed by a name", content[-1][0])
        # An address alone on a line is the page's own (a browser prints it at the foot) only
        # when no paragraph follows it; within the text it is a link the story gives, and
        # taking it as the source would make another story citing it look like this one.
        if paragraphs and not story.source and BARE_URL.match(paragraphs[-1]):
            self._provenance(story, None, paragraphs.pop())
        if paragraphs and len(paragraphs) > 1 and len(paragraphs[0]) <= 300:
            story.standfirst = paragraphs.pop(0)
            story.recognised.append("standfirst (first paragraph)")
        story.paragraphs = paragraphs
        if paragraphs:
            story.recognised.append(f"{len(paragraphs)} body paragraphs")

    @staticmethod
    def _provenance(story, line, text, labelled_only=False):
        """Take a source-address or wire-identifier line (the first of each); say if it was.
        With `labelled_only`, an address alone on the line is not taken. A "Wire ID:" line
        that holds no usable identifier is refused: it would be the story's identity."""
        source = SOURCE_LABEL.match(text) or (None if labelled_only else BARE_URL.match(text))
        if source and not story.source:
            story.source = source.group("url")[:500]
            story.recognised.append(f"source address {story.source}")
            return True
        wire_id = WIRE_ID.match(text)
        if not wire_id and WIRE_ID_LABEL.match(text):
            raise ImportProblem(
                "the wire identifier cannot be read: it must be 3 to 100 letters, digits or "
                ". : / # - after “Wire ID:”, with no spaces", line)
        if wire_id and not story.wire_id:
            story.wire_id = wire_id.group("id")
            story.recognised.append(f"wire identifier {story.wire_id}")
            return True
        return False

    @staticmethod
    def _timestamp(text, line):
        if not TIMESTAMP.match(text):
            raise ImportProblem(f"cannot read the date “{text}” (expected 2024-11-27 14:29:00)",
                                line)
        for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                        "%Y-%m-%dT%H:%M"):
            try:
                return datetime.strptime(text, pattern)
            except ValueError:
                continue
        raise ImportProblem(f"cannot read the date “{text}”: no such day or time", line)

    def _read_interview(self, content, story):
        line, heading = content[0]
        heading_text = INTERVIEW_HEADING.match(heading).group("text").strip()
        programme, _, title = heading_text.rpartition("Interview:")
        interview = Interview(title=(title or heading_text).strip(" :"),
                              programme=programme.strip(" :–—-"))
        story.recognised.append(f"interview “{interview.title}”")
        block = None  # introduction / segment / closing / note
        segment = None
        speaker = None
        question = None
        pending_thanks = []

        def add_text(text, line):
            nonlocal question
            if block == "introduction":
                interview.introduction.append(text)
            elif block == "closing":
                interview.closing.append(text)
            elif block == "note":
                interview.notes.append(text)
            elif block == "segment":
                if speaker == "interviewer":
                    if question is None:
                        question = Question(text=text, line=line)
                        segment.questions.append(question)
                    else:
                        question.text = f"{question.text}\n\n{text}"
                elif speaker is not None and question is not None:
                    guest = speaker
                    previous = question.answers.get(guest.name, "")
                    answer = text if text not in EMPTY_ANSWERS else ""
                    question.answers[guest.name] = f"{previous}\n\n{answer}".strip()
                else:
                    raise ImportProblem("text inside a section that is neither a question nor "
                                        "an answer", line)
            elif block is None:
                raise ImportProblem("interview text before **Introduction:** or the first "
                                    "section", line)

        for line, text in content[1:]:
            if any(pattern.match(text) for pattern in CHROME):
                story.skipped.append((line, text))
                continue
            label = LABEL.match(text)
            if label:
                name, rest = label.group("label").strip(), label.group("rest").strip()
                lowered = name.lower()
                segment_label = SEGMENT_LABEL.match(name)
                if lowered == "introduction":
                    block, speaker, question = "introduction", None, None
                elif lowered in {"closing", "conclusion", "outro"}:
                    block, speaker, question = "closing", None, None
                elif lowered in {"note", "notes", "prep note", "note to interviewer"}:
                    block, speaker, question = "note", None, None
                elif segment_label:
                    segment = Segment(title=segment_label.group("title").strip(" :"), line=line)
                    interview.segments.append(segment)
                    block, speaker, question = "segment", None, None
                elif lowered in {"interviewer", "host", "q", "question"}:
                    if block != "segment":
                        raise ImportProblem("a question outside any section (add a "
                                            "**Section N: Title:** line above it)", line)
                    speaker, question = "interviewer", None
                else:
                    if block != "segment":
                        raise ImportProblem(f"an answer by “{name}” outside any section", line)
                    if question is None:
                        raise ImportProblem(f"an answer by “{name}” before any question", line)
                    guest = self._guest_for(interview, name, line)
                    speaker = guest
                    if guest.name not in question.addressed_to:
                        question.addressed_to.append(guest.name)
                    question.answers.setdefault(guest.name, "")
                if rest:
                    add_text(_paragraph_text(rest), line)
                continue
            if block == "introduction" and not interview.guests:
                interview.guests = self._guests_in(text)
            add_text(_paragraph_text(text), line)

        # An interviewer's turn that nobody answers and that asks nothing is the sign-off.
        for segment in interview.segments:
            for question in list(segment.questions):
                if not question.addressed_to and "?" not in question.text:
                    segment.questions.remove(question)
                    pending_thanks.append(question.text)
        interview.closing = pending_thanks + interview.closing
        for segment in interview.segments:
            for question in segment.questions:
                if not question.addressed_to and GUESTS_WORDS.search(question.text):
                    question.addressed_to = [guest.name for guest in interview.guests]
        if not interview.segments:
            raise ImportProblem("the interview has no **Section N: Title:** lines", line)
        story.recognised.append(
            f"{len(interview.guests)} guests, {len(interview.segments)} sections, "
            f"{len(interview.questions)} questions"
        )
        if interview.notes:
            story.recognised.append("interviewer's note (kept internal)")
        return interview

    @staticmethod
    def _guests_in(text):
        """Guests introduced as 'Dr. Omar Hassan, a Syrian historian …, and Colonel …'."""
        pattern = re.compile(
            rf"(?P<honorific>{_HONORIFIC})\s+(?P<name>{_NAME}),\s+(?P<credentials>.+?)"
            rf"(?=,?\s+and\s+{_HONORIFIC}\s|\.\s|\.$|$)"
        )
        guests = []
        for match in pattern.finditer(text):
            honorific = match.group("honorific")
            if not honorific.endswith(".") and honorific in {"Dr", "Prof", "Col", "Gen", "Capt",
                                                             "Mr", "Mrs", "Ms", "Mx", "Rev"}:
                honorific += "."
            guests.append(Guest(name=match.group("name").strip(), honorific=honorific,
                                credentials=match.group("credentials").strip(" ,")))
        return guests

    @staticmethod
    def _guest_for(interview, speaker, line):
        for guest in interview.guests:
            if guest.answers_to(speaker):
                return guest
        words = speaker.split()
        honorific = ""
        if words and re.fullmatch(_HONORIFIC, words[0]) and len(words) > 1:
            honorific, words = words[0], words[1:]
        guest = Guest(name=" ".join(words) or speaker, honorific=honorific)
        interview.guests.append(guest)
        return guest
