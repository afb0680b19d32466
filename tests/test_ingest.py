"""cables.ingest: idempotence, updates, reference resolution, failures, atomicity, archives."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from cables import ingest, ingest_parse, parsing
from cables.ingest import cables_ingest, partner_identifier
from cables.models import (
    Cable,
    CableTag,
    Classification,
    IngestRun,
    Origin,
    Paragraph,
    Recipient,
    Reference,
    Tag,
)
from cables.parsing.errors import ParseError
from cables.search import search_index_rebuild
from tests.factories import make_cable, make_paragraph, make_reference

pytestmark = pytest.mark.django_db

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")
# Every run is logged (IngestRun, IngestError): those writes are the log, not cable data.
LOG_TABLE_RE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?cables_ingest(?:run|error)"?\s', re.I
)


def writes_in(queries: list[dict]) -> list[str]:
    """Writes to anything but the ingest log."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(WRITE_VERBS) and not LOG_TABLE_RE.match(q["sql"])
    ]


def test_new_cable_is_created_with_all_its_parts(cable_files):
    path = cable_files(
        "06PARIS6189.txt",
        make_cable(
            "06PARIS6189",
            references=(make_reference("06STATE150039"), make_reference("06PARIS5639", label="B")),
        ),
    )

    report = cables_ingest(sources=[path])

    assert (report.created, report.updated, report.unchanged, report.failed) == (1, 0, 0, [])
    cable = Cable.objects.get(identifier="06PARIS6189")
    assert cable.created == datetime(2006, 9, 14, 16, 8, tzinfo=UTC)
    assert cable.classification == Classification.CONFIDENTIAL
    assert cable.origin.name == "Embassy Paris"
    assert cable.origin.slug == "embassy-paris"
    assert cable.declassify_on == date(2016, 9, 14)
    assert cable.classification_reasons == ["1.4(b)", "1.4(d)"]
    assert cable.source == str(path)
    assert len(cable.content_hash) == 64
    assert cable.content_hashes == {"text": cable.content_hash}
    assert [(p.position, p.number, p.marking) for p in cable.paragraphs.all()] == [(1, 1, "C"), (2, 2, "C")]
    assert [ct.tag.code for ct in cable.cable_tags.order_by("position")] == ["PREL", "PGOV", "FR"]
    assert [(r.kind, r.position, r.name) for r in cable.recipients.all()] == [
        ("to", 1, "SECSTATE WASHDC"),
        ("info", 1, "AMEMBASSY BERLIN"),
    ]
    assert [(r.label, r.target_identifier, r.cited_id) for r in cable.references_made.all()] == [
        ("A", "06STATE150039", None),
        ("B", "06PARIS5639", None),
    ]
    assert report.references_unresolved == 2
    assert report.references_resolved == 0


def test_reingest_of_unchanged_input_writes_nothing(cable_files):
    cable_files("a.txt", make_cable("06PARIS1", references=(make_reference("06PARIS2"),)))
    cable_files("b.txt", make_cable("06PARIS2"))
    root = cable_files("c.txt", make_cable("06BERLIN3", tags=("PREL", "ZZNEWTAG"))).parent
    first = cables_ingest(sources=[root])
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    loaded_at = dict(Cable.objects.values_list("identifier", "loaded_at"))

    with CaptureQueriesContext(connection) as ctx:
        second = cables_ingest(sources=[root])

    assert (second.created, second.updated, second.unchanged, second.failed) == (0, 0, 3, [])
    assert second.references_linked == 0
    assert second.references_resolved == 1
    assert writes_in(ctx.captured_queries) == []
    assert dict(Cable.objects.values_list("identifier", "loaded_at")) == loaded_at


def test_changed_cable_is_updated_in_place_and_its_children_replaced(cable_files, tmp_path):
    original = make_cable("06PARIS1", tags=("PREL", "FR"), references=(make_reference("06STATE9"),))
    other = make_cable("06PARIS2", references=(make_reference("06PARIS1"),))
    cables_ingest(sources=[cable_files("one.txt", original), cable_files("two.txt", other)])
    before = Cable.objects.get(identifier="06PARIS1")
    other_before = Cable.objects.get(identifier="06PARIS2")
    other_paragraph_ids = list(other_before.paragraphs.values_list("pk", flat=True))

    revised = make_cable(
        "06PARIS1",
        subject="Revised subject",
        tags=("PGOV",),
        paragraphs=(make_paragraph(1, "(S) Only one paragraph now.", "S"),),
        references=(make_reference("06BERLIN5"),),
        classification="SECRET",
    )
    report = cables_ingest(sources=[cable_files("one-revised.txt", revised)])

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    after = Cable.objects.get(identifier="06PARIS1")
    assert after.pk == before.pk
    assert after.first_loaded_at == before.first_loaded_at
    assert after.loaded_at > before.loaded_at
    assert after.content_hash != before.content_hash
    assert after.subject == "Revised subject"
    assert after.classification == Classification.SECRET
    assert list(after.paragraphs.values_list("text", flat=True)) == ["(S) Only one paragraph now."]
    assert list(after.tags.values_list("code", flat=True)) == ["PGOV"]
    assert list(after.references_made.values_list("target_identifier", flat=True)) == ["06BERLIN5"]
    # The citing cable keeps its link to the updated cable, and is itself untouched.
    other_after = Cable.objects.get(identifier="06PARIS2")
    assert other_after.loaded_at == other_before.loaded_at
    assert list(other_after.paragraphs.values_list("pk", flat=True)) == other_paragraph_ids
    assert other_after.references_made.get().cited_id == after.pk


def test_two_renditions_of_one_cable_the_later_wins_and_a_rerun_writes_nothing(cable_files):
    text = make_cable("06PARIS1", format="text", subject="From the text file")
    html = make_cable("06PARIS1", format="html", subject="From the page", released="2011-08-30T01:44:00Z")
    root = cable_files("text/06PARIS1.txt", text).parent.parent
    cable_files("wlc-html/06PARIS1.html", html)

    first = cables_ingest(sources=[root])
    assert (first.created, first.updated, first.unchanged) == (1, 1, 0)
    cable = Cable.objects.get()
    assert cable.subject == "From the page"
    assert cable.format == "html"
    assert set(cable.content_hashes) == {"text", "html"}

    with CaptureQueriesContext(connection) as ctx:
        second = cables_ingest(sources=[root])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert writes_in(ctx.captured_queries) == []


def test_same_identifier_twice_in_one_batch_is_written_in_order(cable_files):
    path = cable_files(
        "cables.csv",
        make_cable("06PARIS1", subject="first", format="csv"),
        make_cable("06PARIS2", format="csv"),
        make_cable("06PARIS1", subject="second", format="csv"),
    )
    report = cables_ingest(sources=[path], batch_size=100)
    assert (report.created, report.updated, report.failed) == (2, 1, [])
    assert Cable.objects.get(identifier="06PARIS1").subject == "second"


@pytest.mark.parametrize("citing_first", [True, False], ids=["citing-first", "cited-first"])
def test_reference_is_resolved_in_either_load_order(cable_files, citing_first):
    citing = cable_files("citing.txt", make_cable("06PARIS9", references=(make_reference("06STATE42"),)))
    cited = cable_files("cited.txt", make_cable("06STATE42", canonical_id="06STATE42"))
    order = [citing, cited] if citing_first else [cited, citing]

    first = cables_ingest(sources=[order[0]])
    second = cables_ingest(sources=[order[1]])

    reference = Reference.objects.get()
    assert reference.cited == Cable.objects.get(identifier="06STATE42")
    assert (first.references_linked, second.references_linked) == (0, 1)
    assert (second.references_resolved, second.references_unresolved) == (1, 0)
    assert list(reference.cited.cited_by.all()) == [reference]


def test_reference_within_one_batch_is_resolved(cable_files):
    root = cable_files("a.txt", make_cable("06PARIS9", references=(make_reference("06PARIS8"),))).parent
    cable_files("b.txt", make_cable("06PARIS8"))
    report = cables_ingest(sources=[root])
    assert report.references_resolved == 1
    assert Reference.objects.get().cited.identifier == "06PARIS8"


def test_reference_resolves_by_canonical_id_not_identifier(cable_files):
    cables_ingest(sources=[cable_files("a.txt", make_cable("06EFTOBAKU1165", canonical_id="06BAKU1165"))])
    cables_ingest(
        sources=[cable_files("b.txt", make_cable("06BAKU9", references=(make_reference("06BAKU1165"),)))]
    )
    assert Reference.objects.get().cited.identifier == "06EFTOBAKU1165"


@pytest.mark.parametrize("citing_first", [True, False], ids=["citing-first", "cited-first"])
@pytest.mark.parametrize(
    ("target", "loaded"),
    [
        ("09USEUBRUSSELS12", "09BRUSSELS12"),
        ("09BRUSSELS12", "09USEUBRUSSELS12"),
        ("08RPODUBAI7", "08IRANRPODUBAI7"),
    ],
)
def test_reference_falls_back_to_the_partner_station(cable_files, citing_first, target, loaded):
    citing = cable_files("citing.txt", make_cable("09PARIS1", references=(make_reference(target),)))
    cited = cable_files("cited.txt", make_cable(loaded))
    for path in [citing, cited] if citing_first else [cited, citing]:
        cables_ingest(sources=[path])
    reference = Reference.objects.get()
    assert reference.cited.identifier == loaded
    assert reference.target_identifier == target  # kept as written


def test_exact_target_is_preferred_over_the_partner_station(cable_files):
    root = cable_files("a.txt", make_cable("09BRUSSELS12")).parent
    cable_files("b.txt", make_cable("09USEUBRUSSELS12"))
    cable_files("c.txt", make_cable("09PARIS1", references=(make_reference("09USEUBRUSSELS12"),)))
    cables_ingest(sources=[root])
    assert Reference.objects.get().cited.identifier == "09USEUBRUSSELS12"


@pytest.mark.parametrize(
    "order",
    [
        ("twin", "exact", "citing"),
        ("twin", "citing", "exact"),
        ("citing", "twin", "exact"),
        ("exact", "twin", "citing"),
    ],
)
def test_reference_takes_the_cable_published_under_its_target_id(cable_files, order):
    """Two published ids, one canonical id (spec 2.2): REF "06 MINSK 1234" links to 06MINSK1234,
    not to 06LINSK1234, whatever the load order (issue #8: 14 such links in the full corpus)."""
    files = {
        "twin": cable_files("twin.txt", make_cable("06LINSK1234", canonical_id="06MINSK1234")),
        "exact": cable_files("exact.txt", make_cable("06MINSK1234")),
        "citing": cable_files(
            "citing.txt", make_cable("07JAKARTA167", references=(make_reference("06MINSK1234"),))
        ),
    }
    reports = [cables_ingest(sources=[files[name]]) for name in order]
    assert Reference.objects.get().cited.identifier == "06MINSK1234"
    assert sum(report.references_linked for report in reports) == 1  # a move is not a new link


def test_reference_takes_the_cable_published_under_its_target_id_in_one_batch(cable_files):
    root = cable_files("a.txt", make_cable("06LINSK1234", canonical_id="06MINSK1234")).parent
    cable_files("b.txt", make_cable("06MINSK1234"))
    cable_files("c.txt", make_cable("07JAKARTA167", references=(make_reference("06MINSK1234"),)))
    cables_ingest(sources=[root])
    assert Reference.objects.get().cited.identifier == "06MINSK1234"


def test_reference_moves_from_the_partner_station_to_the_exact_target(cable_files):
    cables_ingest(
        sources=[
            cable_files("a.txt", make_cable("09PARIS1", references=(make_reference("09USEUBRUSSELS12"),)))
        ]
    )
    cables_ingest(sources=[cable_files("b.txt", make_cable("09BRUSSELS12"))])
    assert Reference.objects.get().cited.identifier == "09BRUSSELS12"
    report = cables_ingest(sources=[cable_files("c.txt", make_cable("09USEUBRUSSELS12"))])
    assert Reference.objects.get().cited.identifier == "09USEUBRUSSELS12"
    assert (report.references_linked, report.references_resolved) == (0, 1)


def test_partner_identifier():
    assert partner_identifier("09BRUSSELS12") == "09USEUBRUSSELS12"
    assert partner_identifier("09USEUBRUSSELS12") == "09BRUSSELS12"
    assert partner_identifier("08RPODUBAI7") == "08IRANRPODUBAI7"
    assert partner_identifier("08IRANRPODUBAI7") == "08RPODUBAI7"
    assert partner_identifier("09PARIS12") is None


def test_reference_to_unloaded_cable_is_kept(cable_files):
    cables_ingest(
        sources=[cable_files("a.txt", make_cable("06PARIS1", references=(make_reference("99NOWHERE1"),)))]
    )
    reference = Reference.objects.get()
    assert (reference.target_identifier, reference.cited) == ("99NOWHERE1", None)


def test_bad_file_among_good_ones_is_reported_and_the_rest_committed(cable_files):
    root = cable_files("a.txt", make_cable("06PARIS1")).parent
    cable_files("b.txt", ParseError("not a cable (no header)", path="b.txt", line=1))
    cable_files("c.txt", make_cable("06PARIS3"))

    report = cables_ingest(sources=[root, root / "missing.txt"])

    assert report.created == 2
    assert report.failed == [
        ("b.txt", 1, "not a cable (no header)"),
        (str(root / "missing.txt"), 0, "no such file or directory"),
    ]
    assert set(Cable.objects.values_list("identifier", flat=True)) == {"06PARIS1", "06PARIS3"}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"canonical_id": "06PARIS" + "1" * 200}, "canonical_id longer than 100 characters"),
        ({"created": "2006-02-30T10:00:00Z"}, "invalid created '2006-02-30T10:00:00Z'"),
        ({"declassify_on": "someday"}, "invalid declassify_on 'someday'"),
        ({"classification": "TOP SECRET"}, "unknown classification 'TOP SECRET'"),
        ({"tags": ("X" * 101,)}, "tag longer than 100 characters"),
    ],
)
def test_record_the_database_cannot_take_is_reported_before_any_write(cable_files, override, message):
    path = cable_files(
        "cables.csv", make_cable("06PARIS1"), make_cable("06PARIS2", **override), make_cable("06PARIS3")
    )
    report = cables_ingest(sources=[path])
    assert report.created == 2
    assert report.failed == [(f"{path}:2", 2, message)]


def test_database_error_in_a_batch_fails_only_that_cable_and_leaves_no_half_cable(cable_files, monkeypatch):
    real_children_create = ingest._children_create

    def poisoned(*, written, tag_ids):
        linked = real_children_create(written=written, tag_ids=tag_ids)
        if any(record.identifier == "06PARIS2" for record, _ in written):
            raise IntegrityError("injected failure after the children were written")
        return linked

    monkeypatch.setattr(ingest, "_children_create", poisoned)
    path = cable_files("cables.csv", make_cable("06PARIS1"), make_cable("06PARIS2"), make_cable("06PARIS3"))

    report = cables_ingest(sources=[path], batch_size=10)

    assert report.created == 2
    assert [(source, message) for source, _, message in report.failed] == [
        (f"{path}:2", "database error: injected failure after the children were written")
    ]
    assert set(Cable.objects.values_list("identifier", flat=True)) == {"06PARIS1", "06PARIS3"}
    assert Paragraph.objects.count() == 4
    assert not Paragraph.objects.filter(cable__isnull=True).exists()
    assert Recipient.objects.count() == 4
    assert CableTag.objects.count() == 6


def test_crash_mid_run_keeps_whole_batches_and_a_rerun_completes(cable_files, monkeypatch):
    items = [make_cable(f"06PARIS{n}", references=(make_reference(f"06PARIS{n + 1}"),)) for n in range(1, 8)]
    path = cable_files("cables.csv", *items)
    real_children_create = ingest._children_create
    calls = {"n": 0}

    def crash_in_second_batch(*, written, tag_ids):
        calls["n"] += 1
        if calls["n"] == 2:
            real_children_create(written=written, tag_ids=tag_ids)
            raise KeyboardInterrupt  # not a database error: nothing is retried, the run stops
        return real_children_create(written=written, tag_ids=tag_ids)

    monkeypatch.setattr(ingest, "_children_create", crash_in_second_batch)
    with pytest.raises(KeyboardInterrupt):
        cables_ingest(sources=[path], batch_size=3)

    assert sorted(Cable.objects.values_list("identifier", flat=True)) == ["06PARIS1", "06PARIS2", "06PARIS3"]
    assert Paragraph.objects.count() == 6
    assert Reference.objects.count() == 3

    monkeypatch.setattr(ingest, "_children_create", real_children_create)
    report = cables_ingest(sources=[path], batch_size=3)
    assert (report.created, report.unchanged) == (4, 3)
    assert Cable.objects.count() == 7
    assert Reference.objects.filter(cited__isnull=False).count() == 6
    assert Reference.objects.get(target_identifier="06PARIS8").cited is None


def test_dry_run_reports_what_would_happen_and_writes_nothing(cable_files):
    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1"))])
    root = cable_files("b.txt", make_cable("06PARIS2")).parent
    cable_files("a.txt", make_cable("06PARIS1", subject="changed"))

    with CaptureQueriesContext(connection) as ctx:
        report = cables_ingest(sources=[root], dry_run=True)

    assert (report.created, report.updated, report.unchanged, report.dry_run) == (1, 1, 0, True)
    assert writes_in(ctx.captured_queries) == []
    assert list(Cable.objects.values_list("identifier", "subject")) == [("06PARIS1", "Subject of 06PARIS1")]


def test_unknown_tags_are_created_with_their_kind_and_glossary_tags_keep_their_name(cable_files):
    Tag.objects.filter(code="PREL").delete()  # as if the glossary migration had not loaded it
    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1", tags=("PREL", "KXYZ", "QQQQQ")))])
    tags = {tag.code: (tag.kind, tag.name) for tag in Tag.objects.filter(code__in=["PREL", "KXYZ", "QQQQQ"])}
    assert tags["PREL"][0] == "subject"
    assert tags["PREL"][1] != ""
    assert tags["KXYZ"] == ("program", "")
    assert tags["QQQQQ"] == ("unknown", "")


def test_origins_are_shared_and_distinct_names_with_one_slug_get_distinct_slugs(cable_files):
    root = cable_files("a.txt", make_cable("06PARIS1", origin="Embassy Paris")).parent
    cable_files("b.txt", make_cable("06PARIS2", origin="Embassy Paris"))
    cable_files("c.txt", make_cable("06PARIS3", origin="Embassy  Paris!"))
    cables_ingest(sources=[root])
    assert Origin.objects.count() == 2
    slugs = set(Origin.objects.values_list("slug", flat=True))
    assert "embassy-paris" in slugs
    assert len(slugs) == 2


def test_batches_use_a_bounded_number_of_queries(cable_files):
    def load(first: int, count: int) -> int:
        items = [
            make_cable(
                f"06PARIS{n}", tags=("PREL", f"ZZ{n}"), references=(make_reference(f"06PARIS{n + 1}"),)
            )
            for n in range(first, first + count)
        ]
        path = cable_files(f"cables{first}.csv", *items)
        with CaptureQueriesContext(connection) as ctx:
            report = cables_ingest(sources=[path], batch_size=count)
        assert report.created == count
        return len(ctx.captured_queries)

    first = load(1, 40)  # creates the shared tag and origin too
    small, large = load(100, 20), load(200, 40)
    assert small == large  # independent of the number of cables in the batch
    # 25 for cables, children, references and the log; 2 for the search index; 5 to mark the
    # cached cable pages stale (one cache.set of the collection version, cables.page_cache)
    assert first <= 32
    assert large <= 32


def test_progress_is_reported_after_every_batch(cable_files):
    path = cable_files("cables.csv", *[make_cable(f"06PARIS{n}") for n in range(1, 6)])
    seen = []
    cables_ingest(sources=[path], batch_size=2, progress=lambda report: seen.append(report.processed))
    assert seen == [2, 4, 5]


# --- zip archives (through the real parser) ----------------------------------------------------


@pytest.fixture
def two_corpus_files(corpus_dir: Path) -> list[Path]:
    files = [corpus_dir / "text" / "09PARIS1097.txt", corpus_dir / "text" / "08CAIRO9.txt"]
    for file in files:
        if not file.is_file():
            pytest.skip(f"{file} is missing")
    return files


def test_zip_archive_members_are_loaded(two_corpus_files, tmp_path):
    archive = tmp_path / "cables.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in two_corpus_files:
            zf.write(file, f"text/{file.name}")
        zf.writestr("notes/", "")

    report = cables_ingest(sources=[archive])

    assert report.failed == []
    assert report.created == 2
    assert set(Cable.objects.values_list("identifier", flat=True)) == {"09PARIS1097", "08CAIRO9"}
    assert Cable.objects.get(identifier="08CAIRO9").source.startswith(f"{archive}:text/08CAIRO9.txt")
    again = cables_ingest(sources=[archive])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_directory_opens_the_zip_archives_and_dumps_inside_it(two_corpus_files, csv_dump, tmp_path, settings):
    settings.CABLES_INGEST_WORKERS_MIN_BYTES = 0
    folder = tmp_path / "collection"
    (folder / "zips").mkdir(parents=True)
    (folder / "dumps").mkdir()
    (folder / ".hidden").mkdir()
    (folder / "09PARIS1097.txt").write_bytes(two_corpus_files[0].read_bytes())
    with zipfile.ZipFile(folder / "zips" / "more.zip", "w") as zf:
        zf.write(two_corpus_files[1], "08CAIRO9.txt")
    (folder / "dumps" / "cables.csv").write_bytes(csv_dump.read_bytes())
    (folder / ".hidden" / "09PARIS1097.txt").write_text("not read: hidden folder")

    report = cables_ingest(sources=[folder], workers=2)

    assert report.failed == []
    assert report.created == 42
    assert Cable.objects.get(identifier="08CAIRO9").source.startswith(f"{folder / 'zips' / 'more.zip'}:")
    again = cables_ingest(sources=[folder], workers=2)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 42, [])
    assert again.unparsed == 40, "the dump's records are skipped by their raw hashes, unparsed"


def test_hostile_zip_members_are_rejected_and_good_ones_loaded(two_corpus_files, tmp_path):
    good = two_corpus_files[0].read_bytes()
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("09PARIS1097.txt", good)
    archive = tmp_path / "hostile.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../escape.txt", good)
        zf.writestr("/etc/absolute.txt", good)
        link = zipfile.ZipInfo("link.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("nested.zip", inner.read_bytes())
        zf.writestr("disguised.txt", inner.read_bytes())
        zf.writestr("ok/09PARIS1097.txt", good)

    report = cables_ingest(sources=[archive])

    reasons = {source.rpartition(":")[2]: message for source, _, message in report.failed}
    assert reasons == {
        "../escape.txt": "path with '..' rejected",
        "/etc/absolute.txt": "absolute path rejected",
        "link.txt": "link rejected",
        "nested.zip": "nested archive rejected",
        "disguised.txt": "nested archive rejected",
    }
    assert report.created == 1
    assert not (tmp_path.parent / "escape.txt").exists()


def test_zip_over_the_size_or_member_limits_is_rejected(two_corpus_files, tmp_path, settings):
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", b"x" * 10_000)
        zf.writestr("b.txt", b"y" * 10_000)

    settings.CABLES_INGEST_ZIP_MAX_BYTES = 15_000
    report = cables_ingest(sources=[archive])
    assert report.failed == [(str(archive), 0, "archive rejected: 20000 bytes uncompressed (limit 15000)")]

    settings.CABLES_INGEST_ZIP_MAX_BYTES = 10**9
    settings.CABLES_INGEST_ZIP_MAX_MEMBERS = 1
    report = cables_ingest(sources=[archive])
    assert report.failed == [(str(archive), 0, "archive rejected: 2 members (limit 1)")]
    assert Cable.objects.count() == 0


def test_zip_member_larger_than_declared_is_stopped(tmp_path):
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.txt", b"z" * 5000)
    # Shrink the declared size in the central directory and the local header: a zip bomb's lie.
    data = bytearray(archive.read_bytes())
    size = (5000).to_bytes(4, "little")
    for offset in [i for i in range(len(data) - 3) if data[i : i + 4] == size]:
        data[offset : offset + 4] = (100).to_bytes(4, "little")
    archive.write_bytes(bytes(data))

    report = cables_ingest(sources=[archive])

    assert len(report.failed) == 1
    source, _, message = report.failed[0]
    assert source == f"{archive}:a.txt"
    assert "declared size" in message or "cannot extract" in message


# --- the shared corpus, through the real parser ------------------------------------------------


@pytest.mark.slow
def test_whole_shared_corpus_loads_and_reloads_without_writes(corpus_dir):
    text_ids = {p.stem for p in (corpus_dir / "text").glob("*.txt")}
    html_ids = {p.stem for p in (corpus_dir / "wlc-html").rglob("*.html")}
    telegrams = list((corpus_dir / "telegram").glob("*.txt"))
    assert (len(text_ids), len(html_ids), len(telegrams)) == (243, 243, 24)
    assert text_ids == html_ids  # every text cable is also there as a cablegate page

    first = cables_ingest(sources=[corpus_dir])

    assert first.failed == []
    # 243 text + 24 telegrams + the seed are new; each of the 243 pages is a second rendition of
    # a text cable, read after it (the directory walk is sorted: text/ before wlc-html/).
    assert (first.created, first.updated, first.unchanged) == (268, 243, 0)
    assert Cable.objects.count() == 268
    assert set(Cable.objects.filter(identifier__in=html_ids).values_list("format", flat=True)) == {"html"}
    assert Cable.objects.filter(format="telegram").count() == 24
    assert all(
        set(hashes) == {"text", "html"}
        for hashes in Cable.objects.filter(identifier__in=html_ids).values_list("content_hashes", flat=True)
    )
    assert Paragraph.objects.count() > 2000
    assert first.references_resolved > 0
    assert (
        first.references_resolved + first.references_unresolved
        == Reference.objects.filter(kind="cable").count()
    )

    with CaptureQueriesContext(connection) as ctx:
        second = cables_ingest(sources=[corpus_dir])

    assert (second.created, second.updated, second.unchanged, second.failed) == (0, 0, 511, [])
    assert writes_in(ctx.captured_queries) == []
    assert (second.references_resolved, second.references_unresolved) == (
        first.references_resolved,
        first.references_unresolved,
    )


# --- the ingest log ----------------------------------------------------------------------------


def test_every_run_is_logged_with_counts_sources_and_errors(cable_files):
    good = cable_files("a.txt", make_cable("06PARIS1", references=(make_reference("06PARIS9"),)))
    bad = cable_files("b.txt", ParseError("not a cable", path="b.txt", line=4))

    report = cables_ingest(sources=[good, bad])

    run = IngestRun.objects.get()
    assert report.run == run
    assert (run.started_by, run.user, run.dry_run) == ("command", None, False)
    assert run.sources == [str(good), str(bad)]
    assert (run.created, run.updated, run.unchanged, run.failed) == (1, 0, 0, 1)
    assert (run.references_resolved, run.references_unresolved) == (0, 1)
    assert run.started_at <= run.finished_at
    assert list(run.errors.values_list("source", "line", "message")) == [("b.txt", 4, "not a cable")]


def test_dry_run_and_upload_runs_are_logged_as_such(cable_files, django_user_model):
    user = django_user_model.objects.create_user("curator")
    path = cable_files("a.txt", make_cable("06PARIS1"))
    cables_ingest(sources=[path], dry_run=True)
    cables_ingest(sources=[path], started_by="upload", user=user, labels={str(path): "mine.txt"})
    dry, upload = IngestRun.objects.order_by("pk")
    assert (dry.dry_run, dry.created) == (True, 1)
    assert (upload.started_by, upload.user, upload.sources) == ("upload", user, ["mine.txt"])
    assert Cable.objects.get().source == "mine.txt"
    with pytest.raises(ValueError, match="started_by"):
        cables_ingest(sources=[path], started_by="cron")


def test_the_command_logs_its_run(cable_files):
    from django.core.management import call_command

    call_command("ingest_cables", str(cable_files("a.txt", make_cable("06PARIS1"))), verbosity=0)
    run = IngestRun.objects.get()
    assert (run.started_by, run.created) == ("command", 1)


def test_per_cable_outcomes_are_kept_up_to_the_limit_and_counts_always(cable_files, settings):
    settings.CABLES_INGEST_MAX_OUTCOMES = 3
    path = cable_files("cables.csv", *[make_cable(f"06PARIS{n}") for n in range(1, 6)])
    report = cables_ingest(sources=[path], batch_size=2)
    assert report.created == 5
    assert [(i, o) for i, o, _ in report.outcomes] == [
        ("06PARIS1", "created"),
        ("06PARIS2", "created"),
        ("06PARIS3", "created"),
    ]
    assert report.outcomes_truncated
    again = cables_ingest(sources=[path])
    assert {o for _, o, _ in again.outcomes} == {"unchanged"}


def test_hostile_zip_member_by_compression_ratio_is_rejected(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.txt", b"\0" * (4 * 1024**2))
    report = cables_ingest(sources=[archive])
    assert "compression ratio" in report.failed[0][2]
    assert IngestRun.objects.get().errors.count() == 1


# --- cables.csv dumps: worker processes, raw hashes --------------------------------------------

MAKE_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "make_corpus.py"


@pytest.fixture(scope="session")
def csv_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 40-cable ``cables.csv`` (make_corpus.py, seed 1), parsed by the real parser."""
    if not MAKE_CORPUS.is_file():
        pytest.skip(f"no corpus generator at {MAKE_CORPUS}")
    out = tmp_path_factory.mktemp("dump") / "cables.csv"
    command = [sys.executable, str(MAKE_CORPUS), "--count", "40", "--format", "csv", "--out", str(out)]
    subprocess.run([*command, "--quiet"], check=True)
    return out


def raw_records(path: Path) -> list[bytes]:
    with path.open("rb") as handle:
        return [
            r.data for r in ingest_parse.csv_raw_records(handle, name=str(path)) if not isinstance(r, tuple)
        ]


def loaded_state() -> dict:
    return {
        "cables": sorted(Cable.objects.values_list("identifier", "content_hash", "source", "source_hashes")),
        "paragraphs": sorted(Paragraph.objects.values_list("cable__identifier", "position", "text")),
        "references": sorted(
            Reference.objects.values_list(
                "citing__identifier", "position", "target_identifier", "cited__identifier"
            )
        ),
        "tags": sorted(CableTag.objects.values_list("cable__identifier", "tag__code")),
        "recipients": sorted(Recipient.objects.values_list("cable__identifier", "kind", "position", "name")),
    }


def test_csv_dump_parsed_in_workers_loads_exactly_what_one_process_loads(csv_dump, settings):
    settings.CABLES_INGEST_WORKERS_MIN_BYTES = 0  # a pool even for this small file
    expected = [
        (item.source, ingest_parse.content_hash(item.as_dict())) for item in parsing.iter_path(csv_dump)
    ]

    pooled = cables_ingest(sources=[csv_dump], workers=2, batch_size=7)
    state = loaded_state()
    Cable.objects.all().delete()
    single = cables_ingest(sources=[csv_dump], workers=1, batch_size=7)

    assert (pooled.created, pooled.failed) == (single.created, single.failed) == (40, [])
    assert loaded_state() == state
    assert sorted(Cable.objects.values_list("source", "content_hash")) == sorted(expected)
    assert pooled.references_resolved == single.references_resolved


def search_index_state() -> list[tuple]:
    """The stored search index, row by row, as the engine holds it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT identifier, search_document::text FROM cables_cable ORDER BY identifier")
        else:
            cursor.execute(
                "SELECT c.identifier, f.subject, f.meta, f.body FROM cables_search_fts f "
                "JOIN cables_cable c ON c.id = f.rowid ORDER BY c.identifier"
            )
        return cursor.fetchall()


def test_search_index_from_worker_lexemes_equals_a_rebuild_from_stored_rows(csv_dump, settings):
    settings.CABLES_INGEST_WORKERS_MIN_BYTES = 0  # parser workers compute the lexemes
    report = cables_ingest(sources=[csv_dump], workers=2, batch_size=7)
    assert (report.created, report.failed) == (40, [])
    written = search_index_state()

    search_index_rebuild(batch_size=9)

    assert len(written) == 40
    assert all(all(row[1:]) for row in written), "every cable has a non-empty document"
    assert search_index_state() == written


def test_bad_records_in_a_dump_parsed_in_workers_are_reported_at_their_line(csv_dump, tmp_path, settings):
    settings.CABLES_INGEST_WORKERS_MIN_BYTES = 0
    records = raw_records(csv_dump)
    nul = records[5].replace(b"SUBJECT", b"SUB\x00JECT", 1)
    dump = tmp_path / "mixed.csv"
    dump.write_bytes(b"".join([*records[:3], b'"1","2"\n', *records[3:5], nul, *records[6:]]))
    expected_failures = [
        (str(item.path), item.line, item.message)
        for item in parsing.iter_path(dump)
        if isinstance(item, ParseError)
    ]

    report = cables_ingest(sources=[dump], workers=2, batch_size=4)

    assert len(expected_failures) == 2
    assert sorted(report.failed) == sorted(expected_failures)
    first_bad_line = b"".join(records[:3]).count(b"\n") + 1
    assert (str(dump), first_bad_line) in {(source, line) for source, line, _ in report.failed}
    assert report.created == Cable.objects.count() == 39


def test_unchanged_dump_is_skipped_without_parsing_and_writes_nothing(csv_dump, monkeypatch):
    first = cables_ingest(sources=[csv_dump], workers=1)
    assert (first.created, first.failed) == (40, [])
    assert all(set(hashes) == {"csv"} for hashes in Cable.objects.values_list("source_hashes", flat=True))

    def no_parsing(*args, **kwargs):
        raise AssertionError("the parser was called")

    monkeypatch.setattr(ingest, "csv_records_parse", no_parsing)
    monkeypatch.setattr(parsing, "iter_path", no_parsing)
    with CaptureQueriesContext(connection) as ctx:
        second = cables_ingest(sources=[csv_dump], workers=2)

    assert (second.created, second.updated, second.unchanged, second.failed) == (0, 0, 40, [])
    assert second.unparsed == 40
    assert writes_in(ctx.captured_queries) == []
    assert second.references_resolved == first.references_resolved


def test_changed_record_in_a_dump_is_the_only_one_parsed_and_is_updated(csv_dump, tmp_path, monkeypatch):
    records = raw_records(csv_dump)
    dump = tmp_path / "cables.csv"
    dump.write_bytes(b"".join(records))
    cables_ingest(sources=[dump], workers=1)
    identifier = Cable.objects.get(source=f"{dump}:{1 + b''.join(records[:2]).count(b'\n')}").identifier
    changed = records[2].replace(b"SUBJECT: ", b"SUBJECT: REVISED ", 1)
    assert changed != records[2]
    dump.write_bytes(b"".join([*records[:2], changed, *records[3:]]))
    parsed: list[int] = []

    def spy(name, records):
        parsed.extend(line for line, _ in records)
        return ingest_parse.csv_records_parse(name, records)

    monkeypatch.setattr(ingest, "csv_records_parse", spy)
    report = cables_ingest(sources=[dump], workers=1)

    assert (report.created, report.updated, report.unchanged, report.failed) == (0, 1, 39, [])
    assert len(parsed) == 1
    cable = Cable.objects.get(identifier=identifier)
    assert cable.subject.startswith("REVISED") and cable.versions.count() == 1


def test_a_changed_parser_reparses_the_dump_and_writes_only_the_new_raw_hashes(csv_dump, monkeypatch):
    cables_ingest(sources=[csv_dump], workers=1)
    before = dict(Cable.objects.values_list("identifier", "source_hashes"))
    monkeypatch.setattr(ingest_parse, "parser_fingerprint", lambda: b"another parser")

    with CaptureQueriesContext(connection) as ctx:
        reparsed = cables_ingest(sources=[csv_dump], workers=1)
    again = cables_ingest(sources=[csv_dump], workers=1)

    assert (reparsed.created, reparsed.updated, reparsed.unchanged) == (0, 0, 40)
    assert {sql.split()[1].strip('"') for sql in writes_in(ctx.captured_queries)} == {"cables_cable"}
    after = dict(Cable.objects.values_list("identifier", "source_hashes"))
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in after)
    assert (again.updated, again.unchanged) == (0, 40)


def test_dump_split_in_c_agrees_with_the_exact_split_and_crs_take_the_exact_one(
    csv_dump, tmp_path, monkeypatch
):
    records = raw_records(csv_dump)
    dump = tmp_path / "mixed.csv"
    dump.write_bytes(b"".join([*records[:3], b'"1","2"\n', *records[3:]]))

    def split(path: Path) -> list:
        with path.open("rb") as handle:
            items = ingest_parse.csv_raw_records(handle, name=str(path))
            return [
                item if isinstance(item, tuple) else (item.line, item.data, item.raw_hash) for item in items
            ]

    fast = split(dump)
    monkeypatch.setattr(ingest_parse, "_has_cr", lambda handle: True)
    assert split(dump) == fast
    assert len(fast) == 41 and fast[3] == (str(dump), b"".join(records[:3]).count(b"\n") + 1, fast[3][2])
    monkeypatch.undo()

    with_cr = tmp_path / "cr.csv"
    with_cr.write_bytes(b"".join([*records[:2], records[2].replace(b"\n", b"\r\n"), *records[3:]]))
    expected = [(item.source, item.as_dict()["identifier"]) for item in parsing.iter_path(with_cr)]
    report = cables_ingest(sources=[with_cr], workers=1)
    assert report.failed == []
    assert sorted(Cable.objects.values_list("source", "identifier")) == sorted(expected)


def test_long_values_a_load_writes_are_compressed_with_lz4_on_postgresql(cable_files):
    """A body long enough to be compressed is stored with lz4 on PostgreSQL (when the server has
    it), the search document too; SQLite stores text as it is."""
    body = "1. (C) " + " ".join(f"Paragraph word {n} about talks." for n in range(2_000))
    cable = make_cable("06PARIS6189", body=body, paragraphs=(make_paragraph(1, body[7:]),))
    assert cables_ingest(sources=[cable_files("a.txt", cable)]).failed == []
    stored = Cable.objects.get()
    assert stored.body == body
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        lz4 = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_column_compression(body), pg_column_compression(search_document) "
            "FROM cables_cable WHERE id = %s",
            [stored.pk],
        )
        assert cursor.fetchone() == (("lz4", "lz4") if lz4 else ("pglz", "pglz"))
