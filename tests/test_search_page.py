"""The search/list page's reader features: results over time, CSV/JSON exports, Atom feeds, sort.

Cables go in through the real ingest (the parser stood in for by factories); exports, feeds and
the chart are parsed (``csv``, ``json``, ``ElementTree``) and compared with independent ORM
queries.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cables.ingest import cables_ingest
from cables.models import Cable
from tests.factories import make_cable

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
EVIL = "<script>alert(1)</script>"


@pytest.fixture
def load(monkeypatch, tmp_path):
    """Ingest ParsedCables through the real service (which indexes them for search)."""
    from cables import parsing

    def load(*cables):
        monkeypatch.setattr(parsing, "iter_path", lambda path: iter(cables))
        stand_in = tmp_path / "stand-in.txt"  # a file: ingest walks a directory itself
        stand_in.write_text("read by the stand-in parser")
        report = cables_ingest(sources=[stand_in])
        assert report.failed == []

    return load


@pytest.fixture
def collection(load):
    """Nuclear cables over 2006-2009 from Paris and Berlin, PREL on some; others about fish."""
    cables = []
    for n in range(1, 13):
        year = 2006 + n % 4
        cables.append(
            make_cable(
                f"{year % 100:02d}PARIS{n}" if n % 3 else f"{year % 100:02d}BERLIN{n}",
                created=f"{year}-{n:02d}-10T08:30:00Z",
                subject=f"Nuclear talks, round {n}",
                tags=("PREL", "IR") if n % 2 else ("ENRG",),
            )
        )
    cables += [
        make_cable(f"08PARIS{n}", subject=f"Fishing quotas {n}", tags=("PREL",)) for n in range(50, 53)
    ]
    load(*cables)
    return cables


def content(response):
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def expected(q_word="nuclear", tag="PREL"):
    """The cables whose subject has the word and that carry the tag, newest first (the ORM)."""
    return list(
        Cable.objects.filter(subject__icontains=q_word, tags__code=tag)
        .order_by("-created", "identifier")
        .values_list("identifier", flat=True)
    )


# --- export ---------------------------------------------------------------------------------------


def test_csv_export_has_the_header_and_the_rows_of_the_search_and_filter(client, collection):
    response = client.get("/cables/export.csv", {"q": "nuclear", "tag": "PREL", "sort": "newest"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cables-nuclear-prel.csv"'
    assert response["X-Export-Truncated"] == "false"
    rows = list(csv.reader(io.StringIO(content(response))))
    header = ["identifier", "canonical_id", "created", "classification", "origin", "subject", "tags", "url"]
    assert rows[0] == header
    assert [row[0] for row in rows[1:]] == expected() != []
    cable = Cable.objects.select_related("origin").get(identifier=rows[1][0])
    assert rows[1] == [
        cable.identifier,
        cable.canonical_id,
        cable.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "CONFIDENTIAL",
        cable.origin.name,
        cable.subject,
        "PREL IR",
        f"http://testserver/cables/{cable.identifier}/",
    ]


def test_json_export_parses_and_matches_the_list_page(client, collection):
    params = {"q": "nuclear", "tag": "PREL", "origin": "embassy-paris"}
    response = client.get("/cables/export.json", params)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="cables-nuclear-prel-embassy-paris.json"'
    data = json.loads(content(response))
    page = client.get("/cables/", params)
    listed = [cable.identifier for cable in page.context["cable_list"]]
    assert [row["identifier"] for row in data["cables"]] == listed  # same order (relevance) as the page
    assert sorted(listed) == sorted(c for c in expected() if "PARIS" in c)
    assert data["truncated"] is False and data["count"] == len(listed)
    first = data["cables"][0]
    assert first["tags"] == ["PREL", "IR"] and first["origin"] == "Embassy Paris"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["created"])


def test_exports_are_bounded_and_say_when_they_are_truncated(client, collection, settings):
    settings.CABLES_EXPORT_MAX_ROWS = 3
    response = client.get("/cables/export.csv", {"tag": "PREL"})
    assert response["X-Export-Truncated"] == "true"
    assert len(list(csv.reader(io.StringIO(content(response))))) == 1 + 3
    data = json.loads(content(client.get("/cables/export.json", {"tag": "PREL"})))
    assert (len(data["cables"]), data["count"], data["truncated"], data["max_rows"]) == (3, 3, True, 3)
    exact = client.get("/cables/export.json", {"q": "fishing"})  # 3 cables: all of them, not truncated
    assert exact["X-Export-Truncated"] == "false"
    assert json.loads(content(exact))["truncated"] is False


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client, load):
    subjects = ['=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "plain = text"]
    load(*[make_cable(f"06PARIS{n}", subject=subject) for n, subject in enumerate(subjects, start=1)])
    rows = list(csv.DictReader(io.StringIO(content(client.get("/cables/export.csv", {"sort": "oldest"})))))
    by_id = {row["identifier"]: row["subject"] for row in rows}
    assert by_id == {
        "06PARIS1": '\'=HYPERLINK("http://x")',
        "06PARIS2": "'+1+2",
        "06PARIS3": "'-3",
        "06PARIS4": "'@SUM(A1)",
        "06PARIS5": "plain = text",
    }
    # JSON is data, not a spreadsheet: kept as written
    data = json.loads(content(client.get("/cables/export.json")))
    assert {row["subject"] for row in data["cables"]} == set(subjects)


def test_an_invalid_search_exports_no_rows(client, collection):
    response = client.get("/cables/export.csv", {"q": '"'})
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(content(response))))) <= 1


# --- feed -----------------------------------------------------------------------------------------


def feed(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response, ET.fromstring(response.content)  # noqa: S314 - our own response, no entities


def test_atom_feed_of_a_search_lists_the_newest_matching_cables(client, collection):
    _response, root = feed(client, "/cables/feed/", {"q": "nuclear", "tag": "PREL", "sort": "oldest"})
    assert root.tag == f"{ATOM}feed"
    title = root.findtext(f"{ATOM}title")
    assert "Search: nuclear" in title and "PREL" in title
    alternate = root.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert urlsplit(alternate).path == "/cables/"
    assert parse_qs(urlsplit(alternate).query) == {"q": ["nuclear"], "tag": ["PREL"]}
    entries = root.findall(f"{ATOM}entry")
    identifiers = [entry.findtext(f"{ATOM}title").split(":")[0] for entry in entries]
    assert identifiers == expected()  # newest first whatever the sort asked for the page
    for entry in entries:
        cable = Cable.objects.get(identifier=entry.findtext(f"{ATOM}title").split(":")[0])
        link = entry.find(f"{ATOM}link").get("href")
        assert link == f"http://testserver/cables/{cable.identifier}/"
        assert unescape(entry.findtext(f"{ATOM}summary")) == cable.subject
        assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) == cable.created


def test_feed_has_at_most_fifty_entries(client, load):
    minutes = {n: f"2006-01-01T{n // 60:02d}:{n % 60:02d}:00Z" for n in range(1, 61)}  # 06PARIS60 is newest
    load(*[make_cable(f"06PARIS{n}", created=created) for n, created in minutes.items()])
    _response, root = feed(client, "/cables/feed/")
    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert len(titles) == 50
    assert titles[0].startswith("06PARIS60:") and titles[-1].startswith("06PARIS11:")


def test_hostile_subjects_come_out_of_the_feed_as_text(client, load):
    load(make_cable("06PARIS1", subject=EVIL), make_cable("06PARIS2", subject="Ben & Jerry's <b>"))
    response, root = feed(client, "/cables/feed/", {"q": "alert"})
    assert b"<script" not in response.content
    assert not [element for element in root.iter() if element.tag.rsplit("}", 1)[-1] in ("script", "b")]
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == f"06PARIS1: {EVIL}"  # a text construct: shown as text
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # HTML content is escaped once more, so a feed reader renders the characters, not a script
    assert summary.text == "&lt;script&gt;alert(1)&lt;/script&gt;"
    _response, all_root = feed(client, "/cables/feed/")
    summaries = {entry.findtext(f"{ATOM}summary") for entry in all_root.findall(f"{ATOM}entry")}
    assert "Ben &amp; Jerry&#x27;s &lt;b&gt;" in summaries


def test_tag_and_origin_feeds_are_their_filters(client, collection):
    _response, root = feed(client, "/tags/ENRG/feed/")
    titles = [entry.findtext(f"{ATOM}title").split(":")[0] for entry in root.findall(f"{ATOM}entry")]
    enrg = Cable.objects.filter(tags__code="ENRG").values_list("identifier", flat=True)
    assert sorted(titles) == sorted(enrg)
    assert "ENRG" in root.findtext(f"{ATOM}title")
    _response, root = feed(client, "/origins/embassy-berlin/feed/", {"q": "nuclear"})
    titles = [entry.findtext(f"{ATOM}title").split(":")[0] for entry in root.findall(f"{ATOM}entry")]
    assert titles and all("BERLIN" in identifier for identifier in titles)
    assert client.get("/tags/NOSUCHTAG/feed/").status_code == 404


def test_list_pages_link_their_feed_and_exports_with_the_same_query(client, collection):
    html = client.get("/cables/", {"q": "nuclear", "tag": "PREL", "page": "1"}).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/cables/feed/?q=nuclear&amp;tag=PREL"' in html
    assert ">Follow (Atom)</a>" in html
    assert 'href="/cables/export.csv?q=nuclear&amp;tag=PREL"' in html
    assert 'href="/cables/export.json?q=nuclear&amp;tag=PREL"' in html
    tag_page = client.get("/tags/PREL/", {"origin": "embassy-paris"}).content.decode()
    assert 'href="/tags/PREL/feed/?origin=embassy-paris"' in tag_page
    assert 'href="/cables/export.csv?origin=embassy-paris&amp;tag=PREL"' in tag_page
    origin_page = client.get("/origins/embassy-paris/").content.decode()
    assert 'href="/origins/embassy-paris/feed/"' in origin_page
    assert 'href="/cables/export.csv?origin=embassy-paris"' in origin_page


def test_export_link_of_a_tag_page_exports_that_page(client, collection):
    page = client.get("/tags/IR/")
    url = re.search(r'href="(/cables/export\.json[^"]*)"', page.content.decode()).group(1)
    data = json.loads(content(client.get(unescape(url))))
    assert sorted(row["identifier"] for row in data["cables"]) == sorted(
        c.identifier for c in page.context["cable_list"]
    )


# --- results over time ------------------------------------------------------------------------------


BAR_RE = re.compile(
    r'<li class="h-(\d+)"><a href="([^"]+)" title="[^"]+">'
    r'<span class="visually-hidden">([^<]+): ([\d,]+) cables?</span>'
)


def bars(html):
    section = html.split('class="timeline-box results-timeline"', 1)[1].split("</section>", 1)[0]
    return [
        {"step": int(step), "url": unescape(url), "label": label, "count": int(count.replace(",", ""))}
        for step, url, label, count in BAR_RE.findall(section)
    ]


def test_results_over_time_counts_each_year_and_its_bars_narrow_the_search(client, collection):
    response = client.get("/cables/", {"q": "nuclear", "tag": "PREL"})
    html = response.content.decode()
    found = bars(html)
    matching = Cable.objects.filter(subject__icontains="nuclear", tags__code="PREL")
    years = sorted(set(matching.values_list("created__year", flat=True)))
    assert [bar["label"] for bar in found] == [str(year) for year in years]  # the years with cables
    for bar in found:
        assert bar["count"] == matching.filter(created__year=int(bar["label"])).count()
    assert max(bar["step"] for bar in found) == 20
    assert "style=" not in html  # the strict CSP: heights are classes
    # following a bar narrows the date range and finds exactly that many cables
    bar = found[0]
    query = parse_qs(urlsplit(bar["url"]).query)
    assert query == {
        "q": ["nuclear"],
        "tag": ["PREL"],
        "since": [f"{bar['label']}-01-01"],
        "until": [f"{bar['label']}-12-31"],
    }
    narrowed = client.get("/cables/" + bar["url"])
    assert narrowed.context["paginator"].count == bar["count"]


def test_results_over_time_is_per_month_within_two_years(client, collection):
    params = {"tag": "PREL", "since": "2007-03-15", "until": "2008-12-31"}
    html = client.get("/cables/", params).content.decode()
    assert "per month" in html
    labels = re.findall(r'<span class="visually-hidden">([A-Z][a-z]+ \d{4}): ', html)
    assert labels[0] == "March 2007" and labels[-1] == "December 2008" and len(labels) == 22
    matching = Cable.objects.filter(
        tags__code="PREL",
        created__gte=datetime(2007, 3, 15, tzinfo=UTC),
        created__lt=datetime(2009, 1, 1, tzinfo=UTC),
    )
    found = bars(html)
    assert sum(bar["count"] for bar in found) == matching.count() > 0
    for bar in found:
        month = datetime.strptime(bar["label"], "%B %Y").replace(tzinfo=UTC)
        expected_count = matching.filter(created__year=month.year, created__month=month.month).count()
        assert bar["count"] == expected_count
        narrowed = client.get("/cables/" + bar["url"])
        assert narrowed.context["paginator"].count == bar["count"]
    # the first bar starts at the range's own start, not the first of the month
    assert all("since=2007-03-01" not in bar["url"] for bar in found)


def test_unfiltered_list_and_month_pages_have_no_chart(client, collection):
    assert "results-timeline" not in client.get("/cables/").content.decode()
    assert "results-timeline" not in client.get("/archive/2007/1/").content.decode()
    assert "results-timeline" in client.get("/tags/PREL/").content.decode()


# --- sort -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["bogus", "relevance;DROP", "", "date"])
def test_an_invalid_sort_falls_back_to_the_default(client, collection, sort):
    response = client.get("/cables/", {"q": "nuclear", "sort": sort})
    assert response.status_code == 200
    assert response.context["order"] == "relevance"
    assert len(response.context["cable_list"]) == Cable.objects.filter(subject__icontains="nuclear").count()
    plain = client.get("/cables/", {"tag": "PREL", "sort": sort})
    assert plain.status_code == 200 and plain.context["order"] == "newest"
    assert client.get("/cables/export.csv", {"q": "nuclear", "sort": sort}).status_code == 200
    assert client.get("/cables/feed/", {"q": "nuclear", "sort": sort}).status_code == 200


def test_sort_links_keep_the_filters(client, collection):
    html = client.get("/cables/", {"q": "nuclear", "tag": "PREL", "since": "2006-01-01"}).content.decode()
    for sort in ("relevance", "newest", "oldest"):
        assert f'href="?q=nuclear&amp;tag=PREL&amp;since=2006-01-01&amp;sort={sort}"' in html
    newest = client.get("/cables/", {"q": "nuclear", "tag": "PREL", "sort": "newest"})
    assert [c.identifier for c in newest.context["cable_list"]] == expected()
    oldest = client.get("/cables/", {"q": "nuclear", "tag": "PREL", "sort": "oldest"})
    assert [c.identifier for c in oldest.context["cable_list"]] == expected()[::-1]


# --- query counts -----------------------------------------------------------------------------------


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(context)


@pytest.mark.parametrize(
    "url",
    [
        "/cables/?q=nuclear",
        "/cables/?q=nuclear&tag=PREL&since=2006-01-01&until=2007-06-30",
        "/cables/?tag=PREL&origin=embassy-paris",
        "/tags/PREL/",
        "/cables/export.csv?q=nuclear&tag=PREL",
        "/cables/export.json?tag=PREL",
        "/cables/feed/?q=nuclear",
        "/tags/PREL/feed/",
        "/origins/embassy-paris/feed/",
    ],
)
def test_pages_with_the_chart_exports_and_feeds_run_a_fixed_number_of_queries(client, load, url):
    def cable(n, year=2006):
        return make_cable(
            f"{year % 100:02d}PARIS{n}",
            created=f"{year}-{n % 12 + 1:02d}-01T00:00:00Z",
            subject=f"Nuclear talks {n}",
            tags=("PREL", f"X{n}"),
        )

    load(cable(1))
    few = (queries(client, url), queries(client, url))
    load(*[cable(n, year=2006 + n % 2) for n in range(2, 90)])
    many = (queries(client, url), queries(client, url))
    assert few == many
