"""Fixtures shared by the Django-side tests (ingest, commands, views)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from cables import parsing
from cables.parsing.errors import ParseError
from cables.parsing.model import ParsedCable

CORPUS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

SourceItem = ParsedCable | ParseError


@pytest.fixture(autouse=True)
def _no_pages_kept_in_this_process() -> Iterator[None]:
    """Each test starts without the cable pages an earlier test left in this process's page LRU
    (``cables.page_cache.local_pages``): what a page costs must not depend on the test order."""
    from cables.page_cache import local_pages  # Django is set up by the time fixtures run

    local_pages.clear()
    yield
    local_pages.clear()


@pytest.fixture
def cable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Stand in for the parser: ``cable_files("a.txt", cable, ...)`` writes a placeholder file
    whose parse result is the given ParsedCable/ParseError items; returns its path.

    Files not registered parse as "not a cable". Directories are walked in sorted order, like the
    real ``iter_path``. Ingest tests thereby test ingest, not the parser.
    """
    registry: dict[Path, list[SourceItem]] = {}

    def add(name: str, *items: SourceItem) -> Path:
        path = tmp_path / "input" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name, encoding="utf-8")
        registry[path] = list(items)
        return path

    def fake_iter_path(path: str | Path) -> Iterator[SourceItem]:
        root = Path(path)
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in files:
            items = registry.get(file)
            if items is None:
                yield ParseError("not a cable", path=str(file), line=1)
                continue
            for index, item in enumerate(items, start=1):
                if isinstance(item, ParsedCable) and not item.source:
                    source = str(file) if len(items) == 1 else f"{file}:{index}"
                    item = replace(item, source=source)
                yield item

    monkeypatch.setattr(parsing, "iter_path", fake_iter_path)
    return add


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"no shared corpus at {CORPUS_DIR}")
    return CORPUS_DIR
