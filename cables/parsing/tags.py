"""TAGS line of the preamble (cable-format.md 3.8) and the tag glossary (3.16)."""

from __future__ import annotations

import csv
import re
from collections.abc import Container
from functools import cache
from pathlib import Path

from .text import (
    CAVEAT_WORDS,
    INLINE_PAGE_BREAK_RE,
    first_char,
    is_classification_line,
    is_page_break,
    may_open_number,
)

_GLOSSARY_PATH = Path(__file__).resolve().parent / "data" / "tags.csv"

# A line that opens the body of the cable proper: the TAGS search stops there.
_NUMBERED_PARA_RE = re.compile(r"^\s*[\u00b6\ufffd]?\s*\d{1,2}\s*\.\s*(?:\(|[A-Za-z]|$)")
# The label at the start of a line: TAGS:, TAGS, TAG, damaged AGS: TAS: TABS: TGS: TAGES: TAGS; TAGS,
_LINE_LABEL_RE = re.compile(
    r"^\s*(?:TAGS?(?:[:;,]|\s+(?=\S))|(?:AGS|TAS|TABS|TGS|TAGES)[:;,])\s*", re.IGNORECASE
)
# An E.O. line, which may carry the TAGS label further on.
_EO_START_RE = re.compile(r"^\s*(?:E\.?\s?[O0]\.?|EO)\s*1\d{3}", re.IGNORECASE)
_LABEL_FIRST = frozenset("TtAa")
_EO_FIRST = frozenset("Ee")
_INLINE_LABEL_RE = re.compile(r"\bTAGS?(?:[:;,]|\s+(?=\S))\s*", re.IGNORECASE)
# Extent cuts: SUBJECT/SUBJ, 5+ spaces.
_SUBJECT_CUT_RE = re.compile(r"\bSUBJ(?:ECT)?\b|\s{5,}", re.IGNORECASE)
_SUBJECT_LINE_RE = re.compile(r"^\s*U?SUBJ(?:ECT)?\b", re.IGNORECASE)
_LABEL_LINE_RE = re.compile(
    r"^\s*(?:U?SUBJ(?:ECT)?\b|REF\b|REFS\b|E\.?\s?[O0]\.|EO\s+1\d|CLASSIFIED\s+BY|CLASSIFED\s+BY)",
    re.IGNORECASE,
)
_WORD_COMMA_RE = re.compile(r"^\s*[A-Za-z][\w'/\-]*\s*,")
_UPPER_TOKEN_RE = re.compile(r"[A-Z]{2,6}")
_DIGIT_RE = re.compile(r"\d")
_SPACE_COMMA_RE = re.compile(r"[\s,]+")
_TOKEN_RE = re.compile(r"\([^()\n]*\)|[^\s,()]+")
# A classification word that belongs to an inline page break ("IT    SECRET    PAGE 02 ...").
_TRAILING_CLASSIFICATION_RE = re.compile(
    r"\s(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\s*$", re.IGNORECASE
)

# Multi-word tags joined back (3.8), as token tuples.
_MULTI_WORD: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split())
    for phrase in (
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
        "COUNTER TERRORISM",
    )
)
_MULTI_WORD_MAX = max(len(p) for p in _MULTI_WORD)
_MULTI_FIRST = frozenset(p[0] for p in _MULTI_WORD)
_REWRITE_JOINED = {"COUNTER TERRORISM": "COUNTERTERRORISM"}

# Known unbracketed person tags: (surname, given name) -> tag.
_PERSONS: dict[tuple[str, str], str] = {
    ("CLINTON", "HILLARY"): "CLINTON, HILLARY",
    ("STEINBERG", "JAMES"): "STEINBERG, JAMES B.",
    ("BIDEN", "JOSEPH"): "BIDEN, JOSEPH",
    ("RICE", "CONDOLEEZZA"): "RICE, CONDOLEEZZA",
    ("ZOELLICK", "ROBERT"): "ZOELLICK, ROBERT",
    ("BUSH", "GEORGE"): "BUSH, GEORGE W.",
    ("ROOD", "JOHN"): "ROOD, JOHN",
    ("CROS", "GERARD"): "CROS, GERARD",
    ("NOVO", "GUILLERMO"): "NOVO, GUILLERMO",
    ("REMON", "PEDRO"): "REMON, PEDRO",
    ("JIMENEZ", "GASPAR"): "JIMENEZ, GASPAR",
    ("CARSON", "JOHNNIE"): "CARSON, JOHNNIE",
}

_TYPOS = {
    "MOPPS": "MOPS",
    "POGOV": "PGOV",
    "UNDESCO": "UNESCO",
    "KWWMN": "KWMN",
    "UNFCYP": "UNFICYP",
    "RU": "RS",
    "SYR": "SY",
}

# Extra codes that count as known when splitting glued tags (3.8).
_GLUE_EXTRA = frozenset({"ECIN", "POL", "MIL", "TF"})
_JUNK = frozenset({*CAVEAT_WORDS, "SBU", "TAGS", "TAG", "TAGS:", "TAG:"})
_GLUE_MAX_LEN = 64
# Bounds on the extent: real TAGS lists are a few hundred characters on at most a few lines.
_MAX_CHARS = 1000
_MAX_LINES = 8

# Kinds of tags the glossary lacks but the spec names (3.16).
_EXTRA_KINDS = {"BA'ATH": "organization"}


@cache
def tag_glossary() -> dict[str, tuple[str, str]]:
    """The TAGS glossary from data/tags.csv: code -> (kind, name).

    A code listed twice (AL, BP) keeps its first row, except that a two-letter code keeps its
    country row, in line with ``tag_kind``.
    """
    with _GLOSSARY_PATH.open(encoding="utf-8", newline="") as fh:
        glossary: dict[str, tuple[str, str]] = {}
        for row in csv.DictReader(fh):
            code = row["code"].upper()
            if code not in glossary or (len(code) == 2 and row["kind"] == "geo"):
                glossary[code] = (row["kind"], row["name"])
        return glossary


@cache
def known_tags() -> frozenset[str]:
    """Codes listed in the glossary."""
    return frozenset(tag_glossary())


def tag_kind(tag: str, default: str = "unknown") -> str:
    """Kind of a tag: geo, person, program, or its glossary kind (3.16)."""
    code = tag.strip().upper()
    if "," in code:
        return "person"
    if len(code) == 2 and code.isalpha():
        return "geo"
    if len(code) == 4 and code.startswith("K") and code.isalpha():
        return "program"
    entry = tag_glossary().get(code)
    if entry is not None:
        return entry[0]
    return _EXTRA_KINDS.get(code, default)


# --- finding the TAGS text -------------------------------------------------------------------


def _find_label(lines: list[str]) -> tuple[int, str] | None:
    """Index of the TAGS line and the text after its label."""
    for i, line in enumerate(lines):
        first = first_char(line)  # each regex below can match only after its own first letters
        if may_open_number(first) and _NUMBERED_PARA_RE.match(line):
            return None
        m = _LINE_LABEL_RE.match(line) if first in _LABEL_FIRST else None
        if m:
            return i, line[m.end() :]
        if first in _EO_FIRST and _EO_START_RE.match(line):
            for m in _INLINE_LABEL_RE.finditer(line):
                before = line[: m.start()]
                if before.count("(") <= before.count(")"):
                    return i, line[m.end() :]
    return None


def _cut(segment: str) -> tuple[str, bool]:
    """Cut a TAGS segment at SUBJECT, 5+ spaces or an inline page break; say if it was cut."""
    cut = len(segment)
    m = _SUBJECT_CUT_RE.search(segment)
    if m:
        cut = m.start()
    # every inline page break holds a digit (a TAGS line seldom does)
    m = INLINE_PAGE_BREAK_RE.search(segment, 0, cut) if _DIGIT_RE.search(segment, 0, cut) else None
    if m:
        cut = m.start()
        head = _TRAILING_CLASSIFICATION_RE.sub("", segment[:cut])
        return head, True
    return segment[:cut], cut < len(segment)


def _next_content(lines: list[str], i: int) -> int:
    """Index of the next line after ``i`` that is not a page break (or its classification word)."""
    j = i + 1
    while j < len(lines) and (
        is_page_break(lines[j])
        or (is_classification_line(lines[j]) and j + 1 < len(lines) and is_page_break(lines[j + 1]))
        or (is_classification_line(lines[j]) and is_page_break(lines[j - 1]))
    ):
        j += 1
    return j


def _only_tag_tokens(line: str) -> bool:
    tokens = [t for t in _SPACE_COMMA_RE.split(line) if t]
    if not tokens:
        return False
    known = known_tags()
    return all(_UPPER_TOKEN_RE.fullmatch(t) or t in known for t in tokens)


def _continues(current: str, lines: list[str], j: int) -> bool:
    """Whether line ``j`` continues the TAGS list ending in ``current`` (rules a-c of 3.8)."""
    if j >= len(lines):
        return False
    line = lines[j]
    if not line.strip() or _LABEL_LINE_RE.match(line) or _NUMBERED_PARA_RE.match(line):
        return False
    if current.rstrip().endswith(","):
        return True
    if _WORD_COMMA_RE.match(line):
        return True
    if _only_tag_tokens(line):
        k = _next_content(lines, j)
        return (
            k >= len(lines)
            or not lines[k].strip()
            or bool(_SUBJECT_LINE_RE.match(lines[k]))
            or bool(_EO_START_RE.match(lines[k]))
        )
    return False


def tags_text(text: str) -> str | None:
    """The raw TAGS list (label removed, continuation lines joined with a space), or None."""
    lines = text.split("\n")
    found = _find_label(lines)
    if found is None:
        return None
    i, rest = found
    segment, was_cut = _cut(rest[:_MAX_CHARS])
    parts = [segment]
    while not was_cut and len(parts) < _MAX_LINES:
        j = _next_content(lines, i)
        if not _continues(parts[-1], lines, j):
            break
        segment, was_cut = _cut(lines[j][:_MAX_CHARS])
        parts.append(segment)
        i = j
    return " ".join(p.strip() for p in parts)


# --- tokens ------------------------------------------------------------------------------------


def _tokens(raw: str) -> list[tuple[str, bool]]:
    """Upper-case tokens and whether each was preceded by a comma."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _TOKEN_RE.finditer(raw):
        comma = "," in raw[pos : m.start()]
        pos = m.end()
        token = m.group().upper()
        if token.startswith("("):
            token = " ".join(token[1:-1].replace(",", ", ").split()).replace(" ,", ",")
            if token:
                out.append((token, comma))
            continue
        out.append((token, comma))
    return out


def _join(tokens: list[tuple[str, bool]]) -> list[str]:
    """Join multi-word tags, `X AND Y` and known unbracketed person names."""
    # trailing ".;:" go (``[.;:]+$``: a token holds no newline, so $ is its end)
    words = [t.rstrip(".;:") if "," not in t else t for t, _ in tokens]
    commas = [c for _, c in tokens]
    out: list[str] = []
    i = 0
    n = len(words)
    while i < n:
        # person names (comma between the parts allowed)
        if i + 1 < n and (words[i], words[i + 1]) in _PERSONS:
            name = _PERSONS[(words[i], words[i + 1])]
            i += 2
            if i < n and not commas[i] and name.endswith(f" {tokens[i][0]}"):
                i += 1
            out.append(name)
            continue
        # X AND Y
        if (
            i + 2 < n
            and words[i + 1] == "AND"
            and not commas[i + 1]
            and not commas[i + 2]
            and words[i]
            and words[i + 2]
        ):
            out.append(f"{words[i]} AND {words[i + 2]}")
            i += 3
            continue
        joined = None
        # a multi-word tag starts with one of a few words: look for one only there
        sizes = range(min(_MULTI_WORD_MAX, n - i), 1, -1) if words[i] in _MULTI_FIRST else ()
        for size in sizes:
            if any(commas[i + k] for k in range(1, size)):
                continue
            if tuple(words[i : i + size]) in _MULTI_WORD:
                joined = " ".join(words[i : i + size])
                i += size
                break
        if joined is not None:
            out.append(_REWRITE_JOINED.get(joined, joined))
            continue
        out.append(words[i])
        i += 1
    return out


class _AnyOf:
    """``x in _AnyOf(a, b)`` is ``x in a or x in b``: a union that is never materialised."""

    __slots__ = ("_sets",)

    def __init__(self, *sets: Container[str]) -> None:
        self._sets = sets

    def __contains__(self, item: object) -> bool:
        return any(item in known for known in self._sets)


def _split_glued(token: str, known: Container[str]) -> list[str] | None:
    """Cut ``token`` completely into other known tags, longest first from the left; None if impossible."""
    n = len(token)
    if n > _GLUE_MAX_LEN or not token.isalpha():
        return None
    failed: set[int] = set()

    def walk(pos: int) -> list[str] | None:
        if pos == n:
            return []
        if pos in failed:
            return None
        for end in range(min(n, pos + 8), pos + 1, -1):
            piece = token[pos:end]
            if piece in known and piece != token:
                rest = walk(end)
                if rest is not None:
                    return [piece, *rest]
        failed.add(pos)
        return None

    parts = walk(0)
    return parts if parts and len(parts) > 1 else None


def parse_tags(text: str, *, warnings: list[str] | None = None) -> list[str]:
    """TAGS of the preamble in order, upper case, de-duplicated; [] when there is no TAGS label."""
    raw = tags_text(text)
    if raw is None:
        return []
    words = _join(_tokens(raw))
    words = [_TYPOS.get(w, w) for w in words]
    glossary = known_tags()
    # membership in the union, without building a copy of the glossary for every cable
    line_known = _AnyOf(glossary, _GLUE_EXTRA, frozenset(words))
    result: list[str] = []
    seen: set[str] = set()
    for word in words:
        pieces = [word]
        if word not in glossary and word not in _GLUE_EXTRA:
            split = _split_glued(word, line_known)
            if split is not None:
                pieces = split
        for piece in pieces:
            if not piece or piece in _JUNK or piece in seen:
                continue
            seen.add(piece)
            result.append(piece)
    return result
