"""Malformed inputs (checked in under tests/fixtures/malformed/) and their expected outcomes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cables.parsing import ParseError, iter_path, parse_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "malformed"


def _outcome(path: Path) -> list[str]:
    return [
        f"error@{item.line}: {item.message}" if isinstance(item, ParseError) else f"cable {item.identifier}"
        for item in iter_path(path)
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("empty.txt", ["error@0: empty"]),
        ("binary.bin.txt", ["error@0: undecodable (NUL bytes)"]),
        ("latin1.txt", ["error@0: undecodable (9 of 68 bytes are not UTF-8)"]),
        ("06PARIS123.txt", ["cable 06PARIS123"]),
        ("truncated_header.txt", ["cable 06PARIS9"]),
        ("not_a_cable.html", ["error@1: not a cable (no header, banner, E.O., TAGS or SUBJECT line found)"]),
        (
            "broken_quoting.csv",
            ["cable 06PARIS6189", "error@5: not a cable (CSV record: ',' expected after '\"')"],
        ),
        (
            "wrong_columns.csv",
            [
                "cable 06PARIS6189",
                "error@5: not a cable (CSV record has 6 fields, expected 8)",
                "cable 06PARIS6191",
            ],
        ),
        ("no_identifier.txt", ["error@0: no identifier"]),
    ],
)
def test_malformed_fixture(name: str, expected: list[str]) -> None:
    assert _outcome(FIXTURES / name) == expected


def test_crlf_and_mixed_line_ends_parse_like_lf() -> None:
    (cable,) = parse_bytes((FIXTURES / "06PARIS123.txt").read_bytes(), "06PARIS123.txt")
    assert "\r" not in cable["header"] + cable["body"]
    assert cable["header"] == "P 141608Z SEP 06\nFM AMEMBASSY PARIS\nTO SECSTATE WASHDC"
    assert cable["subject"] == "MIXED LINE ENDS"
    assert cable["created"] == "2006-09-14T16:08:00Z"
    assert cable["signer"] == "SMITH"


def test_truncated_header_keeps_what_there_is() -> None:
    (cable,) = parse_bytes((FIXTURES / "truncated_header.txt").read_bytes(), "t.txt")
    assert cable["created"] == "2006-09-14T16:08:00Z"  # the page value: the DTG line is missing
    assert cable["extra"]["created_source"] == "page"
    assert cable["tags"] == ["PREL"]
    assert any(w.startswith("tags-from-page") for w in cable["warnings"])


def test_ten_megabyte_single_line(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_bytes(b"UNCLAS PARIS 000123\nTAGS: PREL\nSUBJECT: LONG\n\n1. " + b"word " * 2_000_000 + b"\n")
    start = time.perf_counter()
    items = list(iter_path(path))
    assert time.perf_counter() - start < 30
    assert len(items) == 1 and isinstance(items[0], ParseError)  # no header, no file-name id
    assert items[0].message == "no identifier"
    named = tmp_path / "06PARIS123.txt"
    path.rename(named)
    (cable,) = list(iter_path(named))
    assert cable.identifier == "06PARIS123"
    assert len(cable.body) > 10_000_000


def test_parse_bytes_raises_the_error() -> None:
    with pytest.raises(ParseError) as info:
        parse_bytes(b"", "empty.txt")
    assert str(info.value) == "empty.txt:0: empty"
