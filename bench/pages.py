"""Benchmark the reading room's pages under HTTP load: gunicorn with the production settings
(DEBUG off, WhiteNoise, PostgreSQL, 2 workers) driven by wrk from another process.

    .venv/bin/python bench/pages.py [--cables 20000|251287] [--database NAME] [--duration 20]
        [--worker-class gthread,sync] [--connections 2,16] [--only cable,search-mix] [--repeat 1]
    .venv/bin/python bench/pages.py --cables 251287 --copies    # 251k made of copies of the 20k

Prepares what it needs and reuses it on the next run: the generated corpus under /tmp (by
shared/tools/make_corpus.py), a PostgreSQL database holding it (migrate, ingest, search index,
VACUUM ANALYZE; the counts are checked against the corpus manifest), collected static files and
the URL lists of the scenarios (random cables, cited-but-not-loaded ids, search terms by document
frequency). Then, for each worker class, boots gunicorn (settings ``bench.settings_pages``: the
production settings plus two floor views, so nothing is added to the app) and runs every scenario
for ``--duration`` seconds at each ``--connections`` level with ``wrk -t1``:

* the lowest level (2 connections, one request per worker) gives the per-request latencies
  (p50/p95 are wrk's per-request figures, not averages);
* the highest level (16) saturates the server and gives the throughput.

The cable page scenarios measure first visits: the page cache is made cold (the collection
version is bumped) after the warm-up and before each level, so earlier runs and levels leave no
stored pages behind. ``cable`` picks among 3,000 random cables with replacement (at a few hundred
requests a second, later requests of a level repeat earlier ones and hit the cache);
``cable-cold`` walks every cable of the database once, in a random order, so every request of a
level is a first visit as long as the level asks for fewer pages than the database holds.

Each figure is also given as a ratio to the floor measured in the same run (``floor``: a trivial
Django view through the whole middleware stack). Each level's log line also gives the CPU each
gunicorn worker used during it (``workers 0.97/0.80``, busiest first, and how many were replaced):
wrk keeps its connections for the whole level, so when they all sit on one worker the server runs
on one interpreter lock and about half the throughput; read a throughput with its split. Prints a
table and writes the raw results as JSON under /tmp. wrk comes from Debian (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CABLES_SHARED_DIR", ROOT.parent / "shared"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
TMP = Path(tempfile.gettempdir())
PY = sys.executable
SECRET = "bench-pages-not-a-secret-" + "x" * 40
LUA = Path(__file__).with_name("pages.lua")

# name, what it is; the paths come from prepare_urls()
SCENARIOS = {
    "floor": "trivial Django view, no database (the floor)",
    "floor-db": "trivial view + one SELECT 1",
    "cable": "cable page, 3,000 random cables (page cache cold at the start of each level)",
    "cable-cold": "cable page, every cable once in random order: first visits only",
    "home": "home page",
    "tags": "tag index",
    "cables": "all cables, page 1",
    "prel-1": "largest tag (PREL), page 1",
    "prel-deep": "PREL, a deep page",
    "prel-last": "PREL, its last page",
    "prel-any": "PREL, 200 random pages from first to last (any depth)",
    "origin": "largest origin, page 1",
    "year": "year archive (busiest year)",
    "month": "month archive (busiest month)",
    "missing": "cited-but-not-loaded cable pages",
    "search-mix": "search: 50% rare, 40% mid, 10% common words",
    "search-rare": "search: rare words only",
    "search-mid": "search: mid-frequency words only",
    "search-worst": "search: a word in more than half the cables",
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- preparation -------------------------------------------------------------------------------


def corpus(count: int) -> tuple[Path, dict]:
    if count == 20000:
        out = TMP / "bench-corpus" / "cables.csv"
    elif count == 251287:
        out = TMP / "bench-corpus" / "full.csv"
    else:
        out = TMP / f"bench-corpus-{count}" / "cables.csv"
    manifest = out.with_name(out.name + ".manifest.json")
    if not manifest.exists():
        log(f"generating {count:,} cables into {out}")
        out.parent.mkdir(parents=True, exist_ok=True)
        tool = str(SHARED / "tools" / "make_corpus.py")
        command = [
            PY,
            tool,
            "--count",
            str(count),
            "--format",
            "csv",
            "--out",
            str(out),
            "--force",
            "--quiet",
        ]
        subprocess.run(command, check=True)
    return out, json.loads(manifest.read_text())


def django_env(database: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG_URL}/{database}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_STATIC_ROOT": str(TMP / "bench-pages-static"),
        **extra,
    }


def manage(database: str, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=django_env(database), check=True)


def psql(database: str, sql: str) -> str:
    return subprocess.run(
        ["psql", f"{PG_URL}/{database}", "-Atc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def django_json(database: str, code: str) -> dict:
    """Run ``code`` in a configured Django child process; it must print one JSON object."""
    setup = (
        "import django, json, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'reading_room.settings')\n"
        "django.setup()\n"
    )
    done = subprocess.run(
        [PY, "-c", setup + code],
        cwd=ROOT,
        env=django_env(database),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


COUNTS = """
from cables.models import Cable, Paragraph, Reference
refs = Reference.objects.filter(kind="cable").exclude(target_identifier="")
from django.db import connection
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM cables_cable WHERE search_document IS NOT NULL")
    indexed = c.fetchone()[0]
print(json.dumps({
    "cables": Cable.objects.count(),
    "paragraphs": Paragraph.objects.filter(number__isnull=False).count(),
    "references": refs.count(),
    "resolved": refs.filter(cited__isnull=False).count(),
    "indexed": indexed,
}))
"""


def prepare_database(database: str, path: Path, manifest: dict, *, reload: bool, check: bool = True) -> dict:
    exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
    if not exists:
        psql("postgres", f'CREATE DATABASE "{database}"')
        log(f"created database {database}")
    manage(database, "migrate", "--noinput", "--verbosity", "0")
    manage(database, "createcachetable")
    counts = django_json(database, COUNTS)
    if counts["cables"] != manifest["cables"] or reload:
        if counts["cables"] and not reload:
            raise SystemExit(
                f"{database} holds {counts['cables']:,} cables, not {manifest['cables']:,}: "
                "pass --reload to load the corpus into it, or --database for another one"
            )
        log(f"loading {path} into {database} (about 1 min per 20,000 cables)")
        manage(database, "ingest_cables", str(path))
        counts = django_json(database, COUNTS)
    if counts["indexed"] != counts["cables"]:
        log("filling the search index")
        manage(database, "rebuild_search_index")
        psql(database, "VACUUM ANALYZE")
        counts = django_json(database, COUNTS)
    expected = {
        "cables": manifest["cables"],
        "paragraphs": manifest["paragraphs"],
        "references": manifest["references"]["total"],
        "resolved": manifest["references"]["in_corpus"],
        "indexed": manifest["cables"],
    }
    wrong = {key: (counts[key], value) for key, value in expected.items() if counts[key] != value}
    if wrong and check:
        raise SystemExit(f"{database} does not match the manifest (found, expected): {wrong}")
    if wrong:  # --no-manifest-check: a loaded database whose differences are known and explained
        log(f"NOT equal to the manifest (found, expected), going on as asked: {wrong}")
    log("database matches the manifest: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


COPIES_SQL = """
CREATE OR REPLACE FUNCTION bench_bump(x text, k int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN x ~ '^.*[^0-9][0-9]{1,9}$'
    THEN substring(x from '^(.*[^0-9])[0-9]+$') || (substring(x from '([0-9]+)$')::bigint + k * 1000000)::text
    ELSE x END $$;
DROP INDEX IF EXISTS cable_search_document_idx;
DO $$
DECLARE k int; lim int;
BEGIN
  FOR k IN 1..%(copies)d LOOP
    lim := CASE WHEN k = %(copies)d THEN %(last)d ELSE %(size)d END;
    INSERT INTO cables_cable (id, identifier, canonical_id, created, %(cable_columns)s)
    SELECT id + k * %(size)d, bench_bump(identifier, k), bench_bump(canonical_id, k),
           created + k * interval '1 minute', %(cable_columns)s
    FROM cables_cable WHERE id <= lim;
    INSERT INTO cables_paragraph (id, position, number, marking, text, cable_id)
    SELECT id + k * %(rows)d, position, number, marking, text, cable_id + k * %(size)d
    FROM cables_paragraph WHERE cable_id <= lim AND id <= %(rows)d;
    INSERT INTO cables_cabletag (id, position, cable_id, tag_id)
    SELECT id + k * %(rows)d, position, cable_id + k * %(size)d, tag_id
    FROM cables_cabletag WHERE cable_id <= lim AND id <= %(rows)d;
    INSERT INTO cables_recipient (id, kind, position, name, route, precedence, mcn, excluded, cable_id)
    SELECT id + k * %(rows)d, kind, position, name, route, precedence, mcn, excluded, cable_id + k * %(size)d
    FROM cables_recipient WHERE cable_id <= lim AND id <= %(rows)d;
    INSERT INTO cables_reference (id, position, label, text, kind, target_identifier, cited_id, citing_id)
    SELECT id + k * %(rows)d, position, label, text, kind,
           CASE WHEN kind = 'cable' AND target_identifier <> '' THEN bench_bump(target_identifier, k)
                ELSE target_identifier END,
           CASE WHEN cited_id <= lim THEN cited_id + k * %(size)d END, citing_id + k * %(size)d
    FROM cables_reference WHERE citing_id <= lim AND id <= %(rows)d;
  END LOOP;
END $$;
CREATE INDEX cable_search_document_idx ON cables_cable USING gin (search_document);
DROP FUNCTION bench_bump(text, int);
"""
SEQUENCES = ("cables_cable", "cables_paragraph", "cables_cabletag", "cables_recipient", "cables_reference")


def prepare_copies(database: str, source: str, count: int) -> dict:
    """A ``count``-cable database made of copies of ``source`` (the loaded 20,000 cables) in SQL:
    each copy gets new ids, identifiers with the serial raised by k * 1,000,000, created + k
    minutes, and its references re-pointed at the same copy. For measuring pages at scale when
    loading the real corpus takes too long; the text repeats, so the search's word frequencies
    are those of the source."""
    exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
    if not exists:
        size = int(psql(source, "SELECT max(id) FROM cables_cable"))
        if int(psql(source, "SELECT count(*) FROM cables_cable")) != size:
            raise SystemExit(f"{source}: cable ids are not 1..N; reload it")
        rows = 10 ** len(str(int(psql(source, "SELECT max(id) FROM cables_paragraph"))))
        log(f"copying {source} into {database} up to {count:,} cables")
        psql("postgres", f'CREATE DATABASE "{database}" TEMPLATE "{source}"')
        columns = psql(
            database,
            "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) "
            "FROM information_schema.columns WHERE table_name = 'cables_cable' "
            "AND column_name NOT IN ('id', 'identifier', 'canonical_id', 'created')",
        )
        copies, last = divmod(count - size, size)
        if last:
            copies += 1
        sql = COPIES_SQL % {
            "copies": copies,
            "last": last or size,
            "size": size,
            "rows": rows,
            "cable_columns": columns,
        }
        subprocess.run(
            ["psql", f"{PG_URL}/{database}", "-q", "-v", "ON_ERROR_STOP=1"], input=sql, text=True, check=True
        )
        for table in SEQUENCES:
            psql(
                database,
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))",
            )
        psql(database, "VACUUM ANALYZE")
    manage(database, "migrate", "--noinput", "--verbosity", "0")
    counts = django_json(database, COUNTS)
    if counts["cables"] != count or counts["indexed"] != count:
        raise SystemExit(f"{database}: {counts}, expected {count:,} cables, all indexed")
    log("copies database: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


URLS = """
import random
from django.db import connection
from django.db.models import Count
from cables.models import Cable, CableTag, Origin, Reference
from cables.search import parse_query
rng = random.Random(1)
total = Cable.objects.count()
ids = list(Cable.objects.order_by("?").values_list("identifier", flat=True)[:3000])
prel = CableTag.objects.filter(tag__code="PREL").count()
origin = Origin.objects.annotate(n=Count("cables")).order_by("-n").values_list("slug", flat=True)[0]
years = Cable.objects.per_year()
year = max(years, key=lambda row: row["count"])["year"]
months = Cable.objects.for_year(year).per_month()
month = max(months, key=lambda row: row["count"])["month"]
loaded = set()
missing = list(
    Reference.objects.filter(kind="cable", cited__isnull=True).exclude(target_identifier="")
    .order_by("?").values_list("target_identifier", flat=True)[:600]
)
missing = [m for m in dict.fromkeys(missing) if not Cable.objects.filter(identifier=m).exists()][:300]
step = max(1, total // 20000)
with connection.cursor() as c:
    c.execute(
        "SELECT word, ndoc FROM ts_stat('SELECT search_document FROM cables_cable WHERE id %% %s = 0')",
        [step],
    )
    stats = c.fetchall()
sample = -(-total // step)
def ok(word):
    try:
        query = parse_query(word).to_tsquery()
        return word.isalpha() and len(word) >= 4 and query in (f"'{word}'", f"('{word}')")
    except Exception:
        return False
def band(low, high):
    words = sorted(w for w, n in stats if low <= n / sample < high and ok(w))
    rng.shuffle(words)
    return words
rare = band(0.0004, 0.002)[:200]
mid = band(0.01, 0.1)[:200]
common = band(0.2, 0.5)[:50]
worst = band(0.5, 0.95)[:10]
freq = {w: round(n / sample, 4) for w, n in stats if w in set(rare + mid + common + worst)}
print(json.dumps({
    "total": total, "ids": ids, "prel": prel, "origin": origin, "year": year, "month": month,
    "missing": missing, "rare": rare, "mid": mid, "common": common, "worst": worst, "freq": freq,
}))
"""


def prepare_urls(database: str, page_size: int = 50) -> dict[str, list[str]]:
    cache = TMP / f"bench-pages-{database}-urls.json"
    if cache.exists():
        data = json.loads(cache.read_text())
    else:
        log("choosing the scenarios' URLs (random cables, missing ids, search terms by frequency)")
        data = django_json(database, URLS)
        cache.write_text(json.dumps(data))
    rng = random.Random(1)
    prel_pages = -(-data["prel"] // page_size)
    deep = min(2000, max(1, prel_pages * 4 // 5))
    search_mix = (
        [rng.choice(data["rare"]) for _ in range(50)]
        + [rng.choice(data["mid"]) for _ in range(40)]
        + [rng.choice(data["common"]) for _ in range(10)]
    )
    data["deep_page"] = deep
    return {
        "floor": ["/bench/floor/"],
        "floor-db": ["/bench/floor-db/"],
        "cable": [f"/cables/{i}/" for i in data["ids"]],
        "cable-cold": [f"/cables/{i}/" for i in all_identifiers(database)],
        "home": ["/"],
        "tags": ["/tags/"],
        "cables": ["/cables/"],
        "prel-1": ["/tags/PREL/"],
        "prel-deep": [f"/tags/PREL/?page={deep}"],
        "prel-last": [f"/tags/PREL/?page={prel_pages}"],
        "prel-any": [f"/tags/PREL/?page={rng.randint(1, prel_pages)}" for _ in range(200)],
        "origin": [f"/origins/{data['origin']}/"],
        "year": [f"/archive/{data['year']}/"],
        "month": [f"/archive/{data['year']}/{data['month']}/"],
        "missing": [f"/cables/{i}/" for i in data["missing"]],
        "search-mix": [f"/cables/?q={w}" for w in search_mix],
        "search-rare": [f"/cables/?q={w}" for w in data["rare"]],
        "search-mid": [f"/cables/?q={w}" for w in data["mid"]],
        "search-worst": [f"/cables/?q={w}" for w in data["worst"][:3]],
    }, data


def all_identifiers(database: str) -> list[str]:
    """Every cable of the database, in a fixed random order (``cable-cold`` walks it)."""
    identifiers = psql(database, "SELECT identifier FROM cables_cable ORDER BY identifier").split("\n")
    random.Random(2).shuffle(identifiers)
    return identifiers


COLD_PAGES = """
from cables.page_cache import collection_version_bump
print(json.dumps({"version": collection_version_bump()}))
"""
COLD_SCENARIOS = {"cable": "random", "cable-cold": "walk"}


# --- the server and the load -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the production settings and the bench URLconf, in its own process group."""

    def __init__(self, database: str, worker_class: str, workers: int, threads: int, logfile: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = str(Path(PY).with_name("gunicorn"))
        command = [
            gunicorn, "reading_room.wsgi:application", "--config", "gunicorn.conf.py",
            "--worker-class", worker_class,
        ]  # fmt: skip
        env = django_env(
            database,
            DJANGO_SETTINGS_MODULE="bench.settings_pages",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=str(workers),
            GUNICORN_THREADS=str(threads),
            GUNICORN_LOG_LEVEL="warning",
        )
        self.log = logfile.open("ab")
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/bench/floor/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not start; see {logfile}")

    def check(self, paths: list[str]) -> None:
        """Fail loudly if a scenario's pages do not answer 200."""
        for path in paths[:5]:
            try:
                with urllib.request.urlopen(self.base + path, timeout=30) as response:  # noqa: S310
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            if status != 200:
                raise SystemExit(f"{path} answered {status}")

    def worker_cpu(self) -> dict[int, float]:
        """CPU seconds used so far by each current worker (the master's children), from /proc."""
        ticks = os.sysconf("SC_CLK_TCK")
        found = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == self.proc.pid:  # the parent is the gunicorn master
                found[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def wrk(base: str, paths: list[str], *, connections: int, duration: float, order: str = "random") -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    try:
        command = [
            "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s",
            "-s", str(LUA), base, "--", handle.name, order,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    finally:
        os.unlink(handle.name)
    match = re.search(r"^RESULT (\{.*\})$", done.stdout, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
    result = json.loads(match.group(1))
    seconds = result["duration_us"] / 1e6
    result["rps"] = result["requests"] / seconds if seconds else 0.0
    result["errors"] = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
    return result


def worker_cores(before: dict[int, float], after: dict[int, float], result: dict) -> str:
    """Each worker's share of the level as cores busy, busiest first ("0.97/0.95"), and how many
    workers were replaced during it: with wrk's connections kept alive for the whole level, the
    two workers can split them unevenly (all on one worker: one interpreter lock, half the
    throughput), so a throughput is read together with this split."""
    seconds = result["duration_us"] / 1e6 or 1.0
    # a worker that left during the level is not counted; one that came, from its start
    cores = sorted(((used - before.get(pid, 0.0)) / seconds for pid, used in after.items()), reverse=True)
    split = "/".join(f"{core:.2f}" for core in cores)
    replaced = len(set(before) - set(after))
    return f"{split}, {replaced} replaced" if replaced else split


# --- report ------------------------------------------------------------------------------------


def table(results: list[dict], low: int, high: int) -> str:
    rows = [
        f"| worker | scenario | p50 ms | p95 ms | p99 ms | req/s @{low} | req/s @{high} | errors "
        "| p50 ×floor | p95 ×floor | floor req/s ÷ req/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    by_key = {(r["worker"], r["scenario"], r["connections"]): r for r in results}
    for worker in dict.fromkeys(r["worker"] for r in results):
        floor_low = by_key.get((worker, "floor", low))
        floor_high = by_key.get((worker, "floor", high))
        for scenario in dict.fromkeys(r["scenario"] for r in results if r["worker"] == worker):
            lat = by_key.get((worker, scenario, low))
            thr = by_key.get((worker, scenario, high))
            if lat is None:
                continue
            errors = lat["errors"] + (thr["errors"] if thr and thr is not lat else 0)
            ratio = lambda a, b: f"{a / b:.1f}" if b else "-"  # noqa: E731
            rows.append(
                f"| {worker} | {scenario} | {lat['p50'] / 1000:.1f} | {lat['p95'] / 1000:.1f} "
                f"| {lat['p99'] / 1000:.1f} "
                f"| {lat['rps']:.0f} | {thr['rps'] if thr else 0:.0f} | {errors} "
                f"| {ratio(lat['p50'], floor_low['p50']) if floor_low else '-'} "
                f"| {ratio(lat['p95'], floor_low['p95']) if floor_low else '-'} "
                f"| {ratio(floor_high['rps'], thr['rps']) if floor_high and thr else '-'} |"
            )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cables", type=int, default=20000, help="corpus size (20000 or 251287)")
    parser.add_argument(
        "--database", help="PostgreSQL database (default readingroom_pages / readingroom_full)"
    )
    parser.add_argument(
        "--reload", action="store_true", help="ingest the corpus even if the database has cables"
    )
    parser.add_argument("--duration", type=float, default=20, help="seconds per scenario and level")
    parser.add_argument(
        "--connections", default="2,16", help="levels: the lowest for latency, the highest for throughput"
    )
    parser.add_argument("--worker-class", default="gthread", help="gthread, sync or both (comma-separated)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", "4")))
    parser.add_argument("--only", help="comma-separated scenarios (floor is always run)")
    parser.add_argument("--repeat", type=int, default=1, help="run the whole set this many times")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument(
        "--no-manifest-check",
        action="store_true",
        help="measure a loaded database even if its counts differ from the manifest (says how)",
    )
    parser.add_argument(
        "--copies",
        action="store_true",
        help="make the --cables database from copies of the 20,000-cable one (SQL, minutes) "
        "instead of loading the generated corpus",
    )
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    database = args.database or ("readingroom_full" if args.cables == 251287 else "readingroom_pages")
    if args.cables not in (20000, 251287) and not args.database:
        database = f"readingroom_pages_{args.cables}"
    if args.copies:
        database = args.database or f"readingroom_copies_{args.cables}"
        path, manifest = corpus(20000)
        prepare_database("readingroom_pages", path, manifest, reload=False)
        counts = prepare_copies(database, "readingroom_pages", args.cables)
    else:
        path, manifest = corpus(args.cables)
        counts = prepare_database(
            database, path, manifest, reload=args.reload, check=not args.no_manifest_check
        )
    manage(database, "collectstatic", "--noinput", "--verbosity", "0")
    urls, data = prepare_urls(database)
    if args.prepare_only:
        return
    levels = sorted(int(c) for c in args.connections.split(","))
    low, high = levels[0], levels[-1]
    scenarios = list(SCENARIOS)
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - set(SCENARIOS)
        if unknown:
            raise SystemExit(f"unknown scenarios: {sorted(unknown)}")
        scenarios = [s for s in scenarios if s == "floor" or s in wanted]

    stamp = time.strftime("%Y%m%d-%H%M%S")
    logfile = TMP / f"bench-pages-{stamp}.gunicorn.log"
    results = []
    for run in range(1, args.repeat + 1):
        for worker in args.worker_class.split(","):
            log(f"run {run}: gunicorn {worker}, {args.workers} workers, {args.threads} threads, {database}")
            server = Server(database, worker, args.workers, args.threads, logfile)
            try:
                for scenario in scenarios:
                    server.check(urls[scenario])
                    order = COLD_SCENARIOS.get(scenario, "random")
                    wrk(server.base, urls[scenario], connections=low, duration=2, order=order)  # warm-up
                    for connections in levels:
                        if scenario in COLD_SCENARIOS:
                            django_json(database, COLD_PAGES)  # first visits: no stored page is current
                        before = server.worker_cpu()
                        result = wrk(
                            server.base,
                            urls[scenario],
                            connections=connections,
                            duration=args.duration,
                            order=order,
                        )
                        result.update(run=run, worker=worker, scenario=scenario, connections=connections)
                        result["worker_cores"] = worker_cores(before, server.worker_cpu(), result)
                        results.append(result)
                        log(
                            f"  {scenario:13} c={connections:<3} p50 {result['p50'] / 1000:7.1f} ms  "
                            f"p95 {result['p95'] / 1000:7.1f} ms  {result['rps']:7.1f} req/s  "
                            f"errors {result['errors']}  workers {result['worker_cores']}"
                        )
            finally:
                server.stop()
    out = TMP / f"bench-pages-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "database": database,
                "counts": counts,
                "args": vars(args),
                "urls": {k: v[:20] for k, v in urls.items()},
                "search_terms": {k: data[k] for k in ("rare", "mid", "common", "worst")},
                "term_frequency": data["freq"],
                "deep_page": data["deep_page"],
                "cpus": os.cpu_count(),
                "loadavg_end": os.getloadavg(),
                "results": results,
            },
            indent=1,
        )
    )
    for run in range(1, args.repeat + 1):
        print(
            f"\n{counts['cables']:,} cables, run {run} (latency at {low} connections, throughput at {high})"
        )
        print(table([r for r in results if r["run"] == run], low, high))
    print(f"\nraw results: {out}\ngunicorn log: {logfile}")


if __name__ == "__main__":
    main()
