"""Parser throughput on one core: cables per second for the csv and text layouts.

Generates (or reuses) a 20,000-cable synthetic corpus in /tmp with the shared tool, then times
``cables.parsing.iter_path`` over each format and prints a table. Run from the repo root:

    .venv/bin/python bench/parse.py [--count 20000] [--corpus /tmp/bench-corpus] [--baseline DIR]

``--baseline DIR`` also times a copy of an older parser package (e.g. ``cp -r cables/parsing
/tmp/oldparse/old_parsing`` before a change, then ``--baseline /tmp/oldparse/old_parsing``),
interleaved with the current one: both read the same input side by side, taking turns every
``--block`` cables (200), so both see the same machine load (a pass of one after the other
let the load drift between them by 10 % on a busy machine). On a shared machine only the
ratio within one run means much. CPU seconds (this process) are printed next to wall
seconds; cables/s is per CPU second.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cables.parsing import api as current_api  # noqa: E402

MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_corpus.py"


def ensure_corpus(corpus: Path, count: int) -> dict[str, Path]:
    """The csv file and the text directory, generated once."""
    targets = {"csv": corpus / "cables.csv", "text": corpus / "text"}
    for fmt, out in targets.items():
        if out.exists():
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(MAKE_CORPUS),
                "--count",
                str(count),
                "--format",
                fmt,
                "--out",
                str(out),
                "--quiet",
            ],
            check=True,
        )
    return targets


def load_baseline(package_dir: Path) -> object:
    """The ``api`` module of a parser package copied elsewhere (imported under its own name)."""
    sys.path.insert(0, str(package_dir.resolve().parent))
    return importlib.import_module(f"{package_dir.name}.api")


def measure(apis: dict[str, object], path: Path, block: int) -> dict[str, tuple[int, int, float, float]]:
    """(cables, errors, CPU seconds, wall seconds) per parser for one pass over ``path``.

    The parsers take turns: each reads its next ``block`` items, timed, until all are done.
    """
    streams = {name: api.iter_path(path) for name, api in apis.items()}  # type: ignore[attr-defined]
    totals = {name: [0, 0, 0.0, 0.0] for name in apis}
    while streams:
        for name in list(streams):
            error_type = apis[name].ParseError  # type: ignore[attr-defined]
            total = totals[name]
            taken = 0
            cpu, wall = time.process_time(), time.perf_counter()
            for item in itertools.islice(streams[name], block):
                taken += 1
                total[1 if isinstance(item, error_type) else 0] += 1
            total[2] += time.process_time() - cpu
            total[3] += time.perf_counter() - wall
            if taken < block:
                del streams[name]
    return {name: (int(c), int(e), cpu, wall) for name, (c, e, cpu, wall) in totals.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/bench-corpus"))  # noqa: S108 - generated data, outside the repo by design
    parser.add_argument("--baseline", type=Path, help="a copy of an older cables/parsing package to compare")
    parser.add_argument("--block", type=int, default=200, help="cables each parser reads in its turn")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    targets = ensure_corpus(args.corpus, args.count)
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores (1 used)")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    parsers = {"current": current_api}
    if args.baseline:
        parsers = {"baseline": load_baseline(args.baseline), **parsers}
    head = ("parser", "format", "cables", "errors", "cpu s", "wall s", "cables/s")
    print(f"{head[0]:<9} {head[1]:<7} {head[2]:>7} {head[3]:>6} {head[4]:>7} {head[5]:>7} {head[6]:>9}")
    rates: dict[tuple[str, str], float] = {}
    for fmt, path in targets.items():
        for name, (count, errors, cpu, wall) in measure(parsers, path, args.block).items():
            rates[name, fmt] = count / cpu
            print(f"{name:<9} {fmt:<7} {count:>7} {errors:>6} {cpu:>7.1f} {wall:>7.1f} {count / cpu:>9.0f}")
    if args.baseline:
        for fmt in targets:
            print(f"speed-up {fmt}: {rates['current', fmt] / rates['baseline', fmt]:.2f}x")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
