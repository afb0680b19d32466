"""Benchmark the ingest into fresh SQLite and PostgreSQL databases, against a raw COPY floor.

    .venv/bin/python bench/ingest.py                      # everyday: 20,000 cables
    .venv/bin/python bench/ingest.py --cables 251287      # the full release (1.8 GB cables.csv)
    options: [--backends sqlite,postgres] [--batch-size 500] [--workers N] [--no-floor]

The corpus is generated under /tmp (never in the repo) by shared/tools/make_corpus.py and reused
if present (the full one as /tmp/bench-corpus/full.csv); its manifest holds the exact counts the
load is checked against, its truth file (``--truth``: the same csv bytes) what each cable cites.
The reference counts differ from the manifest by design (the generator counts what it meant to
cite, the reading room what the spec makes of the text): bench/references_audit.py compares the
load with the truth cable by cable (also when the sums agree: two errors could cancel out), and
the check passes only if every difference is explained by a rule of the spec.

Each step runs in a child process: wall time from here, peak RSS of the child from os.wait4,
and the peak of the child *plus its parser workers* sampled from /proc. The CPU time of a fresh
load is split per cable between the writing process, its parser workers and the PostgreSQL
backend (read from /proc: the server runs on this machine): CPU time moves far less than wall
time with the neighbours' load, and says which part to work on.

The floor is a raw ``COPY`` of the same CSV into a one-table PostgreSQL database (8 text
columns, no index): what it costs to move the bytes into the server at all. Every figure is also
given as a ratio to it. Then: a fresh load, the counts against the manifest, and a second run
over the same file (which must write nothing). Uses its own databases (readingroom_ingestbench_N,
readingroom_ingestfloor_N, /tmp/readingroom-ingestbench-N.sqlite3 for N cables); never any other.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CABLES_SHARED_DIR", ROOT.parent / "shared"))
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
# Suffixed with the corpus size (runs of two sizes may overlap).
PG_DB = "readingroom_ingestbench"
PG_FLOOR_DB = "readingroom_ingestfloor"
FULL = 251287


def corpus(count: int) -> tuple[Path, dict]:
    folder = Path(tempfile.gettempdir()) / "bench-corpus"
    if count == FULL:
        out = folder / "full.csv"
    elif count == 20000:
        out = folder / "cables.csv"
    else:
        out = Path(tempfile.gettempdir()) / f"bench-corpus-{count}" / "cables.csv"
    manifest = out.with_name(out.name + ".manifest.json")
    if not manifest.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tool = str(SHARED / "tools" / "make_corpus.py")
        command = [sys.executable, tool, "--count", str(count), "--format", "csv", "--out", str(out)]
        subprocess.run([*command, "--truth", "--force", "--quiet"], check=True)
    return out, json.loads(manifest.read_text())


def _tree_rss_kib(pid: int) -> int:
    """RSS of ``pid`` and its descendants, in KiB (0 once it is gone)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def child(env: dict[str, str], *args: str) -> tuple[dict, float, int, int]:
    """Run this script as a child step: (its JSON output, wall seconds, peak RSS of the child,
    peak RSS of the child and its workers together), RSS in KiB."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, __file__, *args], env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.PIPE
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            peak[0] = max(peak[0], _tree_rss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"step {args} failed with status {proc.returncode}")
    return (
        json.loads(output or b"{}"),
        time.monotonic() - started,
        usage.ru_maxrss,
        max(peak[0], usage.ru_maxrss),
    )


def step_migrate() -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def step_ingest(path: str, batch_size: int, workers: int) -> dict:
    from cables.ingest import cables_ingest
    from cables.models import Cable, Paragraph, Reference

    server = _server_cpu_reader()
    server_before = server()
    report = cables_ingest(sources=[path], batch_size=batch_size, workers=workers)
    server_seconds = server() - server_before
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cable_refs = Reference.objects.filter(kind="cable").exclude(target_identifier="")
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "unparsed": report.unparsed,
        "failed": len(report.failed),
        "failures": report.failed[:5],
        "elapsed": report.elapsed,
        "cables": Cable.objects.count(),
        "paragraphs_numbered": Paragraph.objects.filter(number__isnull=False).count(),
        "paragraphs": Paragraph.objects.count(),
        "references": cable_refs.count(),
        "resolved": report.references_resolved,
        # CPU seconds: this process (the writer), its parser workers, the database server's backend
        "cpu": {
            "writer": own.ru_utime + own.ru_stime,
            "workers": children.ru_utime + children.ru_stime,
            "server": server_seconds,
        },
    }


def _server_cpu_reader() -> Callable[[], float]:
    """A function reading the CPU seconds of this connection's PostgreSQL backend (the server runs
    on this machine; /proc is readable); a constant 0 on SQLite, where the writer does it all."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime

    return read


def step_floor(path: str, database: str) -> dict:
    """COPY the raw CSV into one unindexed table of 8 text columns (the loading floor)."""
    import psycopg

    with psycopg.connect(f"{PG_ADMIN_URL}/{database}", autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS raw_cable")
        conn.execute(
            "CREATE TABLE raw_cable (row text, created text, identifier text, origin text,"
            " classification text, refs text, header text, body text)"
        )
        with conn.cursor() as cursor, open(path, "rb") as handle:
            copy_sql = "COPY raw_cable FROM STDIN WITH (FORMAT csv, QUOTE '\"', ESCAPE '\\')"
            with cursor.copy(copy_sql) as copy:
                while block := handle.read(1 << 20):
                    copy.write(block)
        rows = conn.execute("SELECT count(*) FROM raw_cable").fetchone()[0]
    return {"rows": rows}


def run_child_step(argv: list[str]) -> None:
    name, *rest = argv
    if name == "floor":
        result = step_floor(rest[0], rest[1])
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reading_room.settings")
        os.environ.setdefault("DJANGO_TESTING", "1")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        result = step_migrate() if name == "migrate" else step_ingest(rest[0], int(rest[1]), int(rest[2]))
    sys.stdout.write(json.dumps(result))


def pg_recreate(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")


def backend_env(backend: str, cables: int) -> dict[str, str]:
    if backend == "sqlite":
        path = Path(tempfile.gettempdir()) / f"readingroom-ingestbench-{cables}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return {"SQLITE_PATH": str(path), "DATABASE_URL": ""}
    pg_recreate(f"{PG_DB}_{cables}")
    return {"DATABASE_URL": f"{PG_ADMIN_URL}/{PG_DB}_{cables}"}


def references_audit(database: str, corpus_path: Path) -> tuple[bool, str] | None:
    """(every difference explained?, the audit's report) from bench/references_audit.py, run on
    the loaded ``database`` against the corpus's truth file; None without one (a corpus made
    before the corpus step asked for it: delete its manifest to have it made again)."""
    truth = corpus_path.with_name(corpus_path.name + ".truth.jsonl")
    if not truth.exists():
        return None
    script = Path(__file__).resolve().with_name("references_audit.py")
    result = subprocess.run(
        [sys.executable, str(script), database, "--truth", str(truth)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    report = (result.stdout + result.stderr).strip()
    if result.returncode == 0:
        return True, report + "\nreferences audit OK: no difference from the truth left unexplained"
    return False, report + "\nreferences audit FAILED: a difference is not explained, or the sums disagree"


def mib(kib: int) -> str:
    return f"{kib / 1024:5.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cables", "--count", type=int, default=20000, dest="cables")
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-floor", action="store_true", help="skip the raw COPY floor")
    args = parser.parse_args()
    path, manifest = corpus(args.cables)
    expected = {
        "cables": manifest["cables"],
        "paragraphs_numbered": manifest["paragraphs"],
        "references": manifest["references"]["total"],
        "resolved": manifest["references"]["in_corpus"],
    }
    load = os.getloadavg()[0]
    print(f"corpus {path} ({path.stat().st_size / 1e6:.0f} MB), expected {expected}")
    print(f"workers={args.workers} batch={args.batch_size} cpus={os.cpu_count()} load {load:.1f}")
    floor = None
    if not args.no_floor:
        pg_recreate(f"{PG_FLOOR_DB}_{args.cables}")
        result, floor, rss, _ = child({}, "floor", str(path), f"{PG_FLOOR_DB}_{args.cables}")
        print(
            f"floor    COPY    {floor:7.1f}s wall {result['rows'] / floor:7.0f} rows/s  peak RSS {mib(rss)}"
        )

    def ratio(wall: float) -> str:
        return f"{wall / floor:5.1f}x floor" if floor else ""

    ok = True
    for backend in args.backends.split(","):
        env = backend_env(backend, args.cables)
        child(env, "migrate")
        step = ("ingest", str(path), str(args.batch_size), str(args.workers))
        first, wall, rss, tree = child(env, *step)
        checks = {key: (first[key], value) for key, value in expected.items()}
        mismatches = {key: pair for key, pair in checks.items() if pair[0] != pair[1]}
        # Cable by cable against the truth, even when the sums agree (two errors can cancel out);
        # references and resolved may differ from the manifest only as the audit explains.
        audit = references_audit(env.get("SQLITE_PATH") or env["DATABASE_URL"], path)
        if audit is None and mismatches.keys() & {"references", "resolved"}:
            audit = False, f"references NOT equal to the manifest, no {path.name}.truth.jsonl to explain why"
        explained = {"references", "resolved"} if audit and audit[0] else set()
        ok &= not (mismatches.keys() - explained) and (audit is None or audit[0]) and first["failed"] == 0
        print(
            f"{backend:8} load    {wall:7.1f}s wall {first['cables'] / wall:7.0f} cables/s {ratio(wall)} "
            f"peak RSS {mib(rss)} (with workers {mib(tree)})  created={first['created']} "
            f"failed={first['failed']} paragraphs={first['paragraphs']} checks={mismatches or 'OK'}"
        )
        cpu = first["cpu"]
        print(
            "         CPU ms/cable: "
            + ", ".join(
                f"{name} {seconds / max(first['created'], 1) * 1000:.2f}" for name, seconds in cpu.items()
            )
            + f", total {sum(cpu.values()) / max(first['created'], 1) * 1000:.2f}"
        )
        if audit is not None:
            print("         " + audit[1].replace("\n", "\n         "))
        if first["failures"]:
            print(f"         first failures: {first['failures']}")
        second, wall2, rss2, tree2 = child(env, *step)
        ok &= second["unchanged"] == expected["cables"] and second["created"] == second["updated"] == 0
        print(
            f"{backend:8} re-load {wall2:7.1f}s wall {second['unchanged'] / wall2:7.0f} cables/s "
            f"{ratio(wall2)} "
            f"peak RSS {mib(rss2)} (with workers {mib(tree2)})  unchanged={second['unchanged']} "
            f"(skipped unparsed={second['unparsed']}) "
            f"created={second['created']} updated={second['updated']}"
        )
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in {"migrate", "ingest", "floor"}:
        run_child_step(sys.argv[1:])
    else:
        main()
