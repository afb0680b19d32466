"""Search benchmark: the work of one search results page, timed over a query mix.

Usage (against a database that already holds a corpus, e.g. one loaded with ``ingest_cables``
from ``make_corpus.py --format csv``)::

    DJANGO_TESTING=1 DATABASE_URL=postgres://... .venv/bin/python bench/search.py [--rebuild]
    DJANGO_TESTING=1 SQLITE_PATH=/tmp/bench.sqlite3 .venv/bin/python bench/search.py

One "request" is what the results page computes, inside ``search_bounds()`` as the view runs it:
parse the query; ``summary``: one read of the first 10,001 matches for the count (capped at
the paginator's 10,000), the facets and the results-over-time chart (``summarize``, since the
third pass; before it, the count, the facets and the chart were three reads, timed as
``count``, ``facets`` and ``timeline``); ``page``: the first page of ``CABLES_PAGE_SIZE`` (50)
with its list relations; ``snippets``: its snippets. ``--view`` times the whole results page
instead (``GET /cables/?q=...`` through Django's test client: identifier check, the work
above, the template), as one step, cold: the collection version is replaced before each request
so that the cached summary is not used (this writes to the cache table: not on a database you
may only read). The default mode only reads; ``PGOPTIONS='-c default_transaction_read_only=on'``
makes sure of it.
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
    parse_query,
    search,
    search_bounds,
    search_index_rebuild,
    snippets,
    summarize,
)
from cables.views import COUNT_CAP, timeline_chart  # noqa: E402

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
STEPS = ("summary", "page", "snippets")


def one_request(q: str, order: str) -> tuple[dict[str, float], int]:
    """The results page's work for one query: time per step, and the (capped) count."""
    times: dict[str, float] = {}
    with search_bounds():
        started = time.perf_counter()
        parsed = parse_query(q)
        results = search(Cable.objects.all(), parsed, order=order)
        summary = summarize(results, cap=COUNT_CAP)
        timeline_chart(summary.months, sample=COUNT_CAP if summary.capped else None)
        times["summary"] = time.perf_counter() - started
        total = summary.count + summary.capped
        mark = time.perf_counter()
        page = list(results.with_list_related()[: settings.CABLES_PAGE_SIZE])
        times["page"] = time.perf_counter() - mark
        mark = time.perf_counter()
        snippets(page, parsed)
        times["snippets"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - started
    return times, total


def one_page(q: str, order: str) -> tuple[dict[str, float], int]:
    """The whole results page through the test client (``--view``)."""
    from django.test import Client

    from cables.page_cache import collection_version_bump

    collection_version_bump()  # cold: no cached summary
    host = next(
        (host for host in settings.ALLOWED_HOSTS if host != "*" and not host.startswith(".")), "testserver"
    )
    started = time.perf_counter()
    response = Client(HTTP_HOST=host).get("/cables/", {"q": q, "sort": order})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET /cables/?q={q}: HTTP {response.status_code}")
    if "took too long" in response.content.decode():
        raise SearchTimeout()
    paginator = response.context["paginator"]
    return {"view": elapsed, "total": elapsed}, paginator.count + paginator.capped


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index first (timed)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (default 5)")
    parser.add_argument("--view", action="store_true", help="time the whole results page (test client)")
    args = parser.parse_args()

    if args.view:  # the test client's host, and response.context
        from django.test.utils import setup_test_environment

        setup_test_environment()
    cables = Cable.objects.count()
    print(
        f"engine: {connection.vendor}; cables: {cables:,}; page size {settings.CABLES_PAGE_SIZE}; "
        f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}"
    )
    if args.rebuild:
        started = time.perf_counter()
        search_index_rebuild(batch_size=2000)
        elapsed = time.perf_counter() - started
        print(f"rebuild: {elapsed:.1f}s ({cables / elapsed:,.0f} cables/s)")

    by_class: dict[str, list[float]] = defaultdict(list)
    mix: list[float] = []
    for q, order, kind in QUERIES:
        run = one_page if args.view else one_request
        steps = ("view",) if args.view else STEPS
        try:
            run(q, order)  # warm
            runs = [run(q, order) for _ in range(args.repeat)]
        except SearchTimeout:
            print(f"{q!r:24} {order:9} {kind:6} TIMED OUT (bound {settings.CABLES_SEARCH_TIMEOUT_MS} ms)")
            continue
        totals = [times["total"] for times, _ in runs]
        by_class[kind].extend(totals)
        mix.extend(totals)
        count = runs[0][1]
        shown = "-" if count < 0 else f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"
        per_step = " ".join(
            f"{step} {statistics.median(times[step] for times, _ in runs) * 1000:5.0f}" for step in steps
        )
        print(
            f"{q!r:24} {order:9} {kind:6} matches {shown:>7}  "
            f"median {statistics.median(totals) * 1000:6.0f} ms  ({per_step})"
        )
    for kind in ("rare", "mid", "common"):
        if by_class[kind]:
            values = by_class[kind]
            print(
                f"{kind:6}: p50 {statistics.median(values) * 1000:6.0f} ms, "
                f"p95 {percentile(values, 0.95) * 1000:6.0f} ms, max {max(values) * 1000:6.0f} ms"
            )
    print(f"load average at the end {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    if mix:
        print(
            f"mix (50/40/10): p50 {statistics.median(mix) * 1000:.0f} ms, "
            f"p95 {percentile(mix, 0.95) * 1000:.0f} ms, max {max(mix) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
