"""The ingest_cables command: output, exit status, --dry-run, verbosity."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cables.models import Cable
from cables.parsing.errors import ParseError
from tests.factories import make_cable, make_reference

pytestmark = pytest.mark.django_db


def run(*args: str, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ingest_cables", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_loads_and_summarises(cable_files):
    root = cable_files("a.txt", make_cable("06PARIS1", references=(make_reference("06PARIS2"),))).parent
    cable_files("b.txt", make_cable("06PARIS2", references=(make_reference("99NOWHERE1"),)))

    out, err = run(str(root))

    assert err == ""
    assert "2 created, 0 updated, 0 unchanged, 0 failed; references: 1 resolved, 1 unresolved" in out
    assert Cable.objects.count() == 2


def test_rerun_writes_nothing_and_says_so(cable_files):
    root = cable_files("a.txt", make_cable("06PARIS1")).parent
    cable_files("b.txt", make_cable("06PARIS2"))
    run(str(root))

    out, _ = run(str(root))

    assert "0 created, 0 updated, 2 unchanged, 0 failed" in out
    assert "nothing to write" in out


def test_failures_go_to_stderr_and_raise_command_error(cable_files):
    root = cable_files("a.txt", make_cable("06PARIS1")).parent
    cable_files("bad.txt", ParseError("empty", path="input/bad.txt", line=0))
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="1 source"):
        call_command("ingest_cables", str(root), stdout=out, stderr=err)

    assert "input/bad.txt:0: empty" in err.getvalue()
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in out.getvalue()
    assert Cable.objects.count() == 1


def test_dry_run_writes_nothing(cable_files):
    path = cable_files("a.txt", make_cable("06PARIS1"))
    out, _ = run(str(path), "--dry-run")
    assert "Dry run, nothing written: 1 created, 0 updated, 0 unchanged, 0 failed" in out
    assert Cable.objects.count() == 0


def test_verbosity_zero_prints_nothing_on_success(cable_files):
    out, err = run(str(cable_files("a.txt", make_cable("06PARIS1"))), verbosity=0)
    assert (out, err) == ("", "")
    assert Cable.objects.count() == 1


def test_plain_progress_lines_when_not_a_terminal(cable_files):
    path = cable_files("cables.csv", *[make_cable(f"06PARIS{n}") for n in range(1, 6)])
    out, _ = run(str(path), "--batch-size", "2", verbosity=2)
    progress = [line for line in out.splitlines() if line.startswith(("2 cables", "4 cables", "5 cables"))]
    assert len(progress) == 3
    assert "\r" not in out


def test_progress_bar_on_a_terminal(cable_files):
    class Terminal(StringIO):
        def isatty(self) -> bool:
            return True

    path = cable_files("cables.csv", *[make_cable(f"06PARIS{n}") for n in range(1, 6)])
    out = Terminal()
    call_command("ingest_cables", str(path), "--batch-size", "2", stdout=out, stderr=StringIO())
    assert out.getvalue().count("\r") == 3
    assert "5 created" in out.getvalue().splitlines()[-1]


def test_batch_size_must_be_positive(cable_files):
    with pytest.raises(CommandError, match="batch-size"):
        run(str(cable_files("a.txt", make_cable("06PARIS1"))), "--batch-size", "0")


def test_exit_status_is_non_zero_when_a_source_fails(tmp_path, corpus_dir):
    db = tmp_path / "db.sqlite3"
    env = {"DJANGO_TESTING": "1", "SQLITE_PATH": str(db), "PATH": "/usr/bin:/bin"}
    root = Path(__file__).resolve().parent.parent
    manage = [sys.executable, str(root / "manage.py")]
    # migrate alone readies the database, cache table included (ingest marks cached pages stale)
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=root)
    (tmp_path / "empty.txt").write_text("   \n")
    good = corpus_dir / "text" / "09PARIS1097.txt"

    ok = subprocess.run(
        [*manage, "ingest_cables", str(good)], env=env, cwd=root, capture_output=True, text=True
    )
    bad = subprocess.run(
        [*manage, "ingest_cables", str(tmp_path / "empty.txt"), str(good)],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
    )

    assert ok.returncode == 0, ok.stderr
    assert "1 created" in ok.stdout
    assert bad.returncode == 1
    assert f"{tmp_path / 'empty.txt'}:" in bad.stderr
    assert "0 created, 0 updated, 1 unchanged, 1 failed" in bad.stdout


def test_workers_must_be_positive(cable_files):
    with pytest.raises(CommandError, match="workers"):
        run(str(cable_files("a.txt", make_cable("06PARIS1"))), "--workers", "0")


def test_workers_option_reaches_the_ingest(cable_files, monkeypatch):
    from cables import ingest
    from cables.management.commands import ingest_cables

    seen = {}
    real = ingest.cables_ingest

    def spy(**kwargs):
        seen["workers"] = kwargs["workers"]
        return real(**kwargs)

    monkeypatch.setattr(ingest_cables, "cables_ingest", spy)
    out, _ = run(str(cable_files("a.txt", make_cable("06PARIS1"))), "--workers", "1")

    assert seen == {"workers": 1}
    assert "1 created" in out
