"""Tests for cables.parsing.tags (cable-format.md 3.8, 3.16, 5.3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cables.parsing.tags import known_tags, parse_tags, tag_glossary, tag_kind
from tests.parsing.corpus import CORPUS, SEED, corpus_body

SPEC_EXAMPLES = [
    ("TAGS: something, \nhere", ["SOMETHING", "HERE"]),
    (
        "TAGS: OVIP CLINTON HILLARY PREL KPAL FR IR RS \nNATO, UK, CN",
        ["OVIP", "CLINTON, HILLARY", "PREL", "KPAL", "FR", "IR", "RS", "NATO", "UK", "CN"],
    ),
    (
        "TAGS PGOV, PREL, KWBG, IR, IS, COUNTERTERRORISM, GOI EXTERNAL",
        ["PGOV", "PREL", "KWBG", "IR", "IS", "COUNTERTERRORISM", "GOI EXTERNAL"],
    ),
    (
        "TAGS PHUM, OPRC, OPRC, OPRC, OPRC, IT, ITPHUM, ITPHUM, ITPHUM, HUMAN RIGHTS",
        ["PHUM", "OPRC", "IT", "HUMAN RIGHTS"],
    ),
    ("TAGS: ETRDEINVECINPGOVCS", ["ETRD", "EINV", "ECIN", "PGOV", "CS"]),
    (
        "TAGS: PREL, ETRD, ETTC, PARM, IT    SECRET    PAGE 02 ROME 03067 211833Z",
        ["PREL", "ETRD", "ETTC", "PARM", "IT"],
    ),
    (
        "TAGS: KNNP PARM TBIO SP\nEINV\nSUBJECT: SPAIN AND THE BWC",
        ["KNNP", "PARM", "TBIO", "SP", "EINV"],
    ),
    ("TAGS: PREL, UNGA/C-6", ["PREL", "UNGA/C-6"]),
    # 3.8 body
    ("TAGS: something\nhere", ["SOMETHING"]),
    ("TAGS: PTER PGOV LE SA\nQA, AE", ["PTER", "PGOV", "LE", "SA", "QA", "AE"]),
    ("TAGS: ECON EFIN PREL\nEUN\n\nSUBJECT: X", ["ECON", "EFIN", "PREL", "EUN"]),
    ("TAGS: OVIP (STEINBERG, JAMES B.) PREL", ["OVIP", "STEINBERG, JAMES B.", "PREL"]),
    ("TAGS: PHUMBA", ["PHUM", "BA"]),
    ("TAGS: EAID, PREL, BA, TAGS: EFIN", ["EAID", "PREL", "BA", "EFIN"]),
    ("TAGS: ZANU-PF, ZI", ["ZANU-PF", "ZI"]),
    ("TAGS: ECONOMY AND FINANCE, PREL", ["ECONOMY AND FINANCE", "PREL"]),
    ("TAGS: PGOV COUNTER TERRORISM", ["PGOV", "COUNTERTERRORISM"]),
    ("TAGS: PREL NEW ZEALAND", ["PREL", "NEW ZEALAND"]),
    ("TAGS: PREL MEDIA REACTION REPORT", ["PREL", "MEDIA REACTION REPORT"]),
    ("TAGS: SIPDIS PREL NOFORN", ["PREL"]),
    ("E.o. 12958: decl: 01/07/2014 Tags: prel, pgov, pins, tu Subject: x", ["PREL", "PGOV", "PINS", "TU"]),
]


@pytest.mark.parametrize(("text", "expected"), SPEC_EXAMPLES, ids=[e[0][:40] for e in SPEC_EXAMPLES])
def test_spec_examples(text, expected):
    assert parse_tags(text) == expected


@pytest.mark.parametrize(
    ("surname_given", "tag"),
    [
        ("CLINTON HILLARY", "CLINTON, HILLARY"),
        ("STEINBERG JAMES", "STEINBERG, JAMES B."),
        ("BIDEN JOSEPH", "BIDEN, JOSEPH"),
        ("RICE CONDOLEEZZA", "RICE, CONDOLEEZZA"),
        ("ZOELLICK ROBERT", "ZOELLICK, ROBERT"),
        ("BUSH GEORGE", "BUSH, GEORGE W."),
        ("ROOD JOHN", "ROOD, JOHN"),
        ("CROS GERARD", "CROS, GERARD"),
        ("NOVO GUILLERMO", "NOVO, GUILLERMO"),
        ("REMON PEDRO", "REMON, PEDRO"),
        ("JIMENEZ GASPAR", "JIMENEZ, GASPAR"),
        ("CARSON JOHNNIE", "CARSON, JOHNNIE"),
    ],
)
def test_known_person_names_are_rewritten(surname_given, tag):
    assert parse_tags(f"TAGS: OVIP {surname_given} PREL") == ["OVIP", tag, "PREL"]


def test_person_with_initial_is_not_doubled():
    assert parse_tags("TAGS: OVIP STEINBERG JAMES B. PREL") == ["OVIP", "STEINBERG, JAMES B.", "PREL"]


@pytest.mark.parametrize(
    "phrase",
    [
        "HUMAN RIGHTS",
        "GOI EXTERNAL",
        "GOI INTERNAL",
        "POLITICAL PARTIES",
        "COUNTRY CLEARANCE",
        "MEDIA REACTION REPORT",
        "ISRAELI PALESTINIAN AFFAIRS",
        "GAZA DISENGAGEMENT",
        "ECONOMIC AFFAIRS",
        "CONSULAR AFFAIRS",
        "DOMESTIC POLITICS",
        "ITALIAN POLITICS",
        "ITALY NATIONAL ELECTIONS",
        "IRAQI FREEDOM",
        "GLOBAL DEFENSE",
        "POLITICS FOREIGN POLICY",
        "FOREIGN POL",
        "MEETINGS WITH AMBASSADOR",
        "NEW ZEALAND",
        "TIP IN TURKEY",
    ],
)
def test_multi_word_tags_are_joined(phrase):
    assert parse_tags(f"TAGS: PREL, {phrase.lower()}, PGOV") == ["PREL", phrase, "PGOV"]


@pytest.mark.parametrize(
    ("typo", "fixed"),
    [
        ("MOPPS", "MOPS"),
        ("POGOV", "PGOV"),
        ("UNDESCO", "UNESCO"),
        ("KWWMN", "KWMN"),
        ("UNFCYP", "UNFICYP"),
        ("RU", "RS"),
        ("SYR", "SY"),
    ],
)
def test_typos_are_fixed(typo, fixed):
    assert parse_tags(f"TAGS: PREL {typo}") == ["PREL", fixed]


@pytest.mark.parametrize(
    "label",
    ["TAGS:", "TAGS", "TAG", "tags:", "Tags:", "AGS:", "TAS:", "TABS:", "TGS:", "TAGES:", "TAGS;", "TAGS,"],
)
def test_label_variants(label):
    assert parse_tags(f"E.O. 12958: N/A\n{label} PREL, PGOV\nSUBJECT: X") == ["PREL", "PGOV"]


def test_no_label_gives_empty_list():
    assert parse_tags("E.O. 12958: N/A\nSUBJECT: PREL PGOV\n") == []


def test_label_in_parentheses_is_not_a_label():
    assert parse_tags("C O R R E C T E D C O P Y (ADDED TAG)\nSUBJECT: X") == []


def test_label_after_first_paragraph_is_ignored():
    assert parse_tags("SUBJECT: X\n\n1. (C) The TAGS: PREL are wrong.\nTAGS: PREL") == []


def test_tags_list_does_not_swallow_page_break_line():
    text = "TAGS PREL, PTER, AJ, IR\nBAKU 00000478 001.2 OF 003\nSUBJECT: IRAN VIEW FROM BAKU"
    assert parse_tags(text) == ["PREL", "PTER", "AJ", "IR"]


def test_comma_continuation_skips_page_break():
    text = "TAGS: PREL, PGOV,\nPARIS 00001254  002 OF 004\nFR, IR\n\nSUBJECT: X"
    assert parse_tags(text) == ["PREL", "PGOV", "FR", "IR"]


def test_known_tags_and_glossary():
    assert "PREL" in known_tags()
    assert tag_glossary()["NATO"] == ("organization", "North Atlantic Treaty Organization")
    assert len(tag_glossary()) > 1000
    assert tag_glossary()["AL"] == ("geo", "Albania")  # also listed as the Arab League


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("OBAMA, BARACK", "person"),
        ("kwww", "program"),
        ("BA'ATH", "organization"),
        ("FR", "geo"),
        ("prel", "subject"),
        ("NATO", "organization"),
        ("NOSUCHTAG", "unknown"),
    ],
)
def test_tag_kind(tag, kind):
    assert tag_kind(tag) == kind


def test_tag_kind_default():
    assert tag_kind("NOSUCHTAG", default="other") == "other"


def test_seed():
    assert parse_tags(corpus_body(SEED)) == [
        "PARM",
        "PREL",
        "KNNP",
        "MNUC",
        "WMD",
        "CT",
        "PTER",
        "KN",
        "KS",
        "FR",
    ]


CORPUS_CASES = [
    (
        "text/09ABUDHABI754.txt",
        [
            "PTER",
            "PGOV",
            "PREL",
            "PARM",
            "EAID",
            "MOPS",
            "IR",
            "IS",
            "AF",
            "PK",
            "SY",
            "LE",
            "SA",
            "QA",
            "AE",
        ],
    ),
    (
        "telegram/09USEUBRUSSELS948.txt",
        ["ECON", "EFIN", "ETRD", "EIND", "ECIN", "EAGR", "EINV", "ETTC", "OECD", "PREL", "EUN"],
    ),
    ("text/10BERLIN128.txt", ["PTER", "KTFN", "KCRM", "KHLS", "ECPS", "ECON", "PREL", "KPAO", "KTIA", "GM"]),
    ("text/09BAKU478.txt", ["PREL", "PTER", "SNAR", "ENRG", "ELTN", "AJ", "PK", "TU", "TX", "IR"]),
    (
        "text/09MOSCOW405.txt",
        ["PREL", "PGOV", "ETTC", "MCAP", "MARR", "MOPS", "PARM", "PINR", "PTER", "IR", "RS"],
    ),
    ("text/04ANKARA348.txt", ["PREL", "PGOV", "PINS", "TU"]),
    ("text/09BEIRUT818.txt", None),
    ("text/09STATE16285.txt", ["KNNP", "PARM", "IAEA", "MNUC", "IR", "SY", "TRGY"]),
    ("text/09BERLIN1395.txt", ["ETRD", "ECON", "ELAB", "PREL", "RS", "GM"]),
    ("text/09SAOPAULO663.txt", ["PGOV", "PINR", "PHUM", "PREL", "SCUL", "KISL", "KPAO", "OEXC", "BR"]),
]


@pytest.mark.parametrize(("path", "expected"), CORPUS_CASES, ids=[Path(p).stem for p, _ in CORPUS_CASES])
def test_corpus_cables(path, expected):
    tags = parse_tags(corpus_body(CORPUS / path))
    if expected is None:  # MOPPS typo inside a longer list
        assert "MOPS" in tags and "MOPPS" not in tags
    else:
        assert tags == expected


def test_junk_megabyte_is_fast():
    import time

    junk = ("TAGS: " + "ABCDEFGH" * 20 + ", ") * 5000 + "x" * 500_000
    start = time.thread_time()
    parse_tags(junk)
    parse_tags("A" * 1_000_000)
    parse_tags("TAGS " + " " * 1_000_000 + "X")
    parse_tags("TAGS: " + "PREL " * 200_000)
    parse_tags("TAGS: A,\n" * 100_000)
    parse_tags("TAGS: " + "PREL" * 250_000)
    assert time.thread_time() - start < 1.0
