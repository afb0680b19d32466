"""Classification, banner and caveats (cable-format.md 3.3)."""

from __future__ import annotations

import re

from .model import CLASSIFICATIONS
from .text import CAVEAT_WORDS, banner_word, match_banner

FOUO = "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
_SLASHES_RE = re.compile(r"\s*/+\s*")
_FOUO_WORDS = frozenset(
    {"FOUO", "SBU", "SENSITIVE BUT UNCLASSIFIED", "LIMITED OFFICIAL USE", "FOR OFFICIAL USE ONLY"}
)
_LEVELS = {
    "UNCLAS": "UNCLASSIFIED",
    "UNCLASSIFIED": "UNCLASSIFIED",
    "CONFIDENTIAL": "CONFIDENTIAL",
    "SECRET": "SECRET",
    "TOP SECRET": "SECRET",
}


def normalize_classification(value: str | None, *, warnings: list[str] | None = None) -> str | None:
    """The metadata value normalised to one of the six values, or None when it fits none.

    Any change adds ``classification-normalised``; the caller warns ``classification-unknown``
    (and falls back to the derived value) when this returns None for a non-empty value.
    """
    if value is None or not value.strip():
        return None
    original = " ".join(value.split())
    text = original.upper()
    parts = [p.strip() for p in _SLASHES_RE.split(text) if p.strip()]
    if not parts:
        return None
    level = parts[0]
    rest = parts[1:]
    if level in _FOUO_WORDS:
        result = FOUO if not rest else None
    elif level in _LEVELS:
        level = _LEVELS[level]
        if not rest:
            result = level
        elif rest == ["NOFORN"] and level in ("CONFIDENTIAL", "SECRET"):
            result = f"{level}//NOFORN"
        elif level == "UNCLASSIFIED" and len(rest) == 1 and rest[0] in _FOUO_WORDS:
            result = FOUO
        else:
            result = None
    else:
        result = None
    if result is not None and result != original and warnings is not None:
        warnings.append(f"classification-normalised: {original} -> {result}")
    return result


# --- banner ----------------------------------------------------------------------------------


def find_banner(body: str) -> str | None:
    """The banner: the first non-blank body line when it has the trailing station and serial."""
    # the first non-blank line, found without splitting the whole body
    pos, n = 0, len(body)
    while pos <= n:
        end = body.find("\n", pos)
        if end < 0:
            end = n
        line = body[pos:end]
        if line.strip():
            return " ".join(line.split()) if match_banner(line) else None
        pos = end + 1
    return None


def banner_level(banner: str | None) -> str | None:
    """UNCLASSIFIED, CONFIDENTIAL, SECRET or LIMITED OFFICIAL USE from the banner."""
    if not banner:
        return None
    match = match_banner(banner)
    return banner_word(match) if match else None


# --- caveats ---------------------------------------------------------------------------------

_CAVEAT_WORDS = frozenset(CAVEAT_WORDS)
_CAVEAT_TOKENS = _CAVEAT_WORDS | {"SBU"}
_LEVEL_PREFIX_RE = re.compile(r"^(?:UNCLASSIFIED|CONFIDENTIAL|SECRET)\s*/{1,2}\s*(?=\S)")
_SBU_RE = re.compile(r"SENSITIVE\s+BUT\s+UNCLASSIFIED")
_TOKEN_SPLIT_RE = re.compile(r"[\s,/]+")
_REL_RE = re.compile(r"\bREL\b\s*(?:TO\s+)?\S.*$")
# what the first token of a caveat line can be before the level prefix is removed
_FIRST_WORDS = _CAVEAT_TOKENS | {"UNCLASSIFIED", "CONFIDENTIAL", "SECRET", ""}


def caveats_of_line(line: str) -> list[str] | None:
    """The caveats of a line made only of caveat words, else None."""
    # the first word decides most lines: it must be a caveat, a level word before "/" or empty
    # (the text opens with a separator), unless a REL clause may cut it. Read from the raw
    # line it is the same word, or "" when the line opens with separators only.
    words = line.split(None, 1)
    if not words:
        return None
    head = words[0]
    if "," in head:
        head = head.split(",", 1)[0]
    if "/" in head:
        head = head.split("/", 1)[0]
    head = head.strip(".;:").upper()
    if head not in _FIRST_WORDS and "REL" not in head:
        return None
    text = " ".join(line.upper().split()).strip(" .;:")
    if not text:
        return None
    text = _LEVEL_PREFIX_RE.sub("", text)
    rel = None
    match = _REL_RE.search(text)
    if match:
        rel = match.group(0).strip(" .;:")
        text = text[: match.start()]
    text = _SBU_RE.sub("SBU", text)
    tokens = [t for t in _TOKEN_SPLIT_RE.split(text) if t]
    out: list[str] = []
    for token in tokens:
        token = token.strip(".;:")
        if token in _CAVEAT_TOKENS:
            out.append(token)
        else:
            return None
    if rel:
        out.append(" ".join(rel.split()))
    return out or None


def collect_caveats(preamble: str, classification: str | None = None) -> list[str]:
    """Caveats of the preamble lines (first occurrence order), NOFORN added for //NOFORN."""
    seen: list[str] = []
    lines = preamble.split("\n")
    for i, line in enumerate(lines):
        if i == 0 and match_banner(line):
            continue
        found = caveats_of_line(line)
        if found:
            for caveat in found:
                if caveat not in seen:
                    seen.append(caveat)
    if classification and classification.endswith("//NOFORN") and "NOFORN" not in seen:
        seen.append("NOFORN")
    return seen


def derive_classification(banner: str | None, caveats: list[str]) -> str | None:
    """Classification from the banner word and the caveats (3.3, derived)."""
    level = banner_level(banner)
    if level is None:
        return None
    if level == "LIMITED OFFICIAL USE":
        return FOUO
    if level in ("CONFIDENTIAL", "SECRET"):
        return f"{level}//NOFORN" if "NOFORN" in caveats else level
    if level == "UNCLASSIFIED":
        if any(c in caveats for c in ("SENSITIVE", "SBU", "FOR OFFICIAL USE ONLY")):
            return FOUO
        return "UNCLASSIFIED"
    return None


def classify(
    metadata: str | None, banner: str | None, caveats: list[str], *, warnings: list[str] | None = None
) -> tuple[str, str | None]:
    """(classification, derived value) with the warnings of 3.3."""
    local: list[str] = []
    derived = derive_classification(banner, caveats)
    value = normalize_classification(metadata, warnings=local)
    if value is None:
        if metadata and metadata.strip():
            local.append(f"classification-unknown: {' '.join(metadata.split())}")
        else:
            local.append(
                f"classification-derived: from banner {banner!r}"
                if derived
                else "classification-derived: no banner, assumed UNCLASSIFIED"
            )
        value = derived or "UNCLASSIFIED"
    if warnings is not None:
        warnings.extend(local)
    assert value in CLASSIFICATIONS  # noqa: S101 - internal invariant
    return value, derived
