"""clean_content and titlefy (cable-format.md 3.16)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cables.parsing.paragraphs import clean_content, titlefy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "7. (S) First point\n8. C) Second point\n-------\nOutlook\n-------\n9. Third",
            "First point\nSecond point\n\nOutlook\n\nThird",
        ),
        ("1. (C) Summary. The talks failed. End Summary.", "The talks failed. "),
    ],
    ids=["numbers-markings-rules", "summary-labels"],
)
def test_clean_content_spec_examples(text: str, expected: str) -> None:
    assert clean_content(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. Plain number", "Plain number"),
        ("12. (S//NF) Noforn", "Noforn"),
        ("Comment: It failed. End Comment.", "It failed. "),
        ("Summary and Comment: It failed. End Summary and Comment.", "It failed. "),
        ("Text\nSIPDIS\nmore", "Text\nmore"),
        ("Text\n\nPARIS 00001254  002 OF 004\n\nmore", "Text\n\nmore"),
        ("The wordxxx here and XXXXXXXXXXXX stays", "The word here and XXXXXXXXXXXX stays"),
        ("He declined to comment: none", "He declined to comment: none"),
    ],
)
def test_clean_content_rules(text: str, expected: str) -> None:
    assert clean_content(text) == expected


TITLES = [
    (
        "GERMANY'S NEW INTERIOR MINISTER FACES STEEP LEARNING CURVE",
        "Germany's New Interior Minister Faces Steep Learning Curve",
    ),
    ("THE NEW GERMAN CABINET - AN OVERVIEW", "The New German Cabinet - An Overview"),
    (
        "GERMANY'S NEXT FOREIGN MINISTER?: THE WORLD ACCORDING TO FDP CHAIRMAN GUIDO WESTERWELLE",
        "Germany's Next Foreign Minister?: The World According to FDP Chairman Guido Westerwelle",
    ),
    ("SPD IN DRIVER'S SEAT FOR BERLIN ELECTION", "SPD in Driver's Seat for Berlin Election"),
    ("MINISTERS ANGRY AT CHANGE IN GPC SPEECH", "Ministers Angry at Change in GPC Speech"),
    ("THE PNG'ING OF A DIPLOMAT", "The PNG'ing of a Diplomat"),
    ("63RD UN GENERAL ASSEMBLY", "63rd UN General Assembly"),
]


@pytest.mark.parametrize(("subject", "expected"), TITLES, ids=[t[1][:24] for t in TITLES])
def test_titlefy_spec_examples(subject: str, expected: str) -> None:
    assert titlefy(subject) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("IRAN: THE VIEW FROM BAKU", "Iran: The View From Baku"),  # "from" is not a small word
        ("TALKS -- A NEW START", "Talks -- A New Start"),
        ("MEETING WITH XXXXXXXXXXXX ON PREL ISSUES", "Meeting with XXXXXXXXXXXX on PREL Issues"),
        ("Already Mixed Case kept", "Already Mixed Case kept"),
        ("NATO AND THE EU", "NATO and the EU"),
    ],
)
def test_titlefy_rules(subject: str, expected: str) -> None:
    assert titlefy(subject) == expected


def _clean_content_line_by_line(text: str) -> str:
    """3.16 as first written, one line at a time: the reference for the whole-text version."""
    from cables.parsing import paragraphs
    from cables.parsing.text import is_rule

    out: list[str] = []
    for line in paragraphs._strip_layout(text).split("\n"):
        if is_rule(line):
            line = ""
        elif paragraphs._START_RE.match(line):
            line = paragraphs._CLEAN_PREFIX_RE.sub("", line, count=1)
        line = paragraphs._CLEAN_LABEL_RE.sub("", line)
        line = paragraphs._XX_RE.sub("", line)
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return "\n".join(out)


_PIECES = [
    "1. (C) ", "12.(S//NF)", "  3. ", "\u00b64. ", "-----", " == == ", "___ ", "\n", "\n\n", "   \n", "\t\n",
    "\x0b\n", "\u2028", "SUMMARY: ", "End Summary.", "Comment:", "wordxxx ", "XXXXX", "text ", "C) ", "99.",
    "1.(", "\x85", " - - -", "---a", "SuMMary: ", "sUMMARY", "\u00df", "\u01c5xx ", "\u0130", "\u212axx",
    "COMMENT AND OUTLOOK: ", "\u00e9XX ", "\ufb03", "PARIS 00001254  002 OF 004", "SIPDIS",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
@settings(max_examples=400, deadline=None)
def test_clean_content_equals_the_line_by_line_reference(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert clean_content(text) == _clean_content_line_by_line(text)
