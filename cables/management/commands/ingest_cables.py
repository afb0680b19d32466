"""``manage.py ingest_cables PATH...``: load cables through ``cables.ingest.cables_ingest``."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cables.ingest import IngestReport, cables_ingest


class Command(BaseCommand):
    help = (
        "Load cables from files, directories, cables.csv dumps or .zip archives. Idempotent: "
        "unchanged cables are skipped, changed ones updated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="file, directory, cables.csv or .zip")
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and compare with the database, write nothing"
        )
        parser.add_argument(
            "--batch-size", type=int, default=500, help="cables per transaction (default 500)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="parser processes for cables.csv dumps (default: the number of CPUs; 1 parses in "
            "this process)",
        )

    def handle(
        self, *args: Any, paths: list[str], dry_run: bool, batch_size: int, workers: int, **options: Any
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        self.verbosity = int(options["verbosity"])
        self.is_tty = self.stdout.isatty()
        self.last_line = 0.0
        report = cables_ingest(
            sources=paths,
            dry_run=dry_run,
            batch_size=batch_size,
            workers=workers,
            progress=self.show_progress if self.verbosity >= 1 else None,
            started_by="command",
        )
        if self.is_tty and self.verbosity >= 1 and report.batches:
            self.stdout.write("")  # end the progress bar's line
        for source, line, message in report.failed:
            self.stderr.write(f"{source}:{line}: {message}")
        if self.verbosity >= 1 or report.failed:
            self.stdout.write(self.summary(report))
        if self.verbosity >= 2 and report.run is not None:
            self.stdout.write(f"Logged as ingest run {report.run.pk}.")
        if report.failed:
            raise CommandError(f"{len(report.failed)} source(s) failed to load")

    def show_progress(self, report: IngestReport) -> None:
        counts = (
            f"{report.processed} cables: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.failed)} failed"
        )
        rate = report.processed / report.elapsed if report.elapsed else 0.0
        if self.is_tty:
            self.stdout.write(f"\r{counts} ({rate:,.0f}/s)", ending="")
            self.stdout.flush()
        elif self.verbosity >= 2 or time.monotonic() - self.last_line >= 10:
            self.last_line = time.monotonic()
            self.stdout.write(f"{counts} ({rate:,.0f}/s)")

    def summary(self, report: IngestReport) -> str:
        prefix = "Dry run, nothing written: " if report.dry_run else ""
        line = (
            f"{prefix}{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.failed)} failed"
        )
        if not report.dry_run:
            line += (
                f"; references: {report.references_resolved} resolved, "
                f"{report.references_unresolved} unresolved ({report.references_linked} linked by this run)"
            )
        line += f" in {report.elapsed:.1f}s"
        if report.failed:
            return self.style.ERROR(line)
        if report.written == 0 and not report.dry_run:
            return self.style.SUCCESS(line + " - nothing to write")
        return self.style.SUCCESS(line)
