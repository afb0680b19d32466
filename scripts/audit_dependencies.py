"""Audit the pinned dependencies (requirements.lock) for known vulnerabilities with pip-audit.

Fails (exit 1) when any pinned package has a known vulnerability. When the vulnerability
service cannot be reached (a closed network answers "not found" for every package), it says so
loudly and exits 0, or 1 with --strict: an audit that could not look is reported, never passed
off as clean. Run: python scripts/audit_dependencies.py [--strict] (needs pip-audit on PATH or
in .venv-audit/).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    strict = "--strict" in sys.argv
    tool = shutil.which("pip-audit") or str(ROOT / ".venv-audit" / "bin" / "pip-audit")
    result = subprocess.run(  # noqa: S603 - our own tool on our own lock file
        [tool, "-r", str(ROOT / "requirements.lock"), "--progress-spinner", "off", "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr or result.stdout, file=sys.stderr)
        print("pip-audit gave no report", file=sys.stderr)
        return 1
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fix: {fixes})")
    print(f"{audited} of {len(dependencies)} pinned packages audited, {len(vulnerable)} vulnerable")
    if skipped:
        print(
            f"WARNING: {len(skipped)} packages could not be audited (vulnerability service "
            f"unreachable?): {', '.join(d['name'] for d in skipped)}",
            file=sys.stderr,
        )
    if vulnerable:
        return 1
    return 1 if (strict and skipped) else 0


if __name__ == "__main__":
    sys.exit(main())
