"""The cable page built in Python (``cables.views.cable_page_html``) renders the bytes of its
template (cables/cable_detail.html with _routing.html and _cable_metadata.html): on cables with
and without each optional part, hostile text in every field, and both neighbours, one or none."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import set_script_prefix
from django.utils import timezone
from django.utils.html import escape

from cables.models import Cable
from cables.parsing.model import Recipient, Recipients, Reference
from cables.templatetags.cable_tags import date_html
from cables.views import CableDetailView, cable_page_html
from tests.factories import make_cable, make_paragraph, make_reference
from tests.test_views import load

HOSTILE = "<script>alert(\"x\")</script> & 'q' {{ x }} {% y %}"

CABLES = [
    make_cable("06PARIS1", created="2006-01-01T00:00:00Z"),
    make_cable(
        "06PARIS2",
        created="2006-02-01T09:30:00Z",
        released="2011-08-30T01:44:00Z",
        subject=HOSTILE + " and a subject long enough to be cut at ninety characters by the title's filter",
        sender=HOSTILE,
        signer=HOSTILE,
        classified_by=HOSTILE,
        classification_reasons=(HOSTILE, "1.4(d)"),
        caveats=(HOSTILE, "NOFORN"),
        header=HOSTILE,
        transmission_id=HOSTILE,
        precedence="<FLASH>&'\"",
        recipients=Recipients(
            to=(Recipient(name=HOSTILE, precedence="<P>&'"), Recipient(name="SECSTATE WASHDC")),
            info=(Recipient(name="AMEMBASSY <BERLIN>", precedence="ROUTINE"),),
        ),
        references=(
            make_reference("06PARIS1", label="A", text=HOSTILE),
            make_reference("06NOWHERE9", label="B"),
            Reference(label="C", text="Phone call of 3 May", kind="other", target=None),
        ),
        paragraphs=(make_paragraph(1, "(C) See REF A and REF B. " + HOSTILE), make_paragraph(None, "Tail.")),
        tags=("PREL", "ZZ<X>"),
        is_partial=True,
    ),
    make_cable(
        "06PARIS3",
        created=None,
        subject="",
        sender="",
        signer="",
        classified_by="",
        classification_reasons=(),
        caveats=(),
        declassify_on=None,
        header="",
        transmission_id="",
        precedence="",
        recipients=Recipients(to=(), info=()),
        paragraphs=(),
        body=HOSTILE,
        tags=(),
        classification="UNCLASSIFIED//FOR OFFICIAL USE ONLY",
        references=(make_reference("06PARIS2"),),
    ),
    make_cable(
        "06PARIS4", created=None, canonical_id="06PARIS4X", classified_by="Someone", classification_reasons=()
    ),
    make_cable("06NOWHERE1", origin=None, station=HOSTILE, created="2006-05-05T05:05:00Z"),
    make_cable("06NOWHERE2", origin=None, station="", references=(make_reference("06PARIS3"),)),
]


@pytest.fixture
def cables(db, monkeypatch, tmp_path):
    load(monkeypatch, tmp_path, *CABLES)


def context_of(identifier: str) -> dict:
    view = CableDetailView()
    view.request = RequestFactory().get(f"/cables/{identifier}/")
    view.kwargs = {"identifier": identifier}
    view.page_data = Cable.objects.page(identifier)
    view.object = view.page_data.cable
    return view.get_context_data(object=view.object)


@pytest.mark.parametrize("identifier", [cable.identifier for cable in CABLES])
def test_the_page_is_the_templates_bytes(cables, identifier):
    context = context_of(identifier)
    assert cable_page_html(context) == render_to_string("cables/cable_detail.html", context)


def test_every_part_of_the_page_is_exercised(cables):
    """The cables above reach each branch: both neighbours, one, none; references, cited-by,
    paragraphs and the bare body; an origin and none."""
    pages = {cable.identifier: cable_page_html(context_of(cable.identifier)) for cable in CABLES}
    assert 'rel="prev"' in pages["06PARIS2"] and 'rel="next"' in pages["06PARIS2"]
    assert 'rel="prev"' not in pages["06PARIS1"] and 'rel="next"' in pages["06PARIS1"]
    assert "prev-next-box" not in pages["06NOWHERE1"]
    assert '<ul class="ref-list">' in pages["06PARIS2"] and '<ul class="ref-list">' not in pages["06PARIS1"]
    assert '<ul class="cited-by-list">' in pages["06PARIS2"]
    assert "No loaded cable cites this one." in pages["06NOWHERE2"]
    assert "<pre>&lt;script&gt;" in pages["06PARIS3"]
    assert "(also 06PARIS4X)" in pages["06PARIS4"]
    assert "<script>" not in "".join(pages.values())


@override_settings(FORCE_SCRIPT_NAME="/reading/")
def test_the_page_under_a_script_prefix_is_the_templates_bytes(cables):
    set_script_prefix("/reading/")
    try:
        context = context_of("06PARIS2")
        page = cable_page_html(context)
        assert page == render_to_string("cables/cable_detail.html", context)
        assert 'href="/reading/cables/06PARIS2.txt"' in page
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/New_York"])
def test_the_page_dates_are_the_date_filters(zone):
    """``date_html`` (the dates of the cable page and the list rows) writes what
    ``{{ value|date:fmt }}`` writes, in any current time zone, for datetimes and dates (leading
    zeros, short years, month names)."""
    values = [
        datetime(2006, 9, 4, 6, 8, tzinfo=UTC),
        datetime(1966, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2010, 2, 28, 0, 0, tzinfo=UTC),
        datetime(987, 1, 1, 12, 30, tzinfo=UTC),
        date(2016, 9, 14),
        date(2001, 1, 1),
    ]
    with timezone.override(zone):
        for value in values:
            for fmt in ("c", "j F Y", "j M Y", "j F Y, H:i", "Y-m-d"):
                if fmt in ("c", "j F Y, H:i") and not isinstance(value, datetime):
                    continue
                expected = escape(date_filter(timezone.template_localtime(value), fmt))
                assert date_html(value, fmt) == expected, (value, fmt)
