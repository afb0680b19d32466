"""Versions: a cable loaded again with different content keeps the earlier one; the history page
lists them and shows an escaped, paragraph-level diff."""

from __future__ import annotations

import pytest

from cables.history import inline_diff, paragraphs_diff
from cables.ingest import cables_ingest
from cables.models import Cable, CableVersion
from tests.curation_helpers import corpus_file
from tests.factories import make_cable, make_paragraph

pytestmark = pytest.mark.django_db


def test_changed_cable_keeps_its_earlier_version_and_unchanged_writes_none(cable_files):
    path = cable_files("a.txt", make_cable("06PARIS1"))
    cables_ingest(sources=[path])
    first = Cable.objects.get()
    cable_files(
        "a.txt",
        make_cable(
            "06PARIS1",
            subject="New subject",
            paragraphs=(
                make_paragraph(1, "(C) Summary: nothing happened."),
                make_paragraph(2, "(C) Details follow."),
            ),
        ),
    )
    report = cables_ingest(sources=[path])
    assert (report.updated, report.versions_created) == (1, 1)
    version = CableVersion.objects.get()
    assert version.cable_id == first.pk
    assert version.subject == "Subject of 06PARIS1"
    assert version.loaded_at == first.loaded_at
    assert version.content_hash == first.content_hash
    assert version.run == report.run
    assert [p["text"] for p in version.paragraphs] == [
        "(C) Summary: something happened. End summary.",
        "(C) Details follow.",
    ]
    cables_ingest(sources=[path])
    assert CableVersion.objects.count() == 1


def test_text_then_html_rendition_makes_one_version_and_reloading_both_makes_none(corpus_dir):
    text, html = corpus_file("text/06BERLIN2546.txt"), corpus_file("wlc-html/2006/08/06BERLIN2546.html")
    cables_ingest(sources=[text])
    cables_ingest(sources=[html])
    version = CableVersion.objects.get()
    assert version.format == "text"
    assert Cable.objects.get().format == "html"
    cables_ingest(sources=[text, html])  # both renditions known per format: nothing changes
    assert CableVersion.objects.count() == 1


def test_history_page_lists_versions_and_diffs_the_changed_word(client, cable_files):
    path = cable_files("a.txt", make_cable("06PARIS1"))
    cables_ingest(sources=[path])
    cable_files(
        "a.txt",
        make_cable(
            "06PARIS1",
            paragraphs=(
                make_paragraph(1, "(C) Summary: something <b>else</b> happened. End summary."),
                make_paragraph(2, "(C) Details follow."),
                make_paragraph(3, "(C) A new paragraph."),
            ),
        ),
    )
    cables_ingest(sources=[path])
    version = CableVersion.objects.get()

    response = client.get("/cables/06PARIS1/history/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="version-{version.pk}"' in body
    assert "<ins>&lt;b&gt;else&lt;/b&gt; </ins>" in body
    assert "<b>else</b>" not in body
    assert '<li class="diff-inserted"><ins>3. (C) (C) A new paragraph.</ins></li>' in body
    assert " ".join(body.split()).count("1 paragraph changed, 1 added, 0 removed.") == 1

    explicit = client.get(f"/cables/06PARIS1/history/?from={version.pk}&to=current")
    assert explicit.content.decode().count("diff-changed") == 1
    reverse = client.get(f"/cables/06PARIS1/history/?from=current&to={version.pk}")
    assert '<li class="diff-deleted"><del>3. (C) (C) A new paragraph.</del></li>' in reverse.content.decode()


def test_history_of_a_cable_loaded_once_says_so_and_unknown_cable_is_404(client, cable_files):
    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1"))])
    assert "no earlier version" in client.get("/cables/06PARIS1/history/").content.decode()
    assert client.get("/cables/06PARIS2/history/").status_code == 404


def test_paragraphs_diff_marks_deleted_inserted_and_changed_paragraphs():
    rows = paragraphs_diff(["one", "two words", "three"], ["two other words", "three", "four"])
    assert [row.kind for row in rows] == ["changed", "deleted", "equal", "inserted"]
    assert rows[0].html == "<del>one</del><ins>two other words</ins>"
    assert rows[1].html == "<del>two words</del>"
    assert rows[3].html == "<ins>four</ins>"
    assert inline_diff("a <x> b", "a <y> b") == "a <del>&lt;x&gt;</del><ins>&lt;y&gt;</ins> b"
