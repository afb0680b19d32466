"""SUBJECT line of the preamble (cable-format.md 3.9)."""

from __future__ import annotations

import html
import re

from .text import (
    collapse_ws,
    first_char,
    is_classification_line,
    is_page_break,
    is_rule,
    match_banner,
    may_open_number,
)

_SEARCH_CHARS = 2000  # the label must sit in the first 2,000 characters of the body
_MAX_CHARS = 2000  # bound on the subject text itself (junk input)

_NUMBERED_PARA_RE = re.compile(r"^\s*[\u00b6\ufffd]?\s*\d{1,2}\s*\.\s*(?:\(|[A-Za-z]|$)")
# The label at the start of a line: SUBJECT:, SUBJECT, SUBJ:, damaged UBJECT:; never SUBJECT LINE.
_LINE_LABEL_RE = re.compile(
    r"^\s*(?:SUBJECT|SUBJ|UBJECT)(?:\s*[:.;]|\s+(?!LINE\b)(?=\S)|\s*$)\s*", re.IGNORECASE
)
# The label later on an E.O./TAGS line ("... Tags: prel, tu Subject: ...").
_INLINE_LABEL_RE = re.compile(r"(?<=\s)(?:SUBJECT|SUBJ)\s*:(?!\s*LINE\b)\s*", re.IGNORECASE)
_LABEL_FIRST = frozenset("SsUu\u017f")  # what IGNORECASE S and U match
_TAGS_OR_EO_FIRST = frozenset("EeTt")
_TAGS_OR_EO_RE = re.compile(r"^\s*(?:E\.?\s?[O0]\.?\s*1\d|EO\s*1\d|TAGS?\b)", re.IGNORECASE)

# Where the subject stops inside a line: a REF label (even glued), Classified By (even glued),
# the two fixed sentences.
_INLINE_END_RE = re.compile(
    r"REFS?\s?:|CLASSIFI?E?D\s*BY\b|\bThis is an action request|\bSensitive but unclassified",
    re.IGNORECASE,
)
# every match holds one of these, lower-cased (for ASCII text; IGNORECASE also lets the long
# s match S and the dotted and dotless i match I, which lower() does not map to s and i)
_INLINE_END_WORDS = ("ref", "class", "this", "sensitive")


def _inline_end(line: str) -> re.Match[str] | None:
    """``_INLINE_END_RE.search(line)``; an ASCII line without its words is ruled out at C speed."""
    if line.isascii():
        low = line.lower()
        if not any(word in low for word in _INLINE_END_WORDS):
            return None
    return _INLINE_END_RE.search(line)


# Lines that end the subject.
_END_LINE_RE = re.compile(
    r"^\s*(?:REF(?:S|ERENCES?)?\b|PAGE\s+\d{1,3}\b|E\.?\s?[O0]\.\s*1\d|EO\s+1\d|TAGS?\s*:|SIPDIS\s*$)",
    re.IGNORECASE,
)
_LEADING_MARKING_RE = re.compile(
    r"^\(\s*(?:U|C|S|TS|SBU|LOU|FOUO|NF|NOFORN|OC|ORCON|PROPIN|REL|SECRET|CONFIDENTIAL|UNCLAS|UNCLASSIFIED)"
    r"(?:\s*/+\s*(?:[A-Z]{1,8}))*\s*\)\s*",
    re.IGNORECASE,
)
_TRAILING_MARKING_RE = re.compile(r"\s*\((?:[A-Z]{1,8})(?:\s*/+\s*[A-Z]{1,8})*\)$")
_SPACE_RE = re.compile(r"[ \t]+")


def _find_label(lines: list[str]) -> tuple[int, str] | None:
    """Index of the SUBJECT line and the text after its label."""
    seen = 0
    for i, line in enumerate(lines):
        first = first_char(line)  # each regex below can match only after its own first letters
        if seen > _SEARCH_CHARS or (may_open_number(first) and _NUMBERED_PARA_RE.match(line)):
            return None
        seen += len(line) + 1
        m = _LINE_LABEL_RE.match(line) if first in _LABEL_FIRST else None
        if m:
            return i, line[m.end() :]
        if first in _TAGS_OR_EO_FIRST and _TAGS_OR_EO_RE.match(line):
            m = _INLINE_LABEL_RE.search(line, 0, _SEARCH_CHARS)
            if m:
                return i, line[m.end() :]
    return None


def _ends_subject(line: str) -> bool:
    """Whether ``line`` (backslashes removed) is one of the lines that end a subject."""
    return (
        not line.strip()
        or bool(_NUMBERED_PARA_RE.match(line))
        or bool(_END_LINE_RE.match(line))
        or is_page_break(line)
        or is_rule(line)
        or is_classification_line(line)
        or match_banner(line) is not None
    )


def _raw_lines(lines: list[str], i: int, first: str) -> list[str]:
    """The subject's lines, from the label line to the first end marker."""
    parts: list[str] = []
    total = 0
    current = first.replace("\\", "")
    j = i
    if not current.strip():  # the text may start after blank lines
        j += 1
        while j < len(lines) and not lines[j].replace("\\", "").strip():
            j += 1
        if j >= len(lines):
            return []
        current = lines[j].replace("\\", "")
        if _ends_subject(current):
            return []
    while True:
        m = _inline_end(current)
        if m:
            parts.append(current[: m.start()])
            break
        parts.append(current)
        total += len(current)
        j += 1
        if j >= len(lines) or total > _MAX_CHARS:
            break
        current = lines[j].replace("\\", "")
        if _ends_subject(current):
            break
    return parts


def _join(parts: list[str]) -> str:
    """Join lines with one space; a hyphen ending a line is glued to the next word."""
    text = ""
    for part in parts:
        part = _SPACE_RE.sub(" ", part).strip()
        if not part:
            continue
        if text.endswith("-"):
            text += part
        else:
            text = f"{text} {part}" if text else part
    return collapse_ws(html.unescape(text))


def clean_subject(raw: str) -> str:
    """Drop a leading portion marking and a trailing all-caps marking (3.9)."""
    text = _LEADING_MARKING_RE.sub("", raw, count=1)
    return _TRAILING_MARKING_RE.sub("", text).strip()


def parse_subject(text: str, clean: bool = True, *, warnings: list[str] | None = None) -> str:
    """The SUBJECT of the preamble, cleaned unless ``clean`` is false; "" when there is none."""
    lines = text[: _SEARCH_CHARS + _MAX_CHARS].split("\n")
    found = _find_label(lines)
    subject = ""
    if found is not None:
        subject = _join(_raw_lines(lines, *found))
        if clean:
            subject = clean_subject(subject)
    if not subject and warnings is not None:
        warnings.append("subject-missing: no SUBJECT line in the preamble")
    return subject
