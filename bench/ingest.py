"""Benchmark the ingest: 20,000 generated cables into fresh SQLite and PostgreSQL databases.

    .venv/bin/python bench/ingest.py [--count 20000] [--backends sqlite,postgres] [--batch-size 500]

The corpus is generated under /tmp (never in the repo) by shared/tools/make_corpus.py and reused
if present; its manifest holds the exact counts the load is checked against. Each step runs in a
child process so that its peak RSS can be read from os.wait4. Prints one line per step.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CABLES_SHARED_DIR", ROOT.parent / "shared"))
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "readingroom_bench"


def corpus(count: int) -> tuple[Path, dict]:
    name = "bench-corpus" if count == 20000 else f"bench-corpus-{count}"
    out = Path(tempfile.gettempdir()) / name / "cables.csv"
    manifest = out.with_name(out.name + ".manifest.json")
    if not manifest.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tool = str(SHARED / "tools" / "make_corpus.py")
        command = [sys.executable, tool, "--count", str(count), "--format", "csv", "--out", str(out)]
        subprocess.run([*command, "--force", "--quiet"], check=True)
    return out, json.loads(manifest.read_text())


def child(env: dict[str, str], *args: str) -> tuple[dict, float, int]:
    """Run this script as a child step; returns (its JSON output, wall seconds, peak RSS in KiB)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, __file__, *args], env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.PIPE
    )
    output = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"step {args} failed with status {proc.returncode}")
    return json.loads(output or b"{}"), time.monotonic() - started, usage.ru_maxrss


def step_migrate() -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def step_ingest(path: str, batch_size: int) -> dict:
    from cables.ingest import cables_ingest
    from cables.models import Cable, Paragraph, Reference

    report = cables_ingest(sources=[path], batch_size=batch_size)
    cable_refs = Reference.objects.filter(kind="cable").exclude(target_identifier="")
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "failed": len(report.failed),
        "failures": report.failed[:5],
        "elapsed": report.elapsed,
        "cables": Cable.objects.count(),
        "paragraphs_numbered": Paragraph.objects.filter(number__isnull=False).count(),
        "paragraphs": Paragraph.objects.count(),
        "references": cable_refs.count(),
        "resolved": report.references_resolved,
    }


def run_child_step(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reading_room.settings")
    os.environ.setdefault("DJANGO_TESTING", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    name, *rest = argv
    result = step_migrate() if name == "migrate" else step_ingest(rest[0], int(rest[1]))
    sys.stdout.write(json.dumps(result))


def backend_env(backend: str) -> dict[str, str]:
    if backend == "sqlite":
        path = Path(tempfile.gettempdir()) / "readingroom-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return {"SQLITE_PATH": str(path), "DATABASE_URL": ""}
    import psycopg

    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return {"DATABASE_URL": f"{PG_ADMIN_URL}/{PG_DB}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    path, manifest = corpus(args.count)
    expected = {
        "cables": manifest["cables"],
        "paragraphs_numbered": manifest["paragraphs"],
        "references": manifest["references"]["total"],
        "resolved": manifest["references"]["in_corpus"],
    }
    print(f"corpus {path} ({path.stat().st_size / 1e6:.0f} MB), expected {expected}")
    ok = True
    for backend in args.backends.split(","):
        env = backend_env(backend)
        child(env, "migrate")
        first, wall, rss = child(env, "ingest", str(path), str(args.batch_size))
        checks = {key: (first[key], value) for key, value in expected.items()}
        mismatches = {key: pair for key, pair in checks.items() if pair[0] != pair[1]}
        ok &= not mismatches and first["failed"] == 0
        print(
            f"{backend:8} load    {wall:7.1f}s wall {first['cables'] / wall:7.0f} cables/s "
            f"peak RSS {rss / 1024:6.0f} MiB  created={first['created']} failed={first['failed']} "
            f"paragraphs={first['paragraphs']} checks={mismatches or 'OK'}"
        )
        if first["failures"]:
            print(f"         first failures: {first['failures']}")
        second, wall2, rss2 = child(env, "ingest", str(path), str(args.batch_size))
        ok &= second["unchanged"] == expected["cables"] and second["created"] == second["updated"] == 0
        print(
            f"{backend:8} re-load {wall2:7.1f}s wall {second['unchanged'] / wall2:7.0f} cables/s "
            f"peak RSS {rss2 / 1024:6.0f} MiB  unchanged={second['unchanged']} "
            f"created={second['created']} updated={second['updated']}"
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in {"migrate", "ingest"}:
        run_child_step(sys.argv[1:])
    else:
        main()
