"""Search benchmark: the work of one search results page, timed over a query mix.

Usage (against a database that already holds a corpus, e.g. one loaded with ``ingest_cables``
from ``make_corpus.py --format csv``)::

    DJANGO_TESTING=1 DATABASE_URL=postgres://... .venv/bin/python bench/search.py [--rebuild]
    DJANGO_TESTING=1 SQLITE_PATH=/tmp/bench.sqlite3 .venv/bin/python bench/search.py

One "request" is what the results page computes, inside ``search_bounds()`` as the view runs it:
parse the query, count the matches up to the paginator's cap (10,000), fetch the first page of
``CABLES_PAGE_SIZE`` (50) with its list relations, build its snippets, compute the facets and
the results-over-time chart (``--no-timeline`` leaves the chart out, as this script did before
the second pass).
The mix is the one of issue 5: half rare queries, 40 % mid-frequency, 10 % common (a word in
more than half the cables). Prints, per query, its matches and median time by step; per class
and over the mix, p50 and p95 of whole requests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reading_room.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from cables.models import Cable  # noqa: E402
from cables.search import (  # noqa: E402
    SearchTimeout,
    facets,
    parse_query,
    search,
    search_bounds,
    search_index_rebuild,
    snippets,
)
from cables.views import COUNT_CAP, results_timeline  # noqa: E402

# (query, order, class). Shares at 50,000 generated cables: rare < 2 %, mid 5-35 %, common > 50 %.
QUERIES = [
    ("oil gas pipeline", "relevance", "rare"),
    ("sanction* -iran", "relevance", "rare"),
    ("opium", "relevance", "rare"),
    ("earthquake", "newest", "rare"),
    ("tariff", "relevance", "rare"),
    ("cuba", "relevance", "rare"),
    ("pipeline", "oldest", "rare"),
    ("piracy", "relevance", "rare"),
    ("avian", "relevance", "rare"),
    ("tariff OR opium", "relevance", "rare"),
    ('"human rights" china', "relevance", "mid"),
    ("refugee", "relevance", "mid"),
    ("uranium", "relevance", "mid"),
    ("visa", "newest", "mid"),
    ("court", "relevance", "mid"),
    ("korea", "relevance", "mid"),
    ('"prime minister"', "relevance", "mid"),
    ("ambassador meeting", "newest", "mid"),
    ("nuclear", "relevance", "common"),
    ("government", "relevance", "common"),
]
STEPS = ("count", "page", "snippets", "facets", "timeline")


def one_request(q: str, order: str, *, timeline: bool = True) -> tuple[dict[str, float], int]:
    """The results page's work for one query: time per step, and the (capped) count."""
    times: dict[str, float] = {}
    with search_bounds():
        started = time.perf_counter()
        parsed = parse_query(q)
        results = search(Cable.objects.all(), parsed, order=order)
        total = results.order_by().values("pk")[: COUNT_CAP + 1].count()
        times["count"] = time.perf_counter() - started
        mark = time.perf_counter()
        page = list(results.with_list_related()[: settings.CABLES_PAGE_SIZE])
        times["page"] = time.perf_counter() - mark
        mark = time.perf_counter()
        snippets(page, parsed)
        times["snippets"] = time.perf_counter() - mark
        mark = time.perf_counter()
        facets(results)
        times["facets"] = time.perf_counter() - mark
        mark = time.perf_counter()
        if timeline:  # as CableListView charts it: the first COUNT_CAP matches of a capped search
            if total > COUNT_CAP:
                first = results.order_by().values("pk")[:COUNT_CAP]
                results_timeline(Cable.objects.filter(pk__in=first), sample=COUNT_CAP)
            else:
                results_timeline(results)
        times["timeline"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - started
    return times, total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index first (timed)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (default 5)")
    parser.add_argument("--no-timeline", action="store_true", help="leave out the results-over-time chart")
    args = parser.parse_args()

    cables = Cable.objects.count()
    print(f"engine: {connection.vendor}; cables: {cables:,}; page size {settings.CABLES_PAGE_SIZE}")
    if args.rebuild:
        started = time.perf_counter()
        search_index_rebuild(batch_size=2000)
        elapsed = time.perf_counter() - started
        print(f"rebuild: {elapsed:.1f}s ({cables / elapsed:,.0f} cables/s)")

    by_class: dict[str, list[float]] = defaultdict(list)
    mix: list[float] = []
    for q, order, kind in QUERIES:
        try:
            timeline = not args.no_timeline
            one_request(q, order, timeline=timeline)  # warm
            runs = [one_request(q, order, timeline=timeline) for _ in range(args.repeat)]
        except SearchTimeout:
            print(f"{q!r:24} {order:9} {kind:6} TIMED OUT (bound {settings.CABLES_SEARCH_TIMEOUT_MS} ms)")
            continue
        totals = [times["total"] for times, _ in runs]
        by_class[kind].extend(totals)
        mix.extend(totals)
        count = runs[0][1]
        shown = f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"
        steps = " ".join(
            f"{step} {statistics.median(times[step] for times, _ in runs) * 1000:5.0f}" for step in STEPS
        )
        print(
            f"{q!r:24} {order:9} {kind:6} matches {shown:>7}  "
            f"median {statistics.median(totals) * 1000:6.0f} ms  ({steps})"
        )
    for kind in ("rare", "mid", "common"):
        if by_class[kind]:
            values = by_class[kind]
            print(
                f"{kind:6}: p50 {statistics.median(values) * 1000:6.0f} ms, "
                f"p95 {percentile(values, 0.95) * 1000:6.0f} ms, max {max(values) * 1000:6.0f} ms"
            )
    if mix:
        print(
            f"mix (50/40/10): p50 {statistics.median(mix) * 1000:.0f} ms, "
            f"p95 {percentile(mix, 0.95) * 1000:.0f} ms, max {max(mix) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
