"""Small shared text helpers: whitespace, layout lines (page breaks, footers, rules), banners.

Everything here is pure and line-oriented; the field modules build on it so that the
definition of "a page-break line" lives in one place (cable-format.md 3.6.2).
"""

from __future__ import annotations

import re

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

_WS_RE = re.compile(r"\s+")


def collapse_ws(text: str) -> str:
    """One-line field: internal whitespace collapsed, trimmed."""
    return _WS_RE.sub(" ", text).strip()


def tidy_multiline(text: str) -> str:
    """Multi-line field: trailing spaces removed per line, no leading/trailing blank lines."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


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


_DIGIT_RE = re.compile(r"\d")


def is_page_break(line: str) -> bool:
    # every page-break and footer form holds a digit: skip the two big regexes for prose lines
    if not _DIGIT_RE.search(line):
        return False
    return bool(PAGE_BREAK_RE.match(line)) or bool(FOOTER_RE.match(line))


def is_rule(line: str) -> bool:
    return bool(RULE_RE.match(line))


def is_classification_line(line: str) -> bool:
    return bool(CLASSIFICATION_LINE_RE.match(line))


def strip_layout_lines(text: str, *, keep_rules: bool = True, drop_sipdis: bool = True) -> str:
    """Remove page breaks, footers and noise lines (3.6.2) with the blank lines around them.

    A bare classification line right before or after a page break goes with it. Rule lines
    are kept by default because they delimit headings (3.12).
    """
    lines = text.split("\n")
    drop = [False] * len(lines)
    for i, line in enumerate(lines):
        if is_page_break(line):
            drop[i] = True
            for j in (i - 1, i + 1):
                # a classification word, possibly across one blank line
                k = j
                step = -1 if j < i else 1
                while 0 <= k < len(lines) and not lines[k].strip():
                    k += step
                if 0 <= k < len(lines) and abs(k - i) <= 2 and is_classification_line(lines[k]):
                    drop[k] = True
        elif (drop_sipdis and _NOISE_RE.match(line)) or (not keep_rules and is_rule(line)):
            drop[i] = True
    out: list[str] = []
    for i, line in enumerate(lines):
        if drop[i]:
            # blank lines directly around a removed line collapse into at most one
            while out and not out[-1].strip() and i > 0:
                out.pop()
                out.append("")
                break
            continue
        if not line.strip() and out and not out[-1].strip() and i > 0 and drop[i - 1]:
            continue
        out.append(line)
    return "\n".join(out)


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
