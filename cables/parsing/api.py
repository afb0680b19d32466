"""Entry points: bytes, files and directories to parsed cables (spec 2.4)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .cable import build_cable
from .errors import ParseError
from .formats import (
    ByteLineDecoder,
    RawCable,
    decode_bytes,
    is_csv_record,
    read_records,
    repaired_warning,
)
from .model import ParsedCable

CABLE_SUFFIXES = frozenset({".txt", ".html", ".htm", ".xhtml", ".csv"})
_CSV_PEEK = 64 * 1024


def _build(item: RawCable | ParseError, repaired: int = 0) -> ParsedCable | ParseError:
    if isinstance(item, ParseError):
        return item
    if repaired:
        item.warnings.append(repaired_warning(repaired))
    try:
        return build_cable(item)
    except ParseError as exc:
        return exc


def iter_text(
    text: str, name: str, fmt: str | None = None, *, repaired: int = 0
) -> Iterator[ParsedCable | ParseError]:
    """Decoded text -> cables (or ParseError items); never raises ParseError."""
    try:
        for item in read_records(text, path=name, fmt=fmt):
            yield _build(item, repaired)
    except ParseError as exc:
        yield exc


def iter_bytes(data: bytes, name: str) -> Iterator[ParsedCable | ParseError]:
    """Raw bytes -> cables (or ParseError items); never raises ParseError."""
    try:
        text, repaired = decode_bytes(data, path=name)
    except ParseError as exc:
        yield exc
        return
    yield from iter_text(text, name, repaired=repaired)


def _looks_like_csv(path: Path) -> bool:
    """Peek at the start of a file: a dump record (1.2) without reading the whole file."""
    with path.open("rb") as handle:
        head = handle.read(_CSV_PEEK)
    return _head_is_csv(head)


def _head_is_csv(head: bytes) -> bool:
    """``_looks_like_csv`` of the first ``_CSV_PEEK`` bytes of a file."""
    stripped = head.lstrip()
    if not stripped.startswith(b'"') or b"<table class=" in head:
        return False
    # the first record may be longer than the peek: check its first three fields only
    import csv
    import io

    text = head.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text.lstrip()), delimiter=",", quotechar='"', escapechar="\\")
    try:
        fields = next(reader)
    except (csv.Error, StopIteration):
        return False
    if len(fields) < 3:
        return False
    return is_csv_record([*fields[:3], "", "", "", "", ""][:8])


def _iter_csv_file(path: Path) -> Iterator[ParsedCable | ParseError]:
    """Stream a ``cables.csv`` dump record by record (1.5)."""
    from .formats import iter_csv_chunks

    name = str(path)
    with path.open("rb") as handle:
        decoder = ByteLineDecoder(handle, path=name)
        for item in iter_csv_chunks(decoder.chunks(), path=name):
            repaired, nul, size = decoder.take()
            if isinstance(item, ParseError):
                yield item
                continue
            if nul:
                yield ParseError("undecodable (NUL bytes)", path=name, line=item.line)
                continue
            if size and repaired * 50 > size:
                yield ParseError(
                    f"undecodable ({repaired} of {size} bytes are not UTF-8)", path=name, line=item.line
                )
                continue
            yield _build(item, repaired)


def _read_up_to(fd: int, size: int) -> bytes:
    """``size`` bytes, or all up to the end: a raw read may return fewer than asked for."""
    data = os.read(fd, size)
    while len(data) < size and (more := os.read(fd, size - len(data))):
        data += more
    return data


def _read_rest(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _iter_file(path: Path) -> Iterator[ParsedCable | ParseError]:
    try:
        # one open for the peek and the text (a csv dump is streamed from a second open); a
        # bare descriptor: most files are read whole by the first read, without a file object
        # or a buffer's copy (a directory fails at the read, with the same error as at an open)
        fd = os.open(path, os.O_RDONLY)
        try:
            head = _read_up_to(fd, _CSV_PEEK)
            is_csv = _head_is_csv(head)
            # a file shorter than the peek is read already
            data = b"" if is_csv else head if len(head) < _CSV_PEEK else head + _read_rest(fd)
        finally:
            os.close(fd)
        if is_csv:
            yield from _iter_csv_file(path)
            return
    except OSError as exc:
        yield ParseError(f"unreadable ({exc.strerror or exc})", path=str(path), line=0)
        return
    yield from iter_bytes(data, str(path))


def _walk(root: Path) -> Iterator[Path]:
    """The cable files under ``root`` in the order of ``sorted(root.rglob("*"))``.

    That order compares the paths' parts: a depth-first walk taking each directory's entries
    sorted by name gives it without building and sorting a Path for every entry. Like that
    ``rglob``, it enters hidden directories but not symlinked ones, skips directories it cannot
    list, and an entry is a file when it is one or links to one.
    """
    try:
        with os.scandir(root) as listing:
            entries = sorted(listing, key=_entry_name)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        try:
            is_file = entry.is_file()
            is_dir = not is_file and entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if is_file:
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in CABLE_SUFFIXES:
                yield root / name
        elif is_dir:
            yield from _walk(root / name)


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def iter_path(path: str | Path) -> Iterator[ParsedCable | ParseError]:
    """A file, or a directory walked recursively in sorted order, as a stream of cables.

    A CSV dump yields one item per record. A bad input (or CSV record) is yielded as a
    ParseError and the stream goes on; this function never raises ParseError. In a directory,
    only files ending in .txt, .html, .htm, .xhtml or .csv are read.
    """
    root = Path(path)
    if root.is_dir():
        for file in _walk(root):
            yield from _iter_file(file)
    elif root.exists():
        yield from _iter_file(root)
    else:
        yield ParseError("no such file or directory", path=str(path), line=0)


def _collect(items: Iterator[ParsedCable | ParseError]) -> list[ParsedCable]:
    cables: list[ParsedCable] = []
    for item in items:
        if isinstance(item, ParseError):
            raise item
        cables.append(item)
    return cables


def parse_file(path: str | Path) -> list[ParsedCable]:
    """All cables of a file or directory; raises the first ParseError met."""
    return _collect(iter_path(path))


def parse_text(text: str, name: str = "<input>", fmt: str | None = None) -> list[ParsedCable]:
    """Cables of already decoded text (``fmt`` forces a layout); raises ParseError."""
    from .formats import normalize_text

    return _collect(iter_text(normalize_text(text), name, fmt))


def parse_bytes(data: bytes, name: str) -> list[dict[str, Any]]:
    """Bytes of one input -> JSON objects (spec 2.4); raises the first ParseError met."""
    return [cable.as_dict() for cable in _collect(iter_bytes(data, name))]


def parse_path(path: str | Path) -> list[dict[str, Any]]:
    """A file or directory -> JSON objects (spec 2.4); raises the first ParseError met."""
    return [cable.as_dict() for cable in parse_file(path)]
