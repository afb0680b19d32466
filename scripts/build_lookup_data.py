"""Derive cables/parsing/data/stations.txt from the published id list.

Known stations (cable-format.md 3.1) are the stations of the published ids that occur at least
four times after stripping office prefixes. Run: python scripts/build_lookup_data.py [SHARED_DIR]
"""

from __future__ import annotations

import collections
import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cables.parsing.identifiers import strip_station_prefixes  # noqa: E402


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared"
    counts: collections.Counter[str] = collections.Counter()
    with gzip.open(shared / "data" / "cable2month.csv.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"^\d\d([A-Z]+?)\d+,", line)
            if match:
                counts[strip_station_prefixes(match.group(1))] += 1
    stations = sorted(station for station, count in counts.items() if count >= 4)
    out = ROOT / "cables" / "parsing" / "data" / "stations.txt"
    out.write_text("\n".join(stations) + "\n", encoding="utf-8")
    print(f"{len(stations)} stations -> {out}")


if __name__ == "__main__":
    main()
