"""End to end: the seed (spec 5.1) and one cable per layout (spec 5.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cables.parsing import parse_bytes, parse_path
from cables.parsing.cable import remove_repeated_block

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_cd5e1a070289d07d.txt"

SUMMARY = (
    "MFA nonproliferation office, while\nreiterating France's steadfast support for international\n"
    "efforts to constrain North Korea's weapons program and\nenforce UNSCR 1695, expressed some "
    "concern about a perceived\nlack of concrete mechanisms -- whether in the Proliferation\n"
    "Security Initiative or UNSCR 1695 -- to insure that the\ntransfer of technology, materials and "
    "finances to or from\nNorth Korea is truly curbed. France emphasized that any\ninitiatives must "
    "acknowledge Russia and China's role as PSI\npartners."
)

SEED_EXPECTED = {
    "identifier": "06PARIS6189",
    "canonical_id": "06PARIS6189",
    "created": "2006-09-14T16:08:00Z",
    "released": None,
    "classification": "CONFIDENTIAL",
    "origin": "Embassy Paris",
    "station": "PARIS",
    "subject": "FRANCE WANTS MORE CONCRETE MEASURES TO GIVE TEETH TO UNSCR 1695",
    "tags": ["PARM", "PREL", "KNNP", "MNUC", "WMD", "CT", "PTER", "KN", "KS", "FR"],
    "references": [
        {"label": "A", "text": "STATE 150039", "kind": "cable", "target": "06STATE150039"},
        {"label": "B", "text": "PARIS 05639", "kind": "cable", "target": "06PARIS5639"},
        {"label": "C", "text": "STATE 136495", "kind": "cable", "target": "06STATE136495"},
    ],
    "transmission_id": "VZCZCXYZ0001",
    "precedence": "PRIORITY",
    "sender": "AMEMBASSY PARIS",
    "recipients": {
        "to": [
            {
                "name": "SECSTATE WASHDC",
                "route": None,
                "precedence": "PRIORITY",
                "mcn": "1349",
                "excluded": [],
            }
        ],
        "info": [],
    },
    "signer": "STAPLETON",
    "classified_by": "Bruce Turner",
    "classification_reasons": ["1.4(b)", "1.4(d)"],
    "declassify_on": "2016-09-13",
    "caveats": ["SIPDIS"],
    "summary": SUMMARY,
    "is_partial": False,
    "header": "VZCZCXYZ0001\nPP RUEHWEB\n\nDE RUEHFR #6189 2571608\nZNY CCCCC ZZH\nP 141608Z SEP 06\n"
    "FM AMEMBASSY PARIS\nTO SECSTATE WASHDC PRIORITY 1349",
    "format": "text",
    "warnings": [],
}

SEED_EXTRA = {
    "page_title": "FRANCE WANTS MORE CONCRETE MEASURES TO GIVE TEETH",
    "page_tags": ["PARM", "PREL", "KNNP", "MNUC", "WMD", "CT", "PTER", "KN", "KS", "FR"],
    "created_source": "dtg",
    "banner": "C O N F I D E N T I A L PARIS 006189",
    "banner_classification": "CONFIDENTIAL",
    "decl_raw": "09/13/2016",
    "subject_raw": "FRANCE WANTS MORE CONCRETE MEASURES TO GIVE TEETH TO UNSCR 1695",
    "classified_by_text": "Acting Political Counselor Bruce Turner, reasons 1.4 (b) and (d).",
    "classified_by_names": ["Bruce Turner"],
    "classified_by_normalized": ["Bruce Turner"],
    "signer_raw": "STAPLETON",
    "signers": ["STAPLETON"],
    "office_lines": ["DEPARTMENT FOR ISN, EUR AND EAP"],
    "trailer": [
        "Please visit Paris' Classified Website at:",
        "http://www.state.sgov.gov/p/eur/paris/index.c fm",
    ],
}

KEYS = [
    "identifier", "canonical_id", "created", "released", "classification", "origin", "station",
    "subject", "tags", "references", "paragraphs", "transmission_id", "precedence", "sender",
    "recipients", "signer", "classified_by", "classification_reasons", "declassify_on", "caveats",
    "summary", "is_partial", "header", "body", "format", "warnings", "extra",
]  # fmt: skip


@pytest.fixture(scope="module")
def seed() -> dict:
    (cable,) = parse_path(SEED)
    return cable


def test_seed_has_exactly_the_contract_keys_in_order(seed: dict) -> None:
    assert list(seed) == KEYS


@pytest.mark.parametrize("key", list(SEED_EXPECTED))
def test_seed_field(seed: dict, key: str) -> None:
    assert seed[key] == SEED_EXPECTED[key]


def test_seed_extra(seed: dict) -> None:
    assert seed["extra"] == SEED_EXTRA


def test_seed_paragraphs(seed: dict) -> None:
    paragraphs = seed["paragraphs"]
    assert [(p["number"], p["marking"]) for p in paragraphs] == [(n, "C") for n in range(1, 6)]
    assert paragraphs[0]["text"].startswith(
        "Summary: MFA nonproliferation office, while\nreiterating France's"
    )
    assert paragraphs[0]["text"].endswith(" End Summary.")
    assert paragraphs[1]["text"].startswith(
        "On September 13, in response to a previous MFA\n"
        "request, we shared Ref A points with Arnaud Mentre, MFA\n"
    )
    assert paragraphs[2]["text"].startswith("Mentre, speaking frankly, provided us with his initial\n")
    assert paragraphs[3]["text"].startswith("Asked if he had French suggestions to offer, Mentre\n")
    assert paragraphs[4]["text"].startswith("Mentre cautioned that any additional measures should\n")
    assert paragraphs[4]["text"].endswith("\nprogram and proliferation activities.")


def test_seed_body_keeps_one_copy_of_the_opening_block(seed: dict) -> None:
    body = seed["body"]
    assert body.startswith(
        "C O N F I D E N T I A L PARIS 006189\n\nSIPDIS\n\nSIPDIS\n\nDEPARTMENT FOR ISN, EUR AND EAP\n\n"
        "E.O. 12958: DECL: 09/13/2016\n"
    )
    assert body.count("C O N F I D E N T I A L PARIS 006189") == 1
    assert body.count("Classified By: Acting Political Counselor Bruce Turner") == 1
    assert body.endswith("http://www.state.sgov.gov/p/eur/paris/index.c fm\nSTAPLETON")
    assert all(line == line.rstrip() for line in body.split("\n"))


def test_seed_through_parse_bytes_is_the_same(seed: dict) -> None:
    assert parse_bytes(SEED.read_bytes(), str(SEED)) == [seed]


# --- 3.6.1 ---------------------------------------------------------------------------------------


def test_repeat_differing_only_in_whitespace_is_removed() -> None:
    body = (
        "BANNER PARIS 000001\nSIPDIS\nClassified By: X, 1.4(b) a\nnd (d).\n\nBANNER  PARIS 000001 \nSIPDIS\n"
    )
    body += "Classified By: X, 1.4(b) a \nnd (d). \n\n1. (C) Text."
    out, removed = remove_repeated_block(body)
    assert removed == 4
    assert out == "BANNER  PARIS 000001 \nSIPDIS\nClassified By: X, 1.4(b) a \nnd (d). \n\n1. (C) Text."


def test_inexact_repeat_is_kept() -> None:
    body = "SIPDIS\nE.O. 12958: N/A\nTAGS: PREL\nSIPDIS\nE.O. 12958: N/A\nTAGS: PGOV\n"
    assert remove_repeated_block(body) == (body, 0)


def test_repeat_starting_with_sipdis_without_banner() -> None:
    block = "SIPDIS\n\nSIPDIS\nE.O. 12958: N/A\nTAGS: PREL\n"
    body = block + block + "1. Text"
    out, removed = remove_repeated_block(body)
    assert removed == 4
    assert out == "SIPDIS\n\nSIPDIS\nE.O. 12958: N/A\nTAGS: PREL\n1. Text"


# --- 5.2 one example per layout ------------------------------------------------------------------


def _one(path: Path) -> dict:
    (cable,) = parse_path(path)
    return cable


def test_html_four_columns_09paris1254() -> None:
    cable = _one(CORPUS / "wlc-html" / "2009" / "09" / "09PARIS1254.html")
    assert cable["format"] == "html"
    assert cable["created"] == "2009-09-16T07:34:00Z"
    assert cable["released"] is None
    assert cable["classification"] == "SECRET//NOFORN"
    assert cable["caveats"] == ["NOFORN", "SIPDIS"]
    assert cable["subject"] == (
        "A/S GORDON'S MEETINGS WITH POLICY-MAKERS IN PARIS: A TOUR D'HORIZON OF EUROPE AND AFGHANISTAN"
    )
    assert cable["classified_by"] == "Charles Rivkin"
    assert cable["recipients"]["to"] == [
        {"name": "SECSTATE WASHDC", "route": "RUEHC", "precedence": "PRIORITY", "mcn": "7146", "excluded": []}
    ]
    assert [(r["route"], r["name"], r["precedence"], r["mcn"]) for r in cable["recipients"]["info"]] == [
        ("RUEHZL", "EUROPEAN POLITICAL COLLECTIVE", "PRIORITY", None),
        ("RUEHBUL", "AMEMBASSY KABUL", "PRIORITY", "0881"),
        ("RHEHNSC", "WHITE HOUSE NSC WASHINGTON DC", "PRIORITY", None),
    ]
    numbers = [p["number"] for p in cable["paragraphs"] if p["number"] is not None]
    assert numbers == list(range(1, 15))
    assert {"number": None, "marking": None, "text": "AFGHANISTAN: A MAJOR PRIORITY"} in cable["paragraphs"]
    assert next(p for p in cable["paragraphs"] if p["number"] == 11)["marking"] == "S/NF"
    assert cable["signer"] == "RIVKIN"
    assert "¶" not in cable["body"]


def test_html_five_columns_09berlin1167() -> None:
    cable = _one(CORPUS / "wlc-html" / "2009" / "09" / "09BERLIN1167.html")
    assert cable["created"] == "2009-09-21T08:26:00Z"
    assert cable["released"] == "2010-11-28T18:06:00Z"
    assert cable["classification"] == "CONFIDENTIAL"
    assert [r["target"] for r in cable["references"]] == ["09BERLIN988", "08BERLIN504", "08BERLIN354"]
    assert cable["classification_reasons"] == ["1.4(b)", "1.4(d)"]
    assert cable["signer"] == "MURPHY"
    assert cable["extra"]["signer_raw"] == "Murphy"
    assert cable["extra"]["page_title"] == "DATA PRIVACY TRUMPS SECURITY: IMPLICATIONS OF A"


def test_html_five_columns_classified_by_09berlin1167() -> None:
    cable = _one(CORPUS / "wlc-html" / "2009" / "09" / "09BERLIN1167.html")
    assert cable["classified_by"] == "Don Brown"


def test_html_media_urls() -> None:
    cable = _one(CORPUS / "wlc-html" / "2009" / "09" / "09BERLIN1176.html")
    assert cable["extra"]["media_urls"] == ["http://http://www.spiegel.de"]


def test_text_partial_record_04ankara348() -> None:
    cable = _one(CORPUS / "text" / "04ANKARA348.txt")
    assert cable["is_partial"] is True
    assert cable["created"] == "2004-01-20T12:47:00Z"
    assert cable["extra"]["created_source"] == "partial-date"
    assert cable["transmission_id"] is None
    assert cable["precedence"] is None
    assert cable["sender"] is None
    assert cable["recipients"] == {"to": [], "info": []}
    assert cable["declassify_on"] == "2014-01-07"
    assert cable["tags"] == ["PREL", "PGOV", "PINS", "TU"]
    assert cable["subject"].startswith("turkish p.m. Erdogan goes to washington")
    assert cable["classified_by"] == "Eric Edelman"
    assert cable["classification_reasons"] == ["1.5(b)", "1.5(d)"]
    assert cable["signer"] is None
    assert not any(w.startswith("signer-missing") for w in cable["warnings"])


def test_telegram_09unvievienna279() -> None:
    cable = _one(CORPUS / "telegram" / "09UNVIEVIENNA279.txt")
    assert cable["format"] == "telegram"
    assert cable["identifier"] == "09UNVIEVIENNA279"
    assert cable["created"] == "2009-06-17T14:58:00Z"
    assert cable["caveats"] == ["SENSITIVE", "SIPDIS"]
    assert cable["classification"] == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    assert cable["origin"] == "UNVIE"
    assert cable["station"] == "UNVIEVIENNA"
    assert cable["precedence"] == "IMMEDIATE"
    assert cable["released"] is None
    assert [(r["route"], r["name"], r["precedence"], r["mcn"]) for r in cable["recipients"]["to"]] == [
        ("RUEHC", "SECSTATE WASHDC", "IMMEDIATE", "9589"),
        ("RHEBAAA", "DOE WASHDC", "IMMEDIATE", None),
        ("RUEANFA", "NRC WASHDC", "IMMEDIATE", None),
    ]
    assert len(cable["recipients"]["info"]) == 2
    assert [r["target"] for r in cable["references"]] == ["09UNVIEVIENNA109", "09UNVIEVIENNA201"]
    assert cable["declassify_on"] is None
    assert cable["classified_by"] is None
    assert cable["signer"] == "SCHULTE"
    codes = [w.split(":")[0] for w in cable["warnings"]]
    assert "encoding-repaired" in codes
    assert "classification-derived" in codes
    assert "origin-derived" in codes
    assert "classified-by-missing" not in codes
    assert next(w for w in cable["warnings"] if w.startswith("encoding-repaired")).startswith(
        "encoding-repaired: 13 bytes"
    )


def test_old_telegram_66buenosaires2481() -> None:
    cable = _one(CORPUS / "text" / "66BUENOSAIRES2481.txt")
    assert cable["precedence"] == "PRIORITY"
    assert cable["extra"]["info_precedence"] == "ROUTINE"
    assert cable["created"] == "1966-12-28T18:48:00Z"
    assert cable["declassify_on"] == "2009-09-02"
    assert cable["classified_by"] is None
    assert cable["signer"] == "SACCIO"
    assert cable["body"].count(cable["extra"]["banner"]) == 1


def test_department_copy_09useubrussels1177() -> None:
    cable = _one(CORPUS / "telegram" / "09USEUBRUSSELS1177.txt")
    assert cable["transmission_id"] is None
    assert cable["recipients"] == {
        "to": [
            {"name": "SECSTATE WASHDC", "route": None, "precedence": None, "mcn": None, "excluded": []},
            {
                "name": "US CUSTOMS AND BORDER PROTECTION WASHINGTON DC",
                "route": None,
                "precedence": None,
                "mcn": None,
                "excluded": [],
            },
        ],
        "info": [],
    }
    assert cable["origin"] == "USEU Brussels"


CSV_RECORD = (
    '"2","2/25/1972 9:30","72TEHRAN1164","Embassy Tehran","UNCLASSIFIED",'
    '"72MOSCOW1603|72TEHRAN1091|72TEHRAN263",'
    '"R 250930Z FEB 72\nFM AMEMBASSY TEHRAN\nTO SECSTATE WASHDC 1234",'
    '"UNCLASSIFIED TEHRAN 1164\n\nE.O. 11652: N/A\nTAGS: MASS, IR\n'
    "SUBJECT: ACCELERATION OF F-4ES FOR IRAN\n\n"
    'REF: TEHRAN 1091: TEHRAN 263: MOSCOW 1603\n\n1. THE \\"TEXT\\" OF THE CABLE.\n\nMACARTHUR"\n'
)


def test_csv_record() -> None:
    (cable,) = parse_bytes(CSV_RECORD.encode(), "cables.csv")
    assert cable["format"] == "csv"
    assert cable["identifier"] == "72TEHRAN1164"
    assert cable["created"] == "1972-02-25T09:30:00Z"
    assert cable["extra"]["created_source"] == "dtg"
    assert cable["extra"]["csv_row"] == 2
    assert cable["extra"]["csv_references"] == ["72MOSCOW1603", "72TEHRAN1091", "72TEHRAN263"]
    assert [(r["label"], r["target"]) for r in cable["references"]] == [
        (None, "72TEHRAN1091"),
        (None, "72TEHRAN263"),
        (None, "72MOSCOW1603"),
    ]
    assert not any(w.startswith("csv-references-differ") for w in cable["warnings"])
    assert '"TEXT"' in cable["body"]


def test_csv_references_differ_and_fill() -> None:
    differ = CSV_RECORD.replace("72MOSCOW1603|", "72MOSCOW1604|")
    (cable,) = parse_bytes(differ.encode(), "cables.csv")
    warning = next(w for w in cable["warnings"] if w.startswith("csv-references-differ"))
    assert "72MOSCOW1603" in warning and "72MOSCOW1604" in warning
    no_ref = CSV_RECORD.replace("REF: TEHRAN 1091: TEHRAN 263: MOSCOW 1603\n\n", "")
    (cable,) = parse_bytes(no_ref.encode(), "cables.csv")
    assert [r["target"] for r in cable["references"]] == ["72MOSCOW1603", "72TEHRAN1091", "72TEHRAN263"]
    assert all(r["label"] is None and r["kind"] == "cable" for r in cable["references"])
    assert any(w.startswith("references-from-csv") for w in cable["warnings"])


def test_csv_references_never_bring_back_the_own_id() -> None:
    """09NSSAU504 (canonical 09NASSAU504) with REF "A. NASSAU 504" and column 6 "09NASSAU504":
    the REF item is the cable's own id (3.10), so is the column 6 id; no reference, no fill
    (issue #8: the full corpus had this one self-reference back through column 6)."""
    record = (
        '"7","8/31/2009 13:11","09NSSAU504","Embassy Nassau","UNCLASSIFIED",'
        '"09NASSAU504",'
        '"R 311311Z AUG 09\nFM AMEMBASSY NASSAU\nTO SECSTATE WASHDC 1234",'
        '"UNCLAS NASSAU 000504\n\nE.O. 12958: N/A\nTAGS: PREL BF\n'
        "SUBJECT: ELDERLY AMERICAN SMUGGLED OUT OF BAHAMAS\n\n"
        'REF: A. NASSAU 504\n\n1. (SBU) Text.\n\nSMITH"\n'
    )
    (cable,) = parse_bytes(record.encode(), "cables.csv")
    assert cable["canonical_id"] == "09NASSAU504"
    assert cable["references"] == []
    assert not any(w.startswith(("references-from-csv", "csv-references-differ")) for w in cable["warnings"])
    # the own id is left out of the comparison, the other ids still count
    (cable,) = parse_bytes(record.replace('"09NASSAU504"', '"09NASSAU504|09STATE12"').encode(), "cables.csv")
    assert [r["target"] for r in cable["references"]] == ["09STATE12"]
    assert any(w.startswith("references-from-csv: 1 ids") for w in cable["warnings"])


def test_warnings_are_sorted_one_per_code() -> None:
    cable = _one(CORPUS / "telegram" / "09UNVIEVIENNA279.txt")
    codes = [w.split(":")[0] for w in cable["warnings"]]
    assert codes == sorted(set(codes))
