"""The cheap first tests in front of per-line regexes decide nothing: each helper answers as the
regexes it guards do, for any line (hypothesis builds lines from the words the regexes look
for, in mixed case, with the Unicode letters IGNORECASE folds onto ASCII ones)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cables.parsing import header, paragraphs, references, subject, text

WORDS = st.sampled_from(
    [
        "UNCLASSIFIED",
        "unclas",
        "CONFIDENTIAL",
        "C O N F I D E N T I A L",
        "Secret",
        "\u017fecret",
        "LIMITED OFFICIAL USE",
        "SIPDIS",
        "noforn,",
        "REL UK",
        "E.O. 12958",
        "e 0 12958:",
        "TAGS:",
        "Ags:",
        "SUBJECT",
        "ubject",
        "CORRECTED COPY",
        "PARIS",
        "00001254",
        "002 OF 004",
        "001.2 OF 003",
        "PAGE 02",
        "2003PARIS01234",
        "-",
        "Classification: SECRET",
        "\u0663\u0664\u0665",
        "123",
        "REF:",
        "refs :",
        "Classified By:",
        "CLA\u017f\u017fIFIED BY",
        "begin summary",
        "this message",
        "Th\u0130s is an action request",
        "sensitive but unclassified",
        "CORRECTED",
        "C",
        "(C)",
        "(C - ENTIRE TEXT)",
        "(SBU)",
        "(S//NF)",
        "( u:",
        "ENTIRE TEXT)",
        "text",
        "AMEMBASSY",
    ]
)
SPACES = st.sampled_from(["", " ", "  ", "\t", "\u2003", ":", ".", ","])
LINES = st.lists(st.tuples(SPACES, WORDS), max_size=6).map(lambda parts: "".join(a + b for a, b in parts))


def _span(match: object) -> tuple[int, int] | None:
    return match.span() if match is not None else None  # type: ignore[attr-defined]


@settings(max_examples=3000, deadline=None)
@given(LINES, SPACES)
def test_is_body_start_is_any_of_its_six_regexes(line: str, tail: str) -> None:
    line += tail
    expected = any(
        regex.match(line)
        for regex in (
            text.BANNER_RE,
            header._CAVEAT_LINE_RE,
            header._EO_LINE_RE,
            header._TAGS_LINE_RE,
            header._SUBJECT_LINE_RE,
            header._CORRECTED_RE,
        )
    )
    assert header.is_body_start(line) == expected


@settings(max_examples=3000, deadline=None)
@given(SPACES, LINES, SPACES)
def test_page_break_and_classification_tests_are_their_regexes(lead: str, line: str, tail: str) -> None:
    line = lead + line + tail
    assert text.is_page_break(line) == bool(text.PAGE_BREAK_RE.match(line) or text.FOOTER_RE.match(line))
    assert text.is_classification_line(line) == bool(text.CLASSIFICATION_LINE_RE.match(line))


@settings(max_examples=3000, deadline=None)
@given(LINES)
def test_inline_end_searches_are_their_regexes(line: str) -> None:
    assert _span(subject._inline_end(line)) == _span(subject._INLINE_END_RE.search(line))
    assert _span(references._end_inline(line)) == _span(references._END_INLINE_RE.search(line))


@settings(max_examples=3000, deadline=None)
@given(LINES)
def test_the_two_parenthesised_markings_never_both_match(line: str) -> None:
    # split_marking tries the plain "(C)" form first: the order must not matter
    both = paragraphs._PAREN_MARK_RE.match(line) and paragraphs._WHOLE_PAREN_RE.match(line)
    assert not both
