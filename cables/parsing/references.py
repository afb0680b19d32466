"""REF citations (cable-format.md 3.10).

``find_ref_blocks`` finds the REF blocks of a preamble and returns their cleaned text;
``parse_references`` splits each block into items and resolves cable items to canonical
ids (``06PARIS6189``). Everything is a left-to-right scan with anchored, bounded regexes,
so the cost is linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .identifiers import is_known_station, nearest_stations, normalize_station
from .model import Reference
from .text import (
    FOOTER_RE,
    INLINE_PAGE_BREAK_RE,
    PAGE_BREAK_RE,
    is_classification_line,
    is_rule,
    match_banner,
)

__all__ = ["REF_LABEL_RE", "find_ref_blocks", "parse_references"]

# --- where: labels and block ends ------------------------------------------------------------

_LABEL_WORD = r"(?:PROGRAM[ \t]+REF|REF(?:TELS?|ERENCES?|\(S\)|S)?)"
_LABEL_UPPER = r"(?:PROGRAM[ \t]+REF|REF(?:TELS?|ERENCES?|S)?)"
_ITEM_PREFIX = r"(?P<pre>[A-Za-z][.)][ \t]*)?"

#: Where a REF label starts. ``match.start()`` is the start of the label (or of its line when
#: the label begins a line); ``match.end()`` is where the block text begins.
REF_LABEL_RE = re.compile(
    # at a line start, with ":" or "." (any case)
    rf"^[ \t]*(?:\u00b6[ \t]*)?{_ITEM_PREFIX}(?i:{_LABEL_WORD})[ \t]*[:.]"
    # at a line start, followed by a space only: upper case (REF A ..., REFTEL STATE 12)
    rf"|^[ \t]*(?:\u00b6[ \t]*)?(?P<pre2>[A-Z][.)][ \t]*)?{_LABEL_UPPER}[ \t]+(?=\S)"
    # "Ref A ..." in mixed case
    r"|^[ \t]*(?i:ref)[ \t]+(?=[A-Z](?:[.):]|[ \t]))"
    # after text on its line (the subject), with a colon
    rf"|(?<=[ \t])(?i:{_LABEL_WORD})[ \t]?:"
    # glued to the subject's last word: "...ROMEREF:"
    r"|(?<=[A-Za-z.)])REF(?:S|TELS?)?[ \t]?:",
    re.MULTILINE,
)
_DOUBLED_LABEL_RE = re.compile(rf"[ \t]*(?i:{_LABEL_WORD})[ \t]*:")

_BLOCK_LIMIT = 1200
_MAX_BLOCKS = 32  # real preambles have one to three; junk must not cost more than this
_ITEM_LIMIT = 200
_SUSPECT_KEEP = 80

# ends of a block anywhere on a line
_END_INLINE_RE = re.compile(
    r"(?i:clas+i?f?i?e?d[ \t]*:?[ \t]*by\b)"
    r"|(?i:\bbegin[ \t]+summary\b)"
    r"|C[ \t]+O[ \t]+R[ \t]+R[ \t]+E[ \t]+C[ \t]+T[ \t]+E[ \t]+D|\bCORRECTED[ \t]+COPY\b"
    r"|(?i:\bsensitive[ \t]+but[ \t]+unclassified\b)"
    r"|(?i:\bthis[ \t]+message\b)"
    r"|(?i:\bthis[ \t]+is[ \t]+an[ \t]+action[ \t]+request\b)"
)
# every match holds one of these words lower-cased, or "C " / "C\t" / "CORRECTED" as written
# (for ASCII text: IGNORECASE also lets the long s match S and the dotless i match I)
_END_INLINE_WORDS = ("clas", "begin", "sensitive", "this")


def _end_inline(line: str) -> re.Match[str] | None:
    """``_END_INLINE_RE.search(line)``; an ASCII line without its words is ruled out at C speed."""
    if line.isascii() and "C " not in line and "C\t" not in line and "CORRECTED" not in line:
        low = line.lower()
        if not any(word in low for word in _END_INLINE_WORDS):
            return None
    return _END_INLINE_RE.search(line)


# ends of a block at the start of a (later) line
_END_LINE_RE = re.compile(
    r"^\s*(?:\u00b6\s*)?\d{1,3}\s?[.)]\s*(?:\(|[A-Za-z]|$)"  # numbered paragraph
    r"|^\s*(?i:(?:begin\s+)?summary\b)"
    r"|^\s*(?i:subject\b|subj\b|tags?\b|e\.?\s?[o0]\.?\s*1\d{4})"
    r"|^\s*(?:SIPDIS|NOFORN|NOCONTRACT|ORCON|EXDIS|NODIS|LIMDIS|SENSITIVE)\s*$"
)
# a preamble (not a bare REF text): such lines never occur in a REF text. Searched in
# "\n" + text, so a line start is a literal newline (a fast scan), unlike ^ in MULTILINE
_PREAMBLE_LINE_TEXT_RE = re.compile(
    r"\n\s*(?i:e\.?\s?[o0]\.?\s*1\d{4}|tags?\s*:|subject\s*:|subj\s*:)|\n\s*SIPDIS\s*$", re.MULTILINE
)
_PARA_SIGN_RE = re.compile(r"\u00c2?\u00b6|\ufffd")
_TAIL_ONLY_RE = PAGE_BREAK_RE


_EIGHT_DIGITS_RE = re.compile(r"\d{8}")


def _sub_inline_page_breaks(text: str) -> str:
    """``INLINE_PAGE_BREAK_RE.sub(" ", text)``, run only where a match can be.

    The regex tries a lazy run at every capital letter; each of its forms holds "OF", "PAGE"
    or eight digits, which plain substring tests and a digit run rule out in most REF text.
    """
    if "OF" not in text and "PAGE" not in text and not _EIGHT_DIGITS_RE.search(text):
        return text
    return INLINE_PAGE_BREAK_RE.sub(" ", text)


def _strip_page_breaks(line: str) -> str:
    """The line without page-break text (3.6.2, also mid-line); "" when it was layout only."""
    if FOOTER_RE.match(line) or is_classification_line(line):
        return ""
    cleaned = _sub_inline_page_breaks(line)
    if not cleaned.strip() or _TAIL_ONLY_RE.match(cleaned):
        return ""
    return cleaned


def _continues_after_blank(line: str) -> bool:
    """After a blank line a block goes on only with a lettered item or an ORIGIN SERIAL item."""
    stripped = _PARA_SIGN_RE.sub(" ", line).strip()
    if _LINE_LABEL_RE.match(stripped):
        return True
    return _match_cable(stripped, 0, fuzzy=False) is not None


_LINE_LABEL_RE = re.compile(r"(?:\(?[A-Za-z][.):]|\([1-9]\d?\)|\[[A-Za-z]\]|REF\s+[A-Z](?:\s|[.):]))")


def _scan_block(text: str, start: int, *, first_is_label_line: bool = True) -> tuple[str, int]:
    """Raw lines of the block beginning at ``start``; returns (cleaned block, end offset)."""
    parts: list[str] = []
    size = 0
    pos = start
    n = len(text)
    first = True
    pending_blank = False
    after_layout = False
    while pos < n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        # never look further than the block can reach (a megabyte-long "line" of junk)
        line = text[pos : min(nl, pos + _BLOCK_LIMIT - size + 100)].rstrip("\r")
        if not first:
            if not line.strip():
                pending_blank = pending_blank or not after_layout
                pos = nl + 1
                continue
            if (
                _END_LINE_RE.match(line)
                or is_rule(line)
                or match_banner(line)
                or (pending_blank and not _continues_after_blank(line))
            ):
                break
        cleaned = _strip_page_breaks(line)
        if not cleaned and not first:
            after_layout, pending_blank = True, False
            pos = nl + 1
            continue
        after_layout = pending_blank = False
        end = _end_inline(cleaned)
        if end:
            parts.append(cleaned[: end.start()])
            pos = pos + max(0, line.find(end.group(0)))
            break
        parts.append(cleaned)
        size += len(cleaned)
        first = False
        pos = nl + 1
        if size > _BLOCK_LIMIT:
            break
    block = " ".join(parts)
    block = _sub_inline_page_breaks(_PARA_SIGN_RE.sub(" ", block))
    block = " ".join(block.split())
    return block[:_BLOCK_LIMIT].strip(), min(pos, n)


def _search_label(text: str, low: str | None, pos: int = 0) -> re.Match[str] | None:
    """``REF_LABEL_RE.search(text, pos)``, tried only on the lines that hold ``ref``.

    Every alternative of the label regex stays on one line and holds REF in some case (no
    other character matches r, e or f with IGNORECASE), so the first match is the first one
    on a line from the first ``ref`` on. ``low`` is ``text.lower()`` (None: let the regex scan).
    """
    if low is None:
        return REF_LABEL_RE.search(text, pos)
    while (q := low.find("ref", pos)) >= 0:
        start = max(pos, text.rfind("\n", 0, q) + 1)
        end = text.find("\n", q)
        if end < 0:
            end = len(text)
        m = REF_LABEL_RE.search(text, start, end)
        if m:
            return m
        pos = end
    return None


def _lowered(text: str) -> str | None:
    """``text.lower()`` when its positions line up with ``text`` (else None)."""
    low = text.lower()
    return low if len(low) == len(text) else None


def find_ref_blocks(text: str, low: str | None = None) -> list[str]:
    """The cleaned text of every REF block of a preamble, in order (3.10 "Where").

    ``low``: ``_lowered(text)`` when the caller has it already.
    """
    blocks: list[str] = []
    pos = 0
    if low is None:
        low = _lowered(text)
    while True:
        m = _search_label(text, low, pos)
        if not m:
            break
        pre = m.group("pre") or m.group("pre2")
        if pre:  # "A. REF PARIS 123": the item label belongs to the block
            start = m.start("pre") if m.group("pre") else m.start("pre2")
        else:
            start = m.end()
            while d := _DOUBLED_LABEL_RE.match(text, start):
                start = d.end()
        block, end = _scan_block(text, start)
        if block:
            blocks.append(block)
            if len(blocks) >= _MAX_BLOCKS:
                break
        pos = max(end, m.end())
    return blocks


# --- items -----------------------------------------------------------------------------------

_YEAR = r"(?:\d{4}|\d{3}|'?\d{2}|[Oo]\d|\(\d{2}\)|\(\d{4}\))"
_PREFIX_WORD = r"(?:REF(?:S|TELS?)?\b[:.]?|UNCLAS(?:SIFIED|S)?\b|CONFIDENTIAL\b|SECRET\b|\((?:C|U|S|SBU)\))"
_WORD = r"(?![Oo]\d)(?!AND\b)[A-Za-z](?:[A-Za-z'.\-]|0(?=[A-Za-z])){0,24}(?=[\s,;:#(]|\d|$)"
_SERIAL = r"[Oo]?\d[\dOo]{0,7}"
_FILLER = r"(?:,|CABLES?\b|TEL\b|NO\.|\#|\([A-Z]{1,2}(?:/[A-Z]{1,4})?\)|\(\d{2}\)|\(\d{4}\))"
_CABLE_RE = re.compile(
    rf"(?:{_PREFIX_WORD}\s*)*"
    rf"(?:(?P<year>{_YEAR})(?:\s*-\s*|\s*)(?=[A-Za-z]))?"
    rf"(?P<origin>{_WORD}(?:\s+{_WORD}){{0,3}})"
    rf"(?P<filler>(?:\s*{_FILLER})*)"
    rf"[\s\-]*(?P<serial>{_SERIAL})(?![\dA-Za-z])"
)
_FILLER_WORDS = frozenset({"CABLE", "CABLES", "TEL", "NO", "NO."})
_PAREN_YEAR_RE = re.compile(r"\((\d{2}|\d{4})\)")
_SERIAL_RE = re.compile(rf"{_SERIAL}(?![\dA-Za-z])")
_SUFFIX_RE = re.compile(
    r"-(?P<dash>\d{2})(?![\dA-Za-z/])"
    r"|/(?P<slash>\d{2})(?![\dA-Za-z/])"
    r"|\s+(?P<lone>\d{2})(?![\dA-Za-z/.])"
    r"|\s*(?P<paren>\((?:\d{2}|\d{4})\))"
)
_LIST_RE = re.compile(rf"\s*(?:(?:AND|&)\s+|[,/]\s*)(?=\d|[Oo]\d)(?P<serial>{_SERIAL})(?![\dA-Za-z])", re.I)
_AND_RE = re.compile(r"(?:AND\b|&)\s*", re.I)
_REFWORD_RE = re.compile(r"REF(?:S|TELS?)?\b[ \t]*[:.]?", re.I)
_EXPLICIT_LABEL_RE = re.compile(
    r"\((?P<p>[A-Za-z]|[1-9]\d?)\)"
    r"|\[(?P<b>[A-Za-z]|[1-9]\d?)\]"
    r"|(?P<l>[A-Za-z])(?:\.\)|[.):](?![A-Za-z]\.)|[ ]-(?=[ ]))"
)
_NOTE_UNIT_RE = re.compile(r'\([^()]{0,80}\)|"[^"]{0,150}"|[^\s;,:]+|[,:]')
_NOTE_START_RE = re.compile(r'\s*(?:$|[;,:(]|"|--|(?:AND\s+PREVIOUS|CIRCULAR|NOTAL)\b)', re.I)
_NEXT_WORD_RE = re.compile(r" +" + _WORD)
_OWN_ID_RE = re.compile(r"^(\d\d)([A-Z]+)(\d+)$")

_KIND_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("web", re.compile(r"https?:|www\.|\bwebsite\b|\bintelink\b|\bdiplopedia\b", re.I)),
    ("email", re.compile(r"\be-?mails?\b", re.I)),
    ("telcon", re.compile(r"\btele?cons?\b|\bphone\s+calls?\b|\btelephone\s+conversations?\b", re.I)),
    ("meeting", re.compile(r"\bmeetings?\b|\bmtgs?\b|\bmemcons?\b|\bconversations?\b", re.I)),
    ("memo", re.compile(r"\bmemo(?:randum|s)?\b|\bletters?\b|\bnotes?\b|\bnon-papers?\b", re.I)),
    ("book", re.compile(r"\bFAM\b|\bFAH\b|\bCFR\b|U\.S\.C\.|\bhandbook\b|\bmanual\b", re.I)),
    (
        "report",
        re.compile(r"\breports?\b|\bTD-\d|\bIIRs?\b|\bINCSR\b|\bsitreps?\b|\bOSC\s+\S*\d|\bdaily\b", re.I),
    ),
)


def _item_kind(text: str) -> str:
    """Kind of a non-cable item by keywords, first match in the spec's order."""
    for kind, pattern in _KIND_RULES:
        if pattern.search(text):
            return kind
    return "other"


_NOT_YEAR_DIGIT_RE = re.compile(r"[^0-9Oo]")


def _two_digits(raw: str) -> str:
    """A written year (``2007``, ``'08``, ``(99)``, ``O4``, ``094``) as two digits."""
    digits = _NOT_YEAR_DIGIT_RE.sub("", raw).replace("O", "0").replace("o", "0")
    return digits[-2:]


def _serial_value(raw: str) -> str | None:
    """Serial without leading zeros (letter O read as zero); None unless 1-7 digits."""
    digits = raw.replace("O", "0").replace("o", "0")
    if len(digits) > 7 and not digits.startswith("0"):
        return None  # eight digits are not a serial
    digits = digits.lstrip("0")
    return digits if 0 < len(digits) <= 7 else None


@lru_cache(maxsize=8192)
def _station_of(words: str, *, fuzzy: bool) -> tuple[str | None, bool]:
    """(station, fuzzy?) for the origin words, or (None, False) when they name no station."""
    tokens = words.split()
    while len(tokens) > 1 and tokens[-1].upper() in _FILLER_WORDS:
        tokens.pop()
    station = normalize_station(" ".join(tokens))
    if station and is_known_station(station):
        return station, False
    if fuzzy and len(tokens) <= 2 and len(station) >= 6:
        near = nearest_stations(station, 1)
        if len(near) == 1 and len(near[0]) >= 6:
            return near[0], True
    return None, False


@dataclass(frozen=True, slots=True)
class _Core:
    """A matched ``[YEAR] ORIGIN [filler] SERIAL`` with its resolution."""

    end: int
    station: str | None
    year: str | None
    serial: str | None
    fuzzy: bool


def _match_cable(s: str, pos: int, *, fuzzy: bool) -> _Core | None:
    """The cable item starting at ``pos`` (station resolved), or None."""
    m = _CABLE_RE.match(s, pos)
    if not m:
        return None
    core = _resolve(m, fuzzy=fuzzy)
    return core if core.station and core.serial else None


def _resolve(m: re.Match[str], *, fuzzy: bool) -> _Core:
    station, was_fuzzy = _station_of(m.group("origin"), fuzzy=fuzzy)
    year = _two_digits(m.group("year")) if m.group("year") else None
    if year is None and m.group("filler"):
        paren = _PAREN_YEAR_RE.search(m.group("filler"))
        if paren:
            year = _two_digits(paren.group(1))
    return _Core(m.end(), station, year, _serial_value(m.group("serial")), was_fuzzy)


@dataclass(slots=True)
class _Piece:
    """One reference under construction: a span of the block plus its resolution."""

    label: str | None
    start: int
    end: int
    kind: str
    station: str | None = None
    year: str | None = None
    serial: str | None = None


class _BlockParser:
    """Splits one cleaned block into references (3.10 "Items" to "Other items")."""

    def __init__(self, s: str, own: tuple[str, str] | None, warns: list[str]) -> None:
        self.s = s
        self.n = len(s)
        self.own = own  # (year, station) of the citing cable
        self.warns = warns
        self.pieces: list[_Piece] = []
        self.last_label: str | None = None
        self.prev: tuple[str, str] | None = None  # (station, year) of the previous cable item
        self._starts: dict[int, bool] = {}

    # -- helpers --------------------------------------------------------------------------

    def _ws(self, pos: int) -> int:
        s, n = self.s, self.n
        while pos < n and s[pos] == " ":
            pos += 1
        return pos

    def _expected(self) -> str:
        last = self.last_label
        if last and last.isalpha() and last < "Z":
            return chr(ord(last) + 1)
        return "A" if not last or last.isalpha() else str(int(last) + 1)

    def _label_at(self, pos: int) -> tuple[str, int] | None:
        """An explicit label at ``pos`` (at a word start): (LABEL, end)."""
        if pos > 0 and self.s[pos - 1] not in " ;,:":
            return None
        m = _EXPLICIT_LABEL_RE.match(self.s, pos)
        if not m:
            return None
        value = (m.group("p") or m.group("b") or m.group("l")).upper()
        return value, m.end()

    def _label_allowed_mid(self, value: str, *, cable: bool) -> bool:
        """A label met inside an item ends it only if it fits the block's sequence.

        After a cable item any later letter will do; inside free text (``JAMES A. BAKER``)
        only the current letter or the next two.
        """
        last = self.last_label
        if last is None:
            return value in ("A", "1")
        if value.isdigit() != last.isdigit():
            return False
        if value.isdigit():
            return int(last) <= int(value) <= int(last) + (20 if cable else 2)
        return ord(last) <= ord(value) <= ord(last) + (25 if cable else 2)

    def _boundary_label(self, pos: int, *, cable: bool = False) -> bool:
        """Does a new labelled item start at ``pos`` (inside another item)?"""
        s = self.s
        m = _REFWORD_RE.match(s, pos)
        if m and (pos == 0 or s[pos - 1] == " "):
            q = self._ws(m.end())
            if self._label_at(q) or (q < self.n and s[q].isupper() and s[q + 1 : q + 2] in (" ", "")):
                return True
        found = self._label_at(pos)
        if found and self._label_allowed_mid(found[0], cable=cable):
            return True
        # a bare letter: the next expected one, followed by a cable item
        if (
            pos + 1 < self.n
            and s[pos] == self._expected()
            and s[pos + 1] == " "
            and (pos == 0 or s[pos - 1] == " ")
        ):
            return self._cable_start(self._ws(pos + 1))
        return False

    def _read_labels(self, pos: int) -> tuple[str | None, int]:
        """Item-start labels, doubled ones (``A. A)``, ``A. REF A:``) counted once."""
        s = self.s
        label: str | None = None
        after_ref = False
        while True:
            q = self._ws(pos)
            if q >= self.n:
                return label, q
            m = _REFWORD_RE.match(s, q)
            if m:
                after_ref, pos = True, m.end()
                continue
            found = self._label_at(q)
            if found:
                value, end = found
                if label is None and (value.isalpha() or value == self._expected() or value == "1"):
                    label, pos = value, end
                    continue
                if label is not None and value == label:
                    pos = end
                    continue
                return label, q
            bare = s[q] if s[q].isupper() and s[q + 1 : q + 2] in (" ", "") else ""
            if bare and ((label is None and bare == self._expected()) or (after_ref and bare == label)):
                label, pos = bare, q + 1
                continue
            return label, q

    def _suffix_year(self, pos: int) -> tuple[str | None, int]:
        """A year written after a serial (``-91``, ``/08``, `` 99``, ``(08)``), or (None, pos)."""
        m = _SUFFIX_RE.match(self.s, pos)
        if not m:
            return None, pos
        if m.group("lone") or m.group("paren"):
            at = m.start("lone") if m.group("lone") else m.start("paren")
            if self._cable_start(at):
                return None, pos  # the next item's year prefix
            if m.group("lone"):
                rest = self._ws(m.end())
                if not (
                    rest >= self.n
                    or self.s[rest] in ";,:("
                    or _AND_RE.match(self.s, rest)
                    or self._label_at(rest)
                ):
                    return None, pos
        raw = m.group("dash") or m.group("slash") or m.group("lone") or m.group("paren")
        return _two_digits(raw), m.end()

    def _cable_start(self, pos: int) -> bool:
        """Does a cable item (known station) start at ``pos``? Memoised per block."""
        hit = self._starts.get(pos)
        if hit is None:
            hit = self._starts[pos] = _match_cable(self.s, pos, fuzzy=False) is not None
        return hit

    def _note_end(self, pos: int, *, cable: bool) -> int:
        """End of the trailing text of an item: the next separator, label or item."""
        s = self.s
        end = pos
        while True:
            q = self._ws(end)
            if q >= self.n or s[q] == ";":
                return end
            if s[q] in ",:":
                if (cable and s[q] == ",") or self._cable_start(self._ws(q + 1)):
                    return end
            else:
                and_m = _AND_RE.match(s, q)
                if and_m and self._cable_start(and_m.end()):
                    return end
                if self._boundary_label(q, cable=cable):
                    return end
                if cable and self._cable_start(q):
                    return end
            unit = _NOTE_UNIT_RE.match(s, q)
            end = unit.end() if unit else q + 1

    # -- items ----------------------------------------------------------------------------

    def run(self) -> list[_Piece]:
        pos = 0
        s = self.s
        while pos < self.n:
            while pos < self.n and s[pos] in " ;,:&":
                pos += 1
            if (m := _AND_RE.match(s, pos)) and m.end() < self.n:
                pos = m.end()
            if pos >= self.n:
                break
            label, pos = self._read_labels(pos)
            if label is not None:
                self.last_label = label
            pos = self._ws(pos)
            if pos >= self.n:
                break
            new = self._cable_item(label, pos) or self._serial_item(label, pos)
            if new is None:
                new = self._other_item(label, pos)
            pos = max(new, pos + 1)
        return self.pieces

    def _emit_cable(self, piece: _Piece) -> int:
        """Record a cable item and its list continuations; returns the position after its note."""
        label, station, year = piece.label, piece.station, piece.year
        self.pieces.append(piece)
        self.prev = (station, year)
        pos = piece.end
        while True:
            m = _LIST_RE.match(self.s, pos)
            if not m or len(m.group("serial")) < 3 or self._cable_start(m.start("serial")):
                break
            value = _serial_value(m.group("serial"))
            if value is None:
                break
            own_year, end = self._suffix_year(m.end())
            piece = _Piece(label, m.start("serial"), end, "cable", station, own_year or year, value)
            self.pieces.append(piece)
            pos = end
        piece.end = self._note_end(pos, cable=True)
        return piece.end

    def _cable_item(self, label: str | None, pos: int) -> int | None:
        m = _CABLE_RE.match(self.s, pos)
        if not m:
            return None
        core = _resolve(m, fuzzy=True)
        if not (core.station and core.serial):
            return None
        if core.fuzzy:
            self.warns.append(f"ref-fuzzy-origin: {m.group('origin')} -> {core.station}")
        suffix, end = self._suffix_year(core.end)
        year = core.year or suffix or (self.own[0] if self.own else None)
        if year is None:
            return None
        return self._emit_cable(_Piece(label, pos, end, "cable", core.station, year, core.serial))

    def _origin_after(self, pos: int) -> tuple[str, int] | None:
        """``870 Ulaanbaatar``: station words after the serial, up to an item boundary."""
        s = self.s
        ends: list[int] = []
        q = pos
        for _ in range(4):
            m = _NEXT_WORD_RE.match(s, q)
            if not m:
                break
            q = m.end()
            ends.append(q)
        for end in reversed(ends):
            station, _ = _station_of(s[pos:end], fuzzy=False)
            if station and _NOTE_START_RE.match(s, end) and (end >= self.n or s[end] != "("):
                return station, end
            if station and (self._ws(end) >= self.n or self._boundary_label(self._ws(end))):
                return station, end
        return None

    def _serial_item(self, label: str | None, pos: int) -> int | None:
        """An item that is only a serial (inherits) or a serial followed by its origin."""
        m = _SERIAL_RE.match(self.s, pos)
        if not m:
            return None
        serial = _serial_value(m.group(0))
        if serial is None:
            return None
        after = self._origin_after(m.end())
        if after:
            station, end = after
            year = self.own[0] if self.own else None
            if year is None:
                return None
            return self._emit_cable(_Piece(label, pos, end, "cable", station, year, serial))
        inherited = self.prev or ((self.own[1], self.own[0]) if self.own else None)
        if inherited is None:
            return None
        suffix, end = self._suffix_year(m.end())
        probe = end
        while (lm := _LIST_RE.match(self.s, probe)) and len(lm.group("serial")) >= 3:
            probe = lm.end()
        q = self._ws(probe)
        if not (_NOTE_START_RE.match(self.s, probe) or self._boundary_label(q) or self._cable_start(q)):
            return None
        station, year = inherited
        return self._emit_cable(_Piece(label, pos, end, "cable", station, suffix or year, serial))

    def _looks_unresolved(self, start: int, end: int) -> bool:
        """``USDEL 00007``: shaped like a cable item (serial, then nothing or a note) but no station."""
        m = _CABLE_RE.match(self.s, start)
        if not m or m.end() > end:
            return False
        rest = self._ws(m.end())
        return rest >= end or self.s[rest] == "("

    def _other_item(self, label: str | None, pos: int) -> int:
        end = self._note_end(pos, cable=False)
        text = self.s[pos:end]
        kind = _item_kind(text)
        if kind == "other" and self._looks_unresolved(pos, end):
            self.warns.append(f"ref-unresolved: {' '.join(text.split())}")
        self.pieces.append(_Piece(label, pos, end, kind))
        return end


# --- assembling --------------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    return " ".join(text.split()).rstrip(" ,;")


def _to_reference(piece: _Piece, s: str, warns: list[str]) -> Reference | None:
    text = _clean_text(s[piece.start : piece.end])
    if not text:
        return None
    if len(text) > _ITEM_LIMIT:
        warns.append(f"ref-block-suspect: item of {len(text)} characters")
        return Reference(piece.label, text[:_SUSPECT_KEEP].rstrip(), "other", None)
    if piece.kind == "cable":
        target = f"{piece.year}{piece.station}{piece.serial}"
        return Reference(piece.label, text, "cable", target)
    return Reference(piece.label, text, piece.kind, None)


def _own(cable_id: str) -> tuple[str, str] | None:
    m = _OWN_ID_RE.match(cable_id or "")
    return (m.group(1), m.group(2)) if m else None


def _is_preamble(text: str) -> bool:
    """A preamble without REF label (not a bare REF text): it has E.O., TAGS or SUBJECT lines."""
    if _PREAMBLE_LINE_TEXT_RE.search("\n" + text):
        return True
    first = next((line for line in text.splitlines() if line.strip()), "")
    return bool(match_banner(first))


def _bare_block(text: str) -> list[str]:
    block, _ = _scan_block(text, 0)
    return [block] if block else []


def parse_references(text: str, cable_id: str, *, warnings: list[str] | None = None) -> list[Reference]:
    """References of a preamble (all REF blocks) or of one bare REF text (3.10).

    ``cable_id`` is the citing cable's canonical id: it gives the year (and, for a bare
    serial, the station) of references without one, and its own id is never a reference.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    low = _lowered(text)
    if _search_label(text, low):
        blocks = find_ref_blocks(text, low)
    elif _is_preamble(text):
        blocks = []
    else:
        blocks = _bare_block(text)
    warns: list[str] = []
    own = _own(cable_id)
    out: list[Reference] = []
    seen: set[tuple[str, str]] = set()
    for block in blocks:
        for piece in _BlockParser(block, own, warns).run():
            ref = _to_reference(piece, block, warns)
            if ref is None:
                continue
            key = ("cable", ref.target) if ref.target else ("text", ref.text)
            if ref.target == cable_id or key in seen:
                continue
            seen.add(key)
            out.append(ref)
    if warnings is not None:
        warnings.extend(warns)
    return out
