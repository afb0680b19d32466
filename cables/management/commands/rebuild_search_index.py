"""``manage.py rebuild_search_index``: rebuild the full-text index from the stored cables."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cables.search import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index (PostgreSQL tsvector or SQLite FTS5) from the stored "
        "cables, in batches. Search keeps working while it runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="cables per transaction (default 2000)"
        )

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        self.verbosity = int(options["verbosity"])
        self.started = time.monotonic()
        self.last_line = 0.0
        count = search_index_rebuild(
            batch_size=batch_size, progress=self.show_progress if self.verbosity >= 1 else None
        )
        if self.verbosity >= 1:
            elapsed = time.monotonic() - self.started
            self.stdout.write(self.style.SUCCESS(f"Indexed {count} cables in {elapsed:.1f}s."))

    def show_progress(self, done: int, total: int) -> None:
        """A line per batch with -v2, else at most one every ten seconds (and the last)."""
        now = time.monotonic()
        if self.verbosity >= 2 or now - self.last_line >= 10 or done == total:
            self.last_line = now
            rate = done / (now - self.started) if now > self.started else 0.0
            self.stdout.write(f"{done}/{total} cables indexed ({rate:,.0f}/s)")
