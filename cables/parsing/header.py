"""The routing header: header/body split (1.7), partial records (1.8), ``created`` (3.2),
transmission id, precedence, sender, recipients (3.5) and origin from the sender (3.4).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from .identifiers import full_year
from .model import Recipient, Recipients
from .text import (
    BANNER_RE,
    first_char,
    has_trailing_space,
    is_classification_line,
    is_page_break,
    mark_rstripped,
    remember_lines,
)

# --- 1.7 / 1.8 split -------------------------------------------------------------------------

_FM_RE = re.compile(r"^\s*FM\s+(\S.*?)\s*$")
_CAVEAT_LINE_RE = re.compile(
    r"^\s*(?:(?:SIPDIS|NOFORN|NOCONTRACT|ORCON|PROPIN|EXDIS|NODIS|LIMDIS|STADIS|ROGER|CHEROKEE"
    r"|TERREP|SENSITIVE(?:\s+BUT\s+UNCLASSIFIED)?|REL\s+\S.*)[\s,/.]*)+$",
    re.IGNORECASE,
)
_EO_LINE_RE = re.compile(r"^\s*(?:E\s?\.?\s?[O0]\s?\.?(?=[\s\d:])|E\.[O0]\.)", re.IGNORECASE)
_TAGS_LINE_RE = re.compile(r"^\s*(?:TAGS?|AGS|TAS|TABS|TGS|TAGES)(?:\s*[:;,]|\s+\S)", re.IGNORECASE)
_SUBJECT_LINE_RE = re.compile(r"^\s*(?:SUBJECT|SUBJ|UBJECT)\b", re.IGNORECASE)
_CORRECTED_RE = re.compile(r"^\s*C\s?O\s?R\s?R\s?E\s?C\s?T\s?E\s?D\s+C\s?O\s?P\s?Y", re.IGNORECASE)
PARTIAL_NOTE_RE = re.compile(
    r"This\s+record\s+is\s+a\s+partial\s+extract\s+of\s+the\s+original\s+cable", re.IGNORECASE
)

_SPLIT_SCAN_LINES = 80
# the first letters of the banner words, caveat words, E.O., TAGS (and its damaged forms),
# SUBJECT and CORRECTED, in both cases, and the long s (IGNORECASE matches it for S)
_BODY_START_FIRST = frozenset("UCSLNOPERTAucslnopertaſ")


# the six tests of ``is_body_start`` as one regex (all IGNORECASE, anchored at the line start):
# a match of the alternation is a match of one of them, one call instead of six
_BODY_START_RE = re.compile(
    "|".join(
        f"(?:{regex.pattern})"
        for regex in (BANNER_RE, _CAVEAT_LINE_RE, _EO_LINE_RE, _TAGS_LINE_RE, _SUBJECT_LINE_RE, _CORRECTED_RE)
    ),
    re.IGNORECASE,
)


def is_body_start(line: str) -> bool:
    """A line that can open the body (1.7): banner, caveat, E.O., TAGS, SUBJECT, corrected copy."""
    first = first_char(line)
    if first not in _BODY_START_FIRST:  # blank, or no regex below can match (cheap first test)
        return False
    return _BODY_START_RE.match(line) is not None


def _line_spans(text: str, pos: int = 0) -> Iterator[tuple[int, int]]:
    """(start, end) of the lines of ``text`` from ``pos`` (a line start), as ``split("\\n")`` cuts them."""
    while True:
        end = text.find("\n", pos)
        if end < 0:
            yield pos, len(text)
            return
        yield pos, end
        pos = end + 1


def split_header_body(block: str) -> tuple[str, str]:
    """Split header+body text (1.7): the body starts at the first body-start line after ``FM``.

    Only the lines up to the body start are read (the block is not split).
    """
    start = 0  # where the body search starts (the line after FM), or None: FM was the last line
    after_fm: int | None = 0
    for (a, b), _ in zip(_line_spans(block), range(_SPLIT_SCAN_LINES), strict=False):
        line = block[a:b]
        if _FM_RE.match(line):
            start = 1
            after_fm = b + 1 if b < len(block) else None
            break
        if is_body_start(line):  # a body line before any FM: "FM LAVROV ..." later is prose
            break
    body_at = None
    if after_fm is not None:
        for a, b in _line_spans(block, after_fm):
            if is_body_start(block[a:b]):
                body_at = a
                break
    if body_at is None:
        if start == 0:  # neither FM nor any body line: all body (a bare text)
            return "", tidy(block)
        return tidy(block), tidy("")
    return tidy(block[: max(body_at - 1, 0)]), tidy(block[body_at:])


def tidy(text: str) -> str:
    """Multi-line field: trailing spaces removed, no leading/trailing blank lines."""
    if not has_trailing_space(text):
        # no line changes: only the blank (empty) lines at the ends go
        return mark_rstripped(text.strip("\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    first = 0
    while first < len(lines) and not lines[first]:
        first += 1
    last = len(lines)
    while last > first and not lines[last - 1]:
        last -= 1
    lines = lines[first:last]
    return mark_rstripped(remember_lines("\n".join(lines), lines))


def is_partial(header: str) -> bool:
    """1.8: the header holds the partial-record note."""
    return has_partial_note(header)


def has_partial_note(text: str) -> bool:
    """``PARTIAL_NOTE_RE.search(text)``; its IGNORECASE scan runs only when "record" is there.

    No character but R, E, C, O and D in either case matches those letters with IGNORECASE.
    """
    return "record" in text.lower() and PARTIAL_NOTE_RE.search(text) is not None


# --- 3.2 created -----------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_MONTH_NAMES = {
    name: i
    for i, name in enumerate(
        (
            "JANUARY",
            "FEBRUARY",
            "MARCH",
            "APRIL",
            "MAY",
            "JUNE",
            "JULY",
            "AUGUST",
            "SEPTEMBER",
            "OCTOBER",
            "NOVEMBER",
            "DECEMBER",
        ),
        1,
    )
}
_DTG_BODY = r"(?P<day>\d{2})(?P<hh>\d{2})(?P<mm>\d{2})Z\s+(?P<mon>[A-Za-z]{3})\s+(?P<yy>\d{2})(?!\d)"
DTG_LINE_RE = re.compile(rf"^\s*(?P<prec>[ZOPR])(?:\s+(?P<info>[ZOPR]))?\s+{_DTG_BODY}")
_BARE_DTG_RE = re.compile(rf"^\s*(?:[ZOPR](?:\s+[ZOPR])?\s+)?{_DTG_BODY}")
_DATE_LINE_RE = re.compile(
    r"^\s*(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+(?P<day>\d{1,2})\s+"
    r"(?P<month>[A-Za-z]+)\s+(?P<year>\d{4}),\s+(?P<hh>\d{1,2}):(?P<mm>\d{2})\s*$",
    re.IGNORECASE,
)
_CSV_DATE_RE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})\s*$")
_PAGE_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::\d{2})?Z?\s*$")
_DE_RE = re.compile(r"^\s*DE\s+[A-Z]{3,}\s+#\s*\d+(?:/\d+)?\s+(\d{3})(\d{2})(\d{2})\b", re.MULTILINE)


def _iso(moment: datetime) -> str:
    if moment.year < 1000:  # strftime's %Y is not zero-padded there (platform-dependent)
        return moment.strftime("%Y-%m-%dT%H:%M:00Z")
    # the same text as strftime, without its per-call cost
    return f"{moment.year}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:00Z"


def _iso_of(year: int, month: int, day: int, hour: int, minute: int) -> str | None:
    """``_iso`` of that moment, or None when it is no valid date and time."""
    # a day every month has, a four-digit year: the text without building a datetime
    if 1 <= day <= 28 and 1 <= month <= 12 and hour <= 23 and minute <= 59 and year >= 1000:
        return f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00Z"
    try:
        return _iso(datetime(year, month, day, hour, minute, tzinfo=UTC))
    except ValueError:
        return None


def _moment(year: int, month: int | None, match: re.Match[str]) -> datetime | None:
    """UTC time from a date match's ``day``, ``hh`` and ``mm`` groups; None when invalid."""
    if month is None:
        return None
    try:
        day, hour, minute = int(match.group("day")), int(match.group("hh")), int(match.group("mm"))
        return datetime(year, month, day, hour, minute, tzinfo=UTC)
    except ValueError:
        return None


def _dtg_datetime(match: re.Match[str]) -> datetime | None:
    return _moment(full_year(match.group("yy")), _MONTHS.get(match.group("mon").upper()), match)


# header text -> its lines, by identity (the text is kept, so its id is not reused): the
# header fields each read the lines of the same header, about seven splits a cable
_HEADER_LINES: dict[int, tuple[str, list[str]]] = {}


def _header_lines(header: str) -> list[str]:
    """``header.split("\n")``, shared by the header readers. Do not change the list."""
    hit = _HEADER_LINES.get(id(header))
    if hit is not None and hit[0] is header:
        return hit[1]
    lines = header.split("\n")
    if len(_HEADER_LINES) >= 8:
        _HEADER_LINES.clear()
    _HEADER_LINES[id(header)] = (header, lines)
    return lines


def find_dtg(header: str, warnings: list[str] | None = None) -> str | None:
    """The first valid DTG line of the header (precedence + DTG) as ISO, else None."""
    for line in _header_lines(header):
        match = DTG_LINE_RE.match(line)
        if match:
            iso = _dtg_iso(match)
            if iso is None:
                if warnings is not None:
                    warnings.append(f"dtg-invalid: {line.strip()}")
                continue
            return iso
    return None


def _dtg_iso(match: re.Match[str]) -> str | None:
    """``_iso(_dtg_datetime(match))``, or None when invalid, without a datetime when it can."""
    month = _MONTHS.get(match.group("mon").upper())
    if month is None:
        return None
    day, hour, minute = int(match.group("day")), int(match.group("hh")), int(match.group("mm"))
    return _iso_of(full_year(match.group("yy")), month, day, hour, minute)


def _partial_date(header: str) -> str | None:
    lines = _header_lines(header)
    for i, line in enumerate(lines):
        if has_partial_note(line):
            for after in lines[i + 1 : i + 4]:
                match = _BARE_DTG_RE.match(after)
                if match:
                    moment = _dtg_datetime(match)
                    return _iso(moment) if moment else None
                date = _date_line(after)
                if date:
                    return date
    return None


def _date_line(line: str) -> str | None:
    match = _DATE_LINE_RE.match(line)
    if not match:
        return None
    month = _MONTH_NAMES.get(match.group("month").upper()) or _MONTHS.get(match.group("month")[:3].upper())
    moment = _moment(int(match.group("year")), month, match)
    return _iso(moment) if moment else None


def is_date_line(line: str) -> bool:
    """``Wednesday, 02 December 2009, 17:17``."""
    return bool(_DATE_LINE_RE.match(line))


def _csv_date(value: str | None) -> str | None:
    match = _CSV_DATE_RE.match(value or "")
    if not match:
        return None
    month, day, year, hh, mm = map(int, match.groups())
    return _iso_of(year, month, day, hh, mm)


def _page_date(value: str | None, warnings: list[str] | None) -> str | None:
    """The page value (3.2 source 5), with the minute-bug rule applied."""
    match = _PAGE_DATE_RE.match(value or "")
    if not match:
        return None
    year, month, day, hh, mm = (int(g) for g in match.groups())
    if mm == ((hh + 11) % 12) + 1:
        if warnings is not None:
            warnings.append(f"created-minute-unreliable: page shows {hh:02d}:{mm:02d}")
        mm = 0
    try:
        return _iso(datetime(year, month, day, hh, mm, tzinfo=UTC))
    except ValueError:
        return None


def page_timestamp(value: str | None) -> str | None:
    """A page ``Released`` value copied as is into ISO form (no minute rule)."""
    match = _PAGE_DATE_RE.match(value or "")
    if not match:
        return None
    year, month, day, hh, mm = (int(g) for g in match.groups())
    try:
        return _iso(datetime(year, month, day, hh, mm, tzinfo=UTC))
    except ValueError:
        return None


def _de_date(header: str, year: int | None) -> str | None:
    match = _DE_RE.search(header)
    if not match or year is None:
        return None
    day, hh, mm = (int(g) for g in match.groups())
    if not 1 <= day <= 366 or hh > 23 or mm > 59:
        return None
    moment = datetime(year, 1, 1, hh, mm, tzinfo=UTC) + timedelta(days=day - 1)
    if moment.year != year:
        return None
    return _iso(moment)


def _parse_iso(value: str) -> datetime:
    # what _iso writes (four-digit year) is read without strptime (about 10 us a call)
    if len(value) == 20 and value.isascii() and _ISO_SHAPE_RE.match(value):
        return datetime(
            int(value[:4]),
            int(value[5:7]),
            int(value[8:10]),
            int(value[11:13]),
            int(value[14:16]),
            tzinfo=UTC,
        )
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:00Z").replace(tzinfo=UTC)


_ISO_SHAPE_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z")


def created_info(
    header: str,
    *,
    page_value: str | None = None,
    csv_value: str | None = None,
    id_year: str | None = None,
    warnings: list[str] | None = None,
) -> tuple[str | None, str | None]:
    """``created`` and its source (3.2): dtg, partial-date, date-line, csv, page, de-line."""
    local: list[str] = []
    partial = is_partial(header)
    dtg = None if partial else find_dtg(header, local)
    created, source = dtg, "dtg" if dtg else None
    if created is None and partial:
        created = _partial_date(header)
        source = "partial-date" if created else None
    if created is None:
        for line in _header_lines(header):
            created = _date_line(line)
            if created:
                source = "date-line"
                break
    meta_warnings: list[str] = []
    meta = _csv_date(csv_value)
    meta_source = "csv" if meta else None
    if meta is None:
        meta = _page_date(page_value, meta_warnings)
        meta_source = "page" if meta else None
    if created is None and meta is not None:
        created, source = meta, meta_source
        local.extend(meta_warnings)
    # (the same date in both ISO texts is less than a day apart: no need to read them)
    elif created is not None and meta is not None and source == "dtg" and created[:10] != meta[:10]:
        delta = abs(_parse_iso(created) - _parse_iso(meta))
        if delta > timedelta(hours=48):
            local.append(f"dtg-mismatch: DTG {created}, {meta_source} {meta}")
    if created is None:
        year = full_year(id_year) if id_year and id_year.isdigit() else None
        created = _de_date(header, year)
        source = "de-line" if created else None
    if created is None:
        local.append("created-missing: no DTG, date line, CSV or page value")
    if warnings is not None:
        warnings.extend(local)
    return created, source


def parse_created(
    header: str, page_value: str | None = None, *, warnings: list[str] | None = None
) -> str | None:
    """``created`` from a header and a page/CSV value (3.2)."""
    csv_value = page_value if page_value and _CSV_DATE_RE.match(page_value) else None
    created, _ = created_info(
        header, page_value=None if csv_value else page_value, csv_value=csv_value, warnings=warnings
    )
    return created


# --- 3.5 transmission id, precedence, sender -------------------------------------------------

_VZCZC_RE = re.compile(r"^\s*(VZCZC[A-Z]{2,3}\d+)\s*$")
_PRECEDENCE = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
_ROUTING_LINE_RE = re.compile(r"^\s*([ZOPR])[ZOPR]?\s+[A-Z]{4,}")


def parse_transmission_id(header: str) -> str | None:
    for line in _header_lines(header)[:5]:
        match = _VZCZC_RE.match(line)
        if match:
            return match.group(1)
    return None


def parse_precedence(header: str, extra: dict | None = None) -> str | None:
    """Precedence from the DTG line (second letter -> ``extra.info_precedence``), else line 2."""
    for line in _header_lines(header):
        match = DTG_LINE_RE.match(line)
        if match:
            if match.group("info") and extra is not None:
                extra["info_precedence"] = _PRECEDENCE[match.group("info")]
            return _PRECEDENCE[match.group("prec")]
    lines = [line for line in _header_lines(header) if line.strip()]
    if len(lines) >= 2 and _VZCZC_RE.match(lines[0]):
        match = _ROUTING_LINE_RE.match(lines[1])
        if match:
            return _PRECEDENCE[match.group(1)]
    return None


def _fm_index(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if _FM_RE.match(line):
            return i
    return None


def parse_sender(header: str) -> str | None:
    """Text of the header's ``FM`` line, whitespace collapsed."""
    lines = _header_lines(header)
    i = _fm_index(lines)
    if i is None:
        return None
    return " ".join(_FM_RE.match(lines[i]).group(1).split())  # type: ignore[union-attr]


# --- 3.5 recipients --------------------------------------------------------------------------

_SECTION_RE = re.compile(r"^\s*(TO|INFO)\b\s*(.*)$")
_XMT_RE = re.compile(r"^\s*XMT\b[/\s]*(.*)$")
_ROUTE_RE = re.compile(r"^([A-Z0-9]{1,7})/(.+)$")
_TRAILING_PREC_RE = re.compile(r"^(.*?)\s+(FLASH|NIACT\s+IMMEDIATE|IMMEDIATE|PRIORITY|PIORITY|ROUTINE)$")
# the last word of every ``_TRAILING_PREC_RE`` match (a cheap test before the lazy regex)
_PREC_WORDS = ("FLASH", "IMMEDIATE", "PRIORITY", "PIORITY", "ROUTINE")
_STOP_FIRST = frozenset("BNIODSCM")  # what _STOP_RE's words open with (no IGNORECASE)
# what the weekday names open with in IGNORECASE (the long s matches S)
_DATE_LINE_FIRST = frozenset("MTWFSmtwfs\u017f")
_STOP_RE = re.compile(r"^\s*(?:BT|NNNN|(?:ID|ORIGIN|DATE|SOURCE|CLASSIFICATION|MISC|DESTINATION):.*)\s*$")


def _recipient(line: str) -> Recipient | None:
    text = " ".join(line.split())
    if not text:
        return None
    route = None
    match = _ROUTE_RE.match(text)
    if match:
        route, text = match.group(1), match.group(2).strip()
    mcn = None
    tokens = text.split(" ")
    if len(tokens) > 1 and tokens[-1].isdigit():
        before = " ".join(tokens[:-1])
        if len(tokens[-1]) >= 4 or (before.endswith(_PREC_WORDS) and _TRAILING_PREC_RE.match(before)):
            mcn, text = tokens[-1], before
    precedence = None
    match = _TRAILING_PREC_RE.match(text) if text.endswith(_PREC_WORDS) else None
    if match:
        text, word = match.group(1), match.group(2)
        precedence = "PRIORITY" if word == "PIORITY" else " ".join(word.split())
    if not text:
        return None
    return Recipient(name=text, route=route, precedence=precedence, mcn=mcn)


def parse_recipients(header: str) -> Recipients:
    """``TO`` and ``INFO`` lists after the ``FM`` line (3.5)."""
    lines = _header_lines(header)
    fm = _fm_index(lines)
    if fm is None:
        return Recipients()
    sections: dict[str, list[Recipient]] = {"TO": [], "INFO": []}
    excluded: dict[tuple[str, int], list[str]] = {}
    current: str | None = None
    in_xmt = False
    # no line holds the partial note when the header does not (one test for all lines)
    note = has_partial_note(header)
    for line in lines[fm + 1 :]:
        first = first_char(line)  # the anchored regexes below can match only after their letters
        if not first or is_page_break(line) or is_classification_line(line):
            continue
        if (
            (first in _STOP_FIRST and _STOP_RE.match(line))
            or (first in _DATE_LINE_FIRST and _DATE_LINE_RE.match(line))
            or (note and has_partial_note(line))
        ):
            break
        section = _SECTION_RE.match(line) if first in "TI" else None
        if section:
            current, in_xmt = section.group(1), False
            line = section.group(2)
            if not line.strip() or is_page_break(line):
                continue
        if current is None:
            continue
        xmt = _XMT_RE.match(line) if first_char(line) == "X" else None
        if xmt:
            in_xmt = True
            line = xmt.group(1)
            if not line.strip():
                continue
        if in_xmt:
            if sections[current]:
                key = (current, len(sections[current]) - 1)
                name = " ".join(line.split())
                name = _ROUTE_RE.sub(r"\2", name)
                excluded.setdefault(key, []).append(name)
            continue
        recipient = _recipient(line)
        if recipient:
            sections[current].append(recipient)
    for (section_name, index), names in excluded.items():
        r = sections[section_name][index]
        sections[section_name][index] = Recipient(r.name, r.route, r.precedence, r.mcn, tuple(names))
    return Recipients(to=tuple(sections["TO"]), info=tuple(sections["INFO"]))


# --- 3.4 origin from sender ------------------------------------------------------------------

_FIXED_ORIGINS = {
    "SECSTATE WASHDC": "Secretary of State",
    "SECSTATE": "Secretary of State",
    "SECDEF WASHDC": "Secretary of Defense",
    "USMISSION UNVIE VIENNA": "UNVIE",
    "USMISSION UNVIE": "UNVIE",
    "USEU BRUSSELS": "USEU Brussels",
    "USMISSION USEU BRUSSELS": "USEU Brussels",
    "USMISSION USNATO": "Mission USNATO",
    "USNATO": "Mission USNATO",
    "USUN NEW YORK": "USUN New York",
    "USMISSION USUN NEW YORK": "USUN New York",
    "RPO DUBAI": "Iran RPO Dubai",
    "IRAN RPO DUBAI": "Iran RPO Dubai",
    "AIT TAIPEI": "AIT Taipei",
}
_PREFIX_ORIGINS = (
    ("AMEMBASSY ", "Embassy "),
    ("AMCONSUL ", "Consulate "),
    ("USINT ", "US Interests Section "),
    ("USMISSION ", "Mission "),
)


def title_words(text: str) -> str:
    return " ".join(word.capitalize() for word in text.split())


def origin_from_sender(sender: str | None) -> str | None:
    """Display name derived from the ``FM`` line (3.4)."""
    if not sender:
        return None
    key = " ".join(sender.upper().split())
    if key in _FIXED_ORIGINS:
        return _FIXED_ORIGINS[key]
    for prefix, display in _PREFIX_ORIGINS:
        if key.startswith(prefix):
            return display + title_words(key[len(prefix) :])
    return title_words(key)
