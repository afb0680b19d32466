"""Tests for cables.parsing.eo (cable-format.md 3.7, 5.3)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cables.parsing.eo import EoLine, parse_declassify_on, parse_eo
from tests.parsing.corpus import CORPUS, SEED, corpus_body

DECLASSIFY_EXAMPLES = [
    # 5.3
    ("E.o. 12958: decl: 01/07/2014 Tags: prel, pgov, pins, tu Subject: x", "2014-01-07"),
    ("EO 12958: decl: 6/3/08", "2008-06-03"),
    ("E.O. 12958: N/A", None),
    ("E.O. 12958: 07/22/2019", "2019-07-22"),
    ("E.O. 12356: DECL:  OADR", None),
    # 3.7
    ("E.O. 12598  DECL: 02/12/20", "2020-02-12"),
    ("E.O. 12958: DECL: 2020/02/22", "2020-02-22"),
    ("E.O. 12958: AS AMENDED; DECLASSIFIED JUNE 21, 2006", "2006-06-21"),
    ("E.O. 12958: DECL: DECLASSIFIED BY NARA 09/02/2009", "2009-09-02"),
    ("E.O. 12065: GDS 8/12/85 (TOMSETH, VICTOR L.) OR-P", "1985-08-12"),
    ("E.O. 12958: DECL: NA", None),
    ("E.O. 12958: DECL: X1, X5", None),
    ("E.O. 12958: DECL: after korean unification", None),
    ("E.0. 12958: N/A", None),
    ("E.O 12958:  DECL:  02/08/20", "2020-02-08"),
    ("E.O.1295: DECL: 3/7/2019", "2019-03-07"),
    ("E.O.12356: DECL:OADR", None),
    ("EO 12958 DECL:  4/22/2019", "2019-04-22"),
    ("SUBJECT: NO E.O. LINE HERE", None),
]


@pytest.mark.parametrize(("text", "expected"), DECLASSIFY_EXAMPLES, ids=[e[0] for e in DECLASSIFY_EXAMPLES])
def test_declassify_on(text, expected):
    assert parse_declassify_on(text) == expected


@pytest.mark.parametrize(
    ("text", "decl_raw"),
    [
        ("E.O. 12958: DECL: 09/13/2016", "09/13/2016"),
        ("E.o. 12958: decl: 01/07/2014 Tags: prel, pgov Subject: x", "01/07/2014"),
        ("E.O. 12958: N/A", "N/A"),
        ("E.O. 12958: 07/22/2019", "07/22/2019"),
        ("E.O. 12356: DECL:  OADR", "OADR"),
        ("E.O. 12958: AS AMENDED; DECLASSIFIED JUNE 21, 2006", "AS AMENDED; DECLASSIFIED JUNE 21, 2006"),
    ],
)
def test_decl_raw(text, decl_raw):
    line = parse_eo(text)
    assert line is not None
    assert line.decl_raw == decl_raw


def test_12065_classifier():
    assert parse_eo("E.O. 12065: GDS 8/12/85 (TOMSETH, VICTOR L.) OR-P") == EoLine(
        "GDS 8/12/85 (TOMSETH, VICTOR L.) OR-P", "1985-08-12", "TOMSETH, VICTOR L."
    )


def test_no_eo_line_is_none():
    assert parse_eo("TAGS: PREL\nSUBJECT: X") is None


def test_other_orders_are_not_eo_lines():
    assert parse_eo("E.O. 13382: DECL: 01/01/2019") is None


def test_eo_inside_paragraphs_is_ignored():
    assert parse_eo("SUBJECT: X\n\n1. (C) Text.\nE.O. 12958: DECL: 01/01/2019") is None


@pytest.mark.parametrize("text", ["E.O. 12958: DECL: 13/45/2019", "E.O. 12958: DECL: 09/2019"])
def test_unreadable_date_warns(text):
    warnings: list[str] = []
    assert parse_declassify_on(text, warnings=warnings) is None
    assert len(warnings) == 1
    assert warnings[0].startswith("decl-unparsed: ")


@pytest.mark.parametrize("text", ["E.O. 12958: N/A", "E.O. 12356: DECL: OADR", "E.O. 12958: DECL: X1, X5"])
def test_no_date_on_purpose_does_not_warn(text):
    warnings: list[str] = []
    assert parse_declassify_on(text, warnings=warnings) is None
    assert warnings == []


def test_seed():
    line = parse_eo(corpus_body(SEED))
    assert line == EoLine("09/13/2016", "2016-09-13", None)


@pytest.mark.parametrize(
    ("cable", "expected"),
    [
        ("text/04ANKARA348.txt", "2014-01-07"),
        ("text/09SAOPAULO663.txt", "2019-12-08"),
        ("text/09BAKU478.txt", "2019-06-03"),
        ("telegram/09USEUBRUSSELS948.txt", None),
    ],
    ids=lambda v: Path(v).stem if isinstance(v, str) and "/" in v else str(v),
)
def test_corpus_cables(cable, expected):
    assert parse_declassify_on(corpus_body(CORPUS / cable)) == expected


def test_junk_megabyte_is_fast():
    start = time.thread_time()
    parse_eo("E.O. 12958: DECL: " + "1/" * 500_000)
    parse_eo("E.O. 12958: DECL: " + "JUNE 1 " * 150_000)
    parse_eo("x\n" * 500_000)
    assert time.thread_time() - start < 1.0
