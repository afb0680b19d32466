"""Signer and trailer (cable-format.md 3.14): spec examples, seed and corpus cables."""

from __future__ import annotations

import pytest

from cables.parsing.paragraphs import Signature, parse_signer, split_signature
from tests.parsing.test_paragraphs import corpus_body, seed_body

SPEC_EXAMPLES = [
    ("2. (C) THIS IS THE NEGOTIATING PROCESS.\n\n\nLAINGEN\n\nCONFIDENTIAL", "LAINGEN"),
    ("2. THE ONE MOST LIKELY TO SUCCEED.\n\nGP-3\nSACCIO", "SACCIO"),
    ("20. (U) TEXT.\n21.  BEIRUT MINIMIZE CONSIDERED.  EAGLETON", "EAGLETON"),
    ("3. BUSINESS AS USUAL.\n\nGILLESPIE##", "GILLESPIE"),
    (
        "4. Text.\n(Drafted: PAS: Victoria Alvarado.)\nSHAPIRO\n\n\nNNNN\n\n2004CARACA01540 - UNCLASSIFIED",
        "SHAPIRO",
    ),
    (
        "9. QUOTE ... END TEXT.\nEINIK\nUNCLASSIFIED\n\nPAGE 04 ZAGREB 01569 04 OF 04 071629Z\nNNNN",
        "EINIK",
    ),
    ("5. Text ends.\nBRUSSELS 00003382  003 OF 003\n\n\nGRAY\n.", "GRAY"),
    (
        "November 16, 2007\nTo the Honorable Embassy of the United States\nGuatemala\nCity\nARREAGA",
        "ARREAGA",
    ),
    ("\u00b657. (U) The monthly inflation rate for March was 5.6 percent. The", None),
]


@pytest.mark.parametrize(
    ("body", "signer"),
    SPEC_EXAMPLES,
    ids=["laingen", "saccio", "eagleton", "gillespie", "shapiro", "einik", "gray", "arreaga", "none"],
)
def test_spec_signer_examples(body: str, signer: str | None) -> None:
    assert parse_signer(body) == signer


@pytest.mark.parametrize(
    ("identifier", "signer"),
    [
        ("09ANKARA1472", "JEFFREY"),
        ("08STATE79112", "RICE"),
        ("09MUNICH25", None),
        ("09BERLIN1167", "MURPHY"),
        ("66BUENOSAIRES2481", "SACCIO"),
        ("09PARIS1254", "RIVKIN"),
        ("09DOHA733", "LEBARON"),
        ("08RIYADH1134", "GFOELLER"),
    ],
)
def test_corpus_signers(identifier: str, signer: str | None) -> None:
    assert parse_signer(corpus_body(identifier)) == signer


def test_ankara_trailer_holds_the_wrapped_website_line() -> None:
    sig = split_signature(corpus_body("09ANKARA1472"))
    assert sig.trailer[0].startswith("\"Visit Ankara's Classified Web Site")
    assert sig.trailer[-1].startswith("gov.gov/wiki/Portal:Turkey")


def test_seed_signature_and_trailer() -> None:
    assert split_signature(seed_body()) == Signature(
        signer="STAPLETON",
        signer_raw="STAPLETON",
        signers=("STAPLETON",),
        trailer=(
            "Please visit Paris' Classified Website at:",
            "http://www.state.sgov.gov/p/eur/paris/index.c fm",
        ),
    )


def test_signer_raw_keeps_case_and_decoration() -> None:
    sig = split_signature("1. Text.\n\nMurphy")
    assert (sig.signer, sig.signer_raw, sig.signers) == ("MURPHY", "Murphy", ("MURPHY",))
    sig = split_signature("1. Text.\n\nJONES##")
    assert (sig.signer, sig.signer_raw) == ("JONES", "JONES##")


@pytest.mark.parametrize(
    ("last", "signer"),
    [
        ("TIMKEN JR", "TIMKEN JR"),
        ("DE LA CRUZ", "DE LA CRUZ"),
        ("O'BRIEN", "O'BRIEN"),
        ("SMITH-JONES", "SMITH-JONES"),
        ("Jones.", "JONES"),
        ("END TEXT.", None),
        ("End Comment.", None),
        ("Comment", None),
        ("X", None),
        ("PARIS", None),
        ("(Drafted: PAS: Victoria Alvarado.)", None),
        ("SMITH 2", None),
        ("[SMITH]", None),
        ("the end.", None),
    ],
)
def test_signer_line_forms(last: str, signer: str | None) -> None:
    assert parse_signer(f"1. Text.\n\n{last}") == signer


def test_word_finishing_a_wrapped_sentence_is_not_a_signer() -> None:
    assert parse_signer("1. WE WILL CONTINUE TO\nMONITOR.") is None


@pytest.mark.parametrize(
    "trailer",
    [
        "CONFIDENTIAL",
        "SECRET",
        "LIMITED OFFICIAL USE",
        "Declassified/Released US Department of State EO Systematic Review 30 JUN 2005",
        "NOTE BY OC/T: NOT PASSED TO ADDRESSEES",
        "NOTE: NOT PASSED TO USUN",
        "*******",
        "You can also access this site through the State Department's Classified SIPRNET website.",
        "http://www.intelink.sgov.gov/wiki/Portal:Germany",
    ],
)
def test_trailer_lines_after_signer_are_skipped(trailer: str) -> None:
    sig = split_signature(f"1. Text.\n\nHOLMES\n{trailer}")
    assert sig.signer == "HOLMES"
    assert sig.trailer == (trailer,)


def test_no_signer_no_trailer() -> None:
    assert split_signature("1. Text without a signature") == Signature(None, None, (), ())
