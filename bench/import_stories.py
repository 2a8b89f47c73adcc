"""How long `manage.py import_story` takes for a batch of generated stories.

    .venv/bin/python bench/import_stories.py [--stories 1000] [--interviews-every 10]

Writes N stories in the reference page's format (breadcrumb, headline, body, byline,
timestamp, hashtags, a bold question; every `--interviews-every`-th one with a prepared
interview of two guests, three sections and five questions) to a temporary folder, then runs
the import command once over all of them into a throwaway database (SQLite unless
DATABASE_URL is set) and prints the time taken and files per second. The target is 1,000
stories in under a minute.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

WORDS = [
    "harbour", "council", "budget", "ferry", "strike", "union", "minister", "vote", "housing",
    "rent", "bridge", "port", "election", "mayor", "court", "ruling", "museum", "festival",
    "river", "flood", "weather", "school", "teachers", "hospital", "nurses", "trade", "tariff",
    "factory", "jobs", "market", "bank", "rates", "energy", "wind", "solar", "grid", "transit",
    "tram", "rail", "farmers", "harvest", "drought", "coast", "storm", "science", "satellite",
]
SECTIONS = ["World", "Politics", "Business", "Science", "Culture"]
PEOPLE = ["Mara Ellison", "Daniel Okafor", "Ines Castellan", "Tomas Reyna", "Jonah Whitlock"]


def sentence(rng, words=14):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def story_text(number, rng, with_interview):
    section = SECTIONS[number % len(SECTIONS)]
    title = f"{sentence(rng, 7)[:-1]} ({number})"
    lines = [f"Home » {section} » {title} –", "", f"{title} –", ""]
    for _ in range(rng.randint(4, 9)):
        lines += [" ".join(sentence(rng) for _ in range(rng.randint(2, 4))), ""]
    lines += ["Author:", rng.choice(PEOPLE), "",
              f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
              f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
              " ".join(f"#{rng.choice(WORDS)}" for _ in range(6)), "detail photograph", "",
              f"**{sentence(rng, 12)[:-1]}?**", ""]
    if with_interview:
        lines += [
            f"## Desk Interview: Talking about {rng.choice(WORDS)} {number}", "",
            "**Introduction:**", "",
            "Our guests today: Dr. Lena Marsh, an economist at the harbour institute, and "
            "Colonel Piet Varga, a retired engineer officer with long experience of ports.", "",
        ]
        for part in range(1, 4):
            lines += [f"**Section {part}: Part {part}:**", "", "**Interviewer:**", "",
                      f"Dr. Marsh, {sentence(rng)[:-1]}?", "", "**Dr. Marsh:**", ""]
            if part == 3:
                lines += ["**Interviewer:**", "", f"Both of you: {sentence(rng)[:-1]}?", "",
                          "**Dr. Marsh:** …", "", "**Colonel Varga:** …", ""]
            else:
                lines += ["**Interviewer:**", "", f"Colonel Varga, {sentence(rng)[:-1]}?", "",
                          "**Colonel Varga:**", ""]
        lines += ["**Closing:**", "", sentence(rng), "", "**Note:**", "", sentence(rng), ""]
    lines += ["Leave a Comment", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--interviews-every", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article
    from interviews.models import Interview

    call_command("migrate", verbosity=0)
    rng = random.Random(20261126)
    with tempfile.TemporaryDirectory(prefix="newsroom-import-") as folder:
        files = []
        for number in range(args.stories):
            path = Path(folder) / f"story-{number:05d}.txt"
            with_interview = args.interviews_every and number % args.interviews_every == 0
            path.write_text(story_text(number, rng, with_interview), encoding="utf-8")
            files.append(str(path))
        started = time.perf_counter()
        call_command("import_story", *files, "--create-sections", "--quiet-report",
                     stdout=StringIO(), stderr=StringIO())
        elapsed = time.perf_counter() - started
    print(f"{args.stories} files imported in {elapsed:.1f} s "
          f"({args.stories / elapsed:.0f} files/s): {Article.objects.count()} stories, "
          f"{Interview.objects.count()} interviews")


if __name__ == "__main__":
    main()
