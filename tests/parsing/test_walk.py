"""The directory walk of ``iter_path``: the files ``sorted(root.rglob("*"))`` lists, in its order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cables.parsing import api
from cables.parsing.api import CABLE_SUFFIXES


def _rglob_files(root: Path) -> list[Path]:
    """The walk as it was written before: every entry of rglob, sorted, then filtered."""
    return [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in CABLE_SUFFIXES
    ]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in (
        "a/x.txt",
        "a/b/y.TXT",
        "a/b/z.csv",
        "a.b/m.txt",
        "a.txt",
        "A.txt",
        ".hid/q.txt",
        ".hidden.txt",
        "top.html",
        "c/n.htm",
        "c/o.XHTML",
        "c/p.pdf",
        "d d/e.txt",
        "deep/1/2/3/z.txt",
        "deep/1/a.txt",
        "deep/1/2.txt",
        "x.",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    (tmp_path / "empty").mkdir()
    if hasattr(os, "symlink"):
        (tmp_path / "linkdir").symlink_to(tmp_path / "a")  # listed, not entered
        (tmp_path / "link.txt").symlink_to(tmp_path / "top.html")  # a link to a file is a file
        (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere")
    return tmp_path


def test_walk_lists_what_sorted_rglob_lists(tree: Path) -> None:
    walked = list(api._walk(tree))
    assert walked == _rglob_files(tree)
    names = [path.relative_to(tree).as_posix() for path in walked]
    assert "a/x.txt" in names and ".hid/q.txt" in names and "link.txt" in names
    assert ".hidden.txt" not in names and "c/p.pdf" not in names and "broken.txt" not in names
    assert not any(name.startswith("linkdir/") for name in names)
    assert names.index("a/x.txt") < names.index("a.b/m.txt") < names.index("a.txt")


def test_walk_of_a_relative_root(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    assert [str(p) for p in api._walk(Path("."))] == [str(p) for p in _rglob_files(Path("."))]
    assert [str(p) for p in api._walk(Path("a"))] == ["a/b/y.TXT", "a/b/z.csv", "a/x.txt"]


def test_iter_path_reads_a_directory_in_walk_order(tree: Path) -> None:
    sources = [item.path for item in api.iter_path(tree) if hasattr(item, "path")]
    assert sources == [str(path) for path in _rglob_files(tree)]


def test_unreadable_file_is_an_error_item(tmp_path: Path) -> None:
    target = tmp_path / "cable.txt"
    target.mkdir()  # a directory where a file was expected: the read fails
    (item,) = list(api._iter_file(target))
    assert isinstance(item, api.ParseError)
    assert str(item) == f"{target}:0: unreadable (Is a directory)"
