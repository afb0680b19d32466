"""Small shared text helpers: whitespace, layout lines (page breaks, footers, rules), banners.

Everything here is pure and line-oriented; the field modules build on it so that the
definition of "a page-break line" lives in one place (cable-format.md 3.6.2).
"""

from __future__ import annotations

import re
from functools import lru_cache

PARAGRAPH_SIGNS = "\u00b6\ufffd"  # ¶ and the replacement character it decays into (3.15)

CLASSIFICATION_WORDS = (
    "UNCLASSIFIED",
    "UNCLAS",
    "CONFIDENTIAL",
    "SECRET",
    "LIMITED OFFICIAL USE",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
)

CAVEAT_WORDS = (
    "SIPDIS",
    "NOFORN",
    "NOCONTRACT",
    "ORCON",
    "PROPIN",
    "EXDIS",
    "NODIS",
    "LIMDIS",
    "STADIS",
    "ROGER",
    "CHEROKEE",
    "TERREP",
    "SENSITIVE",
)


def collapse_ws(text: str) -> str:
    """One-line field: internal whitespace collapsed, trimmed.

    The same as ``re.sub(r"\\s+", " ", text).strip()``: str.split and \\s agree on whitespace.
    """
    return " ".join(text.split())


def tidy_multiline(text: str) -> str:
    """Multi-line field: trailing spaces removed per line, no leading/trailing blank lines."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


_NEWLINE_THEN_SPACE_RE = re.compile(r"\n[^\S\n]")


# ASCII whitespace other than " ", "\t" and "\n" (what ``str.isspace`` also counts)
_OTHER_ASCII_SPACE = "\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _only_blank_tab_space(text: str) -> bool:
    """Whether the only whitespace in ``text`` is " ", "\t" and "\n" (a few C-speed scans)."""
    if not text.isascii():
        return False
    return all(ch not in text for ch in _OTHER_ASCII_SPACE)


# texts known to have no line ending in whitespace (id -> the text itself, so the id stays
# taken): outputs of ``mark_rstripped``, a small bounded set
_RSTRIPPED: dict[int, str] = {}


def mark_rstripped(text: str) -> str:
    """Remember that no line of ``text`` ends in whitespace (the caller made it so); returns it."""
    if len(_RSTRIPPED) >= 16:
        _RSTRIPPED.clear()
    _RSTRIPPED[id(text)] = text
    return text


# texts whose line split is known (id -> (text, text.split("\n"))): a small bounded set
_LINES: dict[int, tuple[str, list[str]]] = {}


def remember_lines(text: str, lines: list[str]) -> str:
    """Remember ``lines`` as ``text.split("\n")`` (the caller joined them); returns ``text``."""
    if not lines:  # "".join([]) is "", whose split is [""]
        return text
    if len(_LINES) >= 16:
        _LINES.clear()
    _LINES[id(text)] = (text, lines)
    return text


def split_lines(text: str) -> list[str]:
    """``text.split("\n")``, remembered for texts built from lines here. Do not change the list."""
    hit = _LINES.get(id(text))
    if hit is not None and hit[0] is text:
        return hit[1]
    return text.split("\n")


def is_marked_rstripped(text: str) -> bool:
    """Whether ``text`` was passed to ``mark_rstripped`` (recently: the set is bounded)."""
    return _RSTRIPPED.get(id(text)) is text


def has_trailing_space(text: str) -> bool:
    """Whether a line of ``text`` ends in whitespace (what ``str.rstrip`` would remove).

    Text marked by ``mark_rstripped`` has none; plain ASCII text (the usual case) needs only
    ``" \n" in text`` and ``"\t\n" in text``; other text is searched reversed, where the pattern
    starts with a literal newline (copying a non-ASCII text reversed costs about 10 us for 8 kB).
    """
    if _RSTRIPPED.get(id(text)) is text:
        return False
    if text[-1:].isspace() and text[-1:] != "\n":
        return True
    if " \n" in text or "\t\n" in text:
        return True
    if _only_blank_tab_space(text):
        return False
    return _NEWLINE_THEN_SPACE_RE.search(text[::-1]) is not None


def first_char(line: str) -> str:
    """The first character after leading whitespace ("" for a blank line).

    A regex anchored as ``^\\s*X`` can match only when this is one of the characters X
    matches (``str.lstrip`` and ``\\s`` strip the same characters): a cheap first test.
    """
    return line.lstrip()[:1]


def may_open_number(first: str) -> bool:
    """Whether ``first`` (see ``first_char``) can open ``^\\s*[¶\ufffd]?\\s*\\d``."""
    return first.isdecimal() or first in _NUMBER_SIGNS


_NUMBER_SIGNS = frozenset(PARAGRAPH_SIGNS)


# --- layout lines (3.6.2) ------------------------------------------------------------------

# "PARIS 00001254  002 OF 004", "TRIPOLI 00000402 001.2 OF 003", "UNVIE VIEN 00000285  001.2 OF 036"
_PAGE_BREAK_BODY = r"[A-Z][A-Z.'\- ]{0,30}?\s*\d{5,8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}"
# "PAGE 02  ROME 01196  01 OF 02  082030Z", "PAGE 04  HANOI  02605 300858Z"
_PAGE_HEADER_BODY = r"PAGE\s+\d{1,3}\s+[A-Z][A-Z .'\-]*?\s*\d{1,8}\b[^\n]*"
# the second half of a split page break: "001.2 OF 003"
_PAGE_TAIL_BODY = r"\d{3}(?:\.\d)?\s+OF\s+\d{3}"
# the first half of a split page break: "TRIPOLI 00000402"
_PAGE_HEAD_BODY = r"[A-Z][A-Z.'\- ]{0,30}?\s+\d{8}"

PAGE_BREAK_RE = re.compile(
    rf"^\s*(?:{_PAGE_BREAK_BODY}|{_PAGE_HEADER_BODY}|{_PAGE_TAIL_BODY}|{_PAGE_HEAD_BODY})\s*$"
)
# The same patterns where they occur mid-line (inside REF and TAGS text).
INLINE_PAGE_BREAK_RE = re.compile(
    rf"(?:{_PAGE_BREAK_BODY}|PAGE\s+\d{{1,3}}\s+[A-Z][A-Z .'\-]*?\s*\d{{1,8}}(?:\s+\d{{2}}\s+OF\s+\d{{2}})?"
    rf"(?:\s+\d{{6}}Z)?|[A-Z][A-Z.'\-]{{1,30}}\s+\d{{8}}(?:\s+{_PAGE_TAIL_BODY})?)"
)
# "2003PARIS01234 - Classification: SECRET", "2004CARACA01540 - UNCLASSIFIED"
FOOTER_RE = re.compile(r"^\s*\d{4}[A-Z]{2,}\d{3,}\s+-\s+(?:Classification:\s*)?[A-Za-z/ ]+\s*$")
RULE_RE = re.compile(r"^\s*[-=_]{3,}(?:\s+[-=_]+)*\s*$")  # no nested quantifiers: linear time
CLASSIFICATION_LINE_RE = re.compile(
    r"^\s*(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\s*$", re.IGNORECASE
)
_NOISE_RE = re.compile(r"^\s*(?:SIPDIS|NNNN|End Cable Text|BT|\.|>)\s*$", re.IGNORECASE)


def is_page_break(line: str) -> bool:
    # whole-line forms: a page break ends in a digit or opens with PAGE, a footer opens with
    # four digits (around them only \s, which str.strip removes): skip the regexes otherwise
    text = line.strip()
    # and each regex runs only where its own form can be: PAGE_BREAK_RE's forms end in a digit
    # or open with PAGE, FOOTER_RE opens with four digits
    return ((text[-1:].isdecimal() or text.startswith("PAGE")) and PAGE_BREAK_RE.match(line) is not None) or (
        text[:4].isdecimal() and FOOTER_RE.match(line) is not None
    )


_RULE_CHARS = frozenset("-=_")


def is_rule(line: str) -> bool:
    # a rule's first non-space character is a rule character (str.lstrip and \s agree)
    return line.lstrip()[:1] in _RULE_CHARS and RULE_RE.match(line) is not None


# what the words above open with in IGNORECASE (the long s matches S)
_CLASSIFICATION_FIRST = frozenset("UuCcSs\u017fLl")


def is_classification_line(line: str) -> bool:
    return first_char(line) in _CLASSIFICATION_FIRST and CLASSIFICATION_LINE_RE.match(line) is not None


# --- candidate lines -----------------------------------------------------------------------
#
# The per-line regexes cost about a microsecond a line. Most lines can be ruled out at C speed
# on a translated copy of the UTF-8 bytes: ASCII digits and every non-ASCII byte become "0"
# (so a run of three \d characters always shows as "000"), "-=_" become "-", s/u/m in any
# case become lower case, P A G E stay, "\n" stays, everything else becomes a space. A line
# holding "000", "PAGE", "---" or "summ" there is a candidate; the real test then runs on it.


def _hint_table() -> bytes:
    table = bytearray(b" " * 256)
    for byte in range(0x80, 0x100):
        table[byte] = ord("0")
    for ch in "0123456789":
        table[ord(ch)] = ord("0")
    for ch in "-=_":
        table[ord(ch)] = ord("-")
    for ch in "sumSUM":
        table[ord(ch)] = ord(ch.lower())
    for ch in "PAGE\n":
        table[ord(ch)] = ord(ch)
    return bytes(table)


_HINT_TABLE = _hint_table()


def hint_bytes(text: str) -> bytes:
    """The translated copy of ``text`` that :func:`lines_holding` searches."""
    return text.encode("utf-8", "surrogatepass").translate(_HINT_TABLE)


def lines_holding(hints: bytes, needle: bytes) -> list[int]:
    """Indices (0-based, ascending) of the lines whose translated text holds ``needle``."""
    out: list[int] = []
    pos = at = line = 0
    while (found := hints.find(needle, pos)) >= 0:
        line += hints.count(b"\n", at, found)
        at = found
        out.append(line)
        end = hints.find(b"\n", found)
        if end < 0:
            break
        pos = end + 1
    return out


def lines_matching(text: str, regex: re.Pattern[str]) -> list[int]:
    """Indices of the lines of ``text`` where ``regex`` finds something, each line once."""
    out: list[int] = []
    at = line = 0
    for m in regex.finditer(text):
        line += text.count("\n", at, m.start())
        at = m.start()
        if not out or out[-1] != line:
            out.append(line)
    return out


def _any_case(word: str) -> str:
    """``word`` as a pattern matching what IGNORECASE matches, without the flag (a faster scan).

    Besides the two ASCII cases, IGNORECASE lets the long s match S and the dotted and dotless
    i match I; no other character matches an ASCII letter.
    """
    extra = {"S": "\u017f", "I": "\u0130\u0131"}
    return "".join(
        f"[{ch.upper()}{ch.lower()}{extra.get(ch.upper(), '')}]" if ch.isalpha() else ch for ch in word
    )


# A noise line, matched over the whole text: "\n" first (a fast literal scan), and [^\S\n] is
# ``\s`` within one line. Search it in "\n" + text: the match starts on the line before.
_NOISE_TEXT_RE = re.compile(
    rf"\n[^\S\n]*(?:{_any_case('SIPDIS')}|{_any_case('NNNN')}|{_any_case('End Cable Text')}"
    rf"|{_any_case('BT')}|\.|>)[^\S\n]*(?=\n|\Z)"
)


def _candidate_lines(text: str, hints: bytes, *, keep_rules: bool, drop_sipdis: bool) -> list[int]:
    """Sorted indices of the lines that may be layout lines: a superset of the per-line tests.

    Every page break and footer holds three digits in a row or ``PAGE``; every rule holds three
    rule characters; noise lines are found exactly.
    """
    found = lines_holding(hints, b"000") + lines_holding(hints, b"PAGE")
    if drop_sipdis:
        found += lines_matching("\n" + text, _NOISE_TEXT_RE)
    if not keep_rules:
        found += lines_holding(hints, b"---")
    return sorted(set(found))


def _holds_page_break(data: bytes, hints: bytes) -> bool:
    """Whether a line of the text is a page break or footer (``data`` is its UTF-8, ``hints``
    the translated copy): the test of ``strip_layout_lines`` on its candidate lines, each cut
    from ``data`` without splitting the text."""
    for needle in (b"000", b"PAGE"):
        pos = 0
        while (found := hints.find(needle, pos)) >= 0:
            start = hints.rfind(b"\n", 0, found) + 1
            end = hints.find(b"\n", found)
            if end < 0:
                end = len(hints)
            # "OF" and "-" are in the line exactly when their bytes are in its UTF-8
            marked = hints.find(b"PAGE", start, end) >= 0 or hints.find(b"00000000", start, end) >= 0
            if (marked or data.find(b"OF", start, end) >= 0 or data.find(b"-", start, end) >= 0) and (
                is_page_break(data[start:end].decode("utf-8", "surrogatepass"))
            ):
                return True
            pos = end + 1
    return False


def strip_layout_lines(text: str, *, keep_rules: bool = True, drop_sipdis: bool = True) -> str:
    """Remove page breaks, footers and noise lines (3.6.2) with the blank lines around them.

    A bare classification line right before or after a page break goes with it. Rule lines
    are kept by default because they delimit headings (3.12).
    """
    data = text.encode("utf-8", "surrogatepass")
    hints = data.translate(_HINT_TABLE)
    # most texts lose no line: with rules kept and no noise line (found exactly), only a page
    # break can go; look for one on the candidate lines before splitting the text
    noise = drop_sipdis and _NOISE_TEXT_RE.search("\n" + text) is not None
    if keep_rules and not noise and not _holds_page_break(data, hints):
        return text
    # the noise lines are candidates only when the search found one (else there is none)
    candidates = _candidate_lines(text, hints, keep_rules=keep_rules, drop_sipdis=noise)
    if not candidates:
        return text  # nothing dropped: the text is returned as it is
    lines = split_lines(text)
    n = len(lines)
    drop: set[int] = set()
    for i in candidates:
        line = lines[i]
        if is_page_break(line):
            drop.add(i)
            for j in (i - 1, i + 1):
                # a classification word, possibly across one blank line
                k = j
                step = -1 if j < i else 1
                while 0 <= k < n and not lines[k].strip():
                    k += step
                if 0 <= k < n and abs(k - i) <= 2 and is_classification_line(lines[k]):
                    drop.add(k)
        elif (drop_sipdis and _NOISE_RE.match(line)) or (not keep_rules and is_rule(line)):
            drop.add(i)
    if not drop:
        return text
    out: list[str] = []
    pos = 0
    for d in sorted(drop):
        if pos < d:
            # a blank line right after a removed line goes when the output already ends blank
            if pos > 0 and not lines[pos].strip() and out and not out[-1].strip():
                pos += 1
            out.extend(lines[pos:d])
        # blank lines directly around a removed line collapse into at most one
        if d > 0 and out and not out[-1].strip():
            out[-1] = ""
        pos = d + 1
    if pos < n:
        if pos > 0 and not lines[pos].strip() and out and not out[-1].strip():
            pos += 1
        out.extend(lines[pos:])
    return remember_lines("\n".join(out), out)


# --- banners (3.3) -----------------------------------------------------------------------------


def _spaced(word: str) -> str:
    """A classification word, possibly letter-spaced and doubled at the start by damage."""
    first, rest = word[0], word[1:]
    return f"{first}?" + r"\s?".join([first, *rest])


_BANNER_WORD = (
    rf"(?:{_spaced('UNCLASSIFIED')}|{_spaced('UNCLAS')}|{_spaced('CONFIDENTIAL')}|{_spaced('SECRET')}"
    r"|LIMITED\s+OFFICIAL\s+USE)"
)
BANNER_RE = re.compile(
    rf"^\s*(?P<word>{_BANNER_WORD})\b(?P<rest>.*?)"
    r"(?:\s+SECTION\s+\d{1,2}\s+OF\s+\d{1,2})?\s+(?P<station>[A-Z][A-Z.' \-]*?)\s+(?P<serial>\d{1,7})\s*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=64)  # the first body line is read by the banner, caveat and preamble steps
def match_banner(line: str) -> re.Match[str] | None:
    """The banner regex match for ``line``, or None: needs the trailing station and serial."""
    return BANNER_RE.match(line)


def banner_word(match: re.Match[str]) -> str:
    """Normalised classification word of a banner match: UNCLASSIFIED, CONFIDENTIAL, ..."""
    word = re.sub(r"\s+", "", match.group("word")).upper()
    for canonical in ("UNCLASSIFIED", "UNCLAS", "CONFIDENTIAL", "SECRET"):
        if word.endswith(canonical) or word == canonical[0] + canonical:
            return "UNCLASSIFIED" if canonical == "UNCLAS" else canonical
    if word.startswith("LIMITEDOFFICIALUSE"):
        return "LIMITED OFFICIAL USE"
    return word
