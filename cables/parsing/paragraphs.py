"""Body structure: preamble end, numbered paragraphs, summary, signer and trailer (3.12-3.14, 3.16).

Everything works on the body after layout lines are removed (3.6.2, ``text.strip_layout_lines``)
and is line-based: one pass over the lines, regexes anchored at the line start, long lines never
searched backwards (the signature checks only look at the last 200 characters of a line).
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, wraps
from itertools import compress
from operator import not_
from pathlib import Path

from .identifiers import KNOWN_STATIONS
from .model import Paragraph
from .text import (
    CAVEAT_WORDS,
    first_char,
    has_trailing_space,
    hint_bytes,
    is_marked_rstripped,
    is_page_break,
    is_rule,
    lines_holding,
    lines_matching,
    mark_rstripped,
    match_banner,
    split_lines,
    strip_layout_lines,
)

_MAX_NUMBER = 199  # N >= 200 is wrapped prose ("2004.", "1737."), never a paragraph (3.12)
_SIGN = "[\u00b6\ufffd]"  # ¶ and its broken form (3.15)

# --- numbered starts and portion markings (3.12) ----------------------------------------------

# "1. text", "¶12.  (C) text", "1.(SBU) text", "3." alone on its line.
_START_RE = re.compile(rf"^[ \t]*(?:{_SIGN}[ \t]*)?(?P<num>\d{{1,3}})\.(?=\s|\(|$)")
_MARK_FIRST = r"(?:TS|SBU|LOU|S|C|U)"
_MARK_BODY = rf"{_MARK_FIRST}(?:(?:[ \t]*/{{1,2}}[ \t]*|[ \t]+)[A-Z]{{1,8}}){{0,4}}"
# "(C)", "( C )", "(S//NF)", "(C NF)", "(S/REL NATO)"
_PAREN_MARK_RE = re.compile(rf"\([ \t]*(?P<mark>{_MARK_BODY})[ \t]*\)[ \t]*", re.IGNORECASE)
# unbalanced "C)", "SBU)", "S//NF)"
_OPEN_MARK_RE = re.compile(rf"(?P<mark>{_MARK_FIRST}(?:/{{1,2}}[A-Z]{{1,8}}){{0,3}})\)[ \t]*", re.IGNORECASE)
# "CONFIDENTIAL - ENTIRE TEXT." and "(C - ENTIRE TEXT)."
_WHOLE_WORD_RE = re.compile(
    r"(?P<word>CONFIDENTIAL|SECRET|UNCLASSIFIED|LIMITED\s+OFFICIAL\s+USE)[ \t]*[-\u2013\u2014:,]+[ \t]*"
    r"ENTIRE[ \t]+TEXT[ \t]*\.?[ \t]*",
    re.IGNORECASE,
)
_WHOLE_PAREN_RE = re.compile(
    r"\([ \t]*(?P<mark>TS|SBU|LOU|S|C|U)[ \t]*[-\u2013\u2014:,]+[ \t]*"
    r"ENTIRE[ \t]+TEXT[ \t]*\)[ \t]*\.?[ \t]*",
    re.IGNORECASE,
)
_WHOLE_WORDS = {"CONFIDENTIAL": "C", "SECRET": "S", "UNCLASSIFIED": "U", "LIMITED OFFICIAL USE": "LOU"}
# "Summary: (SBU) The ..." -> the marking follows a short label
_LABEL_MARK_RE = re.compile(
    rf"(?P<label>[A-Za-z][A-Za-z/]*(?:[ \t]+[A-Za-z/]+){{0,3}}[:.])[ \t]*"
    rf"\([ \t]*(?P<mark>{_MARK_BODY})[ \t]*\)[ \t]*",
    re.IGNORECASE,
)
_SPACES_RE = re.compile(r"[ \t]+")
_BLANK_RUN_RE = re.compile(r"\n(?:[ \t]*\n){2,}")
# every layout line of 3.6.2 holds three digits or starts with one of these words
_LAYOUT_HINT_RE = re.compile(
    r"\d{3}|^[ \t]*(?:PAGE[ \t]+\d|SIPDIS|NNNN|End[ \t]+Cable[ \t]+Text|BT|[.>])[ \t]*", re.M | re.I
)

# --- headings -----------------------------------------------------------------------------------

# "------- SUMMARY -------", "Summary =======", "--- Outlook"
_INLINE_HEADING_RE = re.compile(
    r"^[ \t]*(?:[-=_]{3,}[ \t]*)?(?P<text>[^-=_ \t][^\n]{0,78}?)[ \t]*[-=_]{3,}[ \t]*$"
)
_HEADING_MAX_CHARS = 80
_RULE_CHARS = frozenset("-=_")
_HEADING_MAX_WORDS = 12

# --- preamble elements (3.12 "after the last preamble element") -------------------------------

_PREAMBLE_LINE_RE = re.compile(
    r"^[ \t]*(?:"
    r"C[ \t]?O[ \t]?R[ \t]?R[ \t]?E[ \t]?C[ \t]?T[ \t]?E[ \t]?D"
    r"|E[.,]?[ \t]?[O0][.,]?[ \t]*(?:1\d|:)|EO\b"
    r"|(?:TAGS?|AGS|TAS|TABS|TGS|TAGES)\b"
    r"|U?BJECT\b|SUBJ(?:ECT)?\b"
    r"|(?:PROGRAM[ \t]+)?REF(?:S|\(S\)|TELS?|ERENCE)?\b"
    r"|CLASS?IF?I?E?D[ \t]+BY|CLASSIFICATION\b"
    r"|(?:DEPARTMENT|DEPT|STATE|PASS|PLEASE[ \t]+PASS|FOR|ATTN|INFO|SECTION|USEU|USUN|USNATO)\b"
    r"|SENSITIVE[ \t]+BUT[ \t]+UNCLASSIFIED|NOT[ \t]+FOR[ \t]+(?:INTERNET|DISTRIBUTION)"
    rf"|{_SIGN}?[ \t]*\(?[A-Z][.)][ \t]"
    r"|(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED[ \t]+OFFICIAL[ \t]+USE)\b"
    r"|[A-Z][ \t]O[ \t]|S[ \t]E[ \t]C|U[ \t]N[ \t]C"
    r")",
    re.IGNORECASE,
)
_CAVEAT_LINE_RE = re.compile(
    rf"^[ \t]*(?:(?:{'|'.join(CAVEAT_WORDS)})[ \t,/]*)+$",
    re.IGNORECASE,
)

# --- summary (3.13) -----------------------------------------------------------------------------

_LINE_PREFIX_RE = re.compile(
    rf"^[ \t]*(?:{_SIGN}[ \t]*)?\d{{1,3}}\.[ \t]*(?:\([ \t]*{_MARK_BODY}[ \t]*\)|{_MARK_FIRST}\))?[ \t]*",
    re.IGNORECASE,
)
_LEADING_MARK_RE = re.compile(rf"[ \t]*\([ \t]*(?P<mark>{_MARK_BODY})[ \t]*\)[ \t]*", re.IGNORECASE)
_SUMMARY_START_RE = re.compile(
    r"(?:BEGIN[ \t]+)?SUMM(?:ARY|AY)"
    r"(?:[ \t]+AND[ \t]+(?:COMMENTS?|ACTION[ \t]+REQUESTS?|TABLE[ \t]+OF[ \t]+CONTENTS|INTRODUCTION)"
    r"|/COMMENTS?)?"
    r"(?:[ \t]*[:.\-\u2013\u2014]+[ \t]*|[ \t]*$)",
    re.IGNORECASE,
)
_SUMMARY_AGAIN_RE = re.compile(r"SUMMARY[ \t]*:[ \t]*", re.IGNORECASE)
_SUMMARY_END_RE = re.compile(
    r"[ \t(]*\bEND\s+(?:OF\s+)?SUMMARY"
    r"(?:\s+AND\s+(?:COMMENTS?|ACTION\s+REQUESTS?|INTRODUCTION)|/COMMENTS?)?\s*[.:\-)]*",
    re.IGNORECASE,
)

# --- signer and trailer (3.14) ----------------------------------------------------------------

_SIGNATURE_WINDOW = 20
_TRAILER_RE = re.compile(
    r"^[ \t]*(?:"
    r"(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED[ \t]+OFFICIAL[ \t]+USE)"
    r"(?:[ \t]*//?[ \t]*[A-Z]+)*[ \t]*$"
    r"|NNNN|END[ \t]+CABLE[ \t]+TEXT|[.>][ \t]*$"
    r"|DECLASSIFIED/RELEASED|NOTE[ \t]+BY[ \t]+OC/T|NOTE:[ \t]*NOT[ \t]+PASSED"
    r"|[\"']?(?:PLEASE[ \t]+)?VISIT\b[^\n]{0,120}?CLASSIFIED[ \t]*WEB[ \t]*SITE"
    r"|\*{3,}|YOU[ \t]+CAN[ \t]+ALSO[ \t]+ACCESS[ \t]+THIS[ \t]+SITE"
    r")",
    re.IGNORECASE,
)
_TRAILER_URL_RE = re.compile(r"sgov\.gov|intelink|https?://|www\.", re.IGNORECASE)
# the wrapped rest of a URL: one token with a slash or a dot and no spaces ("gov.gov/wiki/Portal:Turkey"")
_URL_PIECE_RE = re.compile(r"^[ \t]*[\"']?[\w.:/#%~?=&\-]*[./][\w.:/#%~?=&\-]*[\"'.]?[ \t]*$")
_NAME_LINE_RE = re.compile(
    r"^[ \t]*(?P<name>[A-Za-z][A-Za-z'\-]*(?:[ \t]+[A-Za-z][A-Za-z'\-]*){0,2})[ \t]*(?:##|\.)?[ \t]*$"
)
_CLOSING_NAME_RE = re.compile(r"[A-Za-z]{2}[.!?][\"')]?[ \t]+(?P<name>[A-Z][A-Z'\-]*[A-Z])(?:##)?[ \t]*$")
_BOUNDARY_END = (".", "!", "?", '"', ")", ":", "\u201d")
_BOUNDARY_LINE_RE = re.compile(r"^[ \t]*(?:GP-\d+|UNQUOTE|REGARDS)\b", re.IGNORECASE)
_NOT_NAMES = frozenset(
    {
        "END",
        "TEXT",
        "END TEXT",
        "END COMMENT",
        "COMMENT",
        "COMMENTS",
        "END SUMMARY",
        "SUMMARY",
        "QUOTE",
        "END QUOTE",
        "UNQUOTE",
        "REGARDS",
        "BEST REGARDS",
        "THANKS",
        "THANK YOU",
        "MINIMIZE CONSIDERED",
        "BT",
        "NNNN",
        "ENDS",
        "END ACTION REQUEST",
        "ACTION REQUEST",
        "BACKGROUND",
        "CONCLUSION",
        "NOTE",
        "SIGNED",
        "UNCLASSIFIED",
        "UNCLAS",
        "CONFIDENTIAL",
        "SECRET",
        "LIMITED OFFICIAL USE",
        "NOFORN",
        "SIPDIS",
        "SBU",
        "CITY",
        "WASHINGTON",
        "WASHDC",
        "WASHINGTON DC",
        *CAVEAT_WORDS,
    }
)


@dataclass(frozen=True, slots=True)
class Signature:
    """The signature of a cable: signer as output, as written, the people, and trailer lines."""

    signer: str | None
    signer_raw: str | None
    signers: tuple[str, ...]
    trailer: tuple[str, ...]


# --- shared line helpers ------------------------------------------------------------------------


def _by_identity[T, R](func: Callable[[T], R]) -> Callable[[T], R]:
    """Remember the last few results of a one-argument function by the argument's identity.

    The functions below share their per-body work this way (one cable's body, lines and content
    lines are passed around as the same objects). Unlike ``lru_cache`` no key is hashed: a
    tuple of lines does not cache its hash, and hashing 130 lines costs about a microsecond.
    An entry keeps its argument alive, so its id is not reused while it is remembered.
    """
    memo: dict[int, tuple[T, R]] = {}

    @wraps(func)
    def wrapper(arg: T) -> R:
        hit = memo.get(id(arg))
        if hit is not None and hit[0] is arg:
            return hit[1]
        value = func(arg)
        if len(memo) >= 8:
            memo.clear()
        memo[id(arg)] = (arg, value)
        return value

    return wrapper


# found over the lines joined by "\n": the same lines as the per-line tests (see _Scan)
# searched in "\n" + text: a match starts at the "\n" before its line (a fast literal scan)
_START_TEXT_RE = re.compile(rf"\n[ \t]*(?:{_SIGN}[ \t]*)?\d{{1,3}}\.(?=\s|\(|\Z)")
# what can open ``_START_RE``: a space or tab, a paragraph sign, a digit (other decimal digits,
# which \d also matches, are not ASCII)
_START_FIRST = frozenset(" \t\u00b6\ufffd0123456789")
_RULE_HINT_RE = re.compile(r"[-=_]{3}")  # every rule line and every inline heading holds one
_SUMM_HINT_RE = re.compile(r"SUMM", re.IGNORECASE)  # every summary label holds one


@_by_identity
def _lines(body: str) -> tuple[str, ...]:
    """Body lines after layout removal (3.6.2), trailing spaces removed, blank runs cut to one line."""
    text = _strip_layout(body)
    if not has_trailing_space(text):
        return tuple(split_lines(text))
    return tuple(line.rstrip() for line in text.split("\n"))


class _Scan:
    """Which lines the per-line tests can match, found over the joined lines at C speed.

    ``starts``: line index -> (N, rest of line) of the lines matching ``_START_RE``, in line order
    (the regex runs only on lines whose first character can open it: the per-line test is
    cheaper than a regex scan stopping at every line start);
    ``rules``: lines holding three rule characters (a
    superset of rule lines and inline headings); ``headings``: those and the lines above them;
    ``summ``: lines holding ``SUMM`` in any case (a superset of summary labels and headings).
    """

    __slots__ = ("headings", "rules", "starts", "summ")

    def __init__(self, lines: Sequence[str]) -> None:
        text = "\n".join(lines)
        hints = hint_bytes(text)
        match = _START_RE.match
        self.starts = {
            i: (int(m.group("num")), line[m.end() :])
            for i, line in enumerate(lines)
            if ((first := line[:1]) in _START_FIRST or (first > "\x7f" and first.isdecimal()))
            and (m := match(line))
        }
        self.rules = frozenset(lines_holding(hints, b"---"))
        self.headings = self.rules | {i - 1 for i in self.rules}
        if "\u017f" in text:  # the long s matches S in IGNORECASE: let the regex decide
            self.summ = lines_matching(text, _SUMM_HINT_RE)
        else:
            self.summ = lines_holding(hints, b"summ")


@_by_identity
def _scan(lines: tuple[str, ...]) -> _Scan:
    return _Scan(lines)


# outputs of ``strip_layout`` (id -> the string itself, so the id stays taken): a small, bounded set
_STRIPPED: dict[int, str] = {}


def strip_layout(body: str) -> str:
    """``strip_layout_lines(body)``, remembered so the functions here do not strip it again.

    A second pass over the result, even after cutting blank runs, drops nothing: page breaks and
    noise lines are tested line by line and all went in the first pass; cutting blank runs only
    changes blank lines, and a classification line goes only next to a page break.
    """
    text = strip_layout_lines(body)
    if len(_STRIPPED) >= 8:
        _STRIPPED.clear()
    _STRIPPED[id(text)] = text
    # dropping lines and emptying blank ones adds no trailing space
    if text is not body and is_marked_rstripped(body):
        mark_rstripped(text)
    return text


def _strip_layout(text: str) -> str:
    """``strip_layout_lines`` after cutting blank runs, skipped when no line can be a layout line."""
    already = _STRIPPED.get(id(text)) is text
    clean = is_marked_rstripped(text)
    # a blank line of a text whose lines end in no white space is empty: a run is "\n\n\n"
    if not clean or "\n\n\n" in text:
        text = _BLANK_RUN_RE.sub("\n\n", text)
    if not already and _LAYOUT_HINT_RE.search(text):
        text = strip_layout_lines(text)
    # cutting blank runs and dropping lines adds no trailing space
    return mark_rstripped(text) if clean else text


def _is_blank_or_rule(line: str) -> bool:
    return not line.strip() or is_rule(line)


@lru_cache(maxsize=512)  # a start line is read by the preamble split, the starts and the builder
def _start_number(line: str) -> tuple[int, str] | None:
    """(N, rest of line) for a line that looks like a numbered start, else None."""
    m = _START_RE.match(line)
    if m is None:
        return None
    return int(m.group("num")), line[m.end() :]


def _norm_mark(mark: str) -> str:
    mark = mark.strip()
    if " " in mark or "\t" in mark:
        mark = _SPACES_RE.sub(" ", mark)
    return mark.upper()


def split_marking(rest: str) -> tuple[str | None, str]:
    """(marking, text) of what follows a paragraph number (3.12 "Marking")."""
    text = rest.lstrip()
    # the first two forms open with "(", the other three with a letter: try only those
    first = text[:1]
    if first == "(":
        # the usual "(C)" first: no text matches both (after the mark, "ENTIRE TEXT" needs a
        # dash, colon or comma, a plain marking a slash, a letter or the closing parenthesis)
        if m := _PAREN_MARK_RE.match(text):
            return _norm_mark(m.group("mark")), text[m.end() :]
        if m := _WHOLE_PAREN_RE.match(text):
            return m.group("mark").upper(), text[m.end() :]
        return None, text
    if not first.isalpha():
        return None, text
    if m := _WHOLE_WORD_RE.match(text):
        word = _SPACES_RE.sub(" ", m.group("word").upper())
        return _WHOLE_WORDS[word], text[m.end() :]
    if ")" not in text:  # the last two forms close a parenthesis (most text opens with neither)
        return None, text
    if m := _OPEN_MARK_RE.match(text):
        return _norm_mark(m.group("mark")), text[m.end() :]
    if m := _LABEL_MARK_RE.match(text):
        return _norm_mark(m.group("mark")), f"{m.group('label')} {text[m.end() :]}".rstrip()
    return None, text


def _has_marking(rest: str) -> bool:
    return split_marking(rest)[0] is not None


def _numbered_starts(lines: Sequence[str], end: int) -> dict[int, int]:
    """Line index -> paragraph number of every accepted numbered start before ``end`` (3.12)."""
    starts: dict[int, int] = {}
    previous = 0
    if isinstance(lines, tuple):
        candidates = _scan(lines).starts
    else:
        found_at = (
            (i, _start_number(lines[i])) for i in lines_matching("\n" + "\n".join(lines), _START_TEXT_RE)
        )
        candidates = {i: found for i, found in found_at if found is not None}
    for i, (number, rest) in candidates.items():
        if i >= end:
            break
        if number > _MAX_NUMBER:
            continue
        after_blank = i == 0 or _is_blank_or_rule(lines[i - 1])
        if number in (previous + 1, previous) or after_blank or _has_marking(rest):
            starts[i] = number
            previous = number
    return starts


@_by_identity
def _content_starts(lines: tuple[str, ...]) -> dict[int, int]:
    """``_numbered_starts`` of content lines, shared by paragraphs and summary (read-only)."""
    return _numbered_starts(lines, len(lines))


def _is_preamble_line(line: str) -> bool:
    return bool(_PREAMBLE_LINE_RE.match(line)) or bool(_CAVEAT_LINE_RE.match(line))


def _preamble_elements_end(lines: Sequence[str]) -> int:
    """Index after the last preamble block (leading blank-separated blocks opening with an element)."""
    end = 0
    i = 0
    n = len(lines)
    while i < n:
        while i < n and not lines[i].strip():
            i += 1
        if i >= n:
            break
        first = lines[i]
        if not (_is_preamble_line(first) or (len(first) <= 200 and match_banner(first))):
            break
        while i < n and lines[i].strip():
            i += 1
        end = i
    return end


def _area_start(lines: Sequence[str], starts: dict[int, int]) -> int:
    """First line of the paragraph area: the first numbered start or the end of the preamble elements."""
    pre_end = _preamble_elements_end(lines)
    first = min(starts, default=None)
    return pre_end if first is None else min(first, pre_end)


@_by_identity
def _content_begin(lines: tuple[str, ...]) -> int:
    """``_area_start`` of content lines, shared by paragraphs and summary."""
    return _area_start(lines, _content_starts(lines))


def _first_start_offset(body: str) -> int | None:
    """Where the line of the first accepted numbered start begins in ``body``, or None.

    The first key ``_numbered_starts`` would give for the rstripped lines. It reads only the
    candidate lines and the lines before them: the body is not split. The candidates are the
    same on the raw lines as on the rstripped ones (the lookahead after the number sees the
    trailing space instead of the newline); each line read is rstripped.
    """
    for m in _START_TEXT_RE.finditer("\n" + body):
        at = m.start()  # the newline before the line in "\n" + body: the line start in body
        end = body.find("\n", at)
        line = body[at:] if end < 0 else body[at:end]
        found = _start_number(line.rstrip())
        if found is None:
            continue
        number, rest = found
        if number > _MAX_NUMBER:
            continue
        if number <= 1 or at == 0:
            return at
        prev = body[body.rfind("\n", 0, at - 1) + 1 : at - 1]
        if _is_blank_or_rule(prev) or _has_marking(rest):
            return at
    return None


def split_preamble(body: str) -> tuple[str, str]:
    """(preamble, rest): the preamble ends at the first numbered paragraph, else after its last element."""
    at = _first_start_offset(body)
    if at is not None:
        return ("", body) if at == 0 else (body[: at - 1], body[at:])
    # no numbered start: after the last preamble element
    lines = body.split("\n")
    clean = [line.rstrip() for line in lines] if has_trailing_space(body) else lines
    cut = _preamble_elements_end(clean)
    if cut == 0:
        return "", body
    at = sum(map(len, lines[:cut])) + cut  # where line ``cut`` starts ("\n".join of the lines before)
    return body[: at - 1], body[at:]


# --- signature ------------------------------------------------------------------------------------


def _has_trailer_url(tail: str) -> bool:
    """``_TRAILER_URL_RE.search(tail)``; for ASCII text a substring test rules most lines out."""
    if tail.isascii():
        low = tail.lower()
        if "sgov.gov" not in low and "intelink" not in low and "http" not in low and "www." not in low:
            return False
    return _TRAILER_URL_RE.search(tail) is not None


# what a trailer line can open with (IGNORECASE: both cases, and the long s for S)
_TRAILER_FIRST = frozenset("UCSLNED.>\"'PV*Yucslnedpvyſ")


def _is_trailer(line: str) -> bool:
    tail = line[-300:]
    return (
        (first_char(line) in _TRAILER_FIRST and _TRAILER_RE.match(line) is not None)
        or is_page_break(line)
        or (len(line) <= 300 and _has_trailer_url(tail))
        or (
            len(line) <= 300
            # a URL piece is one token (no space inside) holding "." or "/"
            and ("." in tail or "/" in tail)
            and " " not in tail.strip(" \t")
            and bool(_URL_PIECE_RE.match(tail))
            and not _NAME_LINE_RE.match(line)
        )
    )


def _is_name(name: str) -> bool:
    """1-3 name words that are not a closing formula, a filler letter or a city."""
    words = name.split()
    upper = " ".join(words).upper()
    if upper in _NOT_NAMES or upper.replace(" ", "") in KNOWN_STATIONS:
        return False
    if not all(word[0].isupper() for word in words):
        return False
    return sum(ch.isalpha() for ch in name) >= 2 and not all(len(w) == 1 for w in words)


def _after_boundary(lines: Sequence[str], i: int, name: str) -> bool:
    """The line follows a blank line, a sentence end, a page break, ``GP-n``, ``UNQUOTE``, ``REGARDS``."""
    if i == 0:
        return True
    prev = lines[i - 1].rstrip()
    if not prev.strip() or is_page_break(prev) or _BOUNDARY_LINE_RE.match(prev):
        return True
    if prev.endswith(_BOUNDARY_END) or _is_trailer(prev):
        return True
    # a letter or address block in mixed case, closed by an all-caps name ("City" then "ARREAGA")
    return name.isupper() and any(ch.islower() for ch in prev[-200:]) and len(prev.split()) <= 3


@dataclass(frozen=True, slots=True)
class _Tail:
    cut: int  # index of the first line that belongs to signature or trailer
    last_line: str | None  # replacement for line ``cut - 1`` when the name closed the last sentence
    signature: Signature


def _signature_of(raw: str | None, trailer: list[str]) -> Signature:
    if raw is None:
        return Signature(None, None, (), tuple(reversed(trailer)))
    signer = _SPACES_RE.sub(" ", raw.replace("#", "").strip().rstrip(".").strip()).upper()
    return Signature(signer, raw.strip(), (signer,), tuple(reversed(trailer)))


@_by_identity
def _find_tail(lines: tuple[str, ...]) -> _Tail:
    """Signer and trailer among the last 20 non-blank lines (3.14)."""
    window: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        if lines[i]:  # the lines are rstripped (``_lines``): a blank one is empty
            window.append(i)
            if len(window) == _SIGNATURE_WINDOW:
                break
    trailer: list[str] = []
    cut = len(lines)
    k = 0
    while k < len(window) and _is_trailer(lines[window[k]]):
        trailer.append(lines[window[k]].strip())
        cut = window[k]
        k += 1
    if k == len(window):
        return _Tail(cut, None, _signature_of(None, trailer))
    i = window[k]
    line = lines[i]
    m = _NAME_LINE_RE.match(line) if len(line) <= 60 else None
    if m and _is_name(m.group("name")) and _after_boundary(lines, i, m.group("name")):
        raw = line.strip()
        cut = i
        k += 1
        while k < len(window) and _is_trailer(lines[window[k]]):
            trailer.append(lines[window[k]].strip())
            cut = window[k]
            k += 1
        return _Tail(cut, None, _signature_of(raw, trailer))
    tail = line[-200:]
    m = _CLOSING_NAME_RE.search(tail)
    if m and _is_name(m.group("name")) and len(m.group("name")) >= 3:
        head = line[: len(line) - len(tail) + m.start("name")].rstrip()
        raw = tail[m.start("name") :].strip()
        return _Tail(i + 1, head, _signature_of(raw, trailer))
    return _Tail(cut, None, _signature_of(None, trailer))


def split_signature(body: str) -> Signature:
    """Signer (3.14) and trailer lines of a body."""
    return _find_tail(_lines(body)).signature


def parse_signer(body: str) -> str | None:
    """The signer, upper case, or None (3.14)."""
    return split_signature(body).signer


@_by_identity
def _content_lines(body: str) -> tuple[str, ...]:
    """Body lines without layout lines, signature and trailer."""
    lines = _lines(body)
    tail = _find_tail(lines)
    if tail.last_line is not None and tail.cut:
        return (*lines[: tail.cut - 1], tail.last_line)
    return lines[: tail.cut]


# --- paragraphs ---------------------------------------------------------------------------------


def _heading_at(lines: Sequence[str], i: int, end: int) -> tuple[str, int] | None:
    """(heading text, next line index) when line ``i`` is a heading, else None."""
    line = lines[i]
    if len(line) > 200:
        return None
    if ("---" in line or "===" in line or "___" in line) and (m := _INLINE_HEADING_RE.match(line)):
        text = m.group("text").strip()
        if text and len(text.split()) <= _HEADING_MAX_WORDS:
            return text, i + 1
    following = lines[i + 1].lstrip()[:1] if i + 1 < end else ""
    if following in _RULE_CHARS and is_rule(lines[i + 1]) and not is_rule(line):
        text = line.strip()
        if text and len(text) <= _HEADING_MAX_CHARS and len(text.split()) <= _HEADING_MAX_WORDS:
            return text, i + 2
    return None


_BLANK_LINES_RE = re.compile(r"\n{3,}")


class _Builder:
    """Collects paragraph entries while walking the lines once."""

    def __init__(self) -> None:
        self.entries: list[Paragraph] = []
        self.number: int | None = None
        self.marking: str | None = None
        self.lines: list[str] | None = None

    def open(self, number: int | None, marking: str | None, first: str) -> None:
        self.flush()
        self.number, self.marking, self.lines = number, marking, [first.strip()]

    def flush(self) -> None:
        if self.lines is not None:
            # the builder holds rstripped lines only (content lines, a stripped first line, ""),
            # so the runs of empty lines are collapsed at C speed
            text = "\n".join(self.lines)
            if "\n\n\n" in text:  # the regex alone scans every character
                text = _BLANK_LINES_RE.sub("\n\n", text)
            text = text.strip("\n")
            if text or self.number is not None:
                self.entries.append(Paragraph(self.number, self.marking, text))
        self.lines = None

    def heading(self, text: str) -> None:
        self.flush()
        self.entries.append(Paragraph(None, None, text))


def _open_unnumbered(builder: _Builder, line: str) -> None:
    m = _LEADING_MARK_RE.match(line)
    if m:
        builder.open(None, _norm_mark(m.group("mark")), line[m.end() :])
    else:
        builder.open(None, None, line)


def _build(lines: tuple[str, ...], starts: dict[int, int], begin: int) -> list[Paragraph]:
    """Walk the lines from ``begin`` once; runs of plain lines are taken in one slice.

    A plain line (not a start, not empty, not a heading candidate, hence not a rule) opens an
    unnumbered block or continues the open one; only the other lines are looked at one by one.
    An empty line inside a numbered paragraph is a plain line too: empty lines are looked at
    only while no numbered paragraph is open (found by bisection, not visited one by one).
    """
    builder = _Builder()
    end = len(lines)
    scan = _scan(lines)
    headings, rules = scan.headings, scan.rules
    # content lines are rstripped: blank means empty (indices found at C speed)
    blanks = list(compress(range(end), map(not_, lines)))
    special = sorted({*starts, *headings})
    count = len(special)
    at = bisect_left(special, begin)
    i = begin
    while True:
        while at < count and special[at] < i:
            at += 1  # taken by a heading
        k = special[at] if at < count else end
        if builder.number is None or builder.lines is None:  # an empty line ends or skips
            b = bisect_left(blanks, i)
            if b < len(blanks) and blanks[b] < k:
                k = blanks[b]
        if k >= end:
            break
        if i < k:  # plain lines i .. k-1
            if builder.lines is None:
                _open_unnumbered(builder, lines[i])
                i += 1
            builder.lines.extend(lines[i:k])
        i = k
        line = lines[i]
        if i in starts:
            marking, text = split_marking(scan.starts[i][1])  # starts only holds scanned starts
            builder.open(starts[i], marking, text)
            i += 1
            continue
        blank = not line
        if not blank and i in headings and (heading := _heading_at(lines, i, end)) is not None:
            builder.heading(heading[0])
            i = heading[1]
            continue
        if blank or (i in rules and is_rule(line)):
            if builder.lines is not None:
                if builder.number is None:
                    builder.flush()
                else:
                    builder.lines.append("")
        elif builder.lines is None:
            _open_unnumbered(builder, line)
        else:
            builder.lines.append(line)
        i += 1
    if i < end:  # plain lines to the end
        if builder.lines is None:
            _open_unnumbered(builder, lines[i])
            i += 1
        builder.lines.extend(lines[i:end])
    builder.flush()
    return builder.entries


def parse_paragraphs(body: str, *, warnings: list[str] | None = None) -> list[Paragraph]:
    """Paragraph entries of a body (3.12): numbered, headings, unnumbered blocks; no signature."""
    lines = _content_lines(body)
    entries = _build(lines, _content_starts(lines), _content_begin(lines))
    if not entries and warnings is not None:
        warnings.append("no-paragraphs: the body has no paragraph text")
    return entries


# --- summary ---------------------------------------------------------------------------------------


def _summary_start(lines: Sequence[str], begin: int) -> tuple[int, int] | None:
    """(line, column) where the summary text starts, after its label or heading."""
    for i in _scan(lines).summ:  # the label or the heading text holds "SUMM"
        if i < begin:
            continue
        line = lines[i]
        if not line.strip() or len(line) > 2000:
            continue
        heading = _heading_at(lines, i, len(lines))
        if heading is not None and _SUMMARY_START_RE.fullmatch(heading[0].strip() + ":"):
            return heading[1], 0
        prefix = _LINE_PREFIX_RE.match(line)
        if prefix is None and i > begin and not _is_blank_or_rule(lines[i - 1]):
            continue  # a label opens a paragraph or a block, never a continuation line
        col = prefix.end() if prefix else len(line) - len(line.lstrip())
        if m := _LEADING_MARK_RE.match(line, col):
            col = m.end()
        if m := _SUMMARY_START_RE.match(line, col):
            col = m.end()
            if m2 := _LEADING_MARK_RE.match(line, col):
                col = m2.end()
            if m2 := _SUMMARY_AGAIN_RE.match(line, col):
                col = m2.end()
            return i, col
    return None


def _summary_lines_open(lines: Sequence[str], row: int, col: int) -> list[str]:
    """A summary with a start but no end: to the first blank line, rule line or heading."""
    out = [lines[row][col:]]
    for i in range(row + 1, len(lines)):
        line = lines[i]
        if not line.strip() and out[-1].strip():
            break
        if is_rule(line) or _heading_at(lines, i, len(lines)) is not None:
            break
        out.append(line)
    return out


def _clean_summary(lines: Sequence[str]) -> str | None:
    out: list[str] = []
    for line in lines:
        if not line.strip() or is_rule(line):
            continue
        # an inline heading ends in a rule character (then spaces or tabs)
        if line.rstrip(" \t")[-1:] in _RULE_CHARS and len(line) <= 200 and _INLINE_HEADING_RE.match(line):
            continue
        stripped = _LINE_PREFIX_RE.sub("", line, count=1) if _START_RE.match(line) else line
        stripped = stripped.rstrip()
        if stripped.strip():
            out.append(stripped)
    text = "\n".join(out).strip()
    return text or None


def _summary_end(text: str) -> re.Match[str] | None:
    """``_SUMMARY_END_RE.search(text)``, tried only where an ``END`` can be.

    The regex opens with ``[ \t(]*`` and scans slowly; every match has ``END`` right after
    that run, so the first match is the regex matched at the start of the run before the
    first ``END`` where it matches.
    """
    if "\u017f" in text:  # a long s: let the regex decide
        return _SUMMARY_END_RE.search(text)
    # the end marker is most often near the start: the hits in the lowered start are the
    # first hits of the whole text (lowering changed no length there, so offsets line up)
    if len(text) > _SUMMARY_END_HEAD:
        head = text[:_SUMMARY_END_HEAD].lower()
        if len(head) == _SUMMARY_END_HEAD and (m := _first_summary_end(text, head)):
            return m
    low = text.lower()
    if len(low) != len(text):  # positions would not line up
        return _SUMMARY_END_RE.search(text)
    return _first_summary_end(text, low)


_SUMMARY_END_HEAD = 3072


def _first_summary_end(text: str, low: str) -> re.Match[str] | None:
    """The first match at a hit in ``low``: ``text``, or its start, lowered (same offsets)."""
    if "summary" not in low:
        return None
    # only an "end" followed by "summary" can start a match: found in the lowered text by a
    # regex that opens with a literal (a fast scan)
    for hit in _END_SUMMARY_LOW_RE.finditer(low):
        start = hit.start()
        while start and text[start - 1] in " \t(":
            start -= 1
        if m := _SUMMARY_END_RE.match(text, start):
            return m
    return None


_END_SUMMARY_LOW_RE = re.compile(r"end\s+(?:of\s+)?summary")


def parse_summary(body: str) -> str | None:
    """The summary text (3.13), or None."""
    lines = _content_lines(body)
    starts = _content_starts(lines)
    start = _summary_start(lines, _content_begin(lines))
    if start is None:
        if not starts:
            return None
        # an end marker is required then, and it holds "summary": none when no line from the
        # first start on holds "summ" in any case (the scan's superset, see _Scan)
        if _scan(lines).summ[-1:] < [min(starts)]:
            return None
        start = (min(starts), 0)
        found = _start_number(lines[start[0]])
        assert found is not None  # noqa: S101
        _marking, text = split_marking(found[1])
        start = (start[0], len(lines[start[0]]) - len(text))
        require_end = True
    else:
        require_end = False
    row, col = start
    # one string from the start; line breaks kept so the end marker may span lines
    first = lines[row][col:] if row < len(lines) else ""
    rest = "\n".join([first, *lines[row + 1 :]])
    m = _summary_end(rest)
    if m is None:
        if require_end:
            return None
        return _clean_summary(_summary_lines_open(lines, row, col)) if row < len(lines) else None
    # an end marker far away (after a heading) belongs to another part: stop at the heading
    chunk = rest[: m.start()]
    chunk_lines = chunk.split("\n")
    for j in range(1, len(chunk_lines)):
        if _heading_at(chunk_lines, j, len(chunk_lines)) is not None and not _START_RE.match(chunk_lines[j]):
            if require_end:
                return None
            chunk_lines = chunk_lines[:j]
            break
    return _clean_summary(chunk_lines)


# --- helpers (3.16) --------------------------------------------------------------------------------

_CLEAN_PREFIX_RE = re.compile(
    rf"^(?P<indent>[ \t]*)(?:{_SIGN}[ \t]*)?\d{{1,3}}\."
    rf"(?:[ \t]*(?:\([ \t]*{_MARK_BODY}[ \t]*\)|{_MARK_FIRST}\)))?[ \t]*",
    re.IGNORECASE,
)
_CLEAN_LABEL_RE = re.compile(
    r"\b(?:(?i:end|begin)[ \t]+)?(?:S(?i:ummary)|C(?i:omment))"
    r"(?:[ \t]+(?i:and)[ \t]+(?i:comments?|action[ \t]+requests?|introduction|outlook|summary))?"
    r"[ \t]*[.:][ \t]*"
)
_XX_RE = re.compile(r"(?<=[A-WYZa-wyz])[xX]{2,}\b")


def clean_content(text: str) -> str:
    """Search text (3.16): no paragraph numbers, markings, rules, page breaks, SIPDIS or summary labels.

    Line by line: a rule becomes empty; a numbered start loses its number and marking; summary
    and comment labels and "xx" redaction tails go; a blank line after a blank line goes. None of
    these steps crosses a line end, so each is one regex over the whole text, not a Python step
    per line: the line-start ones open with a literal newline (which the regex engine finds at C
    speed; the first line is tried on its own), the others run only on the lines that hold
    their key word.
    """
    text = "\n" + _strip_layout(text)  # every line starts after a newline
    text = _CLEAN_RULE_LINE_RE.sub("\n", text)
    text = _CLEAN_START_PREFIX_RE.sub("\n", text)
    upper = text.upper() if text.isascii() else text.casefold().upper()
    text = _sub_in_lines(_CLEAN_LABEL_RE, text, upper, ("SUMMARY", "COMMENT"))
    upper = text.upper() if text.isascii() else text.casefold().upper()
    text = _sub_in_lines(_XX_RE, text, upper, ("XX",))
    return _CLEAN_BLANK_RUN_RE.sub("\n\\1", text)[1:]


def _sub_in_lines(pattern: re.Pattern[str], text: str, upper: str, words: tuple[str, ...]) -> str:
    """``pattern.sub("", text)`` for a pattern that never crosses a line end and only matches on
    lines holding one of ``words`` (upper case) in ``upper``: run only on those lines."""
    if len(upper) != len(text):  # case folding changed the length: no offsets to share
        return pattern.sub("", text)
    spans: list[tuple[int, int]] = []
    for word in words:
        at = upper.find(word)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            spans.append((start, end))
            at = upper.find(word, end)
    if not spans:
        return text
    out = []
    done = 0
    for start, end in sorted(set(spans)):
        out.append(text[done:start])
        out.append(pattern.sub("", text[start:end]))
        done = end
    out.append(text[done:])
    return "".join(out)


# RULE_RE per line (its \s may not cross a line end), a numbered start (_START_RE) stripped by
# _CLEAN_PREFIX_RE, a run of blank lines (white space only) kept as its first line; each led by
# the newline before the line.
_CLEAN_RULE_LINE_RE = re.compile(r"\n[^\S\n]*[-=_]{3,}(?:[^\S\n]+[-=_]+)*[^\S\n]*$", re.MULTILINE)
_CLEAN_START_PREFIX_RE = re.compile(
    rf"\n(?={_START_RE.pattern.removeprefix('^')}){_CLEAN_PREFIX_RE.pattern.removeprefix('^')}",
    re.MULTILINE | re.IGNORECASE,
)
_CLEAN_BLANK_RUN_RE = re.compile(r"\n([^\S\n]*)(?:\n[^\S\n]*)+$", re.MULTILINE)


_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "in",
        "of",
        "on",
        "or",
        "the",
        "to",
        "vs",
        "via",
        "with",
    ]
)
_TEAM_ACRONYMS = frozenset(
    [
        "US",
        "USG",
        "UN",
        "EU",
        "UK",
        "UAE",
        "USA",
        "NATO",
        "IAEA",
        "OSCE",
        "DPRK",
        "PRC",
        "ROK",
        "GOI",
        "GOT",
        "GOJ",
        "GOE",
        "GOP",
        "GOK",
        "GOA",
        "GON",
        "GOL",
        "GOU",
        "USUN",
        "USEU",
        "UNVIE",
        "USNATO",
        "USOSCE",
        "AIT",
        "UNESCO",
        "OECD",
        "APEC",
        "ASEAN",
        "OPEC",
        "WTO",
        "IMF",
        "UNHCR",
        "UNSC",
        "UNSCR",
        "UNGA",
        "NGO",
        "NGOS",
        "CODEL",
        "STAFFDEL",
        "PM",
        "FM",
        "DCM",
        "POL",
        "ECON",
        "MFA",
        "MOD",
        "MOI",
        "ISAF",
        "FARC",
        "HAMAS",
        "FATAH",
        "AKP",
        "CHP",
        "PKK",
        "SADC",
        "AU",
        "OAS",
        "ICC",
        "ICTY",
        "EUR",
        "NEA",
        "SCA",
        "EAP",
        "WHA",
        "AF",
        "ISN",
        "INR",
        "DHS",
        "DOD",
        "DOE",
        "DOJ",
        "FBI",
        "CIA",
        "NSC",
        "A/S",
        "U/S",
    ]
)
_VOWELS = frozenset("AEIOUY")
_WORD_RE = re.compile(r"\S+")
_PIECE_RE = re.compile(r"([A-Za-z0-9.&]+)")
_ORDINAL_RE = re.compile(r"^(\d+)(ST|ND|RD|TH)$", re.IGNORECASE)
_INITIALS_RE = re.compile(r"^(?:[A-Z]\.)+[A-Z]?\.?$")
_REDACTION_RE = re.compile(r"^[Xx]{3,}$")


@cache
def _tag_acronyms() -> frozenset[str]:
    """Non-geographic tag codes of 3+ letters (PREL, KNNP, NATO) from the TAGS glossary."""
    path = Path(__file__).resolve().parent / "data" / "tags.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(
            row["code"].upper()
            for row in csv.DictReader(handle)
            if row["kind"] != "geo" and len(row["code"]) >= 3 and row["code"].isalpha()
        )


def _is_acronym(word: str) -> bool:
    upper = word.upper()
    if upper in _TEAM_ACRONYMS or upper in _tag_acronyms():
        return True
    letters = [ch for ch in upper if ch.isalpha()]
    return bool(letters) and not any(ch in _VOWELS for ch in letters)


def _title_piece(piece: str, small_ok: bool) -> str:
    """Title case for one apostrophe-free piece of a word."""
    if not piece or not any(ch.isalpha() for ch in piece):
        return piece
    if any(ch.islower() for ch in piece) or _REDACTION_RE.match(piece) or _INITIALS_RE.match(piece):
        return piece
    if m := _ORDINAL_RE.match(piece):
        return m.group(1) + m.group(2).lower()
    if small_ok and piece.lower() in _SMALL_WORDS:
        return piece.lower()
    if _is_acronym(piece):
        return piece
    return piece[0].upper() + piece[1:].lower()


def _title_word(word: str, small_ok: bool) -> str:
    """Title case for one whitespace-separated word: hyphen/slash parts, apostrophe suffixes."""
    parts = re.split(r"([-/])", word)
    out: list[str] = []
    for j, part in enumerate(parts):
        if part in ("-", "/"):
            out.append(part)
            continue
        head, sep, suffix = part.partition("'")
        pieces = _PIECE_RE.split(head)
        titled = "".join(_title_piece(p, small_ok and j == 0) if k % 2 else p for k, p in enumerate(pieces))
        if sep:
            suffix = suffix if any(ch.islower() for ch in suffix) else suffix.lower()
        out.append(titled + sep + suffix)
    return "".join(out)


def titlefy(subject: str) -> str:
    """Title case for display (3.16): small words lower, acronyms and mixed-case words kept."""
    words = _WORD_RE.findall(subject)
    out: list[str] = []
    for j, word in enumerate(words):
        prev = words[j - 1] if j else ""
        first = j == 0 or prev.endswith(":") or prev in ("-", "--", "\u2013", "\u2014")
        out.append(_title_word(word, small_ok=not first))
    return " ".join(out)
