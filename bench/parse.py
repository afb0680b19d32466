"""Parser throughput on one core: cables per second for the csv and text layouts.

Generates (or reuses) a 20,000-cable synthetic corpus in /tmp with the shared tool, then times
``cables.parsing.iter_path`` over each format and prints a table. Run from the repo root:

    .venv/bin/python bench/parse.py [--count 20000] [--corpus /tmp/bench-corpus]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cables.parsing import iter_path  # noqa: E402
from cables.parsing.errors import ParseError  # noqa: E402

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


def measure(path: Path) -> tuple[int, int, float]:
    """(cables, errors, seconds) for one pass over ``path``."""
    cables = errors = 0
    start = time.perf_counter()
    for item in iter_path(path):
        if isinstance(item, ParseError):
            errors += 1
        else:
            cables += 1
    return cables, errors, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/bench-corpus"))  # noqa: S108 - generated data, outside the repo by design
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    targets = ensure_corpus(args.corpus, args.count)
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores (1 used)")
    print(f"{'format':<8} {'cables':>8} {'errors':>7} {'seconds':>8} {'cables/s':>9}")
    for fmt, path in targets.items():
        cables, errors, seconds = measure(path)
        print(f"{fmt:<8} {cables:>8} {errors:>7} {seconds:>8.1f} {cables / seconds:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
