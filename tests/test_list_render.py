"""The parts of a list page built in Python (cable_tags: filters_html, facets_html,
pagination_html, results_timeline_html) render the bytes of their templates
(cables/includes/_filters.html, _facets.html, _pagination.html, _results_timeline.html): on
searched and browsed lists, each page's fixed filters, valid, invalid and hostile values."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from cables.filters import CableFilterSet
from cables.models import Cable, Origin
from cables.search import FacetValue
from cables.templatetags.cable_tags import (
    facets_html,
    filters_html,
    pagination_html,
    results_timeline_html,
)
from cables.views import CableListView, CablePaginator, timeline_chart

HOSTILE = "<script>alert(\"x\")</script> & 'q'"

QUERIES = [
    "",
    "q=nuclear",
    "q=%3Cscript%3E%22%26%27&sort=relevance",
    "tag=PREL&tag=FR&page=3",
    "tag=PREL&tag=%22%3E%3Cb%3E&sort=oldest",
    "origin=embassy-paris&classification=3&since=2006-01-01&until=2007-12-31&sort=oldest",
    "origin=embassy-x&classification=6&page=2000",
    "since=yesterday&until=%22%3E%3Cscript%3E&sort=sideways&classification=9&origin=nowhere",
    "since=&until=&classification=&origin=&sort=",
    "q=talks+%26+more&tag=PREL&origin=embassy-paris&since=2006-02-30&page=2",
    "classification=3&classification=5&tag=&unknown=%3Cx%3E",
]
FIXED = [(), ("tag",), ("origin",), ("classification",), ("since", "until")]


@pytest.fixture
def origins(db):
    Origin.objects.create(name="Embassy Paris", slug="embassy-paris", source_name="Embassy Paris")
    Origin.objects.create(name=HOSTILE, slug="embassy-x", source_name="x")
    Origin.objects.create(name="Consulate <Lyon> & co", slug="consulate-lyon", source_name="y")


def request_for(query: str):
    return RequestFactory().get("/cables/?" + query if query else "/cables/")


def selected_tags(form) -> list[dict]:
    """As CableListView.get_context_data makes them."""
    form.is_valid()
    tags = getattr(form, "cleaned_data", {}).get("tag", [])
    return [{"code": code, "remaining": [c for c in tags if c != code]} for code in tags]


@pytest.mark.parametrize("query", QUERIES)
def test_filters_html_renders_the_filters_template(origins, query):
    request = request_for(query)
    compared = 0
    for searching in (False, True):
        for fixed in FIXED:
            data = request.GET or None  # as FilterView binds: unbound without a query string
            filterset = CableFilterSet(data, queryset=Cable.objects.all(), searching=searching)
            form = filterset.form
            q = request.GET.get("q", "").strip() if searching else ""
            tags = selected_tags(form)
            expected = render_to_string(
                "cables/includes/_filters.html",
                {"form": form, "q": q, "fixed_filters": fixed, "selected_tags": tags},
                request=request,
            )
            assert filters_html(form, q, fixed, tags, request) == expected
            compared += 1
    assert compared == 2 * len(FIXED)
    if "%3Cscript%3E" in query:
        assert "<script>" not in expected and "&lt;script&gt;" in expected


def test_filters_html_marks_invalid_fields_as_the_widgets_do(origins):
    request = request_for("since=yesterday&sort=sideways")
    form = CableFilterSet(request.GET, queryset=Cable.objects.all()).form
    html = filters_html(form, "", (), [], request)
    assert 'aria-invalid="true" aria-describedby="id_since_error" id="id_since"' in html
    assert '<div class="form-errors" role="alert"><p>since: Enter a valid date.</p>' in html


def facet_groups(fixed_filters, data):
    found = {
        "tag": [
            FacetValue("PREL", "PREL", 12345, "External political relations"),
            FacetValue("FR", "FR", 1, HOSTILE, at_least=True),
            FacetValue('X"<', 'X"<', 0, ""),
        ],
        "origin": [
            FacetValue("Embassy Paris", "embassy-paris", 2000, at_least=True),
            FacetValue(HOSTILE, "embassy-x", 3),
        ],
        "classification": [FacetValue("CONFIDENTIAL", "3", 9), FacetValue("SECRET", "5", 1)],
        "year": [FacetValue("2006", "2006", 1_000_000), FacetValue("2007", "2007", 1, at_least=True)],
    }
    view = SimpleNamespace(fixed_filters=fixed_filters)
    return CableListView.facet_context(view, found, data)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("fixed", FIXED)
def test_facets_html_renders_the_facets_template(query, fixed):
    request = request_for(query)
    data = {
        "tag": [c.upper() for c in request.GET.getlist("tag") if c],
        "origin": request.GET.get("origin", ""),
        "classification": request.GET.get("classification", ""),
    }
    facets = facet_groups(fixed, data)
    facets.append({"name": "origin", "title": "Empty <group>", "values": []})
    expected = render_to_string("cables/includes/_facets.html", {"facets": facets}, request=request)
    assert facets_html(facets, request) == expected
    assert "<script>alert" not in expected


@pytest.mark.parametrize("query", ["", "q=a%26b&sort=oldest", "page=7&tag=PREL&tag=FR", "page=x&q=%3C%22%3E"])
@pytest.mark.parametrize(("total", "per_page"), [(0, 50), (50, 50), (51, 50), (250_000, 50), (7, 2)])
def test_pagination_html_renders_the_pagination_template(query, total, per_page):
    request = request_for(query)
    for capped in (False, True):
        paginator = CablePaginator(list(range(total)), per_page, count_with=lambda: total)
        pages = sorted(
            {1, 2, 3, paginator.num_pages - 1, paginator.num_pages, 2000} & set(paginator.page_range)
        )
        for number in pages:
            page = paginator.page(number)
            paginator.capped = capped
            expected = render_to_string(
                "cables/includes/_pagination.html", {"page_obj": page}, request=request
            )
            assert pagination_html(page, request) == expected
    plain = Paginator(list(range(total)), per_page)  # no "capped": a plain Paginator works too
    page = plain.page(1)
    expected = render_to_string("cables/includes/_pagination.html", {"page_obj": page}, request=request)
    assert pagination_html(page, request) == expected


def month_counts(first: tuple[int, int], months: int, step: int = 1) -> dict[tuple[int, int], int]:
    counts = {}
    year, month = first
    for n in range(months):
        if n % 3 != 1:  # some empty months
            counts[(year, month)] = n * step + (1 if n % 5 == 0 else 0)
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return counts


@pytest.mark.parametrize("query", ["", "since=2006-01-01&until=2006-12-31&page=4", "q=%3Cb%3E&tag=PREL"])
def test_results_timeline_html_renders_the_timeline_template(query):
    request = request_for(query)
    charts = [
        timeline_chart(month_counts((2006, 3), 14)),  # per month
        timeline_chart(month_counts((2006, 3), 14), since=date(2006, 3, 15), until=date(2007, 4, 2)),
        timeline_chart(month_counts((1966, 1), 12 * 45, step=997)),  # per year, counts in thousands
        timeline_chart(month_counts((1990, 1), 60), sample=10_000),  # "at least (of the first ...)"
        timeline_chart({(2006, 5): 1}),  # one bar: one label
        timeline_chart({(2006, 5): 1, (2006, 6): 1}),
    ]
    for chart in charts:
        expected = render_to_string(
            "cables/includes/_results_timeline.html", {"chart": chart}, request=request
        )
        assert results_timeline_html(chart, request) == expected
    assert "per year" in expected or "per month" in expected


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=3",
        "q=caf%C3%A9+%26+more&tag=PREL&tag=FR&page=2&sort=oldest",
        "tag=&tag=A+B&since=2006-01-01&until=%3Cx%3E&x=1&x=2",
        "q=%22%27%3C%3E%2F%3F%23&page=",
    ],
)
def test_querystrings_are_the_querystring_tag(query):
    """QueryStrings (the query string encoded once per request) gives what Django's
    {% querystring %} gives for every kind of argument the list pages pass."""
    from django.template.defaulttags import querystring

    from cables.templatetags.cable_tags import QueryStrings

    request = request_for(query)
    made = QueryStrings(request.GET)
    for kwargs in [
        {},
        {"page": 1},
        {"page": 2000, "sort": "newest"},
        {"sort": "relevance", "page": None},
        {"tag": ["PREL", "É&x"], "page": None},
        {"tag": [], "page": None},
        {"tag": [None, "FR"]},
        {"since": "2006-01-01", "until": "2006-12-31", "page": None},
        {"origin": None, "classification": "3"},
        {"q": "a b&c=d", "x": None},
    ]:
        assert made(**kwargs) == querystring(SimpleNamespace(request=request), **kwargs), kwargs


def test_cable_row_renders_the_row_template_for_every_month_and_kind_of_row():
    """cable_row (URLs from reversed prefixes, dates formatted without the date filter) gives the
    row template's bytes for dates across the months and days of the century, with and without
    origin or station, every classification, partial or not, hostile and non-ASCII text."""
    from datetime import UTC, datetime, timedelta, timezone

    from cables.templatetags.cable_tags import cable_row

    origin = Origin(name='Embassy <Paris> & "Co"', slug="embassy-paris")
    compared = 0
    for n in range(240):
        created = datetime(1966 + n % 45, n % 12 + 1, n % 28 + 1, n % 24, n % 60, n % 7, tzinfo=UTC)
        if n % 5 == 0:
            created = created.astimezone(timezone(timedelta(hours=-5)))  # shown in UTC all the same
        cable = Cable(
            identifier=f"{created.year % 100:02d}PARIS{n}",
            created=None if n % 17 == 0 else created,
            classification=n % 6 + 1,
            origin=origin if n % 3 else None,
            station=["", "PARIS", "<b>&"][n % 3],
            subject=["", HOSTILE, "Café crème: l'été", "A" * 300][n % 4],
            is_partial=n % 4 == 1,
        )
        expected = render_to_string("cables/includes/_cable_row.html", {"cable": cable})
        assert cable_row(cable) == expected
        compared += 1
    assert compared == 240


@pytest.mark.django_db
def test_cached_counts_of_browse_lists_and_tags_follow_a_load(client, monkeypatch, tmp_path):
    """The counts kept per collection version (all cables, an origin, a month, one tag on its
    page or as ?tag=) are the exact counts, served from the cache on a second visit and
    recounted after a load."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_cable
    from tests.test_views import load

    def cable(n, **kwargs):
        return make_cable(f"06PARIS{n}", created=f"2006-03-{n % 28 + 1:02d}T10:00:00Z", **kwargs)

    load(monkeypatch, tmp_path, *[cable(n, tags=("PREL", "FR") if n % 2 else ("PGOV",)) for n in range(1, 8)])
    urls = {
        "/cables/": 7,
        "/origins/embassy-paris/": 7,
        "/archive/2006/3/": 7,
        "/tags/PREL/": 4,
        "/cables/?tag=PREL": 4,
        "/cables/?tag=pgov": 3,
        "/cables/?tag=NOSUCH": 0,
    }
    for url, expected in urls.items():
        assert client.get(url).context["paginator"].count == expected, url
        with CaptureQueriesContext(connection) as second:
            assert client.get(url).context["paginator"].count == expected, url
        counts = [q["sql"] for q in second.captured_queries if "COUNT(" in q["sql"].upper()]
        assert not counts, (url, counts)
    load(monkeypatch, tmp_path, cable(8, tags=("PREL",)), cable(9, tags=("PGOV",)))
    for url, expected in urls.items():
        more = {"/tags/PREL/": 1, "/cables/?tag=PREL": 1, "/cables/?tag=pgov": 1, "/cables/?tag=NOSUCH": 0}
        assert client.get(url).context["paginator"].count == expected + more.get(url, 2), url
