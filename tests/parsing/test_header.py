"""Routing header (spec 1.7, 1.8, 3.2, 3.4, 3.5)."""

# ruff: noqa: E501 - header fixtures keep one literal per telegram line, as printed in the spec

from __future__ import annotations

import pytest

from cables.parsing import parse_created, parse_recipients
from cables.parsing.header import (
    created_info,
    is_partial,
    origin_from_sender,
    parse_precedence,
    parse_sender,
    parse_transmission_id,
    split_header_body,
)

SEED_HEADER = (
    "VZCZCXYZ0001\nPP RUEHWEB\n\nDE RUEHFR #6189 2571608\nZNY CCCCC ZZH\nP 141608Z SEP 06\n"
    "FM AMEMBASSY PARIS\nTO SECSTATE WASHDC PRIORITY 1349"
)
PARTIAL = "This record is a partial extract of the original cable. The full text of the original cable is not available."


# --- 1.7 / 1.8 ----------------------------------------------------------------------------------


def test_split_at_first_body_line_after_fm() -> None:
    block = SEED_HEADER + "\nC O N F I D E N T I A L PARIS 006189 \n\nSIPDIS\n"
    header, body = split_header_body(block)
    assert header == SEED_HEADER
    assert body == "C O N F I D E N T I A L PARIS 006189\n\nSIPDIS"


def test_old_page_header_classification_word_stays_in_header() -> None:
    block = (
        "CONFIDENTIAL\n\nPAGE 01        CAPE T  00097  01 OF 03  182017Z\nACTION AF-00\n\n"
        "INFO  LOG-00   ADS-00\n      P-02     T-01     /037 W\nR 171512Z JAN 90\nFM AMCONSUL CAPE TOWN\n"
        "TO SECSTATE WASHDC 5365\nINFO AMEMBASSY PRETORIA\n"
        "C O N F I D E N T I A L SECTION 01 OF 03 CAPE TOWN 00097\n\nE.O. 12356:  DECL:  OADR\n"
    )
    header, body = split_header_body(block)
    assert header.startswith("CONFIDENTIAL\n") and header.endswith("INFO AMEMBASSY PRETORIA")
    assert body.startswith("C O N F I D E N T I A L SECTION 01 OF 03 CAPE TOWN 00097")


@pytest.mark.parametrize(
    "first_body_line",
    ["SIPDIS", "NOFORN", "E.O. 12958: N/A", "EO 12958 DECL: 12/01/2019", "TAGS PREL", "SUBJECT: X", "SUBJ: X",
     "C O R R E C T E D  C O P Y", "S e c r e t section 01 of 02 ankara 000348"],
)  # fmt: skip
def test_body_start_lines(first_body_line: str) -> None:
    header, body = split_header_body(f"FM AMEMBASSY X\nTO SECSTATE WASHDC\n{first_body_line}\nrest")
    assert header == "FM AMEMBASSY X\nTO SECSTATE WASHDC"
    assert body.startswith(first_body_line)


def test_date_line_and_partial_note_belong_to_header() -> None:
    header, _ = split_header_body(f"{PARTIAL}\n\n201247Z Jan 04\nC o n f i d e n t i a l ankara 000348\n")
    assert header == f"{PARTIAL}\n\n201247Z Jan 04"
    assert is_partial(header)
    header, _ = split_header_body(
        "FM USMISSION UNVIE VIENNA\nTO RUEHC/SECSTATE WASHDC 0355\nWednesday, 02 December 2009, 17:17\n"
        "S E C R E T SECTION 01 OF 05 UNVIE VIENNA 000540\n"
    )
    assert header.endswith("Wednesday, 02 December 2009, 17:17")


def test_fm_in_the_body_is_not_the_sender() -> None:
    block = "UNCLAS PARIS 000123\nSUBJECT: FM LAVROV DISCUSSES MISSILE DEFENSE\n\nFM LAVROV SAID\n"
    header, _ = split_header_body(block)
    assert header == ""
    assert parse_sender(header) is None


# --- 3.2 created ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "page", "created"),
    [
        ("P 141608Z SEP 06", None, "2006-09-14T16:08:00Z"),
        ("O P 180030Z FEB 09", None, "2009-02-18T00:30:00Z"),
        ("P R 281848Z DEC 66", None, "1966-12-28T18:48:00Z"),
        ("O 220500Z JUL 08 ZDK CTG #00732", None, "2008-07-22T05:00:00Z"),
        ("R 250930Z feb 72", None, "1972-02-25T09:30:00Z"),
        (f"{PARTIAL}\n\n201247Z Jan 04", "2004-01-20 12:12:00", "2004-01-20T12:47:00Z"),
        (f"{PARTIAL}\nFriday, 23 February 2001, 15:53", None, "2001-02-23T15:53:00Z"),
        ("FM X\nWednesday, 02 December 2009, 17:17", None, "2009-12-02T17:17:00Z"),
        ("", "9/14/2006 16:08", "2006-09-14T16:08:00Z"),
        ("", "2006-09-14 16:08:00", "2006-09-14T16:08:00Z"),
        ("", "2009-09-16 07:07", "2009-09-16T07:00:00Z"),
        ("", "2009-09-16 00:12", "2009-09-16T00:00:00Z"),
        ("", "2009-09-16 13:01", "2009-09-16T13:00:00Z"),
        ("", None, None),
    ],
)
def test_parse_created(header: str, page: str | None, created: str | None) -> None:
    assert parse_created(header, page) == created


def test_minute_bug_warns_and_source_is_page() -> None:
    warnings: list[str] = []
    assert created_info("", page_value="2009-09-16 07:07", warnings=warnings) == (
        "2009-09-16T07:00:00Z",
        "page",
    )
    assert warnings == ["created-minute-unreliable: page shows 07:07"]


def test_dtg_wins_over_buggy_page_without_warning() -> None:
    warnings: list[str] = []
    created, source = created_info("P 160734Z SEP 09", page_value="2009-09-16 07:07", warnings=warnings)
    assert (created, source) == ("2009-09-16T07:34:00Z", "dtg")
    assert warnings == []


def test_dtg_mismatch() -> None:
    warnings: list[str] = []
    created, _ = created_info("P 141608Z SEP 06", csv_value="9/20/2006 16:08", warnings=warnings)
    assert created == "2006-09-14T16:08:00Z"
    assert [w.split(":")[0] for w in warnings] == ["dtg-mismatch"]


@pytest.mark.parametrize("dtg", ["P 321608Z SEP 06", "P 141608Z SPE 06"])
def test_dtg_invalid_is_skipped(dtg: str) -> None:
    warnings: list[str] = []
    created, source = created_info(dtg, page_value="2006-09-14 16:08:00", warnings=warnings)
    assert (created, source) == ("2006-09-14T16:08:00Z", "page")
    assert [w.split(":")[0] for w in warnings] == ["dtg-invalid"]


def test_de_line_is_the_last_source() -> None:
    warnings: list[str] = []
    created, source = created_info("DE RUEHFR #6189 2571608", id_year="06", warnings=warnings)
    assert (created, source) == ("2006-09-14T16:08:00Z", "de-line")


def test_created_missing() -> None:
    warnings: list[str] = []
    assert created_info("FM X", warnings=warnings) == (None, None)
    assert [w.split(":")[0] for w in warnings] == ["created-missing"]


# --- 3.5 ------------------------------------------------------------------------------------------


def test_transmission_id_and_precedence() -> None:
    assert parse_transmission_id(SEED_HEADER) == "VZCZCXYZ0001"
    assert parse_transmission_id("VZCZCXRO6701 \nPP RUEHDBU") == "VZCZCXRO6701"
    assert parse_transmission_id("R 171512Z JAN 90\nFM X") is None
    extra: dict = {}
    assert parse_precedence("O P 180030Z FEB 09", extra) == "IMMEDIATE"
    assert extra == {"info_precedence": "PRIORITY"}
    assert parse_precedence("Z 010000Z JAN 09") == "FLASH"
    assert parse_precedence("R 010000Z JAN 09") == "ROUTINE"
    assert parse_precedence("VZCZCXYZ0001\nPP RUEHWEB\n\nFM X") == "PRIORITY"
    assert parse_precedence("FM X") is None


def _r(name: str, route=None, precedence=None, mcn=None, excluded=()) -> dict:
    return {"name": name, "route": route, "precedence": precedence, "mcn": mcn, "excluded": list(excluded)}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "P 061232Z MAR 09\nFM AMEMBASSY BAKU\nTO SECSTATE WASHDC PRIORITY 0872",
            {"to": [_r("SECSTATE WASHDC", precedence="PRIORITY", mcn="0872")], "info": []},
        ),
        (
            "FM AMEMBASSY X\nTO PAGE 02  STATE 012345 101200Z\nAMEMBASSY ROME PRIORITY\nAMEMBASSY PARIS PRIORITY",
            {"to": [_r("AMEMBASSY ROME", precedence="PRIORITY"), _r("AMEMBASSY PARIS", precedence="PRIORITY")],
             "info": []},
        ),
        (
            "FM SECSTATE WASHDC\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 3355\nRUEHX/EUROPEAN POLITICAL COLLECTIVE\n"
            "XMT/AMEMBASSY SOFIA\nAMEMBASSY BUCHAREST",
            {"to": [_r("SECSTATE WASHDC", "RUEHC", "IMMEDIATE", "3355"),
                    _r("EUROPEAN POLITICAL COLLECTIVE", "RUEHX",
                       excluded=["AMEMBASSY SOFIA", "AMEMBASSY BUCHAREST"])],
             "info": []},
        ),
        (
            "FM AMEMBASSY BAKU\nTO SECSTATE WASHDC\nINFO AMEMBASSY NEW DELHI PIORITY\nAMCONSUL ISTANBUL PRIORITY 012\n"
            "AMEMBASSY ANKARA NIACT IMMEDIATE\nSECDEF WASHINGTON DC//USDP/ISA/ISA-EURNATO//\n"
            "RHMFIUU/HQ 25TH INF DIV",
            {"to": [_r("SECSTATE WASHDC")],
             "info": [_r("AMEMBASSY NEW DELHI", precedence="PRIORITY"),
                      _r("AMCONSUL ISTANBUL", precedence="PRIORITY", mcn="012"),
                      _r("AMEMBASSY ANKARA", precedence="NIACT IMMEDIATE"),
                      _r("SECDEF WASHINGTON DC//USDP/ISA/ISA-EURNATO//"),
                      _r("HQ 25TH INF DIV", "RHMFIUU")]},
        ),
        (
            "INFO  LOG-00   AF-00    AMAD-00\n      PESU-00  SANA-00    /000W\n \nR 251550Z AUG 09\n"
            "FM USEU BRUSSELS\nTO SECSTATE WASHDC\nUS CUSTOMS AND BORDER PROTECTION WASHINGTON DC",
            {"to": [_r("SECSTATE WASHDC"), _r("US CUSTOMS AND BORDER PROTECTION WASHINGTON DC")], "info": []},
        ),
        ("FM X\nTO XMT AMEMBASSY SOFIA\nY", {"to": [], "info": []}),
        ("FM X\nINFO AMEMBASSY PARIS", {"to": [], "info": [_r("AMEMBASSY PARIS")]}),
        ("FM X", {"to": [], "info": []}),
        ("TO SECSTATE WASHDC", {"to": [], "info": []}),
    ],
)  # fmt: skip
def test_parse_recipients(header: str, expected: dict) -> None:
    assert parse_recipients(header).as_dict() == expected


# --- 3.4 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "origin"),
    [
        ("AMEMBASSY PARIS", "Embassy Paris"),
        ("AMEMBASSY NEW DELHI", "Embassy New Delhi"),
        ("AMEMBASSY KUALA LUMPUR", "Embassy Kuala Lumpur"),
        ("AMCONSUL MUNICH", "Consulate Munich"),
        ("SECSTATE WASHDC", "Secretary of State"),
        ("USMISSION UNVIE VIENNA", "UNVIE"),
        ("USEU BRUSSELS", "USEU Brussels"),
        ("USMISSION USNATO", "Mission USNATO"),
        ("USMISSION GENEVA", "Mission Geneva"),
        ("USUN NEW YORK", "USUN New York"),
        ("RPO DUBAI", "Iran RPO Dubai"),
        ("IRAN RPO DUBAI", "Iran RPO Dubai"),
        ("USINT HAVANA", "US Interests Section Havana"),
        ("AIT TAIPEI", "AIT Taipei"),
        ("SECDEF WASHDC", "Secretary of Defense"),
        ("CDC ATLANTA", "Cdc Atlanta"),
        (None, None),
    ],
)
def test_origin_from_sender(sender: str | None, origin: str | None) -> None:
    assert origin_from_sender(sender) == origin
