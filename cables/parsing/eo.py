"""The E.O. line of the preamble and the declassification date (cable-format.md 3.7)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .text import first_char, may_open_number

# "E.O. 12958:", "EO 12958", "E.o.", "E.0.", "E.O 12958", "E.O.1295:"
_EO_RE = re.compile(r"^\s*(?:E\s?\.?\s?[O0]\s?\.?|EO)\s*(?P<order>1\d{3,4})\b\s*[:;.,]?", re.IGNORECASE)
_ORDERS = ("12958", "12356", "12065")
_OLD_ORDERS = frozenset({"12356", "12065"})  # two-digit years on these lines are 19YY
_NUMBERED_PARA_RE = re.compile(r"^\s*[\u00b6\ufffd]?\s*\d{1,2}\s*\.\s*(?:\(|[A-Za-z]|$)")
_DECL_RE = re.compile(r"\bDECL\b\s*[:;.]?", re.IGNORECASE)
_TAGS_RE = re.compile(r"\bTAGS?\b", re.IGNORECASE)

_NUMERIC_DATE_RE = re.compile(
    r"(?<!\d)(?:(?P<y1>\d{4})[/.\-](?P<m1>\d{1,2})[/.\-](?P<d1>\d{1,2})"
    r"|(?P<m2>\d{1,2})[/.\-](?P<d2>\d{1,2})[/.\-](?P<y2>\d{4}|\d{2}))(?!\d)"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("JANUARY", "JAN"),
            ("FEBRUARY", "FEB"),
            ("MARCH", "MAR"),
            ("APRIL", "APR"),
            ("MAY",),
            ("JUNE", "JUN"),
            ("JULY", "JUL"),
            ("AUGUST", "AUG"),
            ("SEPTEMBER", "SEPT", "SEP"),
            ("OCTOBER", "OCT"),
            ("NOVEMBER", "NOV"),
            ("DECEMBER", "DEC"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH_DATE_RE = re.compile(
    rf"\b(?:(?P<mon1>{_MONTH_ALT})\.?\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})\s+(?P<mon2>{_MONTH_ALT})\.?,?\s+(?P<y2>\d{{4}}))\b",
    re.IGNORECASE,
)
_MAX_CHARS = 300  # a real E.O. line is short; bound the work on junk
_CODE_RE = re.compile(r"\bX\d\b", re.IGNORECASE)  # exemption codes X1..X8 are not dates
_DIGIT_RE = re.compile(r"\d")
_CLASSIFIER_RE = re.compile(r"\(([^()]*[A-Za-z][^()]*)\)")


@dataclass(frozen=True, slots=True)
class EoLine:
    """The E.O. line: text after DECL (``extra.decl_raw``), its date, the 12065 classifier."""

    decl_raw: str | None
    declassify_on: str | None
    classifier: str | None


def _is_order(number: str) -> bool:
    """12958, 12356, 12065, with up to two wrong digits (12598) or truncated (1295)."""
    for order in _ORDERS:
        if len(number) == 5 and sum(a != b for a, b in zip(number, order, strict=True)) <= 2:
            return True
        if len(number) == 4 and order.startswith(number):
            return True
    return False


def _year(raw: str, *, old: bool) -> int:
    if len(raw) == 4:
        return int(raw)
    return (1900 if old else 2000) + int(raw)


def _date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _parse_date(raw: str, *, old: bool = False) -> str | None:
    """The first readable date in ``raw`` as YYYY-MM-DD, or None."""
    for m in _NUMERIC_DATE_RE.finditer(raw):
        if m.group("y1"):
            found = _date(int(m.group("y1")), int(m.group("m1")), int(m.group("d1")))
        else:
            found = _date(_year(m.group("y2"), old=old), int(m.group("m2")), int(m.group("d2")))
        if found:
            return found
    for m in _MONTH_DATE_RE.finditer(raw):
        month = _MONTHS[(m.group("mon1") or m.group("mon2")).upper()]
        day = int(m.group("d1") or m.group("d2"))
        found = _date(int(m.group("y1") or m.group("y2")), month, day)
        if found:
            return found
    return None


def _find_eo(text: str) -> tuple[re.Match[str], str] | None:
    """The E.O. line's match and the line itself, searching the preamble only."""
    for line in text.split("\n"):
        first = first_char(line)  # each regex below can match only after its own first letters
        if may_open_number(first) and _NUMBERED_PARA_RE.match(line):
            return None
        m = _EO_RE.match(line) if first in ("E", "e") else None
        if m and _is_order(m.group("order")):
            return m, line
    return None


def parse_eo(text: str, *, warnings: list[str] | None = None) -> EoLine | None:
    """The E.O. line of the preamble, or None when there is none."""
    found = _find_eo(text)
    if found is None:
        return None
    m, line = found
    rest = line[m.end() : m.end() + _MAX_CHARS]
    tags = _TAGS_RE.search(rest)
    if tags:
        rest = rest[: tags.start()]
    decl = _DECL_RE.search(rest)
    if decl:
        rest = rest[decl.end() :]
    raw = " ".join(rest.split()) or None
    if raw is None:
        return EoLine(None, None, None)
    old = m.group("order") in _OLD_ORDERS
    declassify_on = _parse_date(raw, old=old)
    classifier = None
    if m.group("order") == "12065":
        named = _CLASSIFIER_RE.search(raw)
        classifier = " ".join(named.group(1).split()) if named else None
    if declassify_on is None and warnings is not None and _DIGIT_RE.search(_CODE_RE.sub("", raw)):
        warnings.append(f"decl-unparsed: {raw}")
    return EoLine(raw, declassify_on, classifier)


def parse_declassify_on(text: str, *, warnings: list[str] | None = None) -> str | None:
    """``declassify_on`` as YYYY-MM-DD from the E.O. line, or None."""
    line = parse_eo(text, warnings=warnings)
    return line.declassify_on if line else None
