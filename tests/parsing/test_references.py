"""REF citations (cable-format.md 3.10, examples of 5.2 and 5.3, corpus variants)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cables.parsing.identifiers import canonicalize_id
from cables.parsing.references import REF_LABEL_RE, find_ref_blocks, parse_references

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
ID_RE = re.compile(r"^\d\d[A-Z]+[1-9]\d*$")
FIRST_PARAGRAPH_RE = re.compile(r"^\s*\u00b6?\s*1\s?\.\s", re.MULTILINE)

P = "\u00b6"  # the paragraph sign that precedes reference letters (6.6)


def targets(text: str, cable_id: str) -> list[str | None]:
    return [r.target for r in parse_references(text, cable_id)]


def triples(text: str, cable_id: str) -> list[tuple[str | None, str, str | None]]:
    return [(r.label, r.kind, r.target) for r in parse_references(text, cable_id)]


def preamble_of(path: Path) -> str:
    """A corpus file up to its first numbered paragraph (enough for REF blocks)."""
    text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
    m = FIRST_PARAGRAPH_RE.search(text)
    return text[: m.start()] if m else text


# --- 5.3 References table: every row ------------------------------------------------------------
# Rows whose input contains "…" are written without the elided items; the expected list is the
# table's list without its "…".

TABLE = [
    (
        "07TBILISI1732",
        "A. TBILISI 1605  B. TBILISI 1352 D. 06 TBILISI 2601 I. 06 STATE 80908 K. 06 TBILISI 0619 "
        "M. 06 MOSCOW 0546 O. 05 TBILISI 3171",
        [
            *("07TBILISI1605", "07TBILISI1352", "06TBILISI2601", "06STATE80908"),
            *("06TBILISI619", "06MOSCOW546", "05TBILISI3171"),
        ],
    ),
    (
        "07STATE152317",
        "(A)STATE 071143, (B)STATE 073601, (C)STATE 72896, (D)BEIJING \n5361, (E) STATE 148514",
        ["07STATE71143", "07STATE73601", "07STATE72896", "07BEIJING5361", "07STATE148514"],
    ),
    ("08RIYADH1134", "A. SECSTATE 74879 \n     B. RIYADH 43", ["08STATE74879", "08RIYADH43"]),
    ("09UNVIEVIENNA540", "EMBASSY VIENNA 1450", ["09VIENNA1450"]),
    (
        "07TALLINN375",
        "A) TALLINN 366 B) LEE-GOLDSTEIN EMAIL 05/11/07 \nB) TALLINN 347",
        ["07TALLINN366", None, "07TALLINN347"],
    ),
    (
        "08SANTIAGO1",
        "A. A) SECSTATE 54183 B. B) 07 BRASILIA 1868 C. C) STATE 57700 D. 07 STATE 17940 "
        "Classified By: DCM Someone for reasons 1.4 (b)",
        ["08STATE54183", "07BRASILIA1868", "08STATE57700", "07STATE17940"],
    ),
    (
        "02ROME1196",
        "A. STATE 40721 \nCONFIDENTIAL \nPAGE 02 ROME 01196 01 OF 02 082030Z  B. ROME 1098  C. ROME 894  "
        "D. MYRIAD POST-DEPARTMENT E-MAILS FROM 10/01-02/02  E. ROME 348",
        ["02STATE40721", "02ROME1098", "02ROME894", None, "02ROME348"],
    ),
    (
        "08TRIPOLI402",
        "A) TRIPOLI 199, B) TRIPOLI 227 TRIPOLI 00000402 \n\n001.2 OF 003",
        ["08TRIPOLI199", "08TRIPOLI227"],
    ),
    (
        "10CAIRO177",
        "SECDEF 122723; CAIRO IIR 6 899 0149 10; 2009 CAIRO 2394 \n2009 CAIRO 491",
        ["10SECDEF122723", None, "09CAIRO2394", "09CAIRO491"],
    ),
    (
        "08LONDON1991",
        "SUBJECT: (C/NF) WHO WOULD REPLACE GORDON BROWN AS UK PRIMEREF: A. LONDON 1939  B. LONDON 1704",
        ["08LONDON1939", "08LONDON1704"],
    ),
    (
        "10UNESCOPARISFR197",
        "(A) USUNESCO PARIS FR 000087, (B) USUNESCO PARIS FR 00187",
        ["10UNESCOPARISFR87", "10UNESCOPARISFR187"],
    ),
    (
        "09SAOPAULO558",
        f"A. ASUNCION 701 (08) \n{P}B. ASUNCION 338 (07) \n{P}C. INCSR BRAZIL 2008 \n"
        f"{P}D. SAO PAULO 228 (08)",
        ["08ASUNCION701", "07ASUNCION338", None, "08SAOPAULO228"],
    ),
    ("10QUITO33", "QUITO 5; 094 QUITO 841; 08 QUITO 1062", ["10QUITO5", "94QUITO841", "08QUITO1062"]),
    (
        "04BRASILIA676",
        f"A. A. STATE 56282 {P}B. B. STATE 56666 {P}C. C. STATE 41252 AND 44603 {P}D. D. BRASILIA 616",
        ["04STATE56282", "04STATE56666", "04STATE41252", "04STATE44603", "04BRASILIA616"],
    ),
    ("06PANAMA1518", f"{P}D. 2005PANAMA2342", ["05PANAMA2342"]),
    ("06CHENNAI1497", "(A)05 CHENNAI 0121, (B)O4 CHENNAI 0944", ["05CHENNAI121", "04CHENNAI944"]),
    (
        "04HANOI652",
        "A. STATE 7869 B. 03 HANOI 3232 C. 03 HANOI 3288 D. 03 \n\nHANOI 2323 E. HANOI 336 F. HCMC 196",
        ["04STATE7869", "03HANOI3232", "03HANOI3288", "03HANOI2323", "04HANOI336", "04HOCHIMINHCITY196"],
    ),
    (
        "10SANAA317",
        f"{P}G. SANAA 202 \n{P}H. MITCHELL/SIMS TELCON 02/16/2010 \n{P}I. MITCHELL/SIMS EMAIL 02/16/2010 \n"
        f"{P}J. SANAA 214",
        ["10SANAA202", None, None, "10SANAA214"],
    ),
    ("09SAOPAULO332", "9 FAM Appendix K, 406 (6)", [None]),
    (
        "05BRASILIA1466",
        f"{P}H. USDEL SECRETARY TELEGRAMS 000005/000007/00004 {P}I. (S/NF) TD-314/21795-05 11 APRIL 2005",
        [None, None],
    ),
    (
        "06QUITO1920",
        "A. QUITO 4525-91 C. QUITO 1905-03 D. QUITO 0579",
        ["91QUITO4525", "03QUITO1905", "06QUITO579"],
    ),
    (
        "07KABUL1033",
        "A) Kabul 936/935; B) Kabul 692/317/274/162; C) 06 Kabul \n5353/5194/4319 and previous",
        [
            *("07KABUL936", "07KABUL935", "07KABUL692", "07KABUL317", "07KABUL274", "07KABUL162"),
            *("06KABUL5353", "06KABUL5194", "06KABUL4319"),
        ],
    ),
    (
        "02AMMAN5966",
        "AMMAN 07718 99, AMMAN 05986 00, AMMAN 07718 01",
        ["99AMMAN7718", "00AMMAN5986", "01AMMAN7718"],
    ),
    ("02ABUJA2651", "(A) LAGOS O1512", ["02LAGOS1512"]),
    ("06ULAANBAATAR881", "870 Ulaanbaatar", ["06ULAANBAATAR870"]),
    ("03COLOMBO1516", "COLOMBO CABLES 0266 AND 02259 (2002)", ["03COLOMBO266", "02COLOMBO2259"]),
    ("03ANKARA6322", "A) 6307 B) STATE 285773", ["03ANKARA6307", "03STATE285773"]),
    (
        "09ABUDHABI754",
        "REF A SECRETARY'S LETTER TO MBZ ON PUMA HELICOPTERS \nREF B SECSTATE 76108",
        [None, "09STATE76108"],
    ),
    (
        "09SAOPAULO663",
        "SAO PAULO 653; SAO PAULO 433; SAO PAULO 421; BRASILIA 709 (08) SAO PAULO 542",
        ["09SAOPAULO653", "09SAOPAULO433", "09SAOPAULO421", "09BRASILIA709", "08SAOPAULO542"],
    ),
]


@pytest.mark.parametrize(("cable_id", "text", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_references_table_targets(cable_id: str, text: str, expected: list[str | None]) -> None:
    assert targets(text, cable_id) == expected


def test_table_tallinn_labels_and_kinds() -> None:
    refs = parse_references("A) TALLINN 366 B) LEE-GOLDSTEIN EMAIL 05/11/07 \nB) TALLINN 347", "07TALLINN375")
    assert [(r.label, r.kind, r.text) for r in refs] == [
        ("A", "cable", "TALLINN 366"),
        ("B", "email", "LEE-GOLDSTEIN EMAIL 05/11/07"),
        ("B", "cable", "TALLINN 347"),
    ]


def test_table_riyadh_labels() -> None:
    assert triples("A. SECSTATE 74879 \n     B. RIYADH 43", "08RIYADH1134") == [
        ("A", "cable", "08STATE74879"),
        ("B", "cable", "08RIYADH43"),
    ]


def test_table_rome_email_item() -> None:
    refs = parse_references(TABLE[6][1], "02ROME1196")
    assert (refs[3].label, refs[3].kind, refs[3].text) == (
        "D",
        "email",
        "MYRIAD POST-DEPARTMENT E-MAILS FROM 10/01-02/02",
    )


def test_table_cairo_report_item() -> None:
    refs = parse_references(TABLE[8][1], "10CAIRO177")
    assert (refs[1].kind, refs[1].text, refs[1].label) == ("report", "CAIRO IIR 6 899 0149 10", None)


def test_table_incsr_is_a_report_not_brasilia_2008() -> None:
    refs = parse_references(TABLE[11][1], "09SAOPAULO558")
    assert (refs[2].label, refs[2].kind, refs[2].text) == ("C", "report", "INCSR BRAZIL 2008")


def test_table_list_continuation_text_and_label() -> None:
    refs = parse_references(TABLE[13][1], "04BRASILIA676")
    assert [(r.label, r.text) for r in refs[2:4]] == [("C", "STATE 41252"), ("C", "44603")]


def test_table_sanaa_kinds() -> None:
    assert [(r.label, r.kind) for r in parse_references(TABLE[17][1], "10SANAA317")] == [
        ("G", "cable"),
        ("H", "telcon"),
        ("I", "email"),
        ("J", "cable"),
    ]


def test_table_fam_is_a_book_with_verbatim_text() -> None:
    refs = parse_references("9 FAM Appendix K, 406 (6)", "09SAOPAULO332")
    assert [(r.label, r.kind, r.text) for r in refs] == [(None, "book", "9 FAM Appendix K, 406 (6)")]


def test_table_usdel_other_and_td_report_verbatim() -> None:
    refs = parse_references(TABLE[19][1], "05BRASILIA1466")
    assert [(r.label, r.kind, r.text) for r in refs] == [
        ("H", "other", "USDEL SECRETARY TELEGRAMS 000005/000007/00004"),
        ("I", "report", "(S/NF) TD-314/21795-05 11 APRIL 2005"),
    ]


def test_table_kabul_lists_keep_labels() -> None:
    labels = [r.label for r in parse_references(TABLE[21][1], "07KABUL1033")]
    assert labels == ["A", "A", "B", "B", "B", "B", "C", "C", "C"]


def test_table_abudhabi_ref_lines_carry_labels() -> None:
    refs = parse_references(TABLE[27][1], "09ABUDHABI754")
    assert [(r.label, r.kind) for r in refs] == [("A", "memo"), ("B", "cable")]


# --- 5.2 layouts and the seed ------------------------------------------------------------------


def test_seed_references() -> None:
    text = "REF: A) STATE 150039 B) PARIS 05639 C) STATE 136495\n\nClassified By: Acting Political"
    refs = parse_references(text, "06PARIS6189")
    assert [r.as_dict() for r in refs] == [
        {"label": "A", "text": "STATE 150039", "kind": "cable", "target": "06STATE150039"},
        {"label": "B", "text": "PARIS 05639", "kind": "cable", "target": "06PARIS5639"},
        {"label": "C", "text": "STATE 136495", "kind": "cable", "target": "06STATE136495"},
    ]


def test_seed_file_preamble() -> None:
    refs = parse_references(preamble_of(CORPUS / "seed" / "000_cd5e1a070289d07d.txt"), "06PARIS6189")
    assert [r.target for r in refs] == ["06STATE150039", "06PARIS5639", "06STATE136495"]


def test_html_berlin_layout() -> None:
    text = f"REF: A. BERLIN 988 \n{P}B. 2008 BERLIN 504 \n{P}C. 2008 BERLIN 354"
    assert targets(text, "09BERLIN1167") == ["09BERLIN988", "08BERLIN504", "08BERLIN354"]


def test_telegram_unvie_layout() -> None:
    assert targets(f"REF: A. UNVIE 109 \n{P}B. UNVIE 201", "09UNVIEVIENNA279") == [
        "09UNVIEVIENNA109",
        "09UNVIEVIENNA201",
    ]


def test_csv_colon_separated_items() -> None:
    refs = parse_references("REF: TEHRAN 1091: TEHRAN 263: MOSCOW 1603", "72TEHRAN1164")
    assert [(r.label, r.target) for r in refs] == [
        (None, "72TEHRAN1091"),
        (None, "72TEHRAN263"),
        (None, "72MOSCOW1603"),
    ]


def test_old_telegram_circular_and_other() -> None:
    refs = parse_references("REF: STATE 106206 CIRCULAR; STATE CA-3400 NOV 2, 1966", "66BUENOSAIRES2481")
    assert [(r.kind, r.text, r.target) for r in refs] == [
        ("cable", "STATE 106206 CIRCULAR", "66STATE106206"),
        ("other", "STATE CA-3400 NOV 2, 1966", None),
    ]


# --- 3.10 Where: labels and blocks --------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "REF:",
        "REFS:",
        "REF(S):",
        "Ref(s):",
        "REFTEL:",
        "REFTELS:",
        "REFERENCE:",
        "PROGRAM REF:",
        "REF.",
        "REF :",
    ],
)
def test_label_variants(label: str) -> None:
    assert targets(f"SUBJECT: X\n\n{label} PARIS 12\n\nClassified By: X", "06ROME1") == ["06PARIS12"]


@pytest.mark.parametrize("label", ["REF", "REFTEL", "REFS"])
def test_label_followed_by_space_only(label: str) -> None:
    assert targets(f"{label} PARIS 12", "06ROME1") == ["06PARIS12"]


@pytest.mark.parametrize("doubled", ["REF: REF:", "REF: REFERENCE:"])
def test_doubled_labels_count_once(doubled: str) -> None:
    assert triples(f"{doubled} A. PARIS 12", "06ROME1") == [("A", "cable", "06PARIS12")]


def test_label_glued_to_subject() -> None:
    text = "SUBJECT: SCENESETTER FOR VISIT TO ROMEREF: A. ROME 12 B. ROME 15"
    m = REF_LABEL_RE.search(text)
    assert m is not None and text[m.start() :].startswith("REF:")
    assert targets(text, "06ROME1") == ["06ROME12", "06ROME15"]


def test_label_after_subject_text_on_its_line() -> None:
    assert targets("SUBJECT: FOO BAR REF: PARIS 12", "06ROME1") == ["06PARIS12"]


def test_block_may_begin_with_lettered_ref() -> None:
    assert triples("A. REF PARIS 123\nB. REF PARIS 124", "06ROME1") == [
        ("A", "cable", "06PARIS123"),
        ("B", "cable", "06PARIS124"),
    ]


def test_reform_and_reftel_prose_are_not_labels() -> None:
    text = "SUBJECT: PENSION REFORM AND REFUGEES\n\nreftel reporting said 12 things"
    assert parse_references(text, "06ROME1") == []


def test_preamble_without_ref_has_no_references() -> None:
    text = "C O N F I D E N T I A L PARIS 000123\n\nSIPDIS\n\nE.O. 12958: DECL: 01/01/2016\nTAGS: PREL\n"
    text += "SUBJECT: MEETING WITH ROME 12 OFFICIALS\n\nClassified By: X\n"
    assert parse_references(text, "06PARIS123") == []


@pytest.mark.parametrize(
    "tail",
    [
        "\nClassified By: Ambassador X, reasons 1.4 (b)\n STATE 99",
        " Classified By: Ambassador X STATE 99",
        " (NOTAL)Classified By: X STATE 99",
        "\n1. (C) STATE 99 said",
        "\nSUMMARY: STATE 99",
        "\nBEGIN SUMMARY STATE 99",
        "\nC O N F I D E N T I A L ROME 000099",
        "\nC O R R E C T E D COPY STATE 99",
        "\n-------\nSTATE 99",
        " Sensitive but unclassified. STATE 99",
        "\nThis message STATE 99",
        "\nThis is an action request. STATE 99",
        "\n\nWe asked STATE 99 today",
    ],
)
def test_block_ends(tail: str) -> None:
    assert targets("REF: PARIS 12" + tail, "06ROME1") == ["06PARIS12"]


def test_blank_line_then_lettered_or_origin_serial_item_continues() -> None:
    assert targets("REF: A. PARIS 12\n\nB. PARIS 13\n\nROME 14\n\nThe rest", "06MADRID1") == [
        "06PARIS12",
        "06PARIS13",
        "06ROME14",
    ]


def test_block_limit_of_1200_characters() -> None:
    items = " ".join(f"PARIS {n}" for n in range(100, 400))
    got = targets("REF: " + items, "06ROME1")
    assert got[0] == "06PARIS100"
    assert 100 < len(got) < 200


def test_page_break_lines_inside_block_are_removed() -> None:
    text = "REF: A. STATE 12\n\nROME 00001196  002 OF 004\n\nB. STATE 13\n\nClassified By: X"
    assert targets(text, "06ROME1196") == ["06STATE12", "06STATE13"]


def test_page_header_with_classification_inside_block() -> None:
    text = "REF: A. STATE 12\nCONFIDENTIAL\nPAGE 02  HANOI  02605 300858Z\nB. STATE 13"
    assert targets(text, "03HANOI2605") == ["03STATE12", "03STATE13"]


def test_paragraph_sign_forms_are_spaces() -> None:
    text = "REF: A. STATE 12 \u00c2\u00b6B. STATE 13 \ufffdC. STATE 14"
    assert targets(text, "06ROME1") == ["06STATE12", "06STATE13", "06STATE14"]


def test_second_ref_section_after_classified_by() -> None:
    text = (
        "SUBJECT: VISIT\nREF: A. PARIS 12\n\nClassified By: Ambassador X, reasons 1.4 (b)\n\n"
        "REF: B. PARIS 13 C. ROME 14\n"
    )
    assert find_ref_blocks(text) == ["A. PARIS 12", "B. PARIS 13 C. ROME 14"]
    assert triples(text, "06MADRID1") == [
        ("A", "cable", "06PARIS12"),
        ("B", "cable", "06PARIS13"),
        ("C", "cable", "06ROME14"),
    ]


def test_second_header_after_corrected_copy() -> None:
    text = "REF: PARIS 12\nC O R R E C T E D  C O P Y\nSUBJECT: VISIT\nREF: PARIS 12; ROME 3\n"
    assert targets(text, "06MADRID1") == ["06PARIS12", "06ROME3"]


def test_find_ref_blocks_returns_joined_clean_text() -> None:
    text = f"REF: (A)STATE 071143, (D)BEIJING \n5361 \n{P}E. STATE 5\n\n\nCLASSIFIED BY X"
    assert find_ref_blocks(text) == ["(A)STATE 071143, (D)BEIJING 5361 E. STATE 5"]


# --- 3.10 Items: labels and separators ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("A. ROME 12", "A"),
        ("A) ROME 12", "A"),
        ("(A) ROME 12", "A"),
        ("A: ROME 12", "A"),
        ("[A] ROME 12", "A"),
        ("A - ROME 12", "A"),
        ("A.) ROME 12", "A"),
        ("(1) ROME 12", "1"),
        ("a. ROME 12", "A"),
        ("(a) ROME 12", "A"),
        ("A. A) ROME 12", "A"),
        ("A. (A) ROME 12", "A"),
        ("A. A. ROME 12", "A"),
        ("A. A: ROME 12", "A"),
        ("A. REF A ROME 12", "A"),
        ("A. REF A: ROME 12", "A"),
        ("A. REF: ROME 12", "A"),
        ("A. (a) ROME 12", "A"),
        ("ROME 12", None),
    ],
)
def test_item_labels(text: str, label: str | None) -> None:
    assert triples("REF: " + text, "06PARIS1") == [(label, "cable", "06ROME12")]


def test_bare_letter_labels_in_sequence() -> None:
    assert triples("REF A ROME 12 B ROME 15", "06PARIS1") == [
        ("A", "cable", "06ROME12"),
        ("B", "cable", "06ROME15"),
    ]


def test_numbered_labels_in_sequence() -> None:
    assert triples("REF: (1) ROME 12 (2) ROME 15", "06PARIS1") == [
        ("1", "cable", "06ROME12"),
        ("2", "cable", "06ROME15"),
    ]


@pytest.mark.parametrize("sep", ["; ", ", ", ": ", " AND ", " & ", " "])
def test_separators_between_items(sep: str) -> None:
    assert targets(f"ROME 12{sep}PARIS 15", "06MADRID1") == ["06ROME12", "06PARIS15"]


def test_origin_serial_sequence_is_four_items() -> None:
    text = "SAO PAULO 433 SAO PAULO 421 BRASILIA 709 2008 SAO PAULO 542"
    assert targets(text, "09SAOPAULO653") == [
        "09SAOPAULO433",
        "09SAOPAULO421",
        "09BRASILIA709",
        "08SAOPAULO542",
    ]


def test_initials_in_free_text_are_not_labels() -> None:
    refs = parse_references("REF: A. LETTER FROM JAMES Z. BAKER B. ROME 12", "06PARIS1")
    assert [(r.label, r.kind, r.text) for r in refs] == [
        ("A", "memo", "LETTER FROM JAMES Z. BAKER"),
        ("B", "cable", "ROME 12"),
    ]


# --- 3.10 Cable items ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("LA PAZ 12", "06LAPAZ12"),
        ("SAO PAULO 12", "06SAOPAULO12"),
        ("THE HAGUE 12", "06THEHAGUE12"),
        ("EMBASSY VIENNA 12", "06VIENNA12"),
        ("SECSTATE 12", "06STATE12"),
        ("USUN 12", "06USUNNEWYORK12"),
        ("USEU 12", "06USEUBRUSSELS12"),
        ("BRUSSELS 12", "06BRUSSELS12"),
        ("SECDEF 12", "06SECDEF12"),
        ("HAGUE 12", "06THEHAGUE12"),
        ("PORT-AU-PRINCE 12", "06PORTAUPRINCE12"),
        ("COT0NOU 12", "06COTONOU12"),
        ("ST. PETERSBURG 12", "06STPETERSBURG12"),
        ("TEL AVIV 1086", "06TELAVIV1086"),
        ("IRPO DUBAI 95", "06RPODUBAI95"),
        ("DUBAI RPO 378", "06RPODUBAI378"),
        ("Frankfurt 002808", "06FRANKFURT2808"),
        ("UNCLAS STATE 12", "06STATE12"),
        ("(C) STATE 12", "06STATE12"),
        ("123 KATHMANDU", "06KATHMANDU123"),
        ("08CAIRO0123", "08CAIRO123"),
        ("2007LIMA1234", "07LIMA1234"),
        ("09-OTTAWA-12", "09OTTAWA12"),
        ("STATE CABLE 12", "06STATE12"),
        ("STATE CABLES 12", "06STATE12"),
        ("STATE TEL 12", "06STATE12"),
        ("STATE NO. 12", "06STATE12"),
        ("STATE # 12", "06STATE12"),
        ("KUWAIT (C)01234", "06KUWAIT1234"),
        ("STATE (01) 123456", "01STATE123456"),
        ("TBILISI 0123", "06TBILISI123"),
        ("LAGOS O1234", "06LAGOS1234"),
        ("STATE 1234567", "06STATE1234567"),
        ("06 STATE 12", "06STATE12"),
        ("2007 STATE 12", "07STATE12"),
        ("'08 STATE 12", "08STATE12"),
        ("(99) STATE 12", "99STATE12"),
        ("O4 STATE 12", "04STATE12"),
        ("094 QUITO 841", "94QUITO841"),
        ("QUITO 1234-91", "91QUITO1234"),
        ("STATE 12/08", "08STATE12"),
        ("AMMAN 01234 99", "99AMMAN1234"),
        ("STATE 12 (08)", "08STATE12"),
        ("STATE 12 (2002)", "02STATE12"),
        ("STATE 12", "06STATE12"),
    ],
)
def test_cable_item_forms(text: str, target: str) -> None:
    assert targets("REF: " + text, "06PARIS1") == [target]


def test_glued_label_and_origin() -> None:
    assert triples("REF: A) ROME 1 B)HK01234", "06PARIS1") == [
        ("A", "cable", "06ROME1"),
        ("B", "cable", "06HONGKONG1234"),
    ]


@pytest.mark.parametrize(
    "text", ["NEW DELHI 420Q", "STATE 12345678", "INCSR BRAZIL 2008", "SECRETARY STATE 12"]
)
def test_not_cable_items(text: str) -> None:
    assert all(r.kind != "cable" for r in parse_references("REF: " + text, "06PARIS1"))


def test_fuzzy_origin_warns() -> None:
    warnings: list[str] = []
    refs = parse_references("REF: Ankarra 1234", "06PARIS1", warnings=warnings)
    assert [r.target for r in refs] == ["06ANKARA1234"]
    assert [w.split(":")[0] for w in warnings] == ["ref-fuzzy-origin"]


def test_paren_year_before_new_origin_belongs_to_next_item() -> None:
    assert targets("BRASILIA 709 (08) SAO PAULO 542", "09SAOPAULO1") == ["09BRASILIA709", "08SAOPAULO542"]


def test_lone_two_digit_year_before_new_origin_belongs_to_next_item() -> None:
    assert targets("REF: TBILISI 1605 06 TBILISI 2601", "07TBILISI1") == ["07TBILISI1605", "06TBILISI2601"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STATE 12345 AND 12399", ["06STATE12345", "06STATE12399"]),
        ("06 Kabul 101/102/103", ["06KABUL101", "06KABUL102", "06KABUL103"]),
        ("ROME 100 and 200, 300", ["06ROME100", "06ROME200", "06ROME300"]),
        ("LIMA 12, LIMA, 15", ["06LIMA12", "06LIMA15"]),
        ("05 STATE 123 & 456", ["05STATE123", "05STATE456"]),
        ("STATE 123, 2007 STATE 456", ["06STATE123", "07STATE456"]),
    ],
)
def test_lists_inherit_origin_and_year(text: str, expected: list[str]) -> None:
    assert targets("REF: " + text, "06PARIS1") == expected


def test_list_continuation_texts() -> None:
    refs = parse_references("REF: C. STATE 12345 AND 12399", "06PARIS1")
    assert [(r.label, r.text) for r in refs] == [("C", "STATE 12345"), ("C", "12399")]


def test_serial_only_item_inherits_from_previous_cable_item() -> None:
    refs = parse_references(f"REF: A. 05 MANILA 100 {P}B. 98 AND PREVIOUS", "06PARIS1")
    assert [(r.label, r.text, r.target) for r in refs] == [
        ("A", "05 MANILA 100", "05MANILA100"),
        ("B", "98 AND PREVIOUS", "05MANILA98"),
    ]


def test_serial_only_item_inherits_from_citing_cable() -> None:
    assert triples("REF: A) 480", "05ANKARA500") == [("A", "cable", "05ANKARA480")]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("PARIS 3645 (NOTAL)", "PARIS 3645 (NOTAL)"),
        ("ANKARA 1561 (EXDIS)", "ANKARA 1561 (EXDIS)"),
        ("ANKARA 526 AND PREVIOUS", "ANKARA 526 AND PREVIOUS"),
        ("STATE 106206 CIRCULAR", "STATE 106206 CIRCULAR"),
        ("08 KIGALI 00830--05/DEC/2008", "08 KIGALI 00830--05/DEC/2008"),
        ('STATE 12 "VISIT OF THE MINISTER"', 'STATE 12 "VISIT OF THE MINISTER"'),
        ("STATE 12 (WASHINGTON VIEWS ON ROME 15)", "STATE 12 (WASHINGTON VIEWS ON ROME 15)"),
        ("PARIS 05639,", "PARIS 05639"),
    ],
)
def test_notes_stay_in_text_not_in_target(text: str, written: str) -> None:
    refs = parse_references("REF: " + text, "09PARIS1")
    assert len(refs) == 1
    assert refs[0].kind == "cable" and refs[0].text == written
    assert ID_RE.match(refs[0].target or "")


# --- 3.10 Other items and filtering -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("http://www.state.gov/x", "web"),
        ("INTELINK POST", "web"),
        ("DIPLOPEDIA ARTICLE ON VISAS", "web"),
        ("SMITH E-MAIL OF 12 MAY", "email"),
        ("SMITH-JONES EMAIL 05/11/07", "email"),
        ("SMITH/JONES TELCON 02/16/2010", "telcon"),
        ("PHONE CALL WITH THE DESK", "telcon"),
        ("TELEPHONE CONVERSATION WITH DAS", "telcon"),
        ("MEMCON OF JUNE 3", "meeting"),
        ("MEETING WITH MFA", "meeting"),
        ("SECRETARY'S LETTER TO MBZ", "memo"),
        ("MEMORANDUM OF UNDERSTANDING", "memo"),
        ("DIPLOMATIC NOTE 123/08", "memo"),
        ("NON-PAPER OF MAY 5", "memo"),
        ("9 FAM 42.1", "book"),
        ("22 CFR 41", "book"),
        ("8 U.S.C. 1182", "book"),
        ("CONSULAR HANDBOOK", "book"),
        ("2008 INCSR", "report"),
        ("TD-314/21795-05", "report"),
        ("OSC EUP20080101", "report"),
        ("DAILY SITREP", "report"),
        ("PARIS POINTS 20 SEPTEMBER 2007", "other"),
        ("UNSCR 1234", "other"),
        ("USDEL 00007", "other"),
        ("SECDEF MSG DTG 011200Z JAN 08", "other"),
    ],
)
def test_other_item_kinds(text: str, kind: str) -> None:
    refs = parse_references("REF: " + text, "06PARIS1")
    assert [(r.kind, r.text, r.target) for r in refs] == [(kind, text, None)]


def test_unknown_origin_is_other_with_warning() -> None:
    warnings: list[str] = []
    refs = parse_references("REF: A. USDEL 00007 B. ROME 12", "06PARIS1", warnings=warnings)
    assert [(r.label, r.kind, r.target) for r in refs] == [("A", "other", None), ("B", "cable", "06ROME12")]
    assert warnings == ["ref-unresolved: USDEL 00007"]


def test_self_reference_is_dropped() -> None:
    assert targets("REF: A. PARIS 6189 B. PARIS 6100", "06PARIS6189") == ["06PARIS6100"]


def test_reference_to_the_twin_published_id_is_a_self_reference() -> None:
    """07SETION02OF02BAKU1501 (canonical 07BAKU1501) citing 07BAKU1501, published under both
    ids: the target is its own canonical id, so it is dropped (issue #8, 1 of the 6)."""
    assert targets("REF: (A) STATE 168395 (B) BAKU 1501 (C) MINSK 00181", "07BAKU1501") == [
        "07STATE168395",
        "07MINSK181",
    ]


@pytest.mark.parametrize(
    ("cable_id", "text"),
    [
        ("09KRAKOW14", "06 KRAKOW 266"),
        ("09PONTADELGADA5", "PONTA DELGADA 4"),
        ("10USTRGENEVA12", "09 USTR GENEVA 00401"),
    ],
)
def test_station_with_fewer_than_four_published_ids_is_not_a_cable_item(cable_id: str, text: str) -> None:
    """KRAKOW (2 published ids), PONTADELGADA (1), USTRGENEVA (1) are not known stations (3.1),
    so these items are ``other`` with ``ref-unresolved`` (issue #8, 5 of the 6)."""
    warnings: list[str] = []
    refs = parse_references(f"REF: A. {text} B. STATE 7462", cable_id, warnings=warnings)
    assert [(r.label, r.kind, r.target) for r in refs] == [
        ("A", "other", None),
        ("B", "cable", f"{cable_id[:2]}STATE7462"),
    ]
    assert warnings == [f"ref-unresolved: {text}"]


def test_duplicates_are_dropped_first_wins() -> None:
    refs = parse_references("REF: A. PARIS 12 B. PARIS 012 C. SMITH EMAIL D. SMITH EMAIL", "06ROME1")
    assert [(r.label, r.text) for r in refs] == [("A", "PARIS 12"), ("C", "SMITH EMAIL")]


def test_damaged_item_is_cut_and_warned() -> None:
    path = CORPUS / "telegram" / "06NEWDELHI5138.txt"
    warnings: list[str] = []
    refs = parse_references(preamble_of(path), "06NEWDELHI5138", warnings=warnings)
    assert len(refs) == 1
    assert refs[0].kind == "other" and refs[0].label == "A" and len(refs[0].text) <= 80
    assert refs[0].text.startswith("NEW DELHI 420Q")
    assert any(w.startswith("ref-block-suspect:") for w in warnings)


def test_warnings_are_optional() -> None:
    assert targets("REF: Ankarra 1234; USDEL 00007", "06PARIS1") == ["06ANKARA1234", None]


# --- real corpus --------------------------------------------------------------------------------

CORPUS_CASES = {
    ("text", "09BAKU175"): ["09BAKU139", "09BAKU132", "09BAKU80", "08BAKU917"],
    ("text", "09ISTANBUL440"): [
        "09ANKARA1516",
        "09ISTANBUL421",
        "09ISTANBUL290",
        "08ISTANBUL85",
        "08ISTANBUL146",
        "09ISTANBUL425",
        "09ANKARA1704",
    ],
    ("text", "09STATE37561"): ["08KIGALI830", "08STATE122706", "04STATE101403"],
    ("text", "09BRUSSELS536"): ["09BRUSSELS205", "09BRUSSELS41", "08BRUSSELS1468", "09BRUSSELS101"],
    ("text", "10KABUL693"): ["10KABUL673", "09KABUL3068"],
    ("text", "09BERLIN1360"): ["09BERLIN1337", "09BERLIN1340", "09BERLIN1167"],
    ("text", "08STATE134490"): ["08YEREVAN657", "08STATE97802"],
    ("text", "09RPODUBAI379"): ["09RPODUBAI378"],
    ("text", "09ISTANBUL83"): ["09RPODUBAI95"],
    ("text", "10PARIS170"): ["10USNATO56"],
    ("text", "10STATE9124"): ["10STATE120288"],
    ("text", "09MUNICH25"): ["09BERLIN169", "08MUNICH355"],
    ("text", "07PARIS3956"): [None, "07PARIS3668"],
    ("text", "09MOSCOW405"): [None, "09MOSCOW357"],
    ("text", "09PRAGUE589"): [None],
    ("text", "86MADRID5480"): ["86MADRID5426", "86MADRID5425", "86MADRID5418"],
    ("text", "09ABUDHABI754"): [None, "09STATE76108"],
    ("text", "09UNVIEVIENNA540"): ["09VIENNA1450"],
    ("text", "66BUENOSAIRES2481"): ["66STATE106206", None],
    ("telegram", "09UNVIEVIENNA279"): ["09UNVIEVIENNA109", "09UNVIEVIENNA201"],
    ("telegram", "09UNVIEVIENNA285"): ["08UNVIEVIENNA663"],
    ("telegram", "06NEWDELHI5237"): ["06STATE119436"],
    ("telegram", "07KUALALUMPUR1403"): [None],
}


@pytest.mark.parametrize(("layout", "cable_id"), sorted(CORPUS_CASES), ids=lambda v: str(v))
def test_corpus_cables(layout: str, cable_id: str) -> None:
    path = CORPUS / layout / f"{cable_id}.txt"
    assert targets(preamble_of(path), canonicalize_id(cable_id)) == CORPUS_CASES[(layout, cable_id)]


def test_corpus_ref_lines_with_own_letter() -> None:
    refs = parse_references(preamble_of(CORPUS / "text" / "09ABUDHABI754.txt"), "09ABUDHABI754")
    assert [(r.label, r.kind) for r in refs] == [("A", "memo"), ("B", "cable")]


def _corpus_files() -> list[Path]:
    return sorted((CORPUS / "text").glob("*.txt")) + sorted((CORPUS / "telegram").glob("*.txt"))


def test_whole_corpus_targets_are_well_formed_and_never_self() -> None:
    files = _corpus_files()
    assert len(files) > 200
    cited = 0
    for path in files:
        own = canonicalize_id(path.stem)
        for ref in parse_references(preamble_of(path), own):
            assert (ref.kind == "cable") == (ref.target is not None), (path.name, ref)
            if ref.target is not None:
                cited += 1
                assert ID_RE.match(ref.target), (path.name, ref)
                assert ref.target != own, path.name
            assert ref.text and len(ref.text) <= 200
            assert ref.label is None or re.fullmatch(r"[A-Z]|\d{1,2}", ref.label)
    assert cited > 250


def test_whole_corpus_ref_blocks_are_found() -> None:
    """Every corpus cable with a REF label in its preamble gets at least one reference."""
    label = re.compile(r"^\s*REFS?:", re.MULTILINE)
    for path in _corpus_files():
        pre = preamble_of(path)
        if label.search(pre):
            assert parse_references(pre, canonicalize_id(path.stem)), path.name


# --- synthetic corpus truth ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def synthetic_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("refs") / "corpus"
    tool = SHARED / "tools" / "make_corpus.py"
    cmd = [sys.executable, str(tool), "--count", "2000", "--format", "text", "--out", str(out)]
    subprocess.run([*cmd, "--truth", "--quiet"], check=True)
    return out


def test_synthetic_corpus_matches_truth(synthetic_corpus: Path) -> None:
    mismatches = []
    with_refs = 0
    lines = (synthetic_corpus / "truth.jsonl").read_text().splitlines()
    assert len(lines) == 2000
    for line in lines:
        truth = json.loads(line)
        pre = preamble_of(synthetic_corpus / truth["file"])
        refs = parse_references(pre, canonicalize_id(truth["id"]))
        got = list(dict.fromkeys(r.target for r in refs if r.kind == "cable"))
        with_refs += bool(truth["references"])
        if got != truth["references"]:
            mismatches.append((truth["id"], truth["references"], got))
    assert with_refs > 500
    assert mismatches == []


# --- speed and robustness -----------------------------------------------------------------------


JUNK = {
    "dense-ref-labels": ("REF: A. PARIS 12 B) (C) 2008 ROME 0001 AND 2/3/4 " * 20 + "\n") * 1100,
    "one-long-line": "x" * 100_000 + "REF:" + "A " * 450_000,
    "no-label": "(" * 500_000 + "STATE " * 100_000,
    "labels-only": "REF: " * 200_000,
}


@pytest.mark.parametrize("name", sorted(JUNK))
def test_megabyte_of_junk_is_fast(name: str) -> None:
    junk = JUNK[name]
    assert len(junk) >= 1_000_000
    start = time.thread_time()
    refs = parse_references(junk, "06ROME1")
    assert time.thread_time() - start < 1.0
    assert all(r.target is None or ID_RE.match(r.target) for r in refs)


def test_empty_and_label_only() -> None:
    assert parse_references("", "06ROME1") == []
    assert parse_references("REF:", "06ROME1") == []
    assert parse_references("REF:\n\nClassified By: X", "06ROME1") == []


def test_malformed_citing_id_leaves_bare_serials_unresolved() -> None:
    refs = parse_references("REF: A) 480 B) STATE 12", "not-an-id")
    assert [(r.label, r.kind) for r in refs] == [("A", "other"), ("B", "other")]
