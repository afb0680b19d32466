"""Versions of a cable and a readable, paragraph-level diff between two of them.

Pure helpers (no queries): ``paragraphs_diff`` compares two paragraph lists with ``difflib`` and
``inline_diff`` marks the words that changed inside a paragraph. Cable text is untrusted: every
piece is escaped by ``format_html`` before ``<ins>``/``<del>`` are put around it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Word diffs inside a paragraph beyond this many tokens show the old and new paragraph whole.
INLINE_DIFF_MAX_TOKENS = 4000
_TOKEN_RE = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class DiffRow:
    """One paragraph of a diff: ``kind`` is equal, inserted, deleted or changed."""

    kind: str
    html: SafeString


def paragraph_line(paragraph: dict[str, Any]) -> str:
    """A paragraph as one comparable line: ``3. (C) text``."""
    number = paragraph.get("number")
    marking = paragraph.get("marking") or ""
    prefix = f"{number}. " if number is not None else ""
    if marking:
        prefix += f"({marking}) "
    return prefix + (paragraph.get("text") or "")


def _join(parts: list[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def inline_diff(old: str, new: str) -> SafeString:
    """``new`` with the words of ``old`` that went in ``<del>`` and the new ones in ``<ins>``."""
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    if len(a) + len(b) > INLINE_DIFF_MAX_TOKENS:
        return format_html("<del>{}</del> <ins>{}</ins>", old, new)
    parts: list[SafeString] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(format_html("{}", "".join(a[i1:i2])))
            continue
        if tag in {"delete", "replace"}:
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if tag in {"insert", "replace"}:
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return _join(parts)


def paragraphs_diff(old: Sequence[str], new: Sequence[str]) -> list[DiffRow]:
    """Paragraph-level diff of two lists of paragraph lines; changed pairs get a word diff."""
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(DiffRow("equal", format_html("{}", line)) for line in old[i1:i2])
            continue
        removed, added = list(old[i1:i2]), list(new[j1:j2])
        if tag == "replace":
            pairs = min(len(removed), len(added))
            rows.extend(DiffRow("changed", inline_diff(a, b)) for a, b in zip(removed, added, strict=False))
            removed, added = removed[pairs:], added[pairs:]
        rows.extend(DiffRow("deleted", format_html("<del>{}</del>", line)) for line in removed)
        rows.extend(DiffRow("inserted", format_html("<ins>{}</ins>", line)) for line in added)
    return rows


def diff_summary(rows: Sequence[DiffRow]) -> dict[str, int]:
    """How many paragraphs are equal, changed, inserted, deleted."""
    summary = {"equal": 0, "changed": 0, "inserted": 0, "deleted": 0}
    for row in rows:
        summary[row.kind] += 1
    return summary
