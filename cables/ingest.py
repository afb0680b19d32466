"""The one write path for cables: stream sources, write in batches, resolve references, report.

``cables_ingest(*, sources=[...])`` reads files, directories, ``cables.csv`` dumps and ``.zip``
archives through the parser (``cables.parsing.iter_path``), and writes the cables in batches of
``batch_size``, one transaction per batch:

* one query fetches the identifiers of the batch that are already loaded, with their content
  hashes; unchanged cables are skipped without a write;
* new cables are inserted with ``bulk_create``, their children (paragraphs, references,
  recipients, tags) likewise; changed cables are updated in place (their primary key, and so the
  links of the cables citing them, survive) and their children are replaced;
* references are resolved both ways, set-based: references of the batch are linked to loaded
  cables before they are inserted, and earlier references that cite a cable of the batch are
  linked by one ``UPDATE``. When no cable has the cited canonical id, the partner station of
  BRUSSELS/USEUBRUSSELS and RPODUBAI/IRANRPODUBAI is tried (same year and serial).

**Same identifier, several renditions.** An identifier is one cable. The corpus holds many cables
twice (a text file and a cablegate HTML page); their parser JSON differs (``format``, ``released``,
layout), so their content hashes differ. A cable remembers the hash of the last rendition loaded
*per format* (``Cable.content_hashes``); a record is unchanged when its format's hash is already
there, otherwise it replaces the cable's content (the later rendition wins) and its hash is
recorded. Loading text then HTML gives 1 created + 1 updated; loading the same files again gives
2 unchanged and writes nothing, whatever the order. A revised file of the same format is an update.

A bad file or record is reported in ``IngestReport.failed`` as ``(source, line, message)`` and
skipped; everything else is committed. A database error inside a batch rolls the batch back and
the batch is retried record by record, so one bad record cannot take its neighbours with it.
Nothing is ever half loaded: a cable and its children are written in the same transaction.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import json
import multiprocessing
import os
import re
import stat
import tempfile
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, models, router, transaction
from django.utils import timezone
from django.utils.text import slugify

from cables.analysis import CableText, cable_text
from cables.ingest_parse import RawRecord, content_hash, csv_raw_records, csv_records_parse
from cables.models import (
    Cable,
    CableTag,
    CableVersion,
    Classification,
    IngestError,
    IngestRun,
    Origin,
    Paragraph,
    Recipient,
    RecipientKind,
    Reference,
    ReferenceKind,
    Tag,
    TagKind,
)
from cables.page_cache import collection_version_bump
from cables.parsing.api import CABLE_SUFFIXES
from cables.parsing.errors import ParseError
from cables.search import meta_text, pg_document_sql, search_index_update

# Defaults for the bounds on .zip archives (override with CABLES_INGEST_ZIP_MAX_BYTES and
# CABLES_INGEST_ZIP_MAX_MEMBERS): the whole release as cables.csv is about 1.6 GB, as files 251,287.
ZIP_MAX_BYTES = 4 * 1024**3
ZIP_MAX_MEMBERS = 300_000
# A member that inflates more than this many times is a zip bomb (CABLES_INGEST_ZIP_MAX_RATIO);
# cable text compresses about 4:1, a run of one byte about 1000:1. Small members are not checked.
ZIP_MAX_RATIO = 100
ZIP_RATIO_MIN_BYTES = 64 * 1024
# Per-cable outcomes kept in a report (CABLES_INGEST_MAX_OUTCOMES); the counts are always complete.
MAX_OUTCOMES = 10_000
# A cables.csv dump smaller than this is parsed in the main process even when workers are allowed
# (CABLES_INGEST_WORKERS_MIN_BYTES): starting the pool costs about a second.
WORKERS_MIN_BYTES = 8 * 1024**2
# PostgreSQL statistics are refreshed when a run has created this many cables, then each time
# the number doubles (about 8 times for the whole release).
ANALYZE_FIRST = 2_000
# Records per task sent to a worker, and tasks in flight per worker (bounds the memory held).
WORKER_TASK_RECORDS = 50
WORKER_TASKS_IN_FLIGHT = 4

# Partner stations: the same serial series was published under both (cable-format.md 3.1).
PARTNER_STATIONS = {
    "BRUSSELS": "USEUBRUSSELS",
    "USEUBRUSSELS": "BRUSSELS",
    "RPODUBAI": "IRANRPODUBAI",
    "IRANRPODUBAI": "RPODUBAI",
}
_PARTNER_RE = re.compile(r"^(\d\d)(" + "|".join(sorted(PARTNER_STATIONS, key=len, reverse=True)) + r")(\d+)$")

_CLASSIFICATIONS = {label: value for value, label in Classification.choices}

_CABLE_UPDATE_FIELDS = [
    "canonical_id",
    "created",
    "released",
    "classification",
    "origin",
    "station",
    "subject",
    "header",
    "body",
    "transmission_id",
    "precedence",
    "sender",
    "signer",
    "classified_by",
    "classification_reasons",
    "declassify_on",
    "caveats",
    "summary",
    "is_partial",
    "format",
    "warnings",
    "extra",
    "content_hash",
    "content_hashes",
    "source_hashes",
    "source",
    "loaded_at",
]


@dataclass
class IngestReport:
    """What an ingest did. ``references_*`` are totals of the collection after the run."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unparsed: int = 0  # of the unchanged: dump records skipped on their raw hash, never parsed
    failed: list[tuple[str, int, str]] = field(default_factory=list)
    references_resolved: int = 0
    references_unresolved: int = 0
    references_linked: int = 0  # links made by this run (both directions)
    elapsed: float = 0.0
    dry_run: bool = False
    batches: int = 0
    # (identifier, "created" | "updated" | "unchanged", source), at most MAX_OUTCOMES of them
    outcomes: list[tuple[str, str, str]] = field(default_factory=list)
    outcomes_truncated: bool = False
    versions_created: int = 0
    run: IngestRun | None = None

    @property
    def processed(self) -> int:
        """Records seen so far, failed ones included."""
        return self.created + self.updated + self.unchanged + len(self.failed)

    @property
    def written(self) -> int:
        return self.created + self.updated

    def add_outcomes(self, outcomes: list[tuple[str, str, str]]) -> None:
        room = int(getattr(settings, "CABLES_INGEST_MAX_OUTCOMES", MAX_OUTCOMES)) - len(self.outcomes)
        if len(outcomes) > room:
            self.outcomes_truncated = True
        self.outcomes.extend(outcomes[: max(room, 0)])


ProgressCallback = Callable[[IngestReport], None]


class RecordError(ValueError):
    """A parsed record the database cannot take (a field too long, an invalid date)."""


@dataclass
class _Record:
    """One parsed cable on its way to the database."""

    data: dict[str, Any]
    source: str
    line: int
    content_hash: str
    raw_hash: str | None = None  # of the raw record, when it came from a dump read by ingest
    search_text: CableText | None = None  # its search index entry's text part, from a parser worker

    @property
    def identifier(self) -> str:
        return self.data["identifier"]

    @property
    def format(self) -> str:
        return self.data.get("format") or ""


@dataclass
class _Unchanged:
    """A raw record whose bytes were loaded before: skipped without being parsed."""

    identifier: str
    source: str


# --- public entry point ------------------------------------------------------------------------


def cables_ingest(
    *,
    sources: Iterable[str | Path],
    dry_run: bool = False,
    batch_size: int = 500,
    progress: ProgressCallback | None = None,
    started_by: str = IngestRun.Starter.COMMAND,
    user: Any = None,
    labels: Mapping[str, str] | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Load cables from ``sources`` (files, directories, cables.csv dumps, .zip archives).

    Idempotent: loading the same input again writes no cable. With ``dry_run`` the sources are
    parsed and compared with the database, and the report says what would be written; nothing is.
    ``progress`` is called with the report after every batch.

    Every run, dry runs included, is logged as an ``IngestRun`` (``report.run``) with an
    ``IngestError`` per failed source; ``started_by`` ("command" or "upload") and ``user`` say who
    started it. ``labels`` maps a source path to the name to report and store instead (uploads
    live in a temporary directory; their sources are the uploaded names).

    ``workers`` parser processes (default: the number of CPUs; 1 parses in this process) parse
    the records of a ``cables.csv`` dump while this process writes; a dump record whose raw bytes
    were loaded before (``Cable.source_hashes``, which include the parser's fingerprint) is
    counted unchanged without being parsed.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1:
        raise ValueError("workers must be at least 1")
    started = time.monotonic()
    labels = {str(k): v for k, v in (labels or {}).items()}
    report = IngestReport(dry_run=dry_run)
    report.run = ingest_run_start(
        started_by=started_by,
        user=user,
        sources=[labels.get(str(source), str(source)) for source in sources],
        dry_run=dry_run,
    )
    try:
        _ingest_into(
            report=report,
            sources=sources,
            labels=labels,
            batch_size=batch_size,
            progress=progress,
            started=started,
            workers=workers,
        )
    finally:
        ingest_run_finish(run=report.run, report=report)
        if report.written and not dry_run:  # other cables' pages show what it wrote (cited by)
            collection_version_bump()
    return report


def _ingest_into(
    *,
    report: IngestReport,
    sources: Iterable[str | Path],
    labels: dict[str, str],
    batch_size: int,
    progress: ProgressCallback | None,
    started: float,
    workers: int = 1,
) -> None:
    dry_run = report.dry_run
    run_id = report.run.pk if report.run else None
    batch: list[_Record] = []
    in_batch: set[str] = set()
    skipped = 0  # unchanged raw records since the last progress call
    analyze_at = ANALYZE_FIRST

    def flush() -> None:
        nonlocal skipped, analyze_at
        if batch:
            _batch_ingest(records=batch, report=report, dry_run=dry_run, run_id=run_id)
            report.batches += 1
            if report.created >= analyze_at:
                _tables_analyze()
                analyze_at = 2 * report.created
            batch.clear()
            in_batch.clear()
            skipped = 0
            if progress is not None:
                report.elapsed = time.monotonic() - started
                progress(report)

    for item in _iter_records(sources, labels=labels, workers=workers, batch_size=batch_size):
        if isinstance(item, tuple):
            report.failed.append(item)
            continue
        if isinstance(item, _Unchanged):
            report.unchanged += 1
            report.unparsed += 1
            report.add_outcomes([(item.identifier, "unchanged", item.source)])
            skipped += 1
            if skipped >= batch_size and progress is not None:
                skipped = 0
                report.elapsed = time.monotonic() - started
                progress(report)
            continue
        # The same identifier twice in one batch: write the first before reading the second, so
        # that the later rendition is compared with (and replaces) the earlier one.
        if item.identifier in in_batch:
            flush()
        batch.append(item)
        in_batch.add(item.identifier)
        if len(batch) >= batch_size:
            flush()
    flush()

    if not dry_run:
        cable_refs = Reference.objects.filter(kind=ReferenceKind.CABLE).exclude(target_identifier="")
        report.references_resolved = cable_refs.filter(cited__isnull=False).count()
        report.references_unresolved = cable_refs.filter(cited__isnull=True).count()
    report.elapsed = time.monotonic() - started


def _tables_analyze() -> None:
    """Refresh PostgreSQL's statistics of the tables a load grows. A fresh database gets its
    cables faster than autovacuum analyses them; with statistics of an empty table the planner
    reads the cables table from end to end for each batch's canonical-id look-up (measured: a
    sequential scan, 42 ms per batch at 32,000 cables and growing, instead of an index scan)."""
    connection = connections[router.db_for_write(Cable)]
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in (Cable, Reference, Paragraph, CableTag)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


# --- the ingest log ----------------------------------------------------------------------------


def ingest_run_start(*, started_by: str, user: Any = None, sources: list[str], dry_run: bool) -> IngestRun:
    """Open the log entry of a run (finished_at stays empty until it ends)."""
    if started_by not in IngestRun.Starter.values:
        raise ValueError(f"started_by must be one of {IngestRun.Starter.values}")
    return IngestRun.objects.create(
        started_by=started_by,
        user=user if getattr(user, "pk", None) else None,
        started_at=timezone.now(),
        sources=sources,
        dry_run=dry_run,
    )


def ingest_run_finish(*, run: IngestRun | None, report: IngestReport) -> None:
    """Write the counts and the failures of ``report`` to ``run`` and mark it finished."""
    if run is None:
        return
    run.created, run.updated, run.unchanged = report.created, report.updated, report.unchanged
    run.failed = len(report.failed)
    run.references_resolved = report.references_resolved
    run.references_unresolved = report.references_unresolved
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save(
            update_fields=[
                "created",
                "updated",
                "unchanged",
                "failed",
                "references_resolved",
                "references_unresolved",
                "finished_at",
            ]
        )
        IngestError.objects.bulk_create(
            [
                IngestError(run=run, source=source, line=max(line, 0), message=message)
                for source, line, message in report.failed
            ],
            batch_size=1000,
        )


# --- reading sources ---------------------------------------------------------------------------


def _iter_records(
    sources: Iterable[str | Path],
    *,
    labels: Mapping[str, str] | None = None,
    workers: int = 1,
    batch_size: int = 500,
) -> Iterator[_Record | _Unchanged | tuple[str, int, str]]:
    """Parsed records, unchanged raw records, or ``(source, line, message)`` for what could not
    be read or parsed."""
    labels = labels or {}
    seen: set[str] = set()  # identifiers of dump records met so far in this run
    for source in sources:
        path = Path(source)
        label = labels.get(str(source))
        if not path.exists():
            yield (label or str(source), 0, "no such file or directory")
            continue
        files = [(path, label)] if not path.is_dir() else _directory_files(path, label)
        for file, file_label in files:
            if file.is_file() and zipfile.is_zipfile(file):
                yield from _iter_zip(file, label=file_label)
            elif file.is_file() and _is_csv_dump(file):
                yield from _iter_csv_dump(
                    file, label=file_label, workers=workers, batch_size=batch_size, seen=seen
                )
            else:
                yield from _iter_parsed(file, label=file_label)


def _directory_files(root: Path, label: str | None) -> list[tuple[Path, str | None]]:
    """The files of a directory that ingest reads, in the parser's order (sorted paths, the
    parser's suffixes; nothing hidden, files or folders) plus ``.zip`` archives, which are
    opened like a zip given alone; a ``cables.csv`` dump inside goes through the parser workers
    and raw hashes like a dump given alone."""
    suffixes = {*CABLE_SUFFIXES, ".zip"}
    files = []
    for path in sorted(root.rglob("*"), key=lambda p: p.parts):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.is_file() and path.suffix.lower() in suffixes:
            relative = path.relative_to(root).as_posix()
            files.append((path, f"{label}/{relative}" if label else None))
    return files


def _is_csv_dump(path: Path) -> bool:
    """The parser's own recognition of a ``cables.csv`` dump (a peek at the first record)."""
    from cables.parsing.api import _looks_like_csv

    try:
        return _looks_like_csv(path)
    except OSError:
        return False


def _iter_csv_dump(
    path: Path, *, label: str | None, workers: int, batch_size: int, seen: set[str]
) -> Iterator[_Record | _Unchanged | tuple[str, int, str]]:
    """A ``cables.csv`` dump, record by record, parsed in ``workers`` processes.

    The dump is split into raw records (``cables.ingest_parse``); per ``batch_size`` records, one
    query reads the raw hashes of the cables they name, and a record whose bytes were loaded
    before (same hash, the parser's fingerprint included) is yielded as ``_Unchanged`` without
    being parsed. An identifier met earlier in the run is always parsed (the later record wins,
    and the earlier one may not be written yet). The others are parsed in order, at most
    ``workers * WORKER_TASKS_IN_FLIGHT`` tasks ahead of the writes, so memory stays bounded.
    """
    name = label or str(path)
    min_bytes = int(getattr(settings, "CABLES_INGEST_WORKERS_MIN_BYTES", WORKERS_MIN_BYTES))
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except OSError as error:
        yield (name, 0, f"cannot read: {error.strerror or error}")
        return
    pool: ProcessPoolExecutor | None = None
    if workers > 1 and size >= min_bytes:
        # spawn, not fork: a forked child would share this process's database connection
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    in_flight: deque[tuple[Future | list, list[RawRecord]]] = deque()
    limit = max(workers, 1) * WORKER_TASKS_IN_FLIGHT

    def submit(task: list[RawRecord]) -> None:
        records = [(r.line, r.data) for r in task]
        result: Future | list = (
            pool.submit(csv_records_parse, name, records) if pool else csv_records_parse(name, records)
        )
        in_flight.append((result, task))

    def drain(keep: int) -> Iterator[_Record | tuple[str, int, str]]:
        while len(in_flight) > keep:
            result, task = in_flight.popleft()
            parsed = result.result() if isinstance(result, Future) else result
            for raw, items in zip(task, parsed, strict=True):
                for item in items:
                    if isinstance(item[1], int):
                        yield item  # (source, line, message)
                        continue
                    source, data, digest, search_text = item
                    try:
                        yield _record_from_parsed(
                            data, source=source, digest=digest, raw_hash=raw.raw_hash, search_text=search_text
                        )
                    except RecordError as error:
                        yield (source, raw.line, str(error))

    try:
        with handle:
            group: list[RawRecord] = []
            for item in _with_end(csv_raw_records(handle, name=name)):
                if isinstance(item, tuple):
                    yield item
                    continue
                if item is not None:
                    group.append(item)
                if group and (item is None or len(group) >= batch_size):
                    known = dict(
                        Cable.objects.filter(identifier__in={r.identifier for r in group})
                        .order_by()
                        .values_list("identifier", "source_hashes")
                    )
                    task: list[RawRecord] = []
                    for raw in group:
                        hashes = known.get(raw.identifier) or {}
                        if raw.identifier not in seen and hashes.get("csv") == raw.raw_hash:
                            yield _Unchanged(raw.identifier, f"{name}:{raw.line}")
                        else:
                            task.append(raw)
                            if len(task) >= WORKER_TASK_RECORDS:
                                submit(task)
                                task = []
                        seen.add(raw.identifier)
                    if task:
                        submit(task)
                    group = []
                    yield from drain(limit)
            yield from drain(0)
    except OSError as error:
        yield (name, 0, f"cannot read: {error.strerror or error}")
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _with_end(items: Iterator[Any]) -> Iterator[Any]:
    """``items``, then None."""
    yield from items
    yield None


def _iter_parsed(path: Path, *, label: str | None) -> Iterator[_Record | tuple[str, int, str]]:
    """Run the parser over ``path``; ``label`` replaces the path in sources (zip members)."""
    from cables import parsing  # imported when used: tests may stand in for the parser

    def relabel(value: str) -> str:
        if label is None:
            return value
        return value.replace(str(path), label, 1) if str(path) in value else label

    try:
        for item in parsing.iter_path(path):
            if isinstance(item, ParseError):
                yield (relabel(str(item.path)), item.line, item.message)
                continue
            source = relabel(item.source or str(path))
            try:
                yield _record_from_parsed(item.as_dict(), source=source)
            except RecordError as error:
                yield (source, _line_of(source), str(error))
    except OSError as error:
        yield (label or str(path), 0, f"cannot read: {error.strerror or error}")


def _line_of(source: str) -> int:
    """The line of a ``path:line`` source (CSV records), else 0."""
    head, _, tail = source.rpartition(":")
    return int(tail) if head and tail.isdigit() else 0


def _iter_zip(path: Path, *, label: str | None = None) -> Iterator[_Record | tuple[str, int, str]]:
    """Members of a .zip archive, each extracted alone to a temporary file and parsed.

    Rejects absolute names, ``..``, links, nested archives; bounds the member count and the
    total uncompressed size (checked on the declared sizes first, then on the bytes read).
    """
    max_bytes = int(getattr(settings, "CABLES_INGEST_ZIP_MAX_BYTES", ZIP_MAX_BYTES))
    max_members = int(getattr(settings, "CABLES_INGEST_ZIP_MAX_MEMBERS", ZIP_MAX_MEMBERS))
    name = label or str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        yield (name, 0, f"not a readable zip archive: {error}")
        return
    with archive, tempfile.TemporaryDirectory(prefix="cables-zip-") as tmp:
        members = [info for info in archive.infolist() if not info.is_dir()]
        problem = _zip_bounds_problem(members, max_bytes=max_bytes, max_members=max_members)
        if problem:
            yield (name, 0, problem)
            return
        budget = max_bytes
        for info in members:
            label = f"{name}:{info.filename}"
            reason = _zip_member_problem(info)
            if reason:
                yield (label, 0, reason)
                continue
            target = Path(tmp) / PurePosixPath(info.filename).name
            try:
                written = _zip_extract(archive, info, target, budget)
            except _ZipMemberError as error:
                yield (label, 0, str(error))
                if error.fatal:
                    return
                continue
            budget -= written
            if _looks_like_zip(target):
                yield (label, 0, "nested archive rejected")
            else:
                yield from _iter_parsed(target, label=label)
            target.unlink(missing_ok=True)


def _zip_bounds_problem(members: list[zipfile.ZipInfo], *, max_bytes: int, max_members: int) -> str | None:
    if len(members) > max_members:
        return f"archive rejected: {len(members)} members (limit {max_members})"
    declared = sum(info.file_size for info in members)
    if declared > max_bytes:
        return f"archive rejected: {declared} bytes uncompressed (limit {max_bytes})"
    return None


def zip_archive_check(
    path: Path,
    *,
    max_bytes: int,
    max_members: int,
    label: str | None = None,
) -> list[tuple[str, int, str]]:
    """Every reason to refuse the archive at ``path`` as a whole, as ``(source, 0, reason)``.

    The strict check of uploads: the bounds of ``_iter_zip`` and every member problem it would
    skip (absolute paths, ``..``, links, nested archives, encryption, compression ratio), plus
    duplicate names; then each member is decompressed *without being written anywhere*, bounded
    by its declared size, which catches lying sizes, corrupt data and archives hidden under
    another name. An empty list means ``cables_ingest`` may extract it.
    """
    name = label or str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        return [(name, 0, f"not a readable zip archive: {error}")]
    problems: list[tuple[str, int, str]] = []
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        bounds = _zip_bounds_problem(members, max_bytes=max_bytes, max_members=max_members)
        if bounds:
            return [(name, 0, bounds)]
        if not members:
            return [(name, 0, "archive rejected: no files in it")]
        seen: set[str] = set()
        for info in members:
            member = f"{name}:{info.filename}"
            reason = _zip_member_problem(info)
            if reason is None and info.filename in seen:
                reason = "duplicate member name rejected"
            seen.add(info.filename)
            if reason is None:
                reason = _zip_member_verify(archive, info)
            if reason:
                problems.append((member, 0, reason))
    return problems


def _zip_member_verify(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """Decompress one member into nothing; the reason it cannot be loaded, or None."""
    read = 0
    try:
        with archive.open(info) as source:
            head = source.read(4)
            if head in {b"PK\x03\x04", b"PK\x05\x06"}:
                return "nested archive rejected"
            read = len(head)
            while chunk := source.read(1024 * 1024):
                read += len(chunk)
                if read > info.file_size:
                    return "member larger than its declared size"
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as error:
        return f"cannot extract: {error}"
    return None


class _ZipMemberError(Exception):
    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


def _zip_member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "absolute path rejected"
    if ".." in parts:
        return "path with '..' rejected"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "link rejected"
    if name.lower().endswith((".zip", ".jar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar")):
        return "nested archive rejected"
    if info.flag_bits & 0x1:
        return "encrypted member rejected"
    max_ratio = float(getattr(settings, "CABLES_INGEST_ZIP_MAX_RATIO", ZIP_MAX_RATIO))
    if info.file_size >= ZIP_RATIO_MIN_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        return f"compression ratio {ratio:,.0f}:1 over the limit of {max_ratio:,.0f}:1 (zip bomb?)"
    return None


def _zip_extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Copy one member to ``target``, never more than its declared size or the remaining budget."""
    limit = min(info.file_size, budget)
    written = 0
    try:
        with archive.open(info) as source, target.open("wb") as out:
            while chunk := source.read(1024 * 1024):
                written += len(chunk)
                if written > limit:
                    fatal = written > budget
                    raise _ZipMemberError(
                        "archive exceeds the uncompressed size limit"
                        if fatal
                        else "member larger than its declared size",
                        fatal=fatal,
                    )
                out.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
        target.unlink(missing_ok=True)
        raise _ZipMemberError(f"cannot extract: {error}") from error
    except _ZipMemberError:
        target.unlink(missing_ok=True)
        raise
    return written


def _looks_like_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) in {b"PK\x03\x04", b"PK\x05\x06"}


# --- turning parser JSON into rows -------------------------------------------------------------


def _record_from_parsed(
    data: dict[str, Any],
    *,
    source: str,
    digest: str | None = None,
    raw_hash: str | None = None,
    search_text: CableText | None = None,
) -> _Record:
    """``digest`` and ``search_text``: the content hash and the search index's text part, when
    a worker has computed them already."""
    record = _Record(
        data=data,
        source=source,
        line=_line_of(source),
        content_hash=digest or content_hash(data),
        raw_hash=raw_hash,
        search_text=search_text,
    )
    _record_check(record)
    return record


def _record_check(record: _Record) -> None:
    """Reject, before any write, what the database would refuse (so a batch is not lost)."""
    data = record.data
    if not data.get("identifier"):
        raise RecordError("no identifier")
    if data.get("classification") not in _CLASSIFICATIONS:
        raise RecordError(f"unknown classification {data.get('classification')!r}")
    _parse_datetime(data.get("created"), "created")
    _parse_datetime(data.get("released"), "released")
    _parse_date(data.get("declassify_on"), "declassify_on")
    limits = _char_limits()
    for name in ("identifier", "canonical_id", "station", "transmission_id", "precedence", "format"):
        _check_length(data.get(name), limits["cable"][name], name)
    _check_length(data.get("origin"), limits["origin"]["name"], "origin")
    for tag in data.get("tags") or ():
        _check_length(tag, limits["tag"]["code"], "tag")
    for paragraph in data.get("paragraphs") or ():
        _check_length(paragraph.get("marking"), limits["paragraph"]["marking"], "paragraph marking")
    for reference in data.get("references") or ():
        _check_length(reference.get("label"), limits["reference"]["label"], "reference label")
        _check_length(reference.get("target"), limits["reference"]["target_identifier"], "reference target")
        if reference.get("kind") not in ReferenceKind.values:
            raise RecordError(f"unknown reference kind {reference.get('kind')!r}")
    recipients = data.get("recipients") or {}
    for kind in ("to", "info"):
        for recipient in recipients.get(kind) or ():
            _check_length(
                recipient.get("precedence"), limits["recipient"]["precedence"], "recipient precedence"
            )
            _check_length(recipient.get("mcn"), limits["recipient"]["mcn"], "recipient mcn")


def _check_length(value: str | None, limit: int, name: str) -> None:
    if value is not None and len(value) > limit:
        raise RecordError(f"{name} longer than {limit} characters")


@lru_cache(maxsize=1)
def _char_limits() -> dict[str, dict[str, int]]:
    limits: dict[str, dict[str, int]] = {}
    for model in (Cable, Origin, Tag, Paragraph, Reference, Recipient):
        limits[model._meta.model_name] = {
            f.name: f.max_length for f in model._meta.concrete_fields if isinstance(f, models.CharField)
        }
    return limits


def _parse_datetime(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"invalid {name} {value!r}") from None
    if parsed.tzinfo is None:
        raise RecordError(f"{name} {value!r} has no time zone")
    return parsed


def _parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RecordError(f"invalid {name} {value!r}") from None


def _cable_fields(record: _Record, *, origin_id: int | None, now: datetime) -> dict[str, Any]:
    data = record.data
    return {
        "identifier": data["identifier"],
        "canonical_id": data.get("canonical_id") or data["identifier"],
        "created": _parse_datetime(data.get("created"), "created"),
        "released": _parse_datetime(data.get("released"), "released"),
        "classification": _CLASSIFICATIONS[data["classification"]],
        "origin_id": origin_id,
        "station": data.get("station") or "",
        "subject": data.get("subject") or "",
        "header": data.get("header") or "",
        "body": data.get("body") or "",
        "transmission_id": data.get("transmission_id") or "",
        "precedence": data.get("precedence") or "",
        "sender": data.get("sender") or "",
        "signer": data.get("signer") or "",
        "classified_by": data.get("classified_by") or "",
        "classification_reasons": list(data.get("classification_reasons") or []),
        "declassify_on": _parse_date(data.get("declassify_on"), "declassify_on"),
        "caveats": list(data.get("caveats") or []),
        "summary": data.get("summary") or "",
        "is_partial": bool(data.get("is_partial")),
        "format": record.format,
        "warnings": list(data.get("warnings") or []),
        "extra": dict(data.get("extra") or {}),
        "content_hash": record.content_hash,
        "source": record.source,
        "loaded_at": now,
    }


# --- writing a batch ---------------------------------------------------------------------------


def _batch_ingest(
    *, records: list[_Record], report: IngestReport, dry_run: bool, run_id: int | None = None
) -> None:
    """Write one batch in one transaction; on a database error, retry record by record."""
    outcomes: list[tuple[str, str, str]] = []
    try:
        counts = _batch_write(records=records, dry_run=dry_run, run_id=run_id, outcomes=outcomes)
    except DatabaseError as error:
        if len(records) == 1:
            record = records[0]
            report.failed.append((record.source, record.line, f"database error: {error}"))
            return
        for record in records:
            _batch_ingest(records=[record], report=report, dry_run=dry_run, run_id=run_id)
        return
    report.created += counts["created"]
    report.updated += counts["updated"]
    report.unchanged += counts["unchanged"]
    report.references_linked += counts["linked"]
    report.versions_created += counts["versions"]
    report.add_outcomes(outcomes)


def _batch_write(
    *,
    records: list[_Record],
    dry_run: bool,
    run_id: int | None = None,
    outcomes: list[tuple[str, str, str]] | None = None,
) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "linked": 0, "versions": 0}
    outcomes = [] if outcomes is None else outcomes
    with transaction.atomic():
        existing = {
            identifier: (pk, hashes or {}, raw_hashes or {})
            for identifier, pk, hashes, raw_hashes in Cable.objects.filter(
                identifier__in=[r.identifier for r in records]
            )
            .order_by()
            .values_list("identifier", "pk", "content_hashes", "source_hashes")
        }
        new: list[_Record] = []
        changed: list[tuple[_Record, int, dict[str, str], dict[str, str]]] = []
        # unchanged content read from new raw bytes (or by a changed parser): remember the bytes
        rehashed: list[Cable] = []
        for record in records:
            if record.identifier not in existing:
                new.append(record)
                outcomes.append((record.identifier, "created", record.source))
                continue
            pk, hashes, raw_hashes = existing[record.identifier]
            if hashes.get(record.format) == record.content_hash:
                counts["unchanged"] += 1
                outcomes.append((record.identifier, "unchanged", record.source))
                if record.raw_hash and raw_hashes.get(record.format) != record.raw_hash:
                    rehashed.append(
                        Cable(pk=pk, source_hashes={**raw_hashes, record.format: record.raw_hash})
                    )
            else:
                changed.append((record, pk, hashes, raw_hashes))
                outcomes.append((record.identifier, "updated", record.source))
        counts["created"] = len(new)
        counts["updated"] = len(changed)
        if dry_run:
            return counts
        if rehashed:
            Cable.objects.bulk_update(rehashed, ["source_hashes"], batch_size=250)
        if not (new or changed):
            return counts

        _toast_compression_lz4(connections[router.db_for_write(Cable)])
        now = timezone.now()
        to_write = new + [record for record, _, _, _ in changed]
        origin_ids = _origins_get_or_create(records=to_write)
        tag_ids = _tags_get_or_create(codes={code for r in to_write for code in r.data.get("tags") or ()})

        new_cables = [
            Cable(
                **_cable_fields(r, origin_id=origin_ids.get(r.data.get("origin") or ""), now=now),
                content_hashes={r.format: r.content_hash},
                source_hashes={r.format: r.raw_hash} if r.raw_hash else {},
                first_loaded_at=now,
            )
            for r in new
        ]
        indexed = _cables_insert(cables=new_cables, records=new, origin_ids=origin_ids, tag_ids=tag_ids)

        changed_cables = []
        for record, pk, hashes, raw_hashes in changed:
            if record.raw_hash:
                raw_hashes = {**raw_hashes, record.format: record.raw_hash}
            else:  # read through the parser alone: whatever bytes were remembered are stale
                raw_hashes = {k: v for k, v in raw_hashes.items() if k != record.format}
            cable = Cable(
                pk=pk,
                **_cable_fields(record, origin_id=origin_ids.get(record.data.get("origin") or ""), now=now),
                content_hashes={**hashes, record.format: record.content_hash},
                source_hashes=raw_hashes,
            )
            changed_cables.append(cable)
        if changed_cables:
            changed_pks = [cable.pk for cable in changed_cables]
            counts["versions"] = _versions_create(cable_pks=changed_pks, replaced_at=now, run_id=run_id)
            Paragraph.objects.filter(cable_id__in=changed_pks).delete()
            Reference.objects.filter(citing_id__in=changed_pks).delete()
            Recipient.objects.filter(cable_id__in=changed_pks).delete()
            CableTag.objects.filter(cable_id__in=changed_pks).delete()
            Cable.objects.bulk_update(changed_cables, _CABLE_UPDATE_FIELDS, batch_size=100)

        written = list(zip(to_write, new_cables + changed_cables, strict=True))
        counts["linked"] += _children_create(written=written, tag_ids=tag_ids)
        counts["linked"] += _references_link_to(cables=[cable for _, cable in written])
        # The search index follows the cable in the same transaction (after its tags exist),
        # from the text part the parser workers computed (or computed here from the record).
        to_index = [(record, cable) for record, cable in written if cable.pk not in indexed]
        search_index_update(
            cable_ids=[cable.pk for _, cable in to_index],
            texts={cable.pk: _search_text(record, cable) for record, cable in to_index},
        )
    return counts


def _toast_compression_lz4(connection: Any) -> None:
    """PostgreSQL 14+ built with lz4: compress the long values this transaction writes (bodies,
    headers, search documents, and the staging tables they pass through) with lz4, not pglz.
    pglz took 14 % of the server's time in a load; lz4 compresses several times faster and reads
    back faster too (a value keeps the method it was written with, so a database may hold both)."""
    if connection.vendor != "postgresql":
        return
    available = getattr(connection, "_cables_lz4", None)
    with connection.cursor() as cursor:
        if available is None:
            cursor.execute(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
            )
            row = cursor.fetchone()
            available = connection._cables_lz4 = bool(row and row[0])
        if available:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")


def _search_text(record: _Record, cable: Cable) -> CableText:
    return record.search_text or cable_text(cable.subject, cable.body)


_CABLE_STAGE = "cables_cable_stage"  # a temporary table: new cables on their way in


def _cables_insert(
    *, cables: list[Cable], records: list[_Record], origin_ids: dict[str, int], tag_ids: dict[str, int]
) -> set[int]:
    """Insert new cables; returns the pks of those whose search document was written with them.

    On PostgreSQL (CABLES_INGEST_COPY) the rows and their lexemes go into a temporary table by
    ``COPY``, and one ``INSERT ... SELECT`` writes each cable with its ``search_document``: the
    index costs no second write of the row (an ``UPDATE`` of an indexed column adds an entry to
    every index of the table). Elsewhere, ``bulk_create`` (the index is written after the tags).
    """
    if not cables:
        return set()
    connection = connections[router.db_for_write(Cable)]
    if connection.vendor != "postgresql" or not getattr(settings, "CABLES_INGEST_COPY", True):
        Cable.objects.bulk_create(cables, batch_size=250)
        return set()
    origin_names = dict(Origin.objects.filter(pk__in=set(origin_ids.values())).values_list("pk", "name"))
    codes = {code for record in records for code in record.data.get("tags") or ()}
    tag_names = dict(Tag.objects.filter(pk__in={tag_ids[code] for code in codes}).values_list("code", "name"))
    fields = [f for f in Cable._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    search_columns = ("search_subject", "search_body", "search_meta")
    document = pg_document_sql(subject="d.search_subject", body="d.search_body", meta="d.search_meta")
    with connection.cursor() as cursor:
        definitions = [f"{quote(f.column)} {f.db_type(connection)}" for f in fields]
        definitions += [f"{column} text" for column in search_columns]
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_CABLE_STAGE} ({', '.join(definitions)}) "
            "ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(
            f"COPY {_CABLE_STAGE} ({columns}, {', '.join(search_columns)}) FROM STDIN"
        ) as copy:
            for cable, record in zip(cables, records, strict=True):
                text = _search_text(record, cable)
                meta = meta_text(
                    identifier=cable.identifier,
                    canonical_id=cable.canonical_id,
                    origin=origin_names.get(cable.origin_id),
                    station=cable.station,
                    tags=[
                        (code, tag_names.get(code, ""))
                        for code in dict.fromkeys(record.data.get("tags") or ())
                    ],
                )
                copy.write_row([*_copy_values(cable, fields), text.subject, text.body, meta])
        cursor.execute(
            f"WITH d AS (DELETE FROM {_CABLE_STAGE} RETURNING *) "  # noqa: S608
            f"INSERT INTO {quote(Cable._meta.db_table)} ({columns}, search_document) "
            f"SELECT {', '.join(f'd.{quote(f.column)}' for f in fields)}, {document} FROM d "
            "RETURNING id, identifier"
        )
        pks = {identifier: pk for pk, identifier in cursor.fetchall()}
    for cable in cables:
        cable.pk = pks[cable.identifier]
        cable._state.adding = False
        cable._state.db = connection.alias
    return set(pks.values())


def _copy_values(instance: models.Model, fields: list[models.Field]) -> list[Any]:
    """A model instance's column values as ``COPY`` takes them (JSON as text, choices as values)."""
    values = []
    for f in fields:
        value = getattr(instance, f.attname)
        if isinstance(f, models.JSONField):
            value = json.dumps(value)
        elif isinstance(value, enum.Enum):
            value = value.value
        values.append(value)
    return values


def _versions_create(*, cable_pks: list[int], replaced_at: datetime, run_id: int | None) -> int:
    """Keep the current content of cables about to be replaced as ``CableVersion`` rows (2 reads,
    1 bulk insert for the batch); returns the number of versions written."""
    paragraphs: dict[int, list[dict[str, Any]]] = {pk: [] for pk in cable_pks}
    for cable_id, number, marking, text in (
        Paragraph.objects.filter(cable_id__in=cable_pks)
        .order_by("cable_id", "position")
        .values_list("cable_id", "number", "marking", "text")
    ):
        paragraphs[cable_id].append({"number": number, "marking": marking, "text": text})
    versions = [
        CableVersion(
            cable_id=row["pk"],
            loaded_at=row["loaded_at"],
            replaced_at=replaced_at,
            source=row["source"],
            content_hash=row["content_hash"],
            format=row["format"],
            subject=row["subject"],
            body=row["body"],
            paragraphs=paragraphs[row["pk"]],
            run_id=run_id,
        )
        for row in Cable.objects.filter(pk__in=cable_pks).values(
            "pk", "loaded_at", "source", "content_hash", "format", "subject", "body"
        )
    ]
    CableVersion.objects.bulk_create(versions, batch_size=250)
    return len(versions)


def _children_create(*, written: list[tuple[_Record, Cable]], tag_ids: dict[str, int]) -> int:
    """Insert paragraphs, recipients, tags and references; returns references linked on insert."""
    targets = {
        ref.get("target")
        for record, _ in written
        for ref in record.data.get("references") or ()
        if ref.get("kind") == ReferenceKind.CABLE and ref.get("target")
    }
    cited_ids = _cables_by_canonical_id(targets)

    paragraphs: list[dict[str, Any]] = []
    references: list[dict[str, Any]] = []
    recipients: list[dict[str, Any]] = []
    cable_tags: list[dict[str, Any]] = []
    linked = 0
    cable_kind = ReferenceKind.CABLE.value
    for record, cable in written:
        data = record.data
        pk = cable.pk
        for position, paragraph in enumerate(data.get("paragraphs") or (), start=1):
            paragraphs.append(
                {
                    "cable_id": pk,
                    "position": position,
                    "number": paragraph.get("number"),
                    "marking": paragraph.get("marking") or "",
                    "text": paragraph.get("text") or "",
                }
            )
        for position, ref in enumerate(data.get("references") or (), start=1):
            target = ref.get("target") or ""
            kind = ref.get("kind")
            cited_id = cited_ids.get(target) if kind == cable_kind else None
            linked += cited_id is not None
            references.append(
                {
                    "citing_id": pk,
                    "position": position,
                    "label": ref.get("label") or "",
                    "text": ref.get("text") or "",
                    "kind": kind,
                    "target_identifier": target,
                    "cited_id": cited_id,
                }
            )
        all_recipients = data.get("recipients") or {}
        for kind in (RecipientKind.TO.value, RecipientKind.INFO.value):
            for position, recipient in enumerate(all_recipients.get(kind) or (), start=1):
                recipients.append(
                    {
                        "cable_id": pk,
                        "kind": kind,
                        "position": position,
                        "name": recipient.get("name") or "",
                        "route": recipient.get("route") or "",
                        "precedence": recipient.get("precedence") or "",
                        "mcn": recipient.get("mcn") or "",
                        "excluded": list(recipient.get("excluded") or []),
                    }
                )
        for position, code in enumerate(dict.fromkeys(data.get("tags") or ()), start=1):
            cable_tags.append({"cable_id": pk, "tag_id": tag_ids[code], "position": position})

    for model, rows in (
        (Paragraph, paragraphs),
        (Reference, references),
        (Recipient, recipients),
        (CableTag, cable_tags),
    ):
        _rows_insert(model, rows)
    return linked


def _rows_insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert new child rows, given as field values by attribute name (the others take their
    defaults): ``COPY`` on PostgreSQL (CABLES_INGEST_COPY, default on), else ``bulk_create``.
    Plain dicts, not model instances: building ~16 instances a cable cost 0.4 ms of the writer's
    time per cable for nothing COPY needs."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql" or not getattr(settings, "CABLES_INGEST_COPY", True):
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    json_fields = [f.attname for f in fields if isinstance(f, models.JSONField)]
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            for name in json_fields:
                row[name] = json.dumps(row.get(name, defaults[name]))
            copy.write_row([row.get(name, default) for name, default in defaults.items()])


def partner_identifier(canonical_id: str) -> str | None:
    """The same year and serial at the partner station (``09BRUSSELS12`` -> ``09USEUBRUSSELS12``)."""
    match = _PARTNER_RE.match(canonical_id)
    if match is None:
        return None
    year, station, serial = match.groups()
    return f"{year}{PARTNER_STATIONS[station]}{serial}"


def _cables_by_canonical_id(targets: set[str]) -> dict[str, int]:
    """target canonical id -> pk of the loaded cable it names (exact first, then partner station).

    ``canonical_id`` is not unique (spec 2.2: a few cables were published under two ids, e.g.
    ``06MINSK1234`` and ``06LINSK1234``). Among the cables with the target's canonical id, the
    one published under exactly that id wins, then the first loaded (lowest pk); so the link does
    not depend on the load order. The partner station is tried the same way.
    """
    if not targets:
        return {}
    partners = {target: partner_identifier(target) for target in targets}
    wanted = targets | {p for p in partners.values() if p}
    exact: dict[str, int] = {}  # canonical id -> the cable published under that very id
    first: dict[str, int] = {}  # canonical id -> the first loaded cable with it
    for canonical_id, identifier, pk in (
        Cable.objects.filter(canonical_id__in=wanted)
        .order_by("-pk")
        .values_list("canonical_id", "identifier", "pk")
    ):
        first[canonical_id] = pk  # descending pk: the lowest wins
        if identifier == canonical_id:
            exact[canonical_id] = pk

    def best(canonical_id: str | None) -> int | None:
        return exact.get(canonical_id) or first.get(canonical_id) if canonical_id else None

    result = {}
    for target in targets:
        pk = best(target) or best(partners[target])
        if pk is not None:
            result[target] = pk
    return result


def _references_link_to(*, cables: list[Cable]) -> int:
    """Link earlier references whose target is one of ``cables``; returns links made.

    A reference to 09USEUBRUSSELS12 takes 09BRUSSELS12 while the former is absent (partner
    stations). Linked references are looked at again too: one linked to a stand-in (the partner
    station, or another cable with the same canonical id) moves to a better match of
    ``_cables_by_canonical_id`` once that one is loaded, so the final links do not depend on the
    load order; such moves are not counted as links made. The references are found through
    their target (``reference_target_idx``, a few rows per cable): a ``cited IS NULL``
    condition in SQL lets PostgreSQL scan every unresolved reference of the collection instead
    (measured: 2 ms per batch at 32,000 cables, 12 ms at 98,000, growing with the table).
    """
    canonical_ids = {cable.canonical_id for cable in cables}
    if not canonical_ids:
        return 0
    partners = {p for c in canonical_ids if (p := partner_identifier(c))}
    # unresolved, or linked to a cable not published under the target id itself (a stand-in)
    found = [
        (pk, target, cited_id)
        for pk, target, cited_id, cited_identifier in Reference.objects.filter(
            kind=ReferenceKind.CABLE, target_identifier__in=canonical_ids | partners
        )
        .order_by()
        .values_list("pk", "target_identifier", "cited_id", "cited__identifier")
        if cited_identifier != target
    ]
    if not found:
        return 0
    by_target = _cables_by_canonical_id({target for _, target, _ in found})
    updates = [
        Reference(pk=pk, cited_id=by_target[target])
        for pk, target, cited_id in found
        if target in by_target and by_target[target] != cited_id
    ]
    Reference.objects.bulk_update(updates, ["cited"], batch_size=500)
    return sum(1 for _, target, cited_id in found if cited_id is None and target in by_target)


# --- origins and tags --------------------------------------------------------------------------


def _origins_get_or_create(*, records: list[_Record]) -> dict[str, int]:
    """Origin name as parsed -> pk for the origins of ``records``, creating the missing ones in bulk.

    Origins are found by ``source_name`` (the parser's spelling), so that a curator may rename
    ``Origin.name`` in the admin without the next load creating a second origin. An origin with no
    ``source_name`` yet (made outside ingest) is adopted by its ``name``.
    """
    stations: dict[str, str] = {}
    for record in records:
        name = record.data.get("origin")
        if name:
            stations.setdefault(name, record.data.get("station") or "")
    if not stations:
        return {}
    found = dict(Origin.objects.filter(source_name__in=stations).values_list("source_name", "pk"))
    missing = [name for name in stations if name not in found]
    if missing:
        adopted = dict(
            Origin.objects.filter(name__in=missing, source_name__isnull=True).values_list("name", "pk")
        )
        if adopted:
            Origin.objects.bulk_update(
                [Origin(pk=pk, source_name=name) for name, pk in adopted.items()], ["source_name"]
            )
            found.update(adopted)
            missing = [name for name in missing if name not in found]
    for unique in (False, True):  # a taken slug or display name: make it unique with a hash
        if not missing:
            break
        Origin.objects.bulk_create(
            [
                Origin(
                    name=_origin_name(name, unique=unique),
                    source_name=name,
                    slug=_origin_slug(name, unique=unique),
                    station=stations[name],
                )
                for name in missing
            ],
            ignore_conflicts=True,
        )
        found.update(Origin.objects.filter(source_name__in=missing).values_list("source_name", "pk"))
        missing = [name for name in missing if name not in found]
    return found


def _origin_name(name: str, *, unique: bool) -> str:
    if not unique or not Origin.objects.filter(name=name).exists():
        return name
    return f"{name[:200]} ({hashlib.sha256(name.encode()).hexdigest()[:8]})"


def _origin_slug(name: str, *, unique: bool = False) -> str:
    slug = slugify(name)[:200] or "origin"
    if unique or slug == "origin":
        slug = f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    return slug


def _tags_get_or_create(*, codes: set[str]) -> dict[str, int]:
    """Tag code -> pk, creating codes not yet known (kind and name from the glossary if listed)."""
    if not codes:
        return {}
    found = dict(Tag.objects.filter(code__in=codes).values_list("code", "pk"))
    missing = codes - found.keys()
    if missing:
        glossary = _tag_glossary()
        Tag.objects.bulk_create(
            [
                Tag(code=code, kind=_tag_kind(code, glossary), name=glossary.get(code, ("", ""))[1])
                for code in missing
            ],
            ignore_conflicts=True,
        )
        found.update(Tag.objects.filter(code__in=missing).values_list("code", "pk"))
    return found


def _tag_kind(code: str, glossary: dict[str, tuple[str, str]]) -> str:
    if code in glossary:
        return glossary[code][0]
    try:
        from cables.parsing.tags import tag_kind
    except ImportError:  # the parser's helper is optional
        return TagKind.UNKNOWN
    kind = tag_kind(code)
    return kind if kind in TagKind.values else TagKind.UNKNOWN


@lru_cache(maxsize=1)
def _tag_glossary() -> dict[str, tuple[str, str]]:
    """code -> (kind, name) from settings.CABLES_TAGS_CSV (empty if the file is missing)."""
    path = Path(settings.CABLES_TAGS_CSV)
    if not path.is_file():
        return {}
    glossary = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("code") or "").strip().upper()
            kind = (row.get("kind") or "").strip().lower()
            if code:
                glossary.setdefault(
                    code,
                    (
                        kind if kind in TagKind.values else TagKind.UNKNOWN,
                        (row.get("name") or "").strip()[:255],
                    ),
                )
    return glossary
