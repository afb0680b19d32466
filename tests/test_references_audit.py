"""bench/references_audit.py: every difference from the generator's truth is explained by a rule
of the spec, or the audit fails. Small hand-made cases; no generated corpus needed."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from django.db import connection

from cables.ingest import cables_ingest
from cables.parsing.identifiers import KNOWN_STATIONS
from cables.parsing.model import Reference
from tests.factories import make_cable, make_reference

_PATH = Path(__file__).resolve().parent.parent / "bench" / "references_audit.py"
_SPEC = importlib.util.spec_from_file_location("references_audit", _PATH)
audit = importlib.util.module_from_spec(_SPEC)
sys.modules["references_audit"] = audit  # dataclasses look their module up
_SPEC.loader.exec_module(audit)

Loaded = audit.Loaded
# the parser's known stations; published counts as the rules need them (KRAKOW: 2 ids)
STATIONS = audit.Stations(known=KNOWN_STATIONS, published={"KRAKOW": 2, "PARIS": 8000, "DAMASCCUS": 1})


def findings(
    identifier="08PARIS5",
    canonical_id=None,
    refs=(),
    in_corpus=(),
    loaded=(),
    others=(),
    stations=STATIONS,
    loaded_canonical_ids=frozenset(),
):
    return [
        (item.category, item.target, item.references, item.resolved)
        for item in audit.cable_audit(
            identifier=identifier,
            canonical_id=canonical_id or identifier,
            truth_references=list(refs),
            truth_in_corpus=list(in_corpus),
            loaded=list(loaded),
            others=list(others),
            stations=stations,
            loaded_canonical_ids=loaded_canonical_ids,
        )
    ]


def test_cable_loaded_as_the_generator_meant_has_no_finding():
    assert (
        findings(
            refs=["08PARIS3", "08STATE7"],
            in_corpus=["08PARIS3"],
            loaded=[Loaded("08PARIS3", "08PARIS3", "08PARIS3"), Loaded("08STATE7")],
        )
        == []
    )


def test_reference_to_a_station_with_under_4_published_ids_is_explained():
    assert findings(
        refs=["08KRAKOW12", "08PARIS3"],
        in_corpus=["08KRAKOW12", "08PARIS3"],
        loaded=[Loaded("08PARIS3", "08PARIS3", "08PARIS3")],
        others=["KRAKOW 0012 (NOTAL)"],
    ) == [("unknown-station", "08KRAKOW12", -1, -1)]


def test_unknown_station_dropped_instead_of_kept_as_other_is_unexplained():
    """3.10: a cable item whose origin is not a known station is kept as `other`, not dropped."""
    assert findings(refs=["08KRAKOW12"], others=["KRAKOW 13"]) == [("unexplained", "08KRAKOW12", -1, 0)]


def test_station_with_4_published_ids_the_parser_does_not_know_is_unexplained():
    stations = audit.Stations(known=KNOWN_STATIONS, published={"KRAKOW": 4})
    found = findings(refs=["08KRAKOW12"], others=["KRAKOW 12"], stations=stations)
    assert found == [("unexplained", "08KRAKOW12", -1, 0)]


def test_reference_to_the_own_canonical_id_is_explained():
    found = findings(
        identifier="07SETION02OF02BAKU1501",
        canonical_id="07BAKU1501",
        refs=["07BAKU1501"],
        in_corpus=["07BAKU1501"],
    )
    assert found == [("self-reference", "07BAKU1501", -1, -1)]


@pytest.mark.parametrize(
    ("target", "published", "category"),
    [
        ("05AITTAIPEI860", "05TAIPEI860", "alias"),
        ("07BAGHDAD867", "07EFTOBAGHDAD867", "prefix"),
        ("06DAMASCUS4435", "06DAMASCCUS4435", "typo"),
    ],
)
def test_target_published_under_another_id_with_that_canonical_id_is_explained(target, published, category):
    found = findings(refs=[target], loaded=[Loaded(target, published, target)])
    assert found == [(category, target, 0, 1)]


@pytest.mark.parametrize(
    ("target", "cited"), [("09BRUSSELS12", "09USEUBRUSSELS12"), ("09IRANRPODUBAI7", "09RPODUBAI7")]
)
def test_link_to_the_partner_station_is_explained(target, cited):
    assert findings(refs=[target], loaded=[Loaded(target, cited, cited)]) == [("partner", target, 0, 1)]


def test_partner_station_while_a_cable_has_the_target_id_is_unexplained():
    """3.1: the partner station is tried only when the target itself does not resolve."""
    loaded = [Loaded("09BRUSSELS12", "09USEUBRUSSELS12", "09USEUBRUSSELS12")]
    found = findings(refs=["09BRUSSELS12"], loaded=loaded, loaded_canonical_ids={"09BRUSSELS12"})
    assert found == [("unexplained", "09BRUSSELS12", 0, 1)]


@pytest.mark.parametrize(
    ("truth", "loaded", "expected"),
    [
        # in the corpus, left unlinked
        ((["08PARIS3"], ["08PARIS3"]), [Loaded("08PARIS3")], ("08PARIS3", 0, -1)),
        # in the corpus, linked to a twin rather than the cable published under the id
        (
            (["06MINSK1234"], ["06MINSK1234"]),
            [Loaded("06MINSK1234", "06LINSK1234", "06MINSK1234")],
            ("06MINSK1234", 0, 0),
        ),
        # cited by the generator at a known station, not loaded
        ((["08PARIS3"], []), [], ("08PARIS3", -1, 0)),
        # loaded, never cited
        (([], []), [Loaded("08STATE9", "08STATE9", "08STATE9")], ("08STATE9", 1, 1)),
        # canonical id equal, but no rule of 3.1 makes XYZPARIS into PARIS
        ((["06PARIS12"], []), [Loaded("06PARIS12", "06XYZPARIS12", "06PARIS12")], ("06PARIS12", 0, 1)),
        # a known station is not a misspelling of another (3.1 step 8 repairs unknown ones only)
        ((["08PANAMA4"], []), [Loaded("08PANAMA4", "08MANAMA4", "08PANAMA4")], ("08PANAMA4", 0, 1)),
        # linked to a cable of another serial
        (
            (["09BRUSSELS12"], []),
            [Loaded("09BRUSSELS12", "09USEUBRUSSELS13", "09USEUBRUSSELS13")],
            ("09BRUSSELS12", 0, 1),
        ),
    ],
)
def test_differences_no_rule_explains_are_unexplained(truth, loaded, expected):
    refs, in_corpus = truth
    assert findings(refs=refs, in_corpus=in_corpus, loaded=loaded) == [("unexplained", *expected)]


def database(rows: dict[str, list], others: dict[str, list] | None = None, canonical=None):
    data = audit.Database()
    data.canonical = {identifier: (canonical or {}).get(identifier, identifier) for identifier in rows}
    for identifier, loaded in rows.items():
        data.references[identifier] = loaded
    data.others.update(others or {})
    data.total = sum(len(loaded) for loaded in rows.values())
    data.resolved = sum(row.cited_identifier is not None for loaded in rows.values() for row in loaded)
    return data


TRUTH = [
    ("09PARIS1", ["09BRUSSELS12", "09KRAKOW3", "09PARIS0"], []),
    ("09USEUBRUSSELS12", [], []),
]


def test_audit_passes_when_the_explained_effects_add_up_to_the_differences_from_the_manifest():
    data = database(
        {
            "09PARIS1": [Loaded("09BRUSSELS12", "09USEUBRUSSELS12", "09USEUBRUSSELS12"), Loaded("09PARIS0")],
            "09USEUBRUSSELS12": [],
        },
        others={"09PARIS1": ["KRAKOW 3"]},
    )
    result = audit.references_audit(database=data, truth=TRUTH, expected=(3, 0), stations=STATIONS)
    assert result.ok
    assert result.differences == result.explained == (-1, 1)
    assert [row[:4] for row in result.rows()] == [("unknown-station", 1, -1, 0), ("partner", 1, 0, 1)]
    assert "every difference from the manifest explained: 1 cables" in audit.audit_report(result)


def test_audit_fails_on_an_unexplained_difference():
    data = database(
        {
            "09PARIS1": [Loaded("09BRUSSELS12", "09USEUBRUSSELS12", "09USEUBRUSSELS12")],
            "09USEUBRUSSELS12": [],
        },
        others={"09PARIS1": ["KRAKOW 3"]},
    )
    result = audit.references_audit(database=data, truth=TRUTH, expected=(3, 0), stations=STATIONS)
    assert not result.ok
    assert [(item.cable, item.target) for item in result.unexplained] == [("09PARIS1", "09PARIS0")]
    assert "NOT EXPLAINED: 1 differences in 1 cables" in audit.audit_report(result)


def test_audit_fails_when_the_truth_does_not_add_up_to_the_manifest():
    data = database({"09PARIS1": [Loaded("09BRUSSELS12"), Loaded("09KRAKOW3"), Loaded("09PARIS0")]})
    truth = [("09PARIS1", ["09BRUSSELS12", "09KRAKOW3", "09PARIS0"], [])]
    assert audit.references_audit(database=data, truth=truth, expected=(3, 0), stations=STATIONS).ok
    assert not audit.references_audit(database=data, truth=truth, expected=(4, 0), stations=STATIONS).ok


def test_cable_on_one_side_only_is_unexplained():
    data = database({"09PARIS1": [], "09PARIS2": [Loaded("09PARIS1", "09PARIS1", "09PARIS1")]})
    truth = [("09PARIS1", [], []), ("09PARIS3", ["09PARIS1"], ["09PARIS1"])]
    result = audit.references_audit(database=data, truth=truth, expected=(1, 1), stations=STATIONS)
    assert sorted((item.cable, item.references, item.resolved) for item in result.unexplained) == [
        ("09PARIS2", 1, 1),
        ("09PARIS3", -1, -1),
    ]
    assert not result.ok


@pytest.mark.django_db
def test_audit_reads_what_ingest_loaded(cable_files):
    """Through ingest: the partner station and the alias resolve, KRAKOW is an `other` item."""
    kept_as_other = Reference(label="C", text="KRAKOW 3", kind="other", target=None)
    root = cable_files("a.txt", make_cable("09USEUBRUSSELS12")).parent
    cable_files("b.txt", make_cable("05TAIPEI860", canonical_id="05AITTAIPEI860", station="AITTAIPEI"))
    citing = make_cable(
        "09PARIS1",
        references=(
            make_reference("09BRUSSELS12"),
            make_reference("05AITTAIPEI860", label="B"),
            kept_as_other,
        ),
    )
    cable_files("c.txt", citing)
    cables_ingest(sources=[root])
    truth = [
        ("05TAIPEI860", [], []),
        ("09PARIS1", ["09BRUSSELS12", "05AITTAIPEI860", "09KRAKOW3"], []),
        ("09USEUBRUSSELS12", [], []),
    ]
    data = audit.database_read(connection.cursor())
    assert (data.total, data.resolved) == (2, 2)
    result = audit.references_audit(database=data, truth=truth, expected=(3, 0), stations=STATIONS)
    assert [row[:4] for row in result.rows()] == [
        ("unknown-station", 1, -1, 0),
        ("alias", 1, 0, 1),
        ("partner", 1, 0, 1),
    ]
    assert result.ok


@pytest.mark.parametrize(("cited_by_generator", "status"), [(["07PARIS1"], 0), (["07PARIS1", "07PARIS2"], 1)])
def test_command_exits_non_zero_unless_every_difference_is_explained(
    tmp_path, capsys, cited_by_generator, status
):
    """The command on a SQLite file (opened read-only), a truth file and its manifest."""
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE cables_cable (id integer PRIMARY KEY, identifier text, canonical_id text)")
        db.execute(
            "CREATE TABLE cables_reference (id integer PRIMARY KEY, citing_id integer, position integer,"
            " kind text, text text, target_identifier text, cited_id integer)"
        )
        db.executemany(
            "INSERT INTO cables_cable VALUES (?, ?, ?)",
            [(1, "07EFTOPARIS1", "07PARIS1"), (2, "07STATE5", "07STATE5")],
        )
        db.execute("INSERT INTO cables_reference VALUES (1, 2, 1, 'cable', 'PARIS 1', '07PARIS1', 1)")
    db.close()
    truth = tmp_path / "cables.csv.truth.jsonl"
    lines = [
        {"id": "07EFTOPARIS1", "references": [], "references_in_corpus": []},
        {"id": "07STATE5", "references": cited_by_generator, "references_in_corpus": []},
    ]
    truth.write_text("".join(json.dumps(line) + "\n" for line in lines))
    manifest = {"references": {"total": len(cited_by_generator), "in_corpus": 0}}
    (tmp_path / "cables.csv.manifest.json").write_text(json.dumps(manifest))
    assert audit.main([str(path), "--truth", str(truth)]) == status
    output = capsys.readouterr().out
    label = "target published with an office word before its station (EFTOPARIS -> PARIS)"
    row = f"| {label} | 1 | +0 | +1 | 3.1 step 6 |"
    assert row in output
    assert ("NOT EXPLAINED" in output) == bool(status)
