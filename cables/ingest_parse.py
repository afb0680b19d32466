"""The parsing half of ingest, which may run in worker processes: pure Python, no Django.

``cables.ingest`` splits a ``cables.csv`` dump into raw records here (C-speed ``csv`` over the
bytes), hashes each record's bytes to skip unchanged ones *before* parsing, and maps the rest
through :func:`csv_records_parse` (in a ``ProcessPoolExecutor`` when there are several cores).
Nothing in this module imports Django, so a spawned worker only imports the parser and
``cables.analysis`` (which computes the search lexemes of each cable beside its parse).

A record parsed here gives exactly what the streaming parser (``cables.parsing.iter_path``) gives
for it: the same JSON, the same ``path:line`` source, the same errors with the same lines.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import json
import operator
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

csv.field_size_limit(sys.maxsize)

# The dump's dialect (cable-format.md 1.5): no header, 8 fields.
CSV_DIALECT = {"delimiter": ",", "quotechar": '"', "escapechar": "\\", "strict": True}
CSV_FIELDS = 8
_LINE_END_RE = re.compile(r"\r\n?")


@dataclass(slots=True)
class RawRecord:
    """One record of a dump as it is in the file: its first line, its bytes, its identifier field."""

    line: int
    data: bytes
    identifier: str
    raw_hash: str


def content_hash(data: dict[str, Any]) -> str:
    """sha256 of the parser's JSON for one cable (key order and spacing fixed)."""
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def parser_fingerprint() -> bytes:
    """A digest of the parser's own source: part of every raw hash, so that a changed parser
    re-parses everything once (its JSON may differ) instead of trusting hashes it did not make."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent / "parsing"
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()


def raw_hash(data: bytes) -> str:
    return hashlib.sha256(parser_fingerprint() + data).hexdigest()


def csv_raw_records(handle: BinaryIO, *, name: str) -> Iterator[RawRecord | tuple[str, int, str]]:
    """Split a dump into raw records without decoding or parsing them.

    ``csv`` runs over the lines decoded as Latin-1 (a bijection on bytes: quotes, commas,
    backslashes and line ends are ASCII, which UTF-8 never uses inside a multi-byte character),
    so the record boundaries, line numbers and structural errors are those of the parser's own
    reader (``cables.parsing.formats.iter_csv_lines``: same dialect, CR and CRLF as line ends).
    A record csv refuses, or one without 8 fields, is ``(name, line, message)`` with the parser's
    message.

    Without a CR in the file, every step per line runs in C: csv reads one copy of the lines,
    ``itertools.tee`` keeps the other, and a record's bytes are the lines it took
    (``reader.line_num``). A file with CRs takes the slower exact path below.
    """
    if handle.seekable() and not _has_cr(handle):
        yield from _csv_raw_records_fast(handle, name=name)
        return
    pending: list[bytes] = []

    def lines() -> Iterator[str]:
        first = True
        for raw in handle:
            if first:
                first = False
                if raw.startswith(codecs.BOM_UTF8):
                    raw = raw[3:]
            pending.append(raw)
            text = raw.decode("latin-1")
            if "\r" in text:  # the parser's decoder ends a line at a lone CR too
                yield from _LINE_END_RE.sub("\n", text).splitlines(keepends=True)
            else:
                yield text

    reader = csv.reader(lines(), **CSV_DIALECT)
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            pending.clear()
            yield (name, start, f"not a cable (CSV record: {exc})")
            continue
        data = b"".join(pending)
        pending.clear()
        if (item := _raw_record(fields, data, name=name, line=start)) is not None:
            yield item


def _raw_record(
    fields: list[str], data: bytes, *, name: str, line: int
) -> RawRecord | tuple[str, int, str] | None:
    """A record csv split off: None for a blank line, an error for a wrong field count (the
    parser's message), else the record with its identifier field and raw hash."""
    if not fields or (len(fields) == 1 and not fields[0].strip()):
        return None
    if len(fields) != CSV_FIELDS:
        return (name, line, f"not a cable (CSV record has {len(fields)} fields, expected {CSV_FIELDS})")
    identifier = fields[2].strip().encode("latin-1").decode("utf-8", errors="replace")
    return RawRecord(line=line, data=data, identifier=identifier, raw_hash=raw_hash(data))


def _has_cr(handle: BinaryIO) -> bool:
    """Whether the rest of the file holds a CR (then restore the position)."""
    start = handle.tell()
    try:
        while block := handle.read(1 << 22):
            if b"\r" in block:
                return True
        return False
    finally:
        handle.seek(start)


def _csv_raw_records_fast(handle: BinaryIO, *, name: str) -> Iterator[RawRecord | tuple[str, int, str]]:
    start_position = handle.tell()
    if handle.read(3) != codecs.BOM_UTF8:
        handle.seek(start_position)
    for_csv, for_bytes = itertools.tee(handle)
    reader = csv.reader(map(_LATIN1, for_csv), **CSV_DIALECT)
    taken = 0  # lines taken by the reader so far
    join = b"".join
    while True:
        start = taken + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            consumed, taken = reader.line_num - taken, reader.line_num
            for _ in itertools.islice(for_bytes, consumed):
                pass
            yield (name, start, f"not a cable (CSV record: {exc})")
            continue
        consumed, taken = reader.line_num - taken, reader.line_num
        data = join(itertools.islice(for_bytes, consumed))
        if (item := _raw_record(fields, data, name=name, line=start)) is not None:
            yield item


_LATIN1 = operator.methodcaller("decode", "latin-1")

ParsedItem = tuple[str, dict[str, Any], str, Any] | tuple[str, int, str]


def csv_records_parse(name: str, records: list[tuple[int, bytes]]) -> list[list[ParsedItem]]:
    """Parse raw records of the dump ``name``: per record, a list of ``(source, json, content
    hash, search text)`` for its cable or ``(source, line, message)`` for an error (what
    iter_path yields). The search text is the cable's index entry but for the curated meta
    (``cables.analysis.cable_text``), so that the process writing to the database does not
    analyse the text for the search index."""
    from cables.analysis import cable_text
    from cables.parsing.api import iter_text
    from cables.parsing.errors import ParseError
    from cables.parsing.formats import decode_bytes

    out: list[list[ParsedItem]] = []
    for line, data in records:
        items: list[ParsedItem] = []
        try:
            text, repaired = decode_bytes(data, path=name, line=1)
            parsed = list(iter_text(text, name, "csv", repaired=repaired))
        except ParseError as error:
            parsed = [error]
        for item in parsed:
            if isinstance(item, ParseError):
                # lines inside the record count from 1: shift them to the line in the dump
                shifted = item.line + line - 1 if item.line > 0 else line
                items.append((str(item.path), shifted, item.message))
            else:
                data_dict = item.as_dict()
                text = cable_text(data_dict.get("subject") or "", data_dict.get("body") or "")
                items.append((f"{name}:{line}", data_dict, content_hash(data_dict), text))
        out.append(items)
    return out
