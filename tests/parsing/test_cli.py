"""``python -m cables.parsing --json PATH...`` as a subprocess (no Django settings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "tests" / "fixtures" / "malformed"


def run(*paths: Path | str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "cables.parsing", "--json", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_directory_prints_one_json_line_per_cable() -> None:
    result = run(CORPUS / "telegram")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 24
    objects = [json.loads(line) for line in lines]
    assert [o["identifier"] for o in objects] == sorted(p.stem for p in (CORPUS / "telegram").glob("*.txt"))
    assert list(objects[0])[:3] == ["identifier", "canonical_id", "created"]
    assert "¶" in lines[0] or any("¶" in line for line in lines)  # ensure_ascii=False


def test_csv_with_a_bad_record_continues_and_exits_1() -> None:
    path = FIXTURES / "wrong_columns.csv"
    result = run(path)
    assert result.returncode == 1
    assert [json.loads(line)["identifier"] for line in result.stdout.splitlines()] == [
        "06PARIS6189",
        "06PARIS6191",
    ]
    assert result.stderr == f"{path}:5: not a cable (CSV record has 6 fields, expected 8)\n"


def test_bad_file_reports_path_and_line() -> None:
    path = FIXTURES / "not_a_cable.html"
    result = run(path, CORPUS / "seed")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"{path}:1: not a cable (no header, banner, E.O., TAGS or SUBJECT line found)"
    )
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["identifier"] == "06PARIS6189"


def test_cli_does_not_import_django() -> None:
    code = "import sys, runpy; sys.argv=['x','--json','" + str(CORPUS / "seed") + "']\n"
    code += "import cables.parsing.__main__ as m; m.main(sys.argv[1:]); assert 'django' not in sys.modules"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
