"""Summary (cable-format.md 3.13): spec examples, seed and corpus cables."""

from __future__ import annotations

import pytest

from cables.parsing.paragraphs import parse_summary
from tests.parsing.test_paragraphs import corpus_body, seed_body

SEED_SUMMARY = (
    "MFA nonproliferation office, while\nreiterating France's steadfast support for international\n"
    "efforts to constrain North Korea's weapons program and\nenforce UNSCR 1695, expressed some concern "
    "about a perceived\nlack of concrete mechanisms -- whether in the Proliferation\nSecurity Initiative "
    "or UNSCR 1695 -- to insure that the\ntransfer of technology, materials and finances to or from\n"
    "North Korea is truly curbed. France emphasized that any\ninitiatives must acknowledge Russia and "
    "China's role as PSI\npartners."
)


def test_seed_summary_exactly_as_in_spec_5_1() -> None:
    assert parse_summary(seed_body()) == SEED_SUMMARY


def test_berlin1197_summary_heading() -> None:
    summary = parse_summary(corpus_body("09BERLIN1197"))
    assert summary is not None
    assert summary.startswith("Chancellor Merkel achieved")
    assert summary.endswith("a month from now.")
    assert "1. (C)" not in summary and "SUMMARY" not in summary and "---" not in summary


def test_berlin1176_summary_heading_with_noforn_marking() -> None:
    summary = parse_summary(corpus_body("09BERLIN1176"))
    assert summary is not None
    assert summary.startswith('This is not a "change" election.')
    assert "(C/NF)" not in summary
    assert "END SUMMARY" not in summary.upper()


def test_berlin1548_keeps_line_breaks_and_drops_blank_line() -> None:
    summary = parse_summary(corpus_body("09BERLIN1548"))
    assert summary is not None
    assert summary.startswith("In separate December 1 meetings with\n")
    assert "forward:\n-- the Interior Ministry" in summary
    assert summary.endswith("relationship with Chancellor Merkel.")
    assert "\n\n" not in summary


def test_brussels536_three_paragraphs_joined() -> None:
    summary = parse_summary(corpus_body("09BRUSSELS536"))
    assert summary is not None
    assert summary.startswith("During a March 2-3 visit to\nBrussels")
    assert "\nEU Member States and officials uniformly praised" in summary
    assert "\nThe content, tone, and timing of AA/S Glaser's" in summary
    assert "(S//NF)" not in summary and "2. (C)" not in summary and "3. (C)" not in summary
    assert "END SUMMARY" not in summary.upper() and "\n\n" not in summary


def test_end_without_start_takes_first_numbered_paragraph() -> None:
    assert parse_summary("1. On 28 July 2008\n[...]. End\nSummary.\n\n2. Next.") == "On 28 July 2008\n[...]."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("1. (C) SUMMARY: The talks failed. END SUMMARY.", "The talks failed."),
        ("1. (C) Summary.  The talks failed.  End Summary.", "The talks failed."),
        ("1. (C) Summary and Comment: The talks failed. End Summary and Comment.", "The talks failed."),
        ("1. (C) Summary and Action Request. Act now. End Summary and Action Request.", "Act now."),
        ("1. (C) Summary/Comment: Fine. End Summary/Comment.", "Fine."),
        ("1. (C) BEGIN SUMMARY: Fine. END SUMMARY AND INTRODUCTION.", "Fine."),
        ("1. (C) Summay: Misspelt. End Summary.", "Misspelt."),
        ("1.  Summary: (SBU) Marked after the label. End summary.", "Marked after the label."),
        ("1. (C) Summary: Summary: Doubled. End Summary.", "Doubled."),
        ("1. (C) Summary: Split end. END\nSUMMARY.", "Split end."),
        ("SUMMARY AND TABLE OF CONTENTS\n\n1. (C) Contents. END SUMMARY", "Contents."),
        ("Summary =======\n\n1. (C) Equals heading. End Summary.", "Equals heading."),
        ("------- SUMMARY -------\n\n1. (C) Inline heading. End Summary.", "Inline heading."),
        ("1. (C) Summary: No end here\nstill summary.\n\n2. (C) Not summary.", "No end here\nstill summary."),
        ("1. (C) Summary: No end\n-----\nHeading\n-----\n2. (C) Not.", "No end"),
        ("1. (C) Nothing to see.\n\n2. (C) Still nothing.", None),
    ],
    ids=[
        "upper",
        "dot",
        "and-comment",
        "action-request",
        "slash-comment",
        "begin",
        "summay",
        "after-label-marking",
        "repeated-label",
        "split-end",
        "table-of-contents",
        "equals-heading",
        "inline-heading",
        "open-blank",
        "open-rule",
        "none",
    ],
)
def test_summary_forms(body: str, expected: str | None) -> None:
    assert parse_summary(body) == expected


def test_summary_spanning_paragraphs_drops_numbers_and_markings() -> None:
    body = (
        "1. (S//NF) SUMMARY AND COMMENT: One.\n\n2. (C) Two.\n\n"
        "3. (C) Three.  END SUMMARY AND COMMENT.\n\n4. (C) Four."
    )
    assert parse_summary(body) == "One.\nTwo.\nThree."
