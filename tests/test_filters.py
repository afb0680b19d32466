"""CableFilterSet: tags ANDed without duplicate rows, origin, classification, dates, sort."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from cables.filters import CableFilterSet
from cables.models import Cable
from tests.factories import make_cable
from tests.test_views import load


def identifiers(query: str, **kwargs) -> list[str]:
    filterset = CableFilterSet(QueryDict(query), queryset=Cable.objects.all(), **kwargs)
    return [cable.identifier for cable in filterset.qs]


@pytest.fixture
def cables(db, monkeypatch, tmp_path):
    load(
        monkeypatch,
        tmp_path,
        make_cable("06PARIS1", tags=("PREL", "FR"), created="2006-01-05T10:00:00Z"),
        make_cable("06PARIS2", tags=("PREL", "PGOV", "FR"), created="2006-03-01T10:00:00Z"),
        make_cable("07BERLIN3", tags=("PREL", "GM"), created="2007-02-01T10:00:00Z", classification="SECRET"),
        make_cable("08STATE4", tags=("PGOV",), created=None),
    )


def test_no_filters_lists_everything_newest_first_undated_last(cables):
    assert identifiers("") == ["07BERLIN3", "06PARIS2", "06PARIS1", "08STATE4"]


def test_oldest_first(cables):
    assert identifiers("sort=oldest") == ["06PARIS1", "06PARIS2", "07BERLIN3", "08STATE4"]


def test_several_tags_must_all_match_without_duplicates(cables):
    assert identifiers("tag=PREL") == ["07BERLIN3", "06PARIS2", "06PARIS1"]
    assert identifiers("tag=PREL&tag=FR") == ["06PARIS2", "06PARIS1"]
    assert identifiers("tag=prel&tag=FR&tag=PGOV") == ["06PARIS2"]
    assert identifiers("tag=PREL&tag=PREL") == ["07BERLIN3", "06PARIS2", "06PARIS1"]


def test_origin_classification_and_dates(cables):
    assert identifiers("origin=embassy-paris") == ["06PARIS2", "06PARIS1"]
    assert identifiers("classification=5") == ["07BERLIN3"]
    assert identifiers("since=2006-03-01&until=2007-02-01") == ["07BERLIN3", "06PARIS2"]
    assert identifiers("until=2006-01-05") == ["06PARIS1"]


def test_invalid_values_are_reported(cables):
    filterset = CableFilterSet(QueryDict("since=yesterday&sort=sideways"), queryset=Cable.objects.all())
    assert not filterset.is_valid()
    assert set(filterset.errors) == {"since", "sort"}


def test_search_offers_relevance(cables):
    filterset = CableFilterSet(QueryDict(""), queryset=Cable.objects.all(), searching=True)
    assert filterset.order == "relevance"
    assert ("relevance", "Relevance") in filterset.form.fields["sort"].choices
