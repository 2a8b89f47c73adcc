"""The benchmark suite: the site served as `make serve` serves it, on an archive at newsroom
scale, against a bare Django page under the same server (the ceiling).

    make bench                                   # 100,000 stories, 1,000,000 comments
    make bench BENCH_ARGS="--articles 2000 --comments 20000 --seconds 2 --rounds 2"  # quick

What it does (bench/README.md has the details and the figures):

1. Checks its tools: wrk (it installs nothing; `apt-get install -y wrk` when missing) and the
   services: PostgreSQL (the DATABASE_URL server, else 127.0.0.1:5432) and Redis (the
   REDIS_URL server, else 127.0.0.1:6379). A missing one is said clearly and replaced by what
   the site itself falls back to (an SQLite file, the embedded file cache); the report says so.
2. Uses a database of its own, never the DATABASE_URL one: `newsroom_bench_archive` for the
   default sizes, `newsroom_bench_archive_<articles>_<comments>` for others. Migrates it and,
   when it holds no archive yet (or with --regenerate), fills it with
   `manage.py generate_archive`. Redis database 12 (or --redis-url) is emptied before each
   server start: give the suite one nothing else uses.
3. Runs the site as `make serve` does: gunicorn, 2 workers, --no-control-socket, DEBUG off,
   DJANGO_HTTPS=0, a fresh random DJANGO_SECRET_KEY, collectstatic into a temporary folder
   (once), whitenoise. bench/serve_settings.py is newsroom.settings plus the bare page.
4. Loads each page with wrk for --seconds, --rounds times, the pages taking turns within each
   round so none profits from a quiet moment another had; reports the median over the rounds
   of requests/s and of p50, p95 and p99 latency, and the share of the bare page's requests/s.
   The admin change lists are loaded as a staff user made for the bench (its session cookie
   goes to wrk with -H). Search rotates through several queries.
5. Three times: with the page cache (as production runs); with NEWSROOM_PAGE_CACHE_SECONDS=0
   (every page rendered, reusing the parts kept rendered in the cache, newsroom/fragments.py,
   as a page rendered again in production does: the "uncached" figures the targets are for);
   and "cold", with NEWSROOM_FRAGMENT_CACHE_SECONDS=0 too (every part of every page rendered,
   for information). After each, the peak resident memory (VmHWM) of every gunicorn worker.
6. Prints a table and each target met or missed; writes bench/.data/results-<time>.json.
"""

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DEFAULT_ARTICLES, DEFAULT_COMMENTS = 100_000, 1_000_000
STAFF_USER = "bench-staff"

# (key, label, kind): kind "public" (anonymous, cached when the page cache is on), "search"
# (anonymous, never cached), "admin" (staff session, never cached).
PAGES = [
    ("bare", "bare Django page (ceiling)", "public"),
    ("front", "front page", "public"),
    ("article", "article, 200 comments", "public"),
    ("section", "section page", "public"),
    ("tag", "tag page", "public"),
    ("interview", "interview page", "public"),
    ("feed", "RSS feed", "public"),
    ("search", "search", "search"),
    ("admin_articles", "admin: stories list", "admin"),
    ("admin_comments", "admin: moderation queue", "admin"),
]
# The moderation queue as moderators work it: pending first, sorted by spam score.
ADMIN_COMMENTS_QUERY = "?status__exact=pending&o=5"

TARGETS = {
    "cached": 0.8,  # cached anonymous pages, share of the ceiling
    "uncached_article": 0.10,
    "uncached_other": 0.15,
    "admin_p95_ms": 500,
    "search_p95_ms": 150,
    "worker_mb": 200,
}

WRK_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""
WRK_ROTATE = r"""
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, paths[(counter %% #paths) + 1])
end
"""


def say(message=""):
    print(message, flush=True)


# Services ---------------------------------------------------------------------------------------


def database_url(args):
    """The bench's own database: on the DATABASE_URL server when that is PostgreSQL, else
    on 127.0.0.1:5432; never the DATABASE_URL database itself."""
    default_size = (args.articles, args.comments) == (DEFAULT_ARTICLES, DEFAULT_COMMENTS)
    name = "newsroom_bench_archive" if default_size else \
        f"newsroom_bench_archive_{args.articles}_{args.comments}"
    if args.database_url:
        return args.database_url, None
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        server = "postgres://postgres@127.0.0.1:5432/postgres"
    base = server.rsplit("/", 1)[0]
    return f"{base}/{name}", f"{base}/postgres"


def check_postgres(url, admin_url):
    """None when the database is there (created if need be), else why not."""
    import psycopg
    from psycopg import sql

    if not url.startswith(("postgres://", "postgresql://")):
        return None
    try:
        psycopg.connect(url, connect_timeout=3).close()
        return None
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error) or admin_url is None:
            return str(error).strip().splitlines()[0]
    name = url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    say(f"created database {name}")
    return None


def drop_database(url, admin_url):
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                           .format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redis_url(args):
    if args.redis_url:
        return args.redis_url
    server = os.environ.get("REDIS_URL", "") or "redis://127.0.0.1:6379/0"
    parsed = urllib.parse.urlsplit(server)
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, "/12", "", ""))


def check_redis(url):
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        return None
    except redis.RedisError as error:
        return str(error)


def flush_redis(url):
    if url:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()


# The project's commands ---------------------------------------------------------------------------


def manage(env, *arguments, capture=False, check=True):
    command = [str(PYTHON), str(ROOT / "manage.py"), *arguments]
    result = subprocess.run(command, cwd=ROOT, env=env, text=True, check=False,
                            capture_output=capture)
    if check and result.returncode != 0:
        if capture:
            sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"`manage.py {' '.join(arguments)}` failed ({result.returncode})")
    return result


def archive_pages(env):
    """{"urls": …, "counts": …} of the archive in the bench database, or None."""
    result = manage(env, "generate_archive", "--show", "--json", capture=True, check=False)
    if result.returncode != 0:
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


STAFF_SCRIPT = """
from django.contrib.auth import get_user_model
User = get_user_model()
user = User.objects.filter(username={name!r}).first() or User(username={name!r})
user.is_staff = user.is_superuser = user.is_active = True
user.email = "bench@example.org"
user.set_password({password!r})
user.save()
"""


# The server ---------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, env, workers, port):
        self.env, self.workers, self.port = env, workers, port
        self.base = f"http://127.0.0.1:{port}"
        self.process = None

    def __enter__(self):
        command = [str(GUNICORN), "newsroom.wsgi", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--no-control-socket",
                   "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start ({self.process.returncode})")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:
                    if response.status == 200 and len(self.worker_pids()) == self.workers:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self):
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def worker_memory(self):
        """{pid: (VmHWM, VmRSS) in MB} of each worker."""
        memory = {}
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", status, re.MULTILINE))
            memory[pid] = (int(fields["VmHWM"]) / 1024, int(fields["VmRSS"]) / 1024)
        return memory

    def login(self, username, password):
        """The session cookie of a staff login through the admin's own form."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{self.base}/admin/login/", timeout=10) as response:
            page = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": token,
                                       "next": "/admin/"}).encode()
        request = urllib.request.Request(f"{self.base}/admin/login/", data=data,
                                         headers={"Referer": f"{self.base}/admin/login/"})
        with opener.open(request, timeout=10) as response:
            response.read()
        cookies = {cookie.name: cookie.value for cookie in jar}
        if "sessionid" not in cookies:
            raise SystemExit("could not log in to the admin as the bench's staff user")
        return "; ".join(f"{name}={value}" for name, value in cookies.items())

    def get(self, path, cookie=None):
        request = urllib.request.Request(self.base + path,
                                         headers={"Cookie": cookie} if cookie else {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, ""


def run_wrk(base, path, seconds, connections, cookie=None, rotate=None):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if rotate:
            script.write(WRK_ROTATE % ", ".join(json.dumps(p) for p in rotate))
        script.write(WRK_DONE)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
               "-s", script.name]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(base + path)
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True,
                                timeout=seconds + 60).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("JSON "))
    result = json.loads(line[5:])
    if not result["requests"]:  # not one answer within the time: slower than all of it
        result.update({key: float("inf") for key in ("p50", "p95", "p99", "max")})
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "timeout"))
    return result


# Measuring ----------------------------------------------------------------------------------------


def measure(server, pages, args, cookie):
    """{key: [wrk result per round]} for `pages`: [(key, path, kind)]."""
    results = {key: [] for key, _path, _kind in pages}
    for round_number in range(args.rounds):
        turn = round_number % len(pages)
        for key, path, kind in pages[turn:] + pages[:turn]:
            rotate = path if isinstance(path, list) else None
            result = run_wrk(server.base, rotate[0] if rotate else path, args.seconds,
                             args.connections, cookie=cookie if kind == "admin" else None,
                             rotate=rotate)
            results[key].append(result)
            say(f"  round {round_number + 1}/{args.rounds}  {key:<15} {result['rps']:>8.1f} req/s"
                f"  p50 {ms(result['p50'] / 1000):>7} ms  p99 {ms(result['p99'] / 1000):>7} ms"
                + (f"  ({result['status']} non-2xx, {result['errors']} errors)"
                   if result["status"] or result["errors"] else ""))
    return results


def summarise(runs):
    """Medians over the rounds, and the errors of all rounds."""
    return {
        "rps": statistics.median(run["rps"] for run in runs),
        "p50": statistics.median(run["p50"] for run in runs) / 1000,
        "p95": statistics.median(run["p95"] for run in runs) / 1000,
        "p99": statistics.median(run["p99"] for run in runs) / 1000,
        "rounds": [round(run["rps"], 1) for run in runs],
        "non2xx": sum(run["status"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
    }


def warm(server, pages, cookie):
    """Each page answers 200 (and is in the page cache, where it may be) before timing."""
    for key, path, kind in pages:
        for one in (path if isinstance(path, list) else [path]):
            for _ in range(3):
                status, body = server.get(one, cookie if kind == "admin" else None)
                if status != 200:
                    raise SystemExit(f"{one} answered {status}; nothing was measured")
            if key == "article" and "200 comments" not in body:
                raise SystemExit(f"{one} does not show 200 comments")


def run_mode(name, env, args, page_paths, password):
    say(f"\n== {name}: gunicorn, {args.workers} workers, page cache "
        f"{'off' if env['NEWSROOM_PAGE_CACHE_SECONDS'] == '0' else 'on'}, fragments "
        f"{'off' if env.get('NEWSROOM_FRAGMENT_CACHE_SECONDS') == '0' else 'on'}")
    if env.get("REDIS_URL"):
        flush_redis(env["REDIS_URL"])
    with Server(env, args.workers, free_port()) as server:
        cookie = server.login(STAFF_USER, password)
        warm(server, page_paths, cookie)
        results = measure(server, page_paths, args, cookie)
        memory = server.worker_memory()
    return {key: summarise(runs) for key, runs in results.items()}, memory


# Reporting ----------------------------------------------------------------------------------------


def ms(value):
    return f"{value:,.1f}" if value != float("inf") else "none finished"


def table(modes, labels):
    lines = ["| page | run | req/s | × ceiling | p50 ms | p95 ms | p99 ms |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for mode, (results, _memory) in modes.items():
        ceiling = results["bare"]["rps"]
        for key, result in results.items():
            share = f"{result['rps'] / ceiling:.2f}" if key != "bare" else "1.00"
            flags = f" ({result['non2xx']} non-2xx)" if result["non2xx"] else ""
            lines.append(f"| {labels[key]}{flags} | {mode} | {result['rps']:,.1f} | {share} | "
                         f"{ms(result['p50'])} | {ms(result['p95'])} | {ms(result['p99'])} |")
    return "\n".join(lines)


def verdicts(modes):
    checks = []
    cached = modes.get("cached", (None,))[0]
    uncached = modes.get("uncached", (None,))[0]
    if cached:
        ceiling = cached["bare"]["rps"]
        for key in ("front", "article", "section", "tag", "interview", "feed"):
            share = cached[key]["rps"] / ceiling
            checks.append((f"cached {key} ≥ {TARGETS['cached']} of the ceiling",
                           f"{share:.2f}", share >= TARGETS["cached"]))
        for key in ("admin_articles", "admin_comments"):
            p95 = cached[key]["p95"]
            checks.append((f"{key} p95 < {TARGETS['admin_p95_ms']} ms", f"{ms(p95)} ms",
                           p95 < TARGETS["admin_p95_ms"]))
        p95 = cached["search"]["p95"]
        checks.append((f"search p95 < {TARGETS['search_p95_ms']} ms", f"{ms(p95)} ms",
                       p95 < TARGETS["search_p95_ms"]))
    if uncached:
        ceiling = uncached["bare"]["rps"]
        for key in ("front", "article", "section", "tag", "interview", "feed"):
            target = TARGETS["uncached_article"] if key == "article" else \
                TARGETS["uncached_other"]
            share = uncached[key]["rps"] / ceiling
            checks.append((f"uncached {key} ≥ {target} of the ceiling", f"{share:.2f}",
                           share >= target))
    peak = max((hwm for _results, memory in modes.values() for hwm, _rss in memory.values()),
               default=0)
    checks.append((f"every worker < {TARGETS['worker_mb']} MB resident (peak VmHWM)",
                   f"{peak:.0f} MB", peak < TARGETS["worker_mb"]))
    return checks


# Main ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES)
    parser.add_argument("--comments", type=int, default=DEFAULT_COMMENTS)
    parser.add_argument("--interviews", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regenerate", action="store_true",
                        help="empty the bench database and generate the archive again")
    parser.add_argument("--seconds", type=int, default=5, help="wrk time per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=2,
                        help="wrk connections (default 2: one per worker, so latencies are "
                             "service times, not queueing)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["cached", "uncached", "cold"],
                        help="one of the three server runs only")
    parser.add_argument("--database-url", help="the bench database (default: its own, see "
                                               "above)")
    parser.add_argument("--redis-url", help="a Redis database the suite may empty "
                                            "(default: database 12 of the REDIS_URL server "
                                            "or of 127.0.0.1:6379)")
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        raise SystemExit("bench/suite.py needs wrk, the HTTP load generator: "
                         "apt-get install -y wrk")
    if not GUNICORN.exists():
        raise SystemExit(f"{GUNICORN} is missing: run `make install` first")
    sys.path.insert(0, str(ROOT))

    fallbacks = []
    db_url, admin_url = database_url(args)
    problem = check_postgres(db_url, admin_url)
    if problem:
        DATA.mkdir(parents=True, exist_ok=True)
        sqlite = DATA / f"archive-{args.articles}-{args.comments}.sqlite3"
        fallbacks.append(f"PostgreSQL is not available ({problem}): SQLite file {sqlite}; "
                         "search is the SQLite fallback; figures are not comparable")
        db_url, admin_url = f"sqlite:///{sqlite}", None
    cache_url = redis_url(args)
    problem = check_redis(cache_url)
    cache_dir = tempfile.mkdtemp(prefix="newsroom-bench-cache-")
    if problem:
        fallbacks.append(f"Redis is not available at {cache_url} ({problem}): the embedded "
                         "file cache")
        cache_url = ""
    for line in fallbacks:
        say(f"FALLBACK: {line}")

    static_root = tempfile.mkdtemp(prefix="newsroom-bench-static-")
    media_root = DATA / "media"
    media_root.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.serve_settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": cache_url,
        "NEWSROOM_CACHE_DIR": cache_dir,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_STATIC_ROOT": static_root,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "NEWSROOM_PAGE_CACHE_SECONDS": "300",
        "NEWSROOM_FRAGMENT_CACHE_SECONDS": "86400",
    }
    say(f"database {db_url}\ncache    {cache_url or 'embedded file cache ' + cache_dir}")

    try:
        if args.regenerate:
            if admin_url:
                drop_database(db_url, admin_url)
            elif db_url.startswith("sqlite:///"):
                Path(db_url[len("sqlite:///"):]).unlink(missing_ok=True)
        manage(env, "migrate", "--no-input", "-v0")
        archive = None if args.regenerate else archive_pages(env)
        if archive is None:
            sizes = ["--articles", str(args.articles), "--comments", str(args.comments),
                     "--seed", str(args.seed)]
            if args.interviews is not None:
                sizes += ["--interviews", str(args.interviews)]
            started = time.monotonic()
            manage(env, "generate_archive", *sizes)
            say(f"archive generated in {time.monotonic() - started:.0f} s")
            if cache_url:
                flush_redis(cache_url)
            archive = archive_pages(env)
        else:
            say("reusing the archive already in the database (--regenerate makes a new one)")
        counts = archive_counts(env)
        say("archive: " + ", ".join(f"{value:,} {key}" for key, value in counts.items()))

        password = secrets.token_urlsafe(24)
        manage(env, "shell", "-c", STAFF_SCRIPT.format(name=STAFF_USER, password=password),
               capture=True)
        manage(env, "collectstatic", "--no-input", "-v0")

        urls = archive["urls"]
        page_paths = []
        for key, _label, kind in PAGES:
            path = {"bare": "/bench/bare/", "search": urls["searches"],
                    "admin_comments": urls["admin_comments"] + ADMIN_COMMENTS_QUERY}.get(
                        key, urls.get(key))
            page_paths.append((key, path, kind))
        labels = {key: label for key, label, _kind in PAGES}

        modes = {}
        if args.only in (None, "cached"):
            modes["cached"] = run_mode("cached", env, args, page_paths, password)
        if args.only in (None, "uncached"):
            # Search and the admin are never cached: measured once, in the cached run.
            public = [page for page in page_paths if page[2] == "public"]
            modes["uncached"] = run_mode(
                "uncached", {**env, "NEWSROOM_PAGE_CACHE_SECONDS": "0"}, args, public, password)
        if args.only in (None, "cold"):
            public = [page for page in page_paths if page[2] == "public"]
            modes["cold"] = run_mode(
                "cold", {**env, "NEWSROOM_PAGE_CACHE_SECONDS": "0",
                         "NEWSROOM_FRAGMENT_CACHE_SECONDS": "0"}, args, public, password)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(cache_dir, ignore_errors=True)

    when = datetime.now(UTC)
    say(f"\n{when:%Y-%m-%d %H:%M} UTC, `{' '.join(['bench/suite.py', *sys.argv[1:]])}`, "
        f"wrk -t1 -c{args.connections}, {args.rounds} rounds of {args.seconds} s per page "
        f"(medians over the rounds); load average {os.getloadavg()[0]:.1f}")
    for line in fallbacks:
        say(f"FALLBACK: {line}")
    say(table(modes, labels))
    for mode, (_results, memory) in modes.items():
        say(f"{mode}: worker peak resident memory (VmHWM) "
            + ", ".join(f"{hwm:.0f} MB" for hwm, _rss in memory.values()))
    say("\nTargets:")
    checks = verdicts(modes)
    for name, value, met in checks:
        say(f"  {'met   ' if met else 'MISSED'}  {name}: {value}")
    DATA.mkdir(parents=True, exist_ok=True)
    output = DATA / f"results-{when:%Y%m%d-%H%M%S}.json"
    output.write_text(json.dumps({
        "when": when.isoformat(), "argv": sys.argv[1:], "database": db_url.split("@")[-1],
        "cache": cache_url or "embedded", "fallbacks": fallbacks, "counts": counts,
        "urls": archive["urls"], "connections": args.connections, "rounds": args.rounds,
        "seconds": args.seconds,
        "modes": {mode: {"results": results,
                         "memory_mb": {str(pid): hwm for pid, (hwm, _rss) in memory.items()}}
                  for mode, (results, memory) in modes.items()},
        "targets": [{"target": n, "value": v, "met": m} for n, v, m in checks],
    }, indent=1))
    say(f"\nresults written to {output.relative_to(ROOT)}")


COUNT_SCRIPT = """
import json
from articles.models import Article
from comments.models import Comment
from interviews.models import Interview
print(json.dumps({"stories": Article.objects.count(),
                  "public stories": Article.objects.published().count(),
                  "interviews": Interview.objects.count(),
                  "comments": Comment.objects.count(),
                  "approved comments": Comment.objects.approved().count(),
                  "pending comments": Comment.objects.pending().count()}))
"""


def archive_counts(env):
    result = manage(env, "shell", "-c", COUNT_SCRIPT, capture=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
