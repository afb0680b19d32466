"""Deep pages start from a cached bookmark instead of an OFFSET: same rows as OFFSET, in both
date orders, with undated cables last; and the neighbours of a cable on its page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from cables import views
from cables.ingest import cables_ingest
from cables.models import Cable
from tests.factories import make_cable

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(monkeypatch, tmp_path):
    """23 cables of one tag (two share a timestamp, three are undated) and 2 of another."""
    from cables import parsing

    cables = [
        make_cable(f"06PARIS{n}", created=f"2006-{n % 12 + 1:02d}-{n % 28 + 1:02d}T10:00:00Z")
        for n in range(1, 21)
    ]
    cables += [make_cable("06PARIS99", created="2006-02-02T10:00:00Z")]  # same time as 06PARIS1
    cables += [make_cable(f"06PARIS{n}", created=None) for n in (50, 40, 60)]
    cables += [make_cable(f"06BERLIN{n}", tags=("ECON",)) for n in (1, 2)]
    monkeypatch.setattr(parsing, "iter_path", lambda path: iter(cables))
    stand_in = tmp_path / "stand-in.txt"  # a file: ingest walks a directory itself
    stand_in.write_text("read by the stand-in parser")
    assert cables_ingest(sources=[stand_in]).failed == []
    monkeypatch.setattr(views, "DEEP_OFFSET", 3)
    cache.clear()


def pages(client, url, **params):
    found, number = [], 1
    while True:
        response = client.get(url, {**params, "page": number})
        if response.status_code == 404:
            return found
        found.append([cable.identifier for cable in response.context["cable_list"]])
        number += 1


@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize("per_page", [2, 3, 5])
def test_deep_pages_match_offset_pages(client, collection, monkeypatch, sort, per_page):
    monkeypatch.setattr(views.TagDetailView, "paginate_by", per_page)
    monkeypatch.setattr(views.CableListView, "paginate_by", per_page)
    expected = list(Cable.objects.for_tag("PREL").in_order(sort).values_list("identifier", flat=True))
    for url in (reverse("cables:tag-detail", kwargs={"code": "PREL"}), reverse("cables:cable-list")):
        found = pages(client, url, sort=sort)
        rows = [identifier for page in found for identifier in page]
        if url.startswith("/tags/"):
            assert rows == expected
        else:
            assert rows == list(Cable.objects.in_order(sort).values_list("identifier", flat=True))
        assert all(len(page) == per_page for page in found[:-1])
    assert expected[-3:] == (["06PARIS40", "06PARIS50", "06PARIS60"])


def test_neighbours_follow_the_list_order_with_undated_last(collection):
    ordered = list(Cable.objects.in_order("oldest").filter(origin__name="Embassy Paris"))
    for before, cable, after in zip(ordered, ordered[1:], ordered[2:], strict=False):
        same_origin = Cable.objects.filter(origin_id=cable.origin_id)
        assert same_origin.neighbour(cable, later=False) == before
        assert same_origin.neighbour(cable, later=True) == after
    first, last = ordered[0], ordered[-1]
    assert Cable.objects.filter(origin_id=first.origin_id).neighbour(first, later=False) is None
    assert Cable.objects.filter(origin_id=last.origin_id).neighbour(last, later=True) is None
