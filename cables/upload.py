"""Admin upload of a few cables: stage the uploaded files in a temporary directory, check them,
and load them through ``cables.ingest.cables_ingest`` (the one write path).

Uploaded names are untrusted: files are staged under generated names inside a
``TemporaryDirectory`` and the uploaded name is only a label (reported, stored as the cable's
source, escaped wherever it is shown). A zip archive is checked as a whole before anything of it is
extracted (``zip_archive_check``: bounds, hostile members, compression ratio, lying sizes); one bad
member refuses the whole upload, which is then logged with its reasons and writes no cable.
Files that are not cables are rejected one by one by the parser, and the rest is loaded.

Bounds (settings, with these defaults): ``CABLES_UPLOAD_MAX_BYTES`` (50 MB per upload, all files
together), ``CABLES_UPLOAD_MAX_FILES`` (100), ``CABLES_UPLOAD_ZIP_MAX_BYTES`` (200 MB
uncompressed per archive), ``CABLES_UPLOAD_ZIP_MAX_MEMBERS`` (1,000) and
``CABLES_INGEST_ZIP_MAX_RATIO`` (100:1, shared with the command). Whole collections are loaded
with ``manage.py ingest_cables``.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from cables.ingest import IngestReport, cables_ingest, ingest_run_finish, ingest_run_start, zip_archive_check
from cables.models import IngestRun

UPLOAD_MAX_BYTES = 50 * 1024**2
UPLOAD_MAX_FILES = 100
UPLOAD_ZIP_MAX_BYTES = 200 * 1024**2
UPLOAD_ZIP_MAX_MEMBERS = 1_000

_STAGED_SUFFIXES = {".txt", ".html", ".htm", ".xhtml", ".csv", ".zip"}


def upload_limits() -> dict[str, int]:
    """The upload bounds in force (settings or defaults)."""
    return {
        "max_bytes": int(getattr(settings, "CABLES_UPLOAD_MAX_BYTES", UPLOAD_MAX_BYTES)),
        "max_files": int(getattr(settings, "CABLES_UPLOAD_MAX_FILES", UPLOAD_MAX_FILES)),
        "zip_max_bytes": int(getattr(settings, "CABLES_UPLOAD_ZIP_MAX_BYTES", UPLOAD_ZIP_MAX_BYTES)),
        "zip_max_members": int(getattr(settings, "CABLES_UPLOAD_ZIP_MAX_MEMBERS", UPLOAD_ZIP_MAX_MEMBERS)),
    }


@dataclass
class UploadResult:
    """The ingest report of an upload; ``refused`` when nothing of it was loaded for safety."""

    report: IngestReport
    refused: bool = False


def cables_upload(*, files: Sequence[UploadedFile], user: Any = None) -> UploadResult:
    """Load uploaded files (cables in any parser format, or zip archives of them)."""
    limits = upload_limits()
    names = [_display_name(f.name) for f in files]
    total = sum(f.size or 0 for f in files)
    if not files:
        return _refuse(user=user, names=names, problems=[("(upload)", 0, "no files")])
    if len(files) > limits["max_files"]:
        problem = f"upload refused: {len(files)} files (limit {limits['max_files']})"
        return _refuse(user=user, names=names, problems=[("(upload)", 0, problem)])
    if total > limits["max_bytes"]:
        problem = f"upload refused: {total:,} bytes (limit {limits['max_bytes']:,})"
        return _refuse(user=user, names=names, problems=[("(upload)", 0, problem)])

    with tempfile.TemporaryDirectory(prefix="cables-upload-") as tmp:
        labels: dict[str, str] = {}
        problems: list[tuple[str, int, str]] = []
        for index, (upload, name) in enumerate(zip(files, names, strict=True), start=1):
            path = Path(tmp) / f"{index:04d}{_staged_suffix(name)}"
            written = 0
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    written += len(chunk)
                    if written > limits["max_bytes"]:
                        break
                    out.write(chunk)
            if written > limits["max_bytes"]:
                problems.append(
                    (name, 0, f"file larger than the upload limit of {limits['max_bytes']:,} bytes")
                )
                continue
            labels[str(path)] = name
            if name.lower().endswith(".zip") or zipfile.is_zipfile(path):
                problems += zip_archive_check(
                    path,
                    max_bytes=limits["zip_max_bytes"],
                    max_members=limits["zip_max_members"],
                    label=name,
                )
        if problems:
            return _refuse(user=user, names=names, problems=problems)
        # Parse in this process: a web worker must not fork a pool of parser processes.
        report = cables_ingest(
            sources=list(labels), started_by=IngestRun.Starter.UPLOAD, user=user, labels=labels, workers=1
        )
    return UploadResult(report=report)


def _refuse(*, user: Any, names: list[str], problems: list[tuple[str, int, str]]) -> UploadResult:
    """Log a refused upload (no cable written) with every reason."""
    report = IngestReport(failed=problems)
    report.run = ingest_run_start(
        started_by=IngestRun.Starter.UPLOAD, user=user, sources=names, dry_run=False
    )
    ingest_run_finish(run=report.run, report=report)
    return UploadResult(report=report, refused=True)


def _display_name(name: str | None) -> str:
    """The uploaded name as a label: last path component, no control characters, bounded."""
    name = PurePosixPath((name or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable())[:200]
    return name or "(unnamed)"


def _staged_suffix(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if suffix in _STAGED_SUFFIXES else ".upload"
