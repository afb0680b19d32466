"""The reading room's pages: home, lists of cables (all, by tag, origin, classification, month),
browse indexes, the cable page and its downloads.

Views are thin generic CBVs; reads are ``CableQuerySet`` methods. Every page runs a fixed
number of queries whatever the size of the collection.

Counting (a list's "N cables" and its last page) is the expensive part of paging a big list, so
``CablePaginator`` counts in the cheapest exact way the page allows and caps the rest:

* the whole collection, one origin, one classification, one month, a date range: an exact
  ``COUNT`` that an index on ``cables_cable`` answers (``origin``/``classification``/``created``),
  cached like the collection's figures (below) when the page has no filter of the visitor's;
* exactly one tag and nothing else (a tag page, ``?tag=PREL``): the number of rows of
  ``cables_cabletag`` for that tag, from its ``(tag, cable)`` index, without joining cables,
  cached per tag the same way;
* anything else (several tags, a tag plus other filters, a search): counted up to
  ``COUNT_CAP`` matches (``SELECT COUNT(*) FROM (... LIMIT cap+1)``) and shown as "10,000+".

Index pages (tags, origins, years, classifications, the home page's figures) group the whole
collection; their results are cached under a key that changes whenever ingest writes (the
latest ``loaded_at`` and the highest cable id, ``stats_version()``), for at most
``STATS_TIMEOUT`` seconds. A list page reads that version once per request; its count, the
bookmarks of its deep pages and its chart are also kept in the process (``local_stats``).

A list page's HTML around its rows (filter form, facets, chart, pagination) and the rows
themselves are built in Python by ``cables.templatetags.cable_tags``, byte for byte what their
templates in ``templates/cables/includes/`` render (held by tests).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.core.signals import setting_changed
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import TruncMonth
from django.dispatch import receiver
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect
from django.template import engines
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from cables.filters import CableFilterSet
from cables.models import (
    LIST_FIELDS,
    REFERENCE_FIELDS,
    Cable,
    CableQuerySet,
    CableTag,
    Classification,
    Origin,
    RecipientKind,
    Reference,
    Tag,
    TagKind,
)
from cables.page_cache import VERSION_KEY, BoundedLRU, cable_page_lookup, cable_page_set, collection_version
from cables.parsing import canonicalize_id
from cables.templatetags.cable_tags import (
    cable_page_url,
    cable_url,
    classification_badge,
    classification_url,
    date_html,
    escape_html,
    link_refs,
    marking_badge,
    origin_url,
    soft_breaks,
    tag_url,
)

try:  # full-text search (issue 3); the list falls back to a subject match without it
    from cables import search as search_engine
except ImportError:  # pragma: no cover - the module is part of the project
    search_engine = None  # type: ignore[assignment]

COUNT_CAP = 10_000
DEEP_OFFSET = 2_500  # rows: deeper pages of a date-ordered list start from a bookmark
STATS_TIMEOUT = 600
TIMELINE_STEPS = 20
FILTER_NAMES = ("tag", "origin", "classification", "since", "until")


# --- helpers ---------------------------------------------------------------------------------


def stats_version() -> str:
    """What changes whenever ingest writes: the latest ``loaded_at`` and the highest cable id,
    the version part of every ``collection_stats`` key. One query (two index probes)."""
    version = Cable.objects.aggregate(last=Max("loaded_at"), top=Max("pk"))
    return f"{version['last'] and version['last'].isoformat()}:{version['top']}"


# The values a list page reads on every request (its count, the bookmarks of its deep pages, its
# chart), in front of the shared cache: a hit costs no cache read and no unpickling (PREL's
# bookmarks are 2,870 (datetime, id) pairs). Keys carry the stats version, so a load makes them
# unreachable. A list or dict weighs its length, anything else 1.
local_stats = BoundedLRU(
    200_000,
    weigh=lambda value: len(value) if isinstance(value, list | tuple | dict) else 1,
    max_entries=2_000,
    largest_share=4,
)


def collection_stats(
    name: str, compute: Callable[[], Any], *, version: str | None = None, local: bool = False
) -> Any:
    """``compute()``, cached until ingest next writes (see the module docstring). One query for
    the version (none when the caller passes ``version``, the ``stats_version()`` it read for
    this request) and one cache read, or none with ``local`` when this process has the value."""
    key = f"cables:{name}:{version or stats_version()}"
    if local:
        value = local_stats.get(key)
        if value is not None:
            return value
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, STATS_TIMEOUT)
    if local:
        local_stats.set(key, value)
    return value


def timeline(rows: list[dict[str, Any]], *, key: str = "year") -> list[dict[str, Any]]:
    """Bars ``{key, label, count, step}``: one per year from the first to the last (empty years
    included) or per given row, with a height step 0..TIMELINE_STEPS for the CSS class ``h-N``."""
    counts = {row[key]: row["count"] for row in rows}
    if key == "year" and counts:
        keys = list(range(min(counts), max(counts) + 1))
        labels = {year: str(year) for year in keys}
    else:
        keys = [row[key] for row in rows]
        labels = {row[key]: row.get("name", str(row[key])) for row in rows}
    peak = max(counts.values(), default=0)
    return [
        {
            "key": k,
            "label": labels[k],
            "count": counts.get(k, 0),
            "step": math.ceil(counts.get(k, 0) * TIMELINE_STEPS / peak) if peak else 0,
        }
        for k in keys
    ]


def results_timeline(
    queryset: CableQuerySet,
    *,
    since: date | None = None,
    until: date | None = None,
    sample: int | None = None,
) -> dict[str, Any] | None:
    """Results over time: the number of cables of ``queryset`` per month when the date range
    (the filter's ``since``/``until``, else the cables' own) spans at most 24 months, else per
    year, from ONE ``GROUP BY`` month query. Each bar carries the ``since``/``until`` that narrow
    the list to its period (clipped to the current range, so following it finds ``count``).

    ``sample``: ``queryset`` is the first ``sample`` matches of a bigger search (its count is
    capped too): each bar's name says so, as its count is a floor, not the period's total."""
    rows = (
        queryset.filter(created__isnull=False)
        .annotate(period=TruncMonth("created"))
        .order_by()
        .values("period")
        .annotate(count=Count("pk"))
    )
    counts: dict[tuple[int, int], int] = {}
    for row in rows:
        key = (row["period"].year, row["period"].month)
        counts[key] = counts.get(key, 0) + row["count"]
    return timeline_chart(counts, since=since, until=until, sample=sample)


def timeline_chart(
    counts: dict[tuple[int, int], int],
    *,
    since: date | None = None,
    until: date | None = None,
    sample: int | None = None,
) -> dict[str, Any] | None:
    """The chart of ``results_timeline`` from counts per ``(year, month)`` (a search's come from
    ``cables.search.summarize``, which reads its matches once for the count, chart and facets)."""
    if not counts:
        return None
    start = (since.year, since.month) if since else min(counts)
    end = (until.year, until.month) if until else max(counts)
    bars: list[dict[str, Any]] = []
    if (end[0] - start[0]) * 12 + end[1] - start[1] < 24:
        unit = "month"
        year, month = start
        while (year, month) <= end:
            first = date(year, month, 1)
            last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            bars.append(
                {
                    "label": first.strftime("%b %Y"),
                    "name": first.strftime("%B %Y"),
                    "count": counts.get((year, month), 0),
                    "since": max(first, since) if since else first,
                    "until": min(last, until) if until else last,
                }
            )
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    else:
        unit = "year"
        per_year: dict[int, int] = {}
        for (year, _month), count in counts.items():
            per_year[year] = per_year.get(year, 0) + count
        for year in range(min(per_year), max(per_year) + 1):
            first, last = date(year, 1, 1), date(year, 12, 31)
            bars.append(
                {
                    "label": str(year),
                    "name": str(year),
                    "count": per_year.get(year, 0),
                    "since": max(first, since) if since else first,
                    "until": min(last, until) if until else last,
                }
            )
    peak = max(bar["count"] for bar in bars)
    for bar in bars:
        bar["step"] = math.ceil(bar["count"] * TIMELINE_STEPS / peak) if peak else 0
        if sample:
            bar["name"] = f"{bar['name']}, at least (of the first {sample:,} matches)"
    return {"unit": unit, "bars": bars, "total": sum(counts.values()), "sample": sample}


def with_query(url: str, params: QueryDict) -> str:
    """``url`` with the query string ``params`` (none when empty)."""
    query = params.urlencode()
    return f"{url}?{query}" if query else url


def classification_rows(counts: dict[int, int]) -> list[dict[str, Any]]:
    return [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Classification.choices
    ]


class CablePaginator(Paginator):
    """A Paginator whose count is cheap: exact from a given callable or the queryset, or capped.

    A list in date order (``order`` "newest" or "oldest") does not ``OFFSET`` into its deep pages:
    from ``DEEP_OFFSET`` rows on, a page starts at a bookmark, the (created, identifier) of its
    first row, and reads ``per_page`` rows from there along the date index. The bookmarks of all
    the pages come from one query over the list, cached like the collection's figures."""

    def __init__(
        self,
        *args: Any,
        count_with: Callable[[], int] | None = None,
        exact: bool = True,
        order: str | None = None,
        capped: Callable[[], bool] | None = None,
        stats_version: Callable[[], str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.count_with = count_with
        self.exact = exact
        self.order = order
        self.capped = False
        self.capped_with = capped  # with count_with: whether that count is a cap (a search's summary)
        self.stats_version = stats_version  # the view's, read once a request

    @cached_property
    def count(self) -> int:
        if self.count_with is not None:
            found = self.count_with()
            self.capped = bool(self.capped_with and self.capped_with())
            return found
        queryset = self.object_list.order_by()
        if self.exact:
            return queryset.count()
        found = queryset.values("pk")[: COUNT_CAP + 1].count()
        self.capped = found > COUNT_CAP
        return min(found, COUNT_CAP)

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        if self.order in ("newest", "oldest") and (number - 1) * self.per_page >= DEEP_OFFSET:
            rows = self.rows_from_bookmark(number)
            if rows is not None:
                return self._get_page(rows, number, self)
        return super().page(number)

    def bookmarks(self) -> list[tuple[Any, str]]:
        """(created, identifier) of the first row of every page, from one ordered scan; kept in
        the process too (``local_stats``): unpickling PREL's 2,870 from the cache on every deep
        page was most of its cost."""
        narrow = self.object_list.values_list("created", "identifier")
        key = hashlib.sha256(str(narrow.query).encode()).hexdigest()[:24]
        step = self.per_page
        return collection_stats(
            f"bookmarks:{step}:{key}",
            lambda: list(narrow.iterator(chunk_size=10_000))[::step],
            version=self.stats_version() if self.stats_version else None,
            local=True,
        )

    def rows_from_bookmark(self, number: int) -> list[Cable] | None:
        marks = self.bookmarks()
        if number > len(marks):
            return None
        created, identifier = marks[number - 1]
        if created is None:  # undated cables come last, by identifier
            undated = self.object_list.filter(created__isnull=True, identifier__gte=identifier)
            return list(undated[: self.per_page])
        if self.order == "newest":
            after = Q(created__lte=created) & (Q(created__lt=created) | Q(identifier__gte=identifier))
        else:
            after = Q(created__gte=created) & (Q(created__gt=created) | Q(identifier__gte=identifier))
        rows = list(self.object_list.filter(after)[: self.per_page])
        if len(rows) < self.per_page:
            rows += list(self.object_list.filter(created__isnull=True)[: self.per_page - len(rows)])
        return rows


# --- home ------------------------------------------------------------------------------------


class HomeView(TemplateView):
    """The collection at a glance: size, date range, timeline, entry points, recent cables."""

    template_name = "cables/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        stats = collection_stats("home-v2", self.compute_stats)  # v2: with "recent"
        context.update(stats)
        context["timeline"] = timeline(stats["years"])
        context["recent"] = stats["recent"]
        return context

    @staticmethod
    def compute_stats() -> dict[str, Any]:
        span = Cable.objects.aggregate(total=Count("pk"), first=Min("created"), last=Max("created"))
        counts = tag_counts()
        tags = Tag.objects.filter(pk__in=sorted(counts, key=counts.__getitem__, reverse=True)[:24])
        return {
            **span,
            # the last loaded cables change only when ingest writes, like the figures
            "recent": list(Cable.objects.with_list_related().order_by("-loaded_at", "identifier")[:10]),
            "years": Cable.objects.per_year(),
            "top_tags": sorted(
                ({"code": t.code, "name": t.name, "count": counts[t.pk]} for t in tags),
                key=lambda row: (-row["count"], row["code"]),
            ),
            "top_origins": origin_rows()[:16],
            "classifications": classification_rows(Cable.objects.per_classification()),
            "origin_total": Origin.objects.filter(cables__isnull=False).distinct().count(),
        }


def tag_counts() -> dict[int, int]:
    """tag id -> number of cables, from the ``(tag, cable)`` index of the through table."""
    return dict(CableTag.objects.order_by().values_list("tag_id").annotate(count=Count("pk")))


def cached_tag_count(pk: int, version: str) -> int:
    """The number of cables of the tag ``pk`` (its rows of the ``(tag, cable)`` index), cached per
    tag like the collection's figures (``version``: ``stats_version()``) and in the process."""
    return collection_stats(
        f"tag-count:{pk}", CableTag.objects.filter(tag_id=pk).count, version=version, local=True
    )


def origin_rows() -> list[dict[str, Any]]:
    """Origins with their number of cables, biggest first."""
    return list(
        Origin.objects.annotate(count=Count("cables"))
        .filter(count__gt=0)
        .values("name", "slug", "station", "count")
        .order_by("-count", "name")
    )


# --- lists of cables -------------------------------------------------------------------------


class CableListView(FilterView):
    """Cables, newest first, 50 a page, narrowed by the filters in the query string; ``?q=``
    searches (and a query naming a cable opens it). Subclasses fix a tag, origin, etc."""

    filterset_class = CableFilterSet
    paginate_by = settings.CABLES_PAGE_SIZE
    paginator_class = CablePaginator
    template_name = "cables/cable_list.html"
    strict = False  # an invalid filter value is ignored (and shown), not an empty list
    heading = "All cables"
    nav = "cables"
    fixed_filters: tuple[str, ...] = ()  # filters the page itself sets (not shown in the form)
    show_timeline = True  # results over time, on a searched or filtered list

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.q = request.GET.get("q", "").strip()[:500]
        self.search_error = ""
        if self.q and search_engine is not None and hasattr(search_engine, "identifier_lookup"):
            identifier = search_engine.identifier_lookup(self.q)
            if identifier and cable_url(identifier):
                return redirect("cables:cable-detail", identifier=identifier)
        if not self.q or search_engine is None or not hasattr(search_engine, "search_bounds"):
            return super().get(request, *args, **kwargs)
        try:  # a search is bounded in time; the page is rendered inside the bound
            with search_engine.search_bounds():
                response = super().get(request, *args, **kwargs)
                return response.render() if hasattr(response, "render") else response
        except search_engine.SearchTimeout as error:
            self.search_error = error.message
            return super().get(request, *args, **kwargs)

    # the narrowing a page makes before the filters (subclasses)
    def base_queryset(self) -> CableQuerySet:
        return Cable.objects.all()

    def fixed_tags(self) -> list[str]:
        return []

    def get_queryset(self) -> CableQuerySet:
        queryset = self.base_queryset().with_list_related()
        if self.q:
            queryset = self.search_queryset(queryset, self.q)
        return queryset

    def search_order(self) -> str:
        sort = self.request.GET.get("sort", "")
        return sort if sort in ("relevance", "newest", "oldest") else "relevance"

    def search_queryset(self, queryset: CableQuerySet, q: str) -> CableQuerySet:
        """The search hook: ``cables.search.search`` when available, else a subject match."""
        if self.search_error:  # the search was stopped (too slow): show the message, no results
            return queryset.none()
        if search_engine is None or not hasattr(search_engine, "search"):
            return queryset.filter(subject__icontains=q).in_order(
                "oldest" if self.search_order() == "oldest" else "newest"
            )
        try:
            return search_engine.search(queryset, q, order=self.search_order())
        except search_engine.SearchQueryError as error:
            self.search_error = error.message
            return queryset.none()

    def get_filterset_kwargs(self, filterset_class: type) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["searching"] = bool(self.q)
        return kwargs

    def cleaned_filters(self) -> dict[str, Any]:
        """The valid filter values (invalid ones are ignored and reported by the form)."""
        form = self.filterset.form
        form.is_valid()
        return getattr(form, "cleaned_data", {})

    @cached_property
    def current_stats_version(self) -> str:
        """``stats_version()``, read once for the page's count, bookmarks and chart."""
        return stats_version()

    def get_paginator(self, queryset: CableQuerySet, per_page: int, **kwargs: Any) -> CablePaginator:
        data = self.cleaned_filters()
        kwargs["order"] = None if self.q else self.filterset.order
        kwargs["stats_version"] = lambda: self.current_stats_version
        tags = self.fixed_tags() + list(data.get("tag") or [])
        others = bool(
            set(self.fixed_filters) - {"tag"}
            or any(data.get(name) for name in ("origin", "classification", "since", "until"))
        )
        if (
            self.q
            and search_engine is not None
            and hasattr(search_engine, "summarize")
            and not self.search_error
        ):
            # The count, the chart and the facets of a search come from one read of its matches.
            return CablePaginator(
                queryset,
                per_page,
                count_with=lambda: self.search_summary.count,
                capped=lambda: self.search_summary.capped,
                **kwargs,
            )
        if self.q or len(tags) > 1 or (tags and others):
            return CablePaginator(queryset, per_page, exact=False, **kwargs)
        if tags:
            return CablePaginator(queryset, per_page, count_with=self.tag_count(tags[0]), **kwargs)
        if not any(data.get(name) for name in FILTER_NAMES):
            # A browse page as it is (all cables, an origin, a classification, a month): its exact
            # count changes only with the collection (all cables: a 28 ms COUNT at full scale).
            return CablePaginator(queryset, per_page, count_with=self.browse_count(queryset), **kwargs)
        return CablePaginator(queryset, per_page, **kwargs)

    def browse_count(self, queryset: CableQuerySet) -> Callable[[], int]:
        """The exact count of an unfiltered browse list, cached like the collection's figures."""
        counted = queryset.order_by()
        key = hashlib.sha256(str(counted.query).encode()).hexdigest()[:24]
        return lambda: collection_stats(
            f"count:{key}", counted.count, version=self.current_stats_version, local=True
        )

    @cached_property
    def search_summary(self) -> Any:
        """The search's count (capped at ``COUNT_CAP``), chart months and facets, in one read,
        cached per search and filters (the statement) for the collection version that ingest and
        the tag/origin admin replace (``cables.page_cache``): the other pages of a search, and
        the same search again, skip it. Without a version yet, nothing is cached."""
        compute = lambda: search_engine.summarize(self.object_list, cap=COUNT_CAP)  # noqa: E731
        try:
            # the matches as summarize reads them: no order, no rank (same for every sort)
            sql, params = self.object_list.order_by().values_list("pk").query.sql_with_params()
        except EmptyResultSet:
            return compute()
        identity = repr((COUNT_CAP, search_engine.FACET_SAMPLE, self.object_list.db, sql, params))
        key = "cables:search-summary:" + hashlib.sha256(identity.encode()).hexdigest()[:32]
        found = cache.get_many([VERSION_KEY, key])
        version, stored = found.get(VERSION_KEY), found.get(key)
        if version is not None and stored is not None and stored[0] == version:
            return stored[1]
        summary = compute()
        if version is not None:
            cache.set(key, (version, summary), STATS_TIMEOUT)
        return summary

    def tag_count(self, code: str) -> Callable[[], int]:
        """The number of cables of one tag (``?tag=PREL``): its rows in ``cables_cabletag``,
        counted once per collection version (PREL: a 44 ms ``COUNT`` at full scale)."""

        def count() -> int:
            pk = Tag.objects.filter(code=code).values_list("pk", flat=True).first()
            return 0 if pk is None else cached_tag_count(pk, self.current_stats_version)

        return count

    def get_heading(self) -> str:
        return f"Search: {self.q}" if self.q else self.heading

    def fixed_params(self) -> dict[str, list[str]]:
        """The filters the page itself sets, as query-string values (for export links)."""
        return {}

    def results_params(self) -> QueryDict:
        """The query string of these results on ``/cables/``: this one, page-less, plus the
        page's own filters. Exports (and the generic feed) take it."""
        params = self.request.GET.copy()
        params.pop("page", None)
        for name, values in self.fixed_params().items():
            params.setlist(name, values)
        return params

    def feed_url(self) -> str:
        """The Atom feed of these results (newest first, so without ``sort``)."""
        params = self.results_params()
        params.pop("sort", None)
        return with_query(reverse("cables:cable-feed"), params)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        data = self.cleaned_filters()
        context.update(
            heading=self.get_heading(),
            nav=self.nav,
            q=self.q,
            search_error=self.search_error,
            fixed_filters=self.fixed_filters,
            selected_tags=[
                {"code": code, "remaining": [c for c in data.get("tag", []) if c != code]}
                for code in data.get("tag", [])
            ],
            order=self.filterset.order,
        )
        params = self.results_params()
        context.update(
            feed_url=self.feed_url(),
            export_csv_url=with_query(reverse("cables:cable-export-csv"), params),
            export_json_url=with_query(reverse("cables:cable-export-json"), params),
        )
        narrowed = self.q or self.fixed_filters or any(data.get(name) for name in FILTER_NAMES)
        if self.show_timeline and narrowed and not self.search_error:
            since, until = data.get("since"), data.get("until")
            compute = lambda: results_timeline(self.object_list, since=since, until=until)  # noqa: E731
            if self.q and hasattr(search_engine, "summarize"):
                # A search of more than COUNT_CAP matches is charted from its first COUNT_CAP
                # (grouping all of them reads every match: 0.5-2 s at full scale), labelled so.
                summary = self.search_summary
                context["results_timeline"] = timeline_chart(
                    summary.months, since=since, until=until, sample=COUNT_CAP if summary.capped else None
                )
            elif self.q:
                context["results_timeline"] = compute()
            else:  # a list without a search only changes with the collection: cache it like its figures
                key = hashlib.sha256(f"{self.object_list.query}|{since}|{until}".encode()).hexdigest()[:24]
                # (an empty list has no chart: kept as {}, as None would be a miss every time)
                chart = collection_stats(
                    f"timeline:{key}", lambda: compute() or {}, version=self.current_stats_version, local=True
                )
                context["results_timeline"] = chart or None
        page = context["page_obj"]
        if self.q and search_engine is not None and not self.search_error:
            cables = list(page.object_list)
            found = search_engine.snippets(cables, self.q)
            for cable in cables:
                cable.snippets = found.get(cable.pk, [])
            context["cable_list"] = cables
            found_facets = (
                self.search_summary.facets
                if hasattr(search_engine, "summarize")
                else search_engine.facets(self.object_list)
            )
            context["facets"] = self.facet_context(found_facets, data)
        return context

    def facet_context(self, found: dict[str, list[Any]], data: dict[str, Any]) -> list[dict[str, Any]]:
        """Facets shaped for the template: label, count, the query-string value, selected."""
        tags = list(data.get("tag") or [])
        origin = data.get("origin") or ""
        classification = str(data.get("classification") or "")
        groups = []
        if "tag" not in self.fixed_filters:
            groups.append(
                {
                    "name": "tag",
                    "title": "Tags",
                    "values": [
                        {
                            "label": value.label,
                            "description": value.description,
                            "count": value.count,
                            "at_least": getattr(value, "at_least", False),
                            "selected": value.value in tags,
                            "param": [t for t in tags if t != value.value]
                            if value.value in tags
                            else [*tags, value.value],
                        }
                        for value in found.get("tag", [])
                    ],
                }
            )
        for name, title, current in (
            ("origin", "Origins", origin),
            ("classification", "Classifications", classification),
        ):
            if name in self.fixed_filters:
                continue
            groups.append(
                {
                    "name": name,
                    "title": title,
                    "values": [
                        {
                            "label": value.label,
                            "description": "",
                            "count": value.count,
                            "at_least": getattr(value, "at_least", False),
                            "selected": value.value == current,
                            "param": None if value.value == current else value.value,
                        }
                        for value in found.get(name, [])
                    ],
                }
            )
        groups.append(
            {
                "name": "year",
                "title": "Years",
                "values": [
                    {
                        "label": value.label,
                        "count": value.count,
                        "at_least": getattr(value, "at_least", False),
                        "since": f"{value.value}-01-01",
                        "until": f"{value.value}-12-31",
                    }
                    for value in found.get("year", [])
                ],
            }
        )
        return groups


class TagDetailView(CableListView):
    """The cables carrying one tag."""

    template_name = "cables/tag_detail.html"
    nav = "tags"
    fixed_filters = ("tag",)

    @cached_property
    def tag(self) -> Tag:
        return get_object_or_404(Tag, code=self.kwargs["code"])

    def fixed_tags(self) -> list[str]:
        return [self.tag.code]

    def tag_count(self, code: str) -> Callable[[], int]:
        """Counted once per collection version and kept per tag (the tag index's map of all the
        counts, read and unpickled on every request for one number, cost more than the rows)."""
        return lambda: cached_tag_count(self.tag.pk, self.current_stats_version)

    def base_queryset(self) -> CableQuerySet:
        return Cable.objects.for_tag(self.tag)

    def get_heading(self) -> str:
        return f"Tag {self.tag.code}" + (f": {self.tag.name}" if self.tag.name else "")

    def fixed_params(self) -> dict[str, list[str]]:
        return {"tag": [self.tag.code, *self.request.GET.getlist("tag")]}

    def feed_url(self) -> str:
        params = self.request.GET.copy()
        for name in ("page", "sort"):
            params.pop(name, None)
        return with_query(reverse("cables:tag-feed", kwargs={"code": self.tag.code}), params)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(tag=self.tag, **kwargs)


class OriginDetailView(CableListView):
    """The cables sent by one post."""

    template_name = "cables/origin_detail.html"
    nav = "origins"
    fixed_filters = ("origin",)

    @cached_property
    def origin(self) -> Origin:
        return get_object_or_404(Origin, slug=self.kwargs["slug"])

    def base_queryset(self) -> CableQuerySet:
        return Cable.objects.for_origin(self.origin)

    def get_heading(self) -> str:
        return self.origin.name

    def fixed_params(self) -> dict[str, list[str]]:
        return {"origin": [self.origin.slug]}

    def feed_url(self) -> str:
        params = self.request.GET.copy()
        for name in ("page", "sort", "origin"):
            params.pop(name, None)
        return with_query(reverse("cables:origin-feed", kwargs={"slug": self.origin.slug}), params)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(origin=self.origin, **kwargs)


class ClassificationDetailView(CableListView):
    """The cables of one classification."""

    template_name = "cables/classification_detail.html"
    nav = "classifications"
    fixed_filters = ("classification",)

    def base_queryset(self) -> CableQuerySet:
        return Cable.objects.for_classification(self.kwargs["classification"])

    def get_heading(self) -> str:
        return Classification(self.kwargs["classification"]).label

    def fixed_params(self) -> dict[str, list[str]]:
        return {"classification": [str(self.kwargs["classification"])]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            classification=Classification(self.kwargs["classification"]), **kwargs
        )


class ArchiveMonthView(CableListView):
    """The cables created in one month (UTC), with links to the months around it."""

    template_name = "cables/archive_month.html"
    nav = "archive"
    fixed_filters = ("since", "until")
    show_timeline = False  # one month: one bar

    def fixed_params(self) -> dict[str, list[str]]:
        year, month = self.kwargs["year"], self.kwargs["month"]
        following = date(year + month // 12, month % 12 + 1, 1)
        last = following - timedelta(days=1)
        return {"since": [date(year, month, 1).isoformat()], "until": [last.isoformat()]}

    def base_queryset(self) -> CableQuerySet:
        year, month = self.kwargs["year"], self.kwargs["month"]
        if not 1 <= month <= 12 or not 1900 <= year <= 2100:
            raise Http404("No such month")
        return Cable.objects.for_month(year, month)

    def get_heading(self) -> str:
        from datetime import date

        return date(self.kwargs["year"], self.kwargs["month"], 1).strftime("%B %Y")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        year, month = self.kwargs["year"], self.kwargs["month"]
        previous = (year, month - 1) if month > 1 else (year - 1, 12)
        following = (year, month + 1) if month < 12 else (year + 1, 1)
        return super().get_context_data(
            archive_year=year, previous_month=previous, next_month=following, **kwargs
        )


# --- browse indexes --------------------------------------------------------------------------


class TagListView(TemplateView):
    """The TAGS glossary, grouped by kind, with the number of cables of each tag."""

    template_name = "cables/tag_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The full corpus has thousands of tags: the list is rendered once per collection version
        # (template fragment cache; a load or a tag edit bumps the version), and ``groups`` is a
        # callable the template calls only when it renders.
        context["collection_version"] = collection_version()
        context["groups"] = tag_groups
        context["nav"] = "tags"
        return context


def tag_groups() -> list[dict[str, Any]]:
    """The tags with their cable counts, grouped by kind (in the glossary's order of kinds)."""
    counts = collection_stats("tag-counts", tag_counts)
    tags = Tag.objects.filter(pk__in=list(counts)).order_by("code")
    by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in TagKind.values}
    for tag in tags:
        by_kind.setdefault(tag.kind, []).append({"tag": tag, "count": counts[tag.pk]})
    return [
        {"kind": kind, "label": TagKind(kind).label, "tags": rows} for kind, rows in by_kind.items() if rows
    ]


class OriginListView(TemplateView):
    """The sending posts with their number of cables."""

    template_name = "cables/origin_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = collection_stats("origins", origin_rows)
        context.update(origins=sorted(rows, key=lambda row: row["name"]), nav="origins")
        return context


class ClassificationListView(TemplateView):
    """The six classifications with their number of cables."""

    template_name = "cables/classification_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        counts = collection_stats("classifications", Cable.objects.per_classification)
        context.update(classifications=classification_rows(counts), nav="classifications")
        return context


class ArchiveIndexView(TemplateView):
    """Years with their number of cables, as a timeline and a list."""

    template_name = "cables/archive_index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        years = collection_stats("years", Cable.objects.per_year)
        context.update(timeline=timeline(years), years=years, nav="archive")
        return context


class ArchiveYearView(TemplateView):
    """One year's months with their number of cables."""

    template_name = "cables/archive_year.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from datetime import date

        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        if not 1900 <= year <= 2100:
            raise Http404("No such year")
        rows = collection_stats(f"year-{year}", Cable.objects.for_year(year).per_month)
        counts = {row["month"]: row["count"] for row in rows}
        if not counts:
            raise Http404("No cables in this year")
        months = [
            {"month": month, "name": date(year, month, 1).strftime("%B"), "count": counts.get(month, 0)}
            for month in range(1, 13)
        ]
        context.update(
            year=year,
            months=months,
            total=sum(counts.values()),
            timeline=timeline(months, key="month"),
            nav="archive",
        )
        return context


# --- the cable page --------------------------------------------------------------------------


class CableDetailView(DetailView):
    """One cable: metadata, routing, numbered paragraphs with linked REF mentions, references,
    "Cited by", the same origin's previous and next cable. An id that loaded cables cite but
    that is not loaded gets a page saying so; aliases and repairable ids redirect (301).

    The rendered page is cached per cable until the collection changes (``cables.page_cache``):
    a warm page is one query; a cold one on PostgreSQL that same query, which then also reads
    what ``Cable.objects.page`` reads, and one upsert to store the page (on SQLite the store
    read, the six reads of ``page`` and the upsert). The page is built by ``cable_page_html``,
    which renders what ``cables/cable_detail.html`` would."""

    model = Cable
    slug_field = "identifier"
    slug_url_kwarg = "identifier"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        identifier = kwargs["identifier"]
        # the stored page, or on a first visit (PostgreSQL) the page's reads in the same statement
        version, html, row = cable_page_lookup(identifier, page_sql=Cable.objects.page_sql())
        if html is not None:
            return HttpResponse(html)
        self.page_data = Cable.objects.page(identifier, row=row)
        if self.page_data is None:
            return self.missing(identifier)
        self.object = self.page_data.cable
        response = HttpResponse(cable_page_html(self.get_context_data(object=self.object)))
        cable_page_set(identifier, version=version, html=response.content)
        return response

    def missing(self, identifier: str) -> HttpResponse:
        """A cable that is not loaded: redirect to its canonical page, or say who cites it."""
        canonical = canonicalize_id(identifier)
        loaded = (
            Cable.objects.filter(Q(identifier=canonical) | Q(canonical_id__in={identifier, canonical}))
            .order_by("identifier")
            .values_list("identifier", flat=True)
            .first()
        )
        if loaded is not None and cable_url(loaded):
            return HttpResponsePermanentRedirect(cable_url(loaded))
        citing = list(
            Reference.objects.filter(target_identifier=canonical)
            .select_related("citing__origin")
            .only(*REFERENCE_FIELDS, *(f"citing__{name}" for name in LIST_FIELDS))
            .order_by("citing__created", "citing__identifier", "position")
        )
        if not citing:
            raise Http404("No such cable")
        if canonical != identifier:
            target = cable_url(canonical)
            if target is None:
                raise Http404("No such cable")
            return HttpResponsePermanentRedirect(target)
        citing_cables = list({reference.citing_id: reference.citing for reference in citing}.values())
        return self.response_class(
            request=self.request,
            template=["cables/cable_missing.html"],
            context={"identifier": identifier, "citing": citing, "citing_cables": citing_cables},
            using=self.template_engine,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cable, parts, neighbours = self.page_data
        references, cited_by = cable_references(cable, parts.references)
        ref_links = {
            reference["label"].upper(): reference["url"] for reference in references if reference["label"]
        }
        linked = [reference for reference in references if reference["url"]]
        if len(linked) == 1:
            ref_links[""] = linked[0]["url"]  # a bare REFTEL / REF means the only cited cable
        recipients = [{"kind": kind, "name": name, "precedence": p} for kind, name, p in parts.recipients]
        previous_cable, next_cable = (
            PageLink(row["identifier"], row["created"]) if row else None for row in neighbours
        )
        context.update(
            references=references,
            references_html=references_html(references),
            ref_links=ref_links,
            paragraphs_html=paragraphs_html(parts.paragraphs, ref_links),
            tags_html=tags_html(parts.tags),
            to_recipients=[r for r in recipients if r["kind"] == RecipientKind.TO],
            info_recipients=[r for r in recipients if r["kind"] == RecipientKind.INFO],
            cited_by=cited_by,
            cited_by_html=cited_by_html(cited_by),
            previous_cable=previous_cable,
            next_cable=next_cable,
        )
        return context


# The page's repeated parts are built here, not by template loops: per item, Django's template
# nodes, filters and {% url %} cost more than the rest of the page. Every piece of cable text is
# escaped (``escape``/``format_html``, or ``link_refs``); the markup is the templates' own, byte
# for byte.


class PageLink(NamedTuple):
    """Another cable as the cable page links it (a neighbour, a citing cable): lighter than a
    Cable instance, of which a page made several."""

    identifier: str
    created: datetime | None
    subject: str = ""

    def get_absolute_url(self) -> str:
        return cable_page_url(self.identifier)


def cable_references(cable: Cable, rows: list[tuple]) -> tuple[list[dict[str, Any]], list[PageLink]]:
    """(the cable's REF items with the URL each links to, the loaded cables citing it, each
    once, oldest first), from the references in both directions (``CablePageParts.references``)."""
    references: list[dict[str, Any]] = []
    cited_by: dict[int, PageLink] = {}
    for citing_id, label, text, kind, target, cited_id, cited_identifier, *citing in rows:
        if citing_id == cable.pk:
            if cited_id is not None:
                url = cable_page_url(cited_identifier)
            else:
                url = cable_url(target) if kind == "cable" else None
            references.append({"label": label, "text": text, "kind": kind, "cited_id": cited_id, "url": url})
        if cited_id == cable.pk and citing_id not in cited_by:
            cited_by[citing_id] = PageLink(*citing)
    return references, list(cited_by.values())


_KIND_LABELS = dict(Reference.Kind.choices)


def references_html(references: list[dict[str, Any]]) -> SafeString:
    """The items of the References list (``<li id="ref-N">``)."""
    items = []
    for number, reference in enumerate(references, start=1):
        label = (
            f'<span class="label">{escape_html(reference["label"])}.</span> ' if reference["label"] else ""
        )
        if reference["url"]:
            item = f'<a href="{escape_html(reference["url"])}">{escape_html(reference["text"])}</a>'
            if not reference["cited_id"]:
                item += ' <span class="not-loaded">(not in the collection)</span>'
        else:
            item = escape_html(reference["text"])
            if reference["kind"] != "cable":
                kind = _KIND_LABELS.get(reference["kind"], reference["kind"]).lower()
                item += f' <span class="not-loaded">({escape_html(kind)})</span>'
        items.append(f'\n        <li id="ref-{number}">{label}{item}</li>\n        ')
    return mark_safe("".join(items))  # noqa: S308 - every piece of cable text above is escaped


def paragraphs_html(
    paragraphs: list[tuple[int, int | None, str, str]], ref_links: dict[str, str]
) -> SafeString:
    """The numbered paragraphs (``<div class="paragraph" id="p3">``), REF mentions linked."""
    items = []
    for position, number, marking, text in paragraphs:
        anchor = search_engine.paragraph_anchor(number, position)
        items.append(
            f'\n        \n        <div class="paragraph" id="{anchor}">\n'
            f'          <a class="pnum" href="#{anchor}" title="Link to this paragraph">&para;'
            f"{number if number is not None else ''}</a>\n"
            f"          <p>{marking_badge(marking)}{soft_breaks(link_refs(text, ref_links))}</p>\n"
            f"        </div>\n        \n        "
        )
    return mark_safe("".join(items))  # noqa: S308 - anchors are numbers; the text is escaped by link_refs


def cited_by_html(cited_by: list[PageLink]) -> SafeString:
    """The items of the "Cited by" list."""
    items = []
    for citing in cited_by:
        item = (
            f'<a href="{escape_html(cable_page_url(citing.identifier))}">{escape_html(citing.identifier)}</a>'
        )
        if citing.created:
            item += f' <span class="muted">{date_html(citing.created, "j M Y")}</span>'
        if citing.subject:
            item += f" &mdash; {escape_html(citing.subject)}"
        items.append(f"\n        <li>{item}</li>\n        ")
    return mark_safe("".join(items))  # noqa: S308 - every value escaped


def tags_html(cable_tags: list[tuple[str, str]]) -> SafeString:
    """The cable's tags, linked to their pages, with their glossary names."""
    items = []
    for code, name in cable_tags:
        item = f'<li><a href="{escape_html(tag_url(code))}">{escape_html(code)}</a>'
        if name:
            item += f' <span class="tag-name">{escape_html(name)}</span>'
        items.append(item + "</li>")
    return mark_safe(f'<ul class="tag-list">{"".join(items)}</ul>') if items else ""  # noqa: S308 - escaped


# --- the whole cable page, without the template engine -------------------------------------------
# ``cable_page_html`` renders what ``cables/cable_detail.html`` (with its two includes) renders,
# byte for byte (tests/test_cable_page_render.py holds it to the template): on a first visit the
# template engine cost about a third of the page's CPU. The site frame (``base.html`` around the
# title and the content) is rendered once per process by the template engine itself.


def _page_frame() -> tuple[str, str, str]:
    """``base.html`` as the cable page renders it (no search query, no current section), split
    around its title and content."""
    return _page_frame_for(get_script_prefix(), get_urlconf())


@lru_cache(maxsize=8)
def _page_frame_for(prefix: str, urlconf: str | None) -> tuple[str, str, str]:
    """The frame per script prefix and URLconf (its links), rendered once: its static file names
    change only with the settings (``setting_changed`` clears it)."""
    html = engines["django"].from_string(_FRAME_TEMPLATE).render({})
    before_title, between, after_content = html.split(_HOLE)
    return before_title, between, after_content


_HOLE = "\x00"
_FRAME_TEMPLATE = (
    '{% extends "base.html" %}{% block title %}' + _HOLE + "{% endblock title %}"
    "{% block content %}" + _HOLE + "{% endblock content %}"
)


@receiver(setting_changed)
def _page_frame_clear(**kwargs: Any) -> None:
    _page_frame_for.cache_clear()


def _recipients_html(recipients: list[dict[str, Any]]) -> str:
    return "".join(
        f"<li>{escape_html(r['name'])}"
        + (f' <span class="muted">{escape_html(r["precedence"])}</span>' if r["precedence"] else "")
        + "</li>"
        for r in recipients
    )


def cable_page_html(context: dict[str, Any]) -> str:
    """The cable page: what ``cables/cable_detail.html`` renders with ``context`` (the view's)."""
    cable = context["cable"]
    identifier = escape_html(cable.identifier)
    title = identifier
    if cable.subject:
        title += ": " + escape_html(Truncator(cable.subject).chars(90))
    badge = classification_badge(cable.classification)
    if cable.created:
        created = date_html(cable.created, "c")
        byline_date = f'<time datetime="{created}">{date_html(cable.created, "j F Y")}</time>'
    else:
        byline_date = "Date unknown"
    if cable.origin:
        origin_html = (
            f'<a href="{escape_html(origin_url(cable.origin.slug))}">{escape_html(cable.origin.name)}</a>'
        )
    else:
        origin_html = None
    out = [
        '\n<article class="cable-page">\n  <header class="cable-head">\n'
        f'    <p class="kicker"><span class="ident">{identifier}</span> {badge}'
        f"{' <span class="muted">partial text</span>' if cable.is_partial else ''}</p>\n"
        f'    <h1 class="cable-subject">{escape_html(cable.subject or "(no subject)")}</h1>\n'
        f'    <p class="byline">{byline_date} &middot; '
        f"{origin_html or escape_html(cable.station or 'origin unknown')}</p>\n"
        '  </header>\n\n  <div class="cable-main">\n    '
    ]
    out.append(_routing_html(cable, context["to_recipients"], context["info_recipients"]))
    out.append("\n\n    ")
    if context["references"]:
        out.append(
            '\n    <section aria-labelledby="refs">\n      <h2 id="refs">References</h2>\n'
            f'      <ul class="ref-list">\n        {context["references_html"]}\n'
            "      </ul>\n    </section>\n    "
        )
    out.append(
        '\n\n    <section aria-labelledby="text">\n      <h2 id="text">Text</h2>\n'
        '      <div class="telegram">\n        '
    )
    if context["paragraphs_html"]:
        out.append(context["paragraphs_html"])
    else:
        out.append(f"\n        <pre>{escape_html(cable.body)}</pre>\n        ")
    out.append("\n      </div>\n      ")
    if cable.signer:
        out.append(f'<p class="signer">{escape_html(cable.signer)}</p>')
    out.append(
        '\n    </section>\n\n    <section aria-labelledby="cited-by">\n'
        '      <h2 id="cited-by">Cited by</h2>\n      '
    )
    if context["cited_by"]:
        out.append(
            f'\n      <ul class="cited-by-list">\n        {context["cited_by_html"]}\n      </ul>\n      '
        )
    else:
        out.append('\n      <p class="muted">No loaded cable cites this one.</p>\n      ')
    out.append(
        '\n    </section>\n  </div>\n\n  \n  <aside class="cable-aside" aria-label="About this cable">\n    '
    )
    out.append(_metadata_html(cable, context["tags_html"], badge, origin_html))
    text, json, history = (
        escape_html(cable_url(cable.identifier, f"cables:{route}"))
        for route in ("cable-text", "cable-json", "cable-history")
    )
    out.append(
        '\n    <nav class="downloads no-print" aria-label="Downloads">\n      <h2>Download</h2>\n'
        f'      <p><a class="button secondary" href="{text}" download>Text</a>\n'
        f'         <a class="button secondary" href="{json}" download>JSON</a></p>\n'
        f'      <p><a href="{history}">History of this cable</a>\n'
        '        <span class="muted">(versions loaded and what changed)</span></p>\n    </nav>\n    '
    )
    previous_cable, next_cable = context["previous_cable"], context["next_cable"]
    if previous_cable or next_cable:
        out.append(
            '\n    <nav class="prev-next-box no-print" aria-label="Same origin">\n'
            f"      <h2>From {escape_html(cable.origin.name)}</h2>\n"
            '      <ul class="prev-next-list">\n        '
        )
        for rel, label, neighbour in (("prev", "Previous", previous_cable), ("next", "Next", next_cable)):
            if neighbour:
                out.append(
                    f'<li>{label}: <a rel="{rel}" href="{escape_html(cable_page_url(neighbour.identifier))}">'
                    f"{escape_html(neighbour.identifier)}</a>"
                )
                if neighbour.created:
                    out.append(f' <span class="muted">{date_html(neighbour.created, "j M Y")}</span>')
                out.append("</li>")
            out.append("\n        " if rel == "prev" else "\n      ")
        out.append("</ul>\n    </nav>\n    ")
    out.append("\n  </aside>\n</article>\n")
    before_title, between, after_content = _page_frame()
    return f"{before_title}{title} - Cable reading room{between}{''.join(out)}{after_content}"


def _routing_html(cable: Cable, to_recipients: list[dict], info_recipients: list[dict]) -> str:
    """What ``cables/includes/_routing.html`` renders."""
    summary = "Routing"
    if cable.sender:
        summary += f": from {escape_html(cable.sender)}"
    if to_recipients:
        summary += f", to {len(to_recipients)}"
    if info_recipients:
        summary += f", info {len(info_recipients)}"
    out = [
        f'<details class="routing">\n  <summary>{summary}</summary>\n  <div>\n'
        '    <dl class="routing-list">\n      '
    ]
    if cable.precedence:
        out.append(f"<dt>Precedence</dt><dd>{escape_html(cable.precedence)}</dd>")
    out.append("\n      ")
    if cable.transmission_id:
        out.append(f'<dt>Transmission</dt><dd class="mono">{escape_html(cable.transmission_id)}</dd>')
    out.append(
        f"\n      <dt>From</dt><dd>{escape_html(cable.sender or 'not given')}</dd>\n      <dt>To</dt><dd>"
    )
    out.append(f"<ul>{_recipients_html(to_recipients)}</ul>" if to_recipients else "not given")
    out.append("</dd>\n      ")
    if info_recipients:
        out.append(f"<dt>Info</dt><dd><ul>{_recipients_html(info_recipients)}</ul></dd>")
    out.append("\n    </dl>\n    ")
    if cable.header:
        out.append(
            '\n    <details class="raw-header">\n      <summary>Header as transmitted</summary>\n'
            f'      <pre class="telegram">{escape_html(cable.header)}</pre>\n    </details>\n    '
        )
    out.append("\n  </div>\n</details>\n")
    return "".join(out)


def _metadata_html(cable: Cable, tags: str, badge: str, origin_html: str | None) -> str:
    """What ``cables/includes/_cable_metadata.html`` renders."""
    identifier = escape_html(cable.identifier)
    out = [
        '<section class="metadata" aria-labelledby="metadata-title">\n'
        '  <h2 id="metadata-title" class="visually-hidden">Metadata</h2>\n  <dl>\n'
        f'    <dt>Identifier</dt><dd><span class="ident">{identifier}</span>'
    ]
    if cable.canonical_id != cable.identifier:
        out.append(f' <span class="muted">(also {escape_html(cable.canonical_id)})</span>')
    out.append("</dd>\n    <dt>Created</dt><dd>")
    if cable.created:
        out.append(
            f'<time datetime="{date_html(cable.created, "c")}">'
            f"{date_html(cable.created, 'j F Y, H:i')} UTC</time>"
        )
    else:
        out.append("unknown")
    out.append("</dd>\n    ")
    if cable.released:
        out.append(
            f'<dt>Released</dt><dd><time datetime="{date_html(cable.released, "c")}">'
            f"{date_html(cable.released, 'j F Y')}</time></dd>"
        )
    out.append(
        f'\n    <dt>Classification</dt><dd><a href="{escape_html(classification_url(cable.classification))}">'
        f"{badge}</a></dd>\n"
        f"    <dt>Origin</dt><dd>{origin_html or escape_html(cable.station or 'unknown')}</dd>\n"
        f"    <dt>Tags</dt><dd>{tags or 'none'}</dd>\n    "
    )
    if cable.caveats:
        out.append(f"<dt>Caveats</dt><dd>{', '.join(escape_html(c) for c in cable.caveats)}</dd>")
    out.append("\n    ")
    if cable.classified_by:
        out.append(f"<dt>Classified by</dt><dd>{escape_html(cable.classified_by)}")
        if cable.classification_reasons:
            reasons = ", ".join(escape_html(r) for r in cable.classification_reasons)
            out.append(f' <span class="muted">(reasons {reasons})</span>')
        out.append("</dd>")
    out.append("\n    ")
    if cable.declassify_on:
        out.append(f"<dt>Declassify on</dt><dd>{date_html(cable.declassify_on, 'j F Y')}</dd>")
    out.append("\n    ")
    if cable.signer:
        out.append(f"<dt>Signed</dt><dd>{escape_html(cable.signer)}</dd>")
    out.append("\n  </dl>\n</section>\n")
    return "".join(out)


def cable_as_dict(cable: Cable) -> dict[str, Any]:
    """The stored cable in the shape of the parser's JSON contract (cable-format.md)."""

    def recipient(r: Any) -> dict[str, Any]:
        return {
            "name": r.name,
            "route": r.route or None,
            "precedence": r.precedence or None,
            "mcn": r.mcn or None,
            "excluded": list(r.excluded),
        }

    recipients = list(cable.recipients.all())
    return {
        "identifier": cable.identifier,
        "canonical_id": cable.canonical_id,
        "created": cable.created.strftime("%Y-%m-%dT%H:%M:%SZ") if cable.created else None,
        "released": cable.released.strftime("%Y-%m-%dT%H:%M:%SZ") if cable.released else None,
        "classification": cable.get_classification_display(),
        "origin": cable.origin.name if cable.origin else None,
        "station": cable.station,
        "subject": cable.subject,
        "tags": [cable_tag.tag.code for cable_tag in cable.cable_tags.all()],
        "references": [
            {"label": r.label or None, "text": r.text, "kind": r.kind, "target": r.target_identifier or None}
            for r in cable.references_made.all()
        ],
        "paragraphs": [
            {"number": p.number, "marking": p.marking or None, "text": p.text} for p in cable.paragraphs.all()
        ],
        "transmission_id": cable.transmission_id or None,
        "precedence": cable.precedence or None,
        "sender": cable.sender or None,
        "recipients": {
            "to": [recipient(r) for r in recipients if r.kind == RecipientKind.TO],
            "info": [recipient(r) for r in recipients if r.kind == RecipientKind.INFO],
        },
        "signer": cable.signer or None,
        "classified_by": cable.classified_by or None,
        "classification_reasons": list(cable.classification_reasons),
        "declassify_on": cable.declassify_on.isoformat() if cable.declassify_on else None,
        "caveats": list(cable.caveats),
        "summary": cable.summary or None,
        "is_partial": cable.is_partial,
        "header": cable.header,
        "body": cable.body,
        "format": cable.format,
        "warnings": list(cable.warnings),
        "extra": dict(cable.extra),
    }


class CableTextView(DetailView):
    """The cable as plain text: routing header and body as stored."""

    model = Cable
    slug_field = "identifier"
    slug_url_kwarg = "identifier"

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        cable = self.object
        text = f"{cable.header.rstrip()}\n\n{cable.body}" if cable.header.strip() else cable.body
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{cable.identifier}.txt"'
        return response


class CableJsonView(DetailView):
    """The stored cable as JSON, shaped like the parser's contract."""

    model = Cable
    slug_field = "identifier"
    slug_url_kwarg = "identifier"

    def get_queryset(self) -> CableQuerySet:
        return Cable.objects.select_related("origin").prefetch_related(
            "paragraphs", "recipients", "references_made", "cable_tags__tag"
        )

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = JsonResponse(
            cable_as_dict(self.object), json_dumps_params={"indent": 2, "ensure_ascii": False}
        )
        response["Content-Disposition"] = f'inline; filename="{self.object.identifier}.json"'
        return response
