"""Classification, banner and caveats (spec 3.3)."""

from __future__ import annotations

import pytest

from cables.parsing.classification import (
    FOUO,
    caveats_of_line,
    classify,
    collect_caveats,
    derive_classification,
    find_banner,
    normalize_classification,
)


@pytest.mark.parametrize(
    ("value", "expected", "warns"),
    [
        ("CONFIDENTIAL", "CONFIDENTIAL", False),
        ("SECRET//NOFORN", "SECRET//NOFORN", False),
        ("secret", "SECRET", True),
        ("SECRET/NOFORN", "SECRET//NOFORN", True),
        ("SECRET / NOFORN", "SECRET//NOFORN", True),
        ("CONFIDENTIAL // NOFORN", "CONFIDENTIAL//NOFORN", True),
        ("FOUO", FOUO, True),
        ("SBU", FOUO, True),
        ("SENSITIVE BUT UNCLASSIFIED", FOUO, True),
        ("LIMITED OFFICIAL USE", FOUO, True),
        ("UNCLASSIFIED//FOUO", FOUO, True),
        ("UNCLASSIFIED//FOR OFFICIAL USE ONLY", FOUO, False),
        ("UNCLAS", "UNCLASSIFIED", True),
        ("TOP SECRET", "SECRET", True),
        ("RESTRICTED", None, False),
        ("", None, False),
    ],
)
def test_normalize_classification(value: str, expected: str | None, warns: bool) -> None:
    warnings: list[str] = []
    assert normalize_classification(value, warnings=warnings) == expected
    assert bool(warnings) is warns
    assert all(w.startswith("classification-normalised: ") for w in warnings)


@pytest.mark.parametrize(
    ("line", "banner"),
    [
        ("C O N F I D E N T I A L SECTION 01 OF 03 TRIPOLI 000220", True),
        ("S e c r e t", False),
        ("C o n f i d e n t i a l section 01 of 04 ankara 000348", True),
        ("SS E C R E T PARIS 000123", True),
        ("UUNCLAS STATE 012345", True),
        ("LIMITED OFFICIAL USE ROME 01234", True),
        ("SECRETARY OF STATE", False),
        ("SECRET SERVICE", False),
    ],
)
def test_banner_needs_trailing_serial(line: str, banner: bool) -> None:
    assert (find_banner(line + "\n\nSIPDIS") is not None) is banner


@pytest.mark.parametrize(
    ("banner", "caveats", "derived"),
    [
        ("UNCLAS UNVIE VIENNA 000279", ["SENSITIVE", "SIPDIS"], FOUO),
        ("UNCLASSIFIED PARIS 000001", ["SIPDIS"], "UNCLASSIFIED"),
        ("UNCLAS PARIS 000001", ["SBU"], FOUO),
        ("C O N F I D E N T I A L PARIS 000001", ["SENSITIVE"], "CONFIDENTIAL"),
        ("C O N F I D E N T I A L PARIS 000001", ["NOFORN"], "CONFIDENTIAL//NOFORN"),
        ("S E C R E T PARIS 000001", ["NOFORN", "SIPDIS"], "SECRET//NOFORN"),
        ("LIMITED OFFICIAL USE ROME 01234", [], FOUO),
        (None, [], None),
    ],
)
def test_derive_classification(banner: str | None, caveats: list[str], derived: str | None) -> None:
    assert derive_classification(banner, caveats) == derived


@pytest.mark.parametrize(
    ("line", "caveats"),
    [
        ("SIPDIS", ["SIPDIS"]),
        ("Sipdis", ["SIPDIS"]),
        ("NOFORN SIPDIS", ["NOFORN", "SIPDIS"]),
        ("SECRET/NOFORN", ["NOFORN"]),
        ("SECRET//NOFORN", ["NOFORN"]),
        ("SENSITIVE BUT UNCLASSIFIED", ["SBU"]),
        ("REL NATO, AUS", ["REL NATO, AUS"]),
        ("EXDIS", ["EXDIS"]),
        ("SIPDIS NOT A CAVEAT LINE", None),
        ("DEPARTMENT FOR ISN, EUR AND EAP", None),
    ],
)
def test_caveats_of_line(line: str, caveats: list[str] | None) -> None:
    assert caveats_of_line(line) == caveats


def test_collect_caveats_first_occurrence_and_noforn_from_classification() -> None:
    preamble = "S E C R E T PARIS 001254\n\nSIPDIS\n\nSIPDIS\nNOFORN\n\nE.O. 12958: N/A\nTAGS: PREL"
    assert collect_caveats(preamble) == ["SIPDIS", "NOFORN"]
    assert collect_caveats("C O N F I D E N T I A L X 000001\nSIPDIS", "CONFIDENTIAL//NOFORN") == [
        "SIPDIS",
        "NOFORN",
    ]


def test_classify_metadata_wins_and_derived_is_kept() -> None:
    warnings: list[str] = []
    value, derived = classify("SECRET", "S E C R E T STATE 014577", ["NOFORN"], warnings=warnings)
    assert (value, derived) == ("SECRET", "SECRET//NOFORN")
    assert warnings == []  # disagreement with the banner is not warned about


def test_classify_unknown_metadata_falls_back_to_derived() -> None:
    warnings: list[str] = []
    value, _ = classify("RESTRICTED", "S E C R E T STATE 014577", [], warnings=warnings)
    assert value == "SECRET"
    assert [w.split(":")[0] for w in warnings] == ["classification-unknown"]


def test_classify_without_metadata_warns_derived() -> None:
    warnings: list[str] = []
    value, _ = classify(None, "UNCLAS UNVIE VIENNA 000279", ["SENSITIVE"], warnings=warnings)
    assert value == FOUO
    assert [w.split(":")[0] for w in warnings] == ["classification-derived"]
