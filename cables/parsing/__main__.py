"""``python -m cables.parsing --json PATH...``: JSON Lines on stdout, errors on stderr (spec 2.4).

Needs no database and no Django settings. Continues after a failing file or CSV record and
exits with status 1 at the end if anything failed.
"""

from __future__ import annotations

import argparse
import json
import sys

from .api import iter_path
from .errors import ParseError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cables.parsing", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", required=True, help="print one JSON object per cable")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a file or a directory (walked recursively)")
    args = parser.parse_args(argv)
    failed = False
    out = sys.stdout
    for path in args.paths:
        for item in iter_path(path):
            if isinstance(item, ParseError):
                failed = True
                print(str(item), file=sys.stderr, flush=True)
                continue
            out.write(json.dumps(item.as_dict(), ensure_ascii=False))
            out.write("\n")
    out.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
