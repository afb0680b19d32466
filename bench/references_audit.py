"""Audit the loaded references cable by cable against the generator's truth, every difference
explained by a rule of the spec or reported.

    .venv/bin/python bench/references_audit.py readingroom_ingestbench_251287
    .venv/bin/python bench/references_audit.py /tmp/readingroom-ingestbench-251287.sqlite3
    options: [--truth /tmp/bench-corpus/full.csv.truth.jsonl] [--manifest PATH] [--verbose]

The database is a PostgreSQL database name (or URL) or a SQLite path; it is only read. The truth
is the ``--truth`` output of shared/tools/make_corpus.py: per cable, ``references`` (the canonical
ids the generator cited, de-duplicated, in REF order) and ``references_in_corpus`` (those whose
target is an earlier cable of the corpus, cited under its published id). The manifest's
``references.total`` / ``in_corpus`` are their sums.

The database side is counted as bench/ingest.py counts it (``step_ingest``, and
``IngestReport.references_resolved``): a reference is a ``Reference`` row of kind ``cable`` with
a target, resolved when it is linked to a loaded cable. Per cable the two sides are compared
target by target. Each difference is a finding; a finding is explained when a rule of
shared/docs/cable-format.md (the authority: the generator counts what it meant to cite, the
reading room what the spec makes of the text) accounts for it:

* ``unknown-station``: the generator cited a station with fewer than 4 published ids; the
  parser does not know it (3.1 "Known stations"), so the item is ``other`` (3.10 "Other items":
  kept, not dropped; the audit checks that it is there). One reference fewer, and one resolved
  fewer when the target was loaded.
* ``self-reference``: the target is the citing cable's own canonical id (a twin published under
  a damaged id, ``07SETION02OF02BAKU1501`` citing ``BAKU 1501``): dropped (3.10).
* ``alias``, ``prefix``, ``typo``: the generator counts a target as out of the corpus when no
  cable was published under exactly that id, but a loaded cable has it as canonical id: by the
  alias table (3.1 step 7, ``05TAIPEI860`` is ``05AITTAIPEI860``), an office word stripped from
  the station (step 6, ``07EFTOBAGHDAD867`` is ``07BAGHDAD867``), or a misspelt station repaired
  (step 8, ``06DAMASCCUS4435`` is ``06DAMASCUS4435``). One resolved more.
* ``partner``: no cable has the target id, the link goes to the same year and serial at the
  partner station (3.1 "station": BRUSSELS/USEUBRUSSELS, RPODUBAI/IRANRPODUBAI). One resolved more.

Anything else (a missing or extra reference, a lost link, a link to another cable than the one
published under the target id, a cable on one side only) is unexplained. The audit prints a table
of the categories with their effect on the two counts, checks that the effects add up exactly to
the database's differences from the manifest, and exits 1 if a difference is unexplained or the
sums do not match. Reads the published id list (shared/data/cable2month.csv.gz) for the stations'
counts; the alias table, office words and known stations are the parser's (cables/parsing).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cables.parsing.identifiers import (  # noqa: E402  (pure Python, no Django)
    ALIASES,
    KNOWN_STATIONS,
    edit_distance,
    strip_station_prefixes,
)

SHARED = Path(os.environ.get("CABLES_SHARED_DIR", ROOT.parent / "shared"))
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DEFAULT_TRUTH = Path(tempfile.gettempdir()) / "bench-corpus" / "full.csv.truth.jsonl"  # bench/ingest.py's

# spec 3.1, last paragraph: the same serial series was published under both stations
PARTNER_STATIONS = {
    "BRUSSELS": "USEUBRUSSELS",
    "USEUBRUSSELS": "BRUSSELS",
    "RPODUBAI": "IRANRPODUBAI",
    "IRANRPODUBAI": "RPODUBAI",
}
MIN_PUBLISHED = 4  # spec 3.1 "Known stations": at least 4 published ids after step 6

UNEXPLAINED = "unexplained"
# category -> (what happened, spec section); printed in this order
CATEGORIES: dict[str, tuple[str, str]] = {
    "unknown-station": (
        "REF to a station with fewer than 4 published ids: not a known station, kept as `other`",
        "3.1 known stations; 3.10 other items",
    ),
    "self-reference": ("REF to the cable's own canonical id (a twin): dropped", "3.10 filtering"),
    "alias": ("target published under an alias of its station", "3.1 step 7, alias table; trap 9"),
    "prefix": ("target published with an office word before its station", "3.1 step 6"),
    "typo": ("target published under a misspelt station, repaired", "3.1 step 8"),
    "partner": ("target loaded at the partner station only", "3.1 station (partner stations)"),
    UNEXPLAINED: ("not explained by any rule", "-"),
}

_ID_RE = re.compile(r"^(\d\d)([A-Z]+?)(\d+)$")


def split_id(identifier: str) -> tuple[str, str, str] | None:
    """(year, station, serial) of a well-formed id (``06PARIS6189``), else None."""
    match = _ID_RE.match(identifier)
    return match.groups() if match else None  # type: ignore[return-value]


@dataclass(frozen=True)
class Loaded:
    """A cable reference row of the database: its target, and the cable it is linked to."""

    target: str
    cited_identifier: str | None = None
    cited_canonical: str | None = None


@dataclass(frozen=True)
class Finding:
    """One difference of one cable, with its effect on the references and resolved counts."""

    cable: str
    category: str
    target: str
    references: int
    resolved: int
    detail: str


@dataclass(frozen=True)
class Stations:
    """What the rules need to know about stations: the parser's known stations, and how many
    ids each station has in the published list (after step 6)."""

    known: frozenset[str]
    published: Mapping[str, int]


def stations_load(shared: Path = SHARED) -> Stations:
    published: Counter[str] = Counter()
    with gzip.open(shared / "data" / "cable2month.csv.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            parts = split_id(line.split(",", 1)[0].strip())
            if parts:
                published[strip_station_prefixes(parts[1])] += 1
    return Stations(known=KNOWN_STATIONS, published=published)


def _names(text: str, station: str, serial: str) -> bool:
    """Does the REF item ``text`` cite ``station serial`` (spaces, dots, leading zeros aside)?"""
    squashed = re.sub(r"[^A-Z0-9]", "", text.upper())
    return re.search(rf"{station}0*{serial}(?!\d)", squashed) is not None


def _canonical_rule(identifier: str, target: str, stations: Stations) -> tuple[str, str] | None:
    """Which step of 3.1 makes the published ``identifier`` the canonical ``target``:
    (category, detail), or None when none of them does."""
    published, wanted = split_id(identifier), split_id(target)
    if not published or not wanted or published[0] != wanted[0] or published[2] != wanted[2]:
        return None
    station, goal = published[1], wanted[1]
    stripped = strip_station_prefixes(station)
    if stripped != station and (stripped == goal or ALIASES.get(stripped) == goal):
        return "prefix", f"{station} -> {goal} ({station[: len(station) - len(stripped)]} stripped)"
    if ALIASES.get(station) == goal:
        return "alias", f"{station} = {goal}"
    if station not in stations.known and goal in stations.known:
        near = edit_distance(station, goal, 2) <= 2
        inside = len(station) >= 4 and station in goal
        if near or inside:
            return "typo", f"{station} -> {goal}"
    return None


def cable_audit(
    *,
    identifier: str,
    canonical_id: str,
    truth_references: Sequence[str],
    truth_in_corpus: Iterable[str],
    loaded: Sequence[Loaded],
    others: Sequence[str] = (),
    stations: Stations,
    loaded_canonical_ids: Container[str] = frozenset(),
) -> list[Finding]:
    """The differences between what the generator cited (``truth_*``) and the cable reference
    rows loaded for the cable (``loaded``; ``others``: the texts of its ``other`` items), each
    classified by a rule (module docstring) or as unexplained. ``loaded_canonical_ids``: the
    canonical ids of all loaded cables (the partner station is only the fallback)."""
    in_corpus = set(truth_in_corpus)
    rows: dict[str, list[Loaded]] = defaultdict(list)
    for row in loaded:
        rows[row.target].append(row)
    findings: list[Finding] = []

    def finding(category: str, target: str, references: int, resolved: int, detail: str) -> None:
        findings.append(Finding(identifier, category, target, references, resolved, detail))

    for target in dict.fromkeys(truth_references):
        meant = target in in_corpus
        lost = -1 if meant else 0
        found = rows.pop(target, [])
        if not found:
            parts = split_id(target)
            if target == canonical_id:
                finding("self-reference", target, -1, lost, f"own canonical id of {identifier}")
            elif parts and parts[1] not in stations.known:
                count = stations.published.get(parts[1], 0)
                if count >= MIN_PUBLISHED:
                    why = f"{parts[1]} has {count} published ids but the parser does not know it"
                    finding(UNEXPLAINED, target, -1, lost, why)
                elif not any(_names(text, parts[1], parts[2]) for text in others):
                    why = f"{parts[1]} ({count} published ids) is not kept as an `other` item"
                    finding(UNEXPLAINED, target, -1, lost, why)
                else:
                    ids = "id" if count == 1 else "ids"
                    finding("unknown-station", target, -1, lost, f"{parts[1]} ({count} published {ids})")
            else:
                finding(UNEXPLAINED, target, -1, lost, "cited by the generator, not loaded")
            continue
        row, extra = found[0], found[1:]
        for duplicate in extra:
            finding(UNEXPLAINED, target, 1, int(duplicate.cited_identifier is not None), "duplicate row")
        linked = row.cited_identifier is not None
        if meant:
            if not linked:
                finding(UNEXPLAINED, target, 0, -1, "in the corpus, not linked")
            elif row.cited_identifier != target:
                finding(UNEXPLAINED, target, 0, 0, f"linked to {row.cited_identifier}, not to {target}")
            continue
        if not linked:
            continue
        cited, cited_canonical = row.cited_identifier or "", row.cited_canonical or ""
        rule = _canonical_rule(cited, target, stations) if cited_canonical == target else None
        parts = split_id(target)
        partner = parts and parts[1] in PARTNER_STATIONS and parts[0] + PARTNER_STATIONS[parts[1]] + parts[2]
        if rule:
            finding(rule[0], target, 0, 1, f"{target} -> {cited}: {rule[1]}")
        elif partner and cited_canonical == partner and target not in loaded_canonical_ids:
            finding("partner", target, 0, 1, f"{target} -> {cited}")
        else:
            why = f"the generator has no cable {target}; linked to {cited} ({cited_canonical})"
            finding(UNEXPLAINED, target, 0, 1, why)

    for target, extra_rows in rows.items():  # loaded, never cited by the generator
        for row in extra_rows:
            linked = int(row.cited_identifier is not None)
            finding(UNEXPLAINED, target, 1, linked, "loaded, not cited by the generator")
    return findings


# --- reading the two sides -----------------------------------------------------------------------


@dataclass
class Database:
    """Per cable identifier: canonical id, cable reference rows, texts of the ``other`` items."""

    canonical: dict[str, str] = field(default_factory=dict)
    references: dict[str, list[Loaded]] = field(default_factory=lambda: defaultdict(list))
    others: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    total: int = 0  # as bench/ingest.py counts: kind cable with a target
    resolved: int = 0  # ... and linked to a cable


def database_read(cursor) -> Database:
    """Read the references of a loaded database through a DB-API cursor (no parameters, so any
    of psycopg, sqlite3 or Django's cursor will do)."""
    database = Database()
    cursor.execute("SELECT id, identifier, canonical_id FROM cables_cable")
    cables = {pk: (identifier, canonical) for pk, identifier, canonical in cursor.fetchall()}
    database.canonical = dict(cables.values())
    cursor.execute(
        "SELECT citing_id, target_identifier, cited_id FROM cables_reference"
        " WHERE kind = 'cable' AND target_identifier <> '' ORDER BY citing_id, position"
    )
    for citing, target, cited in cursor.fetchall():
        identifier, canonical = cables[cited] if cited is not None else (None, None)
        database.references[cables[citing][0]].append(Loaded(target, identifier, canonical))
    cursor.execute("SELECT citing_id, text FROM cables_reference WHERE kind = 'other'")
    for citing, text in cursor.fetchall():
        database.others[cables[citing][0]].append(text)
    # the count bench/ingest.py makes, by the database rather than from the rows read above
    cursor.execute(
        "SELECT count(*), count(cited_id) FROM cables_reference"
        " WHERE kind = 'cable' AND target_identifier <> ''"
    )
    database.total, database.resolved = cursor.fetchone()
    return database


def database_open(name: str):
    """A read-only connection: a SQLite path, a PostgreSQL URL, or a PostgreSQL database name."""
    if name.endswith((".sqlite3", ".sqlite", ".db")) or Path(name).is_file():
        import sqlite3

        return sqlite3.connect(f"file:{Path(name).resolve()}?mode=ro", uri=True)
    import psycopg

    url = name if "://" in name else f"{PG_ADMIN_URL}/{name}"
    return psycopg.connect(url, options="-c default_transaction_read_only=on")


def truth_read(path: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """(id, references, references_in_corpus) per line of a make_corpus.py truth file."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            yield record["id"], record["references"], record["references_in_corpus"]


# --- the audit -----------------------------------------------------------------------------------


@dataclass
class Audit:
    findings: list[Finding]
    loaded: tuple[int, int]  # references, resolved in the database
    truth: tuple[int, int]  # references, in corpus: the sums of the truth file
    expected: tuple[int, int]  # the manifest's
    cables: tuple[int, int]  # cables in the database, in the truth

    def rows(self) -> list[tuple[str, int, int, int, str, str]]:
        """(category, cables, references effect, resolved effect, what, spec) per category."""
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for item in self.findings:
            grouped[item.category].append(item)
        rows = []
        for category, (what, spec) in CATEGORIES.items():
            items = grouped.get(category)
            if items:
                cables = len({item.cable for item in items})
                references = sum(item.references for item in items)
                resolved = sum(item.resolved for item in items)
                rows.append((category, cables, references, resolved, _what(category, what, items), spec))
        return rows

    @property
    def explained(self) -> tuple[int, int]:
        items = [item for item in self.findings if item.category != UNEXPLAINED]
        return sum(item.references for item in items), sum(item.resolved for item in items)

    @property
    def differences(self) -> tuple[int, int]:
        """The database's counts minus the manifest's."""
        return self.loaded[0] - self.expected[0], self.loaded[1] - self.expected[1]

    @property
    def unexplained(self) -> list[Finding]:
        return [item for item in self.findings if item.category == UNEXPLAINED]

    @property
    def ok(self) -> bool:
        return not self.unexplained and self.explained == self.differences and self.truth == self.expected


def _what(category: str, what: str, items: list[Finding]) -> str:
    """The category's description with the stations it met (``TAIPEI = AITTAIPEI``)."""
    if category == "unknown-station":
        seen = dict.fromkeys(item.detail for item in items)
    elif category in {"alias", "prefix", "typo"}:
        seen = dict.fromkeys(item.detail.split(": ", 1)[1].split(" (")[0] for item in items)
    elif category == "partner":
        seen = dict.fromkeys(
            "/".join(sorted((s := split_id(item.target)[1], PARTNER_STATIONS[s]))) for item in items
        )
    else:
        return what
    listed = ", ".join(sorted(seen))
    return f"{what} ({listed})"


def references_audit(
    *,
    database: Database,
    truth: Iterable[tuple[str, list[str], list[str]]],
    expected: tuple[int, int],
    stations: Stations,
) -> Audit:
    findings: list[Finding] = []
    seen: set[str] = set()
    truth_total = truth_in = truth_cables = 0
    loaded_canonical_ids = set(database.canonical.values())
    for identifier, references, in_corpus in truth:
        truth_cables += 1
        truth_total += len(references)
        truth_in += len(in_corpus)
        seen.add(identifier)
        if identifier not in database.canonical:
            findings.append(
                Finding(identifier, UNEXPLAINED, "", -len(references), -len(in_corpus), "cable not loaded")
            )
            continue
        findings += cable_audit(
            identifier=identifier,
            canonical_id=database.canonical[identifier],
            truth_references=references,
            truth_in_corpus=in_corpus,
            loaded=database.references.get(identifier, ()),
            others=database.others.get(identifier, ()),
            stations=stations,
            loaded_canonical_ids=loaded_canonical_ids,
        )
    for identifier in database.canonical.keys() - seen:
        rows = database.references.get(identifier, ())
        linked = sum(row.cited_identifier is not None for row in rows)
        findings.append(Finding(identifier, UNEXPLAINED, "", len(rows), linked, "cable not in the truth"))
    return Audit(
        findings=findings,
        loaded=(database.total, database.resolved),
        truth=(truth_total, truth_in),
        expected=expected,
        cables=(len(database.canonical), truth_cables),
    )


def audit_report(audit: Audit, *, verbose: bool = False, limit: int = 20) -> str:
    lines = [
        f"cables: {audit.cables[0]:,} loaded, {audit.cables[1]:,} in the truth",
        f"references (kind cable with a target): {audit.loaded[0]:,} loaded, {audit.expected[0]:,} in the "
        f"manifest ({audit.truth[0]:,} in the truth)",
        f"resolved (linked to a loaded cable):   {audit.loaded[1]:,} loaded, {audit.expected[1]:,} in the "
        f"manifest ({audit.truth[1]:,} in_corpus in the truth)",
        "",
        "| category | cables | references | resolved | rule (cable-format.md) |",
        "|---|---|---|---|---|",
    ]
    for _, cables, references, resolved, what, spec in audit.rows():
        lines.append(f"| {what} | {cables} | {references:+d} | {resolved:+d} | {spec} |")
    explained = audit.explained
    differences = audit.differences
    cables = len({item.cable for item in audit.findings if item.category != UNEXPLAINED})
    lines.append(f"| **explained** | {cables} | {explained[0]:+d} | {explained[1]:+d} | |")
    lines.append(f"| **loaded - manifest** | | {differences[0]:+d} | {differences[1]:+d} | |")
    lines.append("")
    shown = audit.findings if verbose else audit.unexplained
    for item in shown[: None if verbose else limit]:
        lines.append(
            f"  {item.cable}: {item.category} {item.target} ({item.references:+d}, {item.resolved:+d}) "
            f"{item.detail}"
        )
    if not verbose and len(shown) > limit:
        lines.append(f"  ... {len(shown) - limit} more unexplained")
    if audit.truth != audit.expected:
        lines.append(f"the truth file's sums {audit.truth} are not the manifest's {audit.expected}")
    if audit.unexplained:
        unexplained = len({item.cable for item in audit.unexplained})
        lines.append(f"NOT EXPLAINED: {len(audit.unexplained)} differences in {unexplained} cables")
    elif explained != differences:
        lines.append(f"NOT EXPLAINED: the explained effects {explained} do not add up to {differences}")
    if audit.ok and not audit.findings:
        lines.append("every cable's references as the generator meant them: no difference")
    elif audit.ok:
        lines.append(
            f"every difference from the manifest explained: {cables} cables, references "
            f"{differences[0]:+d}, resolved {differences[1]:+d}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="PostgreSQL database name or URL, or a SQLite path (read only)")
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH, help="make_corpus.py --truth output")
    parser.add_argument("--manifest", type=Path, help="default: the truth file's corpus manifest")
    parser.add_argument("--verbose", action="store_true", help="list every finding, not only the unexplained")
    args = parser.parse_args(argv)
    manifest_path = args.manifest or Path(str(args.truth).removesuffix(".truth.jsonl") + ".manifest.json")
    manifest = json.loads(manifest_path.read_text())["references"]
    connection = database_open(args.database)
    try:
        database = database_read(connection.cursor())
    finally:
        connection.close()
    audit = references_audit(
        database=database,
        truth=truth_read(args.truth),
        expected=(manifest["total"], manifest["in_corpus"]),
        stations=stations_load(),
    )
    print(f"references audit of {args.database} against {args.truth}")
    print(audit_report(audit, verbose=args.verbose))
    return 0 if audit.ok else 1


if __name__ == "__main__":
    sys.exit(main())
