"""Search benchmark: the work of one search results page, timed over a query mix.

Usage (against a database that already holds a corpus, e.g. one loaded with ``ingest_cables``
from ``make_corpus.py --format csv``)::

    DJANGO_TESTING=1 DATABASE_URL=postgres://... .venv/bin/python bench/search.py [--rebuild]
    DJANGO_TESTING=1 SQLITE_PATH=/tmp/bench.sqlite3 .venv/bin/python bench/search.py

One "request" is: parse the query, count the matches, fetch the first page of 20 by relevance
(or date), build its snippets, and compute the facets: what the results page asks of
``cables.search``. Prints p50, p95 and max per query and over the mix.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reading_room.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from cables.models import Cable  # noqa: E402
from cables.search import facets, parse_query, search, search_index_rebuild, snippets  # noqa: E402

QUERIES = [
    ("nuclear", "relevance"),
    ("iran nuclear", "relevance"),
    ('"prime minister"', "relevance"),
    ("sanction* -iran", "relevance"),
    ("election OR vote", "newest"),
    ("minister", "relevance"),  # very common
    ("government", "relevance"),  # in most cables
    ("embassy", "oldest"),
    ("oil gas pipeline", "relevance"),
    ('"human rights" china', "relevance"),
    ("terror*", "relevance"),
    ("ambassador meeting", "newest"),
]


def one_request(q: str, order: str) -> tuple[float, int]:
    started = time.perf_counter()
    parsed = parse_query(q)
    results = search(Cable.objects.all(), parsed, order=order)
    total = results.count()
    page = list(results.with_list_related()[:20])
    snippets(page, parsed)
    facets(results)
    return time.perf_counter() - started, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index first (timed)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (default 5)")
    args = parser.parse_args()

    cables = Cable.objects.count()
    print(f"engine: {connection.vendor}; cables: {cables:,}")
    if args.rebuild:
        started = time.perf_counter()
        search_index_rebuild(batch_size=2000)
        elapsed = time.perf_counter() - started
        print(f"rebuild: {elapsed:.1f}s ({cables / elapsed:,.0f} cables/s)")

    all_times: list[float] = []
    for q, order in QUERIES:
        one_request(q, order)  # warm
        times = []
        for _ in range(args.repeat):
            elapsed, total = one_request(q, order)
            times.append(elapsed)
        all_times.extend(times)
        share = total / cables if cables else 0
        print(
            f"{q!r:28} {order:9} matches {total:>7,} ({share:5.1%})  "
            f"median {statistics.median(times) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms"
        )
    all_times.sort()
    p50 = statistics.median(all_times)
    p95 = all_times[min(len(all_times) - 1, int(len(all_times) * 0.95))]
    print(f"mix: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {all_times[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
