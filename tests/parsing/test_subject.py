"""Tests for cables.parsing.subject (cable-format.md 3.9, 5.3)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cables.parsing.subject import parse_subject
from tests.parsing.corpus import CORPUS, SEED, corpus_body

SPEC_EXAMPLES = [
    (
        "SUBJECT: PART 3 OF 3:  THE LIFE AND TIMES OF SOUTH AFRICA'S \nNEW PRESIDENT \n"
        "PRETORIA 00000954  001.2 OF 004\n",
        "PART 3 OF 3: THE LIFE AND TIMES OF SOUTH AFRICA'S NEW PRESIDENT",
    ),
    (
        "C O R R E C T E D COPY//SUBJECT LINE///\nSIPDIS\n\nE.O. 12958: DECL: 01/01/2019\nTAGS: PTER\n"
        "SUBJECT: COUNSELOR, CSIS DIRECTOR DISCUSS CT THREATS, \nPAKISTAN, AFGHANISTAN, IRAN \n"
        "REF: OTTAWA 123\n",
        "COUNSELOR, CSIS DIRECTOR DISCUSS CT THREATS, PAKISTAN, AFGHANISTAN, IRAN",
    ),
    (
        "SUBJECT: (U) Secretary Clinton's July 14 conversation\nwith Dutch Foreign Minister Verhagen\n"
        "1. Classified by Deputy Executive Secretary Joseph E. Macmanus.",
        "Secretary Clinton's July 14 conversation with Dutch Foreign Minister Verhagen",
    ),
    (
        "SUBJECT: SCENESETTER FOR AMBASSADOR CROCKER\u2019S VISIT TO CAIROClassified By: DCM Matthew Tueller",
        "SCENESETTER FOR AMBASSADOR CROCKER\u2019S VISIT TO CAIRO",
    ),
    (
        "SUBJECT: LITTLE PROGRESS AND FRUSTRATION \\\nLEAD TO SECOND SESSION \\\n\\\n"
        "GENEVA 00002654  001.2 OF 004\n",
        "LITTLE PROGRESS AND FRUSTRATION LEAD TO SECOND SESSION",
    ),
    (
        "SUBJECT: \n\nCooperation and Coordination Busts Fraud Ring\n1.(SBU) Summary: a fraud ring.",
        "Cooperation and Coordination Busts Fraud Ring",
    ),
    ("E.O. 12958: N/A\nTAGS: KIPR ETRD\n\n", ""),
    (
        "SUBJECT: ASSISTANT SECRETARY MEETS WITH ZIMBABWE\n CONFIDENTIAL\n"
        "PAGE 02  HARARE 03759  01 OF 03  121212Z\n",
        "ASSISTANT SECRETARY MEETS WITH ZIMBABWE",
    ),
    # 3.9 body
    ("SUBJECT: TRADE VISIT TO ROMEREF: A. ROME 12", "TRADE VISIT TO ROME"),
    ("SUBJECT: ELECTIONSClassified By: Ambassador X", "ELECTIONS"),
    (
        "SUBJECT: (C/NF) WHO WOULD REPLACE GORDON BROWN AS UK PRIMEREF: A. LONDON 1939",
        "WHO WOULD REPLACE GORDON BROWN AS UK PRIME",
    ),
    ("SUBJECT: THE US- \nEU SUMMIT\n\nREF: X", "THE US-EU SUMMIT"),
    ("SUBJECT: Trade Mission to Lagos (Update)", "Trade Mission to Lagos (Update)"),
    ("SUBJECT: TRADE MISSION TO LAGOS (SBU)", "TRADE MISSION TO LAGOS"),
    ("SUBJECT: (S) KEEPS TRUNCATION ...", "KEEPS TRUNCATION ..."),
    ("SUBJ: AT&amp;T IN TROUBLE", "AT&T IN TROUBLE"),
    ("UBJECT: DAMAGED LABEL", "DAMAGED LABEL"),
    ("subject:no space after colon", "no space after colon"),
    ("SUBJECT PAKISTAN: NO COLON", "PAKISTAN: NO COLON"),
    ("SUBJECT: THE END\nThis is an action request.", "THE END"),
    ("SUBJECT: CUT HERE Sensitive but unclassified. Please protect.", "CUT HERE"),
    ("SUBJECT: STOP AT RULE\n--------\n", "STOP AT RULE"),
    ("SUBJECT: STOP AT BANNER\nC O N F I D E N T I A L PARIS 006189\n", "STOP AT BANNER"),
    ("SUBJECT: STOP AT PAGE\nPAGE 02\n", "STOP AT PAGE"),
    (
        "E.o. 12958: decl: 01/07/2014 Tags: prel, tu Subject: turkish p.m. Erdogan\n\n(U) Classified by X.",
        "turkish p.m. Erdogan",
    ),
    (
        "SUBJECT: 40TH JPMG: NEA REGIONAL DISCUSSION (PART 3 OF 4)",
        "40TH JPMG: NEA REGIONAL DISCUSSION (PART 3 OF 4)",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), SPEC_EXAMPLES, ids=[e[1][:40] or "none" for e in SPEC_EXAMPLES]
)
def test_spec_examples(text, expected):
    assert parse_subject(text) == expected


def test_raw_subject_keeps_portion_marking():
    text = "SUBJECT: (U) Secretary Clinton's July 14 conversation\nwith Dutch Foreign Minister Verhagen\n1. X"
    assert parse_subject(text, clean=False) == (
        "(U) Secretary Clinton's July 14 conversation with Dutch Foreign Minister Verhagen"
    )


def test_missing_subject_warns():
    warnings: list[str] = []
    assert parse_subject("E.O. 12958: N/A\nTAGS: KIPR\n\n", warnings=warnings) == ""
    assert [w.split(":")[0] for w in warnings] == ["subject-missing"]


def test_subject_after_first_paragraph_is_ignored():
    assert parse_subject("TAGS: PREL\n\n1. (C) Text.\nSUBJECT: LATE") == ""


def test_subject_beyond_two_thousand_characters_is_ignored():
    assert parse_subject("TAGS: PREL\n" + "x\n" * 1100 + "SUBJECT: LATE") == ""


def test_seed():
    assert (
        parse_subject(corpus_body(SEED)) == "FRANCE WANTS MORE CONCRETE MEASURES TO GIVE TEETH TO UNSCR 1695"
    )


CORPUS_CASES = [
    (
        "text/10PARIS170.txt",
        "SECDEF GATES'S MEETING WITH FRENCH MINISTER OF DEFENSE HERVE MORIN, FEBRUARY 8, 2010.",
    ),
    ("text/90CAPETOWN97.txt", "ESSA MOOSA TALKS ABOUT MANDELA AND OTHER TOPICS"),
    (
        "text/04ANKARA348.txt",
        "turkish p.m. Erdogan goes to washington: how strong a leader in the face of strong challenges?",
    ),
    (
        "text/09BAKU478.txt",
        "IRAN VIEW FROM BAKU: VIOLENCE IN BALUCHISTAN REDUCING BORDER SECURITY; GOAJ OFFICIAL WARNS AGAINST"
        " MANIPULATION OF IRAN\u2019S MINORITIES; IRAN TRANSIT-ORIGIN HEROIN SEIZURES RISE;"
        " ALLEGED PROBLEMS WITH IRANIAN GAS EXPORT DEALS",
    ),
    ("text/10BERLIN128.txt", "ACTION REQUEST: OVERCOMING GERMAN DOUBTS ON U.S. DATA PRIVACY PRACTICES"),
    ("telegram/09USEUBRUSSELS948.txt", "TEC STAKEHOLDERS PRAISE DAY-LONG OUTREACH EVENT"),
]


@pytest.mark.parametrize(("path", "expected"), CORPUS_CASES, ids=[Path(p).stem for p, _ in CORPUS_CASES])
def test_corpus_cables(path, expected):
    assert parse_subject(corpus_body(CORPUS / path)) == expected


def test_junk_megabyte_is_fast():
    start = time.thread_time()
    parse_subject("SUBJECT: " + "A" * 1_000_000)
    parse_subject("SUBJECT: " + "A B\n" * 250_000)
    parse_subject("x" * 1_000_000)
    parse_subject("\n" * 1_000_000 + "SUBJECT: X")
    assert time.thread_time() - start < 1.0
