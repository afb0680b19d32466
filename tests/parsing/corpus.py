"""Reading the shared corpus in parser tests: paths and the body of a plain-text cable."""

from __future__ import annotations

import re
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
SEED = CORPUS / "seed" / "000_cd5e1a070289d07d.txt"

_BODY_START_RE = re.compile(
    r"^\s*(?:[CSU]\s?[O E N C]|UNCLAS|CONFIDENTIAL|SECRET|E\.O|SIPDIS)", re.IGNORECASE
)


def corpus_body(path: Path) -> str:
    """The body of a corpus cable: everything after the FM/TO/INFO header lines (or the page head)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    fm = next((i for i, line in enumerate(lines) if line.startswith("FM ")), None)
    if fm is None:  # partial record: the body follows the page head
        fm = next(i for i, line in enumerate(lines) if line.startswith("pdf how-to"))
    start = next(i for i in range(fm + 1, len(lines)) if _BODY_START_RE.match(lines[i]))
    return "\n".join(lines[start:])
