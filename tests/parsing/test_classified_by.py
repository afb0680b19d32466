"""Tests for cables.parsing.classified_by (cable-format.md 3.11, 5.3)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cables.parsing.classified_by import (
    ClassifiedBy,
    classification_reasons,
    normalize_name,
    parse_classified_by,
    parse_classified_by_statement,
)
from tests.parsing.corpus import CORPUS, SEED, corpus_body

# 5.3. Examples given there as bare statement fragments get a "Classified By: " label in front.
SPEC_NAMES = [
    ("Classified By: Acting Deputy Chief of Mission Marc Wall for Reasons 1.4\n(b) and (d)", ["Marc Wall"]),
    ("1.  (U)  CLASSIFIED BY ROBERT P. FINN, DEPUTY CHIEF OF\nMISSION.  REASON: 1.5 (D)", ["ROBERT P. FINN"]),
    (
        "1. CONFIDENTIAL - ENTIRE TEXT.  CLASSIFIED BY:\nCHRISTOPHER W.S. ROSS, AMBASSADOR.",
        ["CHRISTOPHER W.S. ROSS"],
    ),
    ("Classified By: Classified by DCM Liz Dibble for reasons 1.4 (b) and (d).", ["Liz Dibble"]),
    (
        "Classified By: (C) CLASSIFIED BY MINISTER COUNSELOR FOR ECONOMIC AFFAIR\n"
        "S ROBERT LUKE; REASON 1.5 (B)",
        ["ROBERT LUKE"],
    ),
    ("Classified By: Charles O. Blah\na, E.O. 12958, reasons 1.4 (b)", ["Charles O. Blaha"]),
    ("Classified By: Charge d'Affaires, a.i., Arnold A. Chacon\n\n1.(C) Summary: x", ["Arnold A. Chacon"]),
    (
        "CLASSIFIED BY AMBASSADOR TOM MCDONALD.\nCONFIDENTIAL\n\nPAGE 02  HARARE 03759  01 OF 03  121212Z\n"
        "REASONS: 1.5 (B) AND (D).",
        ["TOM MCDONALD"],
    ),
    (
        "Classified By: Special Representative for Afghanistan and Pakistan\nRichard C. Holbrooke",
        ["Richard C. Holbrooke"],
    ),
    ("Classified By: DOS CLASSIFICATION GUIDE BY MARY TOWNSWICK", ["MARY TOWNSWICK"]),
    (
        "Classified By: ADANA 222\nADANA 216\nADANA 199\n\n"
        "Classified by DCM Nancy McEldowney; reasons 1.4 (b,d)",
        ["Nancy McEldowney"],
    ),
    (
        "CLASSIFIED BY CHARGE D'AFFAIRES DOUGLAS C.GREENE FOR REASONS 1.4 B\nAND D.",
        ["DOUGLAS C.GREENE"],
    ),
    (
        "Classified By: Classifed by POL M/C Kathleen Allegrone for reasons 1.4\n(B) AND (D).",
        ["Kathleen Allegrone"],
    ),
    ("CLASSIFIED BY: Alan Eyer, Director, Iran Regional Presence\nOffice, DOS.", ["Alan Eyer"]),
    # 3.11 body
    (
        "CLASSIFIED BY AF KARL WYCOFF, ACTING AND S/CT DAS SHARI\nVILLAROSA ; REASONS 1.5 (B) AND (D)",
        ["KARL WYCOFF", "SHARI VILLAROSA"],
    ),
    ("CLASSIFIED BY SECTION 1.5 (B) AND (D)", []),
    ("Classified By: Rose E. Gottemoeller, Assistant Secretary, VCI, reasons 1.4", ["Rose E. Gottemoeller"]),
    ("CLASSIFIED BY: THOMAS W. SIMONS, JR., AMBASSADOR. REASON: 1.5 (D)", ["THOMAS W. SIMONS, JR."]),
    ("CLASSIFIED BY AMBASSADOR TO SUDAN TIMOTHY CARNEY. REASON 1.5 (B)", ["TIMOTHY CARNEY"]),
    ("Classified By: Ambassaor RICAHRD E. HOAGLAND, reasons 1.4 (b)", ["RICAHRD E. HOAGLAND"]),
    ("Classified By: Political Counseor Charles B0HLEN for reasons 1.4", ["Charles B0HLEN"]),
    ("Classified By: POL COUNSEL0R LEE 0. COLDREN FOR REASONS 1.5 (B)", ["LEE 0. COLDREN"]),
    ("Classified By: AMB:RCROCKER, 1.5.D.", ["RCROCKER"]),
    ("Classified By: Pmahoney, reasons 1.4 (b)", ["Pmahoney"]),
    ("Classified By: Deputy Chief of Mission Hoyt Y\nee, reasons 1.4(b) a\nnd (d)", ["Hoyt Yee"]),
    ("Classified By: A/DCM PIERRE-RICHARD D'Amico per 1.4 (d)", ["PIERRE-RICHARD D'Amico"]),
    ("Classified By: Classified by Ambassador John Doe (acting) 1.4(b)", ["John Doe"]),
    ("Classified By: This message classified by Econoff Jane Roe under 1.4 (b)", ["Jane Roe"]),
    ("Classified By: POL/ECONOFF. Ann Lee due to 1.4 (b)", ["Ann Lee"]),
    ("CLASSIFIED BY: Paul R Sutphin, Consul General, Dubai, UAE. REASON: 1.4 (b), (d)", ["Paul R Sutphin"]),
    (
        "Classified By: MINISTER COUNSELOR FOR POLITICAL AFFAIRS GEORGE GLASS FO\nR REASONS 1.4 (B) AND (D)",
        ["GEORGE GLASS"],
    ),
    ("DECLASSIFIED BY NARA 09/02/2009", []),
    ("UNCLASSIFIED\nSUBJECT: NO STATEMENT\n\n1. Text.", []),
]


@pytest.mark.parametrize(("text", "names"), SPEC_NAMES, ids=[e[0][:50] for e in SPEC_NAMES])
def test_names(text, names):
    assert parse_classified_by(text) == names


@pytest.mark.parametrize(
    ("statement", "reasons"),
    [
        ("Classified By: X Y, reasons 1.4 (b) and (d)", ["1.4(b)", "1.4(d)"]),
        ("Classified By: X Y, reasons 1.4 (b/d)", ["1.4(b)", "1.4(d)"]),
        ("Classified By: X Y, reasons 1.4 b,d", ["1.4(b)", "1.4(d)"]),
        ("Classified By: X Y, reasons 1.4 (B&D)", ["1.4(b)", "1.4(d)"]),
        ("Classified By: X Y, reasons 1.4 (b)(d)", ["1.4(b)", "1.4(d)"]),
        ("Classified By: X Y, reasons 1.4 B AND D", ["1.4(b)", "1.4(d)"]),
        ("Classified By: X Y, reasons 1.5.D.", ["1.5(d)"]),
        ("Classified By: X Y, reasons 1.\n4 (b)", ["1.4(b)"]),
        ("Classified By: X Y, reasons 1,4 (b)", ["1.4(b)"]),
        ("Classified By: X Y, Section 1.5 (c)", ["1.5(c)"]),
        ("Classified By: X Y, E.O. 12958 1.4 (a,b,c,d).", ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"]),
        ("Classified By: X Y, reasons 1.4", ["1.4"]),
        ("Classified By: X Y", []),
        ("no statement here", []),
    ],
)
def test_reasons(statement, reasons):
    assert classification_reasons(statement) == reasons


def test_statement_text_is_one_line():
    found = parse_classified_by_statement(
        "Classified By: Deputy Chief of Mission Hoyt Y\nee, reasons 1.4(b) a\nnd (d)"
    )
    assert found is not None
    assert found.text == "Deputy Chief of Mission Hoyt Yee, reasons 1.4(b) and (d)"


def test_statement_stops_at_blank_line_and_300_characters():
    found = parse_classified_by_statement("Classified By: John Doe\n\nlater text")
    assert found is not None and found.text == "John Doe"
    found = parse_classified_by_statement("Classified By: John Doe " + "word " * 200)
    assert found is not None and len(found.text) <= 300


def test_no_person_gives_statement_without_names():
    found = parse_classified_by_statement("CLASSIFIED BY SECTION 1.5 (B) AND (D)")
    assert found == ClassifiedBy("SECTION 1.5 (B) AND (D)", (), (), ("1.5(b)", "1.5(d)"))


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("THOMAS W. SIMONS, JR.", "Thomas W. Simons, Jr."),
        ("LEE 0. COLDREN", "Lee O. Coldren"),
        ("B0HLEN", "Bohlen"),
        ("JOHN SMITH III", "John Smith III"),
        ("Liz Dibble", "Liz Dibble"),
        ("PIERRE-RICHARD D'AMICO", "Pierre-Richard D'Amico"),
    ],
)
def test_normalize_name(name, normalized):
    assert normalize_name(name) == normalized


def test_normalized_in_statement():
    found = parse_classified_by_statement("CLASSIFIED BY: THOMAS W. SIMONS, JR., AMBASSADOR. REASON: 1.5 (D)")
    assert found is not None
    assert found.normalized == ("Thomas W. Simons, Jr.",)


def test_seed():
    found = parse_classified_by_statement(corpus_body(SEED))
    assert found == ClassifiedBy(
        "Acting Political Counselor Bruce Turner, reasons 1.4 (b) and (d).",
        ("Bruce Turner",),
        ("Bruce Turner",),
        ("1.4(b)", "1.4(d)"),
    )


CORPUS_CASES = [
    ("text/09ABUDHABI754.txt", ["DOUGLAS C.GREENE"], ["1.4(b)", "1.4(d)"]),
    ("telegram/09PARIS1007.txt", ["Kathleen Allegrone"], ["1.4(b)", "1.4(d)"]),
    ("text/09RPODUBAI389.txt", ["Alan Eyer"], ["1.4(b)", "1.4(d)"]),
    ("text/66BUENOSAIRES2481.txt", [], []),
    ("text/04ANKARA348.txt", ["Eric Edelman"], ["1.5(b)", "1.5(d)"]),
    ("text/09SAOPAULO663.txt", ["Thomas J. White"], None),
]


@pytest.mark.parametrize(
    ("path", "names", "reasons"), CORPUS_CASES, ids=[Path(c[0]).stem for c in CORPUS_CASES]
)
def test_corpus_cables(path, names, reasons):
    body = corpus_body(CORPUS / path)
    assert parse_classified_by(body) == names
    if reasons is not None:
        assert classification_reasons(body) == reasons


def test_no_statement_in_1966_cable_is_none():
    assert parse_classified_by_statement(corpus_body(CORPUS / "text/66BUENOSAIRES2481.txt")) is None


def test_junk_megabyte_is_fast():
    start = time.thread_time()
    parse_classified_by_statement("Classified By: " + "Ambassadoor " * 80_000)
    parse_classified_by_statement("Classified By: " + "1.4 " * 250_000)
    parse_classified_by_statement("CLASSIFIED BY " * 70_000)
    parse_classified_by_statement("x" * 1_000_000)
    assert time.thread_time() - start < 1.0


def test_semicolon_after_title_does_not_end_name():
    # 09ANKARA226
    body = corpus_body(CORPUS / "text/09ANKARA226.txt")
    assert parse_classified_by(body) == ["DOUG SILLIMAN"]
    assert classification_reasons(body) == ["1.4(b)", "1.4(d)"]
