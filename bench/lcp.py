"""Mobile Largest Contentful Paint of the front page, a story and an interview, measured by
Lighthouse's default mobile run (emulated phone, simulated slow 4G and 4x slower CPU) in
Debian's Chromium.

    (cd bench/lighthouse && npm ci --ignore-scripts)    # once: Lighthouse from the npm registry
    .venv/bin/python bench/lcp.py [--runs 5] [--port 8197]

The site runs as `make serve` runs it (gunicorn, DEBUG off, whitenoise, collected static
files, the page cache on) with the demo content on a throwaway SQLite database in bench/.data/.
Each page and its photos are asked for a few times first, so Lighthouse measures what readers
get: a page from the cache, compressed, from workers that have served before. The median of the
runs is reported per page, with the other metrics Lighthouse gives for the same runs.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")
METRICS = ["largest-contentful-paint", "first-contentful-paint", "speed-index",
           "total-blocking-time", "cumulative-layout-shift"]


def environment(port):
    DATA.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{DATA / 'lcp.sqlite3'}",
        "DJANGO_DEBUG": "0", "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "bench-lcp-secret-key-not-for-production-0123456789abcdef",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(DATA / "lcp-static"),
        "DJANGO_MEDIA_ROOT": str(DATA / "lcp-media"),
        "NEWSROOM_DEMO_PASSWORD": "bench-lcp-password",
        "NEWSROOM_CACHE_DIR": str(DATA / "lcp-cache"),
    }


def prepare(env):
    for name in ("lcp.sqlite3",):
        (DATA / name).unlink(missing_ok=True)
    shutil.rmtree(DATA / "lcp-cache", ignore_errors=True)
    for command in (["migrate", "--no-input", "-v0"], ["seed"],
                    ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([str(PYTHON), "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        return response.read().decode()


def pages(base):
    import re

    front = get(base + "/")
    story = re.search(r'class="front-lead".*?href="([^"]+)"', front, re.S).group(1)
    interviews = get(base + "/interviews/")
    interview = re.search(r'class="card__title"><a href="([^"]+)"', interviews).group(1)
    return {"front": "/", "story": story, "interview": interview}


def warm(base, path, workers=2):
    """The page into the page cache, and every worker past its first request (imports, the
    first template and photo it serves), so each run measures what readers get from a server
    that has been up a while, whichever worker answers."""
    import re

    for _ in range(2 * workers):
        html = get(base + path)
    for _ in range(workers):
        for photo in sorted(set(re.findall(r"/media/[^\s\"',]+", html))):
            with urllib.request.urlopen(base + photo, timeout=10) as response:  # noqa: S310
                response.read()


def lighthouse(url, out, attempts=3):
    # Lighthouse now and then fails to record the trace of a load (NO_NAVSTART): run it again.
    for attempt in range(attempts):
        result = subprocess.run(
            [str(LIGHTHOUSE), url, "--only-categories=performance", "--quiet",
             "--output=json", f"--output-path={out}", f"--chrome-flags={CHROME_FLAGS}"],
            env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, timeout=180)
        if result.returncode == 0:
            break
        if attempt == attempts - 1:
            raise SystemExit(f"Lighthouse failed {attempts} times on {url}")
    report = json.loads(Path(out).read_text())
    return {metric: report["audits"][metric]["numericValue"] for metric in METRICS} | {
        "score": report["categories"]["performance"]["score"] * 100,
        "lcp element": (report["audits"].get("largest-contentful-paint-element", {})
                        .get("details", {}).get("items", [{}])[0].get("items", [{}])[0]
                        .get("node", {}).get("selector", "?")),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8197)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is missing: (cd bench/lighthouse && npm ci --ignore-scripts)")
    env = environment(args.port)
    prepare(env)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(GUNICORN), "newsroom.wsgi", "--bind", f"127.0.0.1:{args.port}", "--workers", "2",
         "--no-control-socket"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        for _ in range(60):
            try:
                get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.5)
        targets = pages(base)
        version = json.loads((ROOT / "bench" / "lighthouse" / "node_modules" / "lighthouse"
                              / "package.json").read_text())["version"]
        print(f"Lighthouse {version} default mobile run, "
              f"median of {args.runs}, {base}")
        print(f"{'page':<10} {'LCP ms':>7} {'FCP ms':>7} {'SI ms':>7} {'TBT ms':>7} "
              f"{'CLS':>6} {'score':>5}  LCP element")
        folder = DATA / "lighthouse"  # the last run's reports, to read what an LCP is made of
        folder.mkdir(exist_ok=True)
        for name, path in targets.items():
            warm(base, path)
            runs = [lighthouse(base + path, f"{folder}/{name}-{n}.json")
                    for n in range(args.runs)]
            median = {metric: statistics.median(run[metric] for run in runs)
                      for metric in [*METRICS, "score"]}
            print(f"{name:<10} {median['largest-contentful-paint']:>7.0f} "
                  f"{median['first-contentful-paint']:>7.0f} {median['speed-index']:>7.0f} "
                  f"{median['total-blocking-time']:>7.0f} "
                  f"{median['cumulative-layout-shift']:>6.3f} {median['score']:>5.0f}  "
                  f"{runs[0]['lcp element']}")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
