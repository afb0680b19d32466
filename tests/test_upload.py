"""The admin upload: permissions, CSRF, bounds, hostile archives and bad files, the result page.

Every hostile input is refused or rejected with its reason, logged as an IngestRun with
IngestError rows, and writes no cable.
"""

from __future__ import annotations

import re
import stat
import zipfile

import pytest
from django.test import Client

from cables.models import Cable, CableVersion, IngestRun
from cables.upload import cables_upload
from tests.curation_helpers import UPLOAD_URL, corpus_file, make_staff, upload, zip_bytes

pytestmark = pytest.mark.django_db

CAIRO = "text/08CAIRO9.txt"
PARIS = "text/09PARIS1097.txt"


@pytest.fixture
def curator() -> Client:
    client = Client()
    client.force_login(make_staff("curator", perms=("cables.upload_cables", "cables.view_cable")))
    return client


def post_files(client: Client, *files: tuple[str, bytes]):
    return client.post(UPLOAD_URL, {"files": [upload(name, data) for name, data in files]})


def cable_bytes(relative: str = CAIRO) -> bytes:
    return corpus_file(relative).read_bytes()


# --- who may upload ----------------------------------------------------------------------------


def test_anonymous_user_is_sent_to_the_login_page(client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_the_upload_permission_is_forbidden(client):
    client.force_login(make_staff("reader", perms=("cables.view_cable",)))
    assert client.get(UPLOAD_URL).status_code == 403
    response = client.post(UPLOAD_URL, {"files": [upload("a.txt", cable_bytes())]})
    assert response.status_code == 403
    assert Cable.objects.count() == 0
    assert IngestRun.objects.count() == 0


def test_upload_page_states_limits_and_points_to_the_command(curator):
    response = curator.get(UPLOAD_URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "manage.py ingest_cables" in body
    assert "50 MB" in body
    assert 'enctype="multipart/form-data"' in body
    assert "multiple" in body


def test_changelist_links_to_the_upload_page_only_for_curators(curator, client):
    assert UPLOAD_URL in curator.get("/admin/cables/cable/").content.decode()
    client.force_login(make_staff("reader", perms=("cables.view_cable",)))
    response = client.get("/admin/cables/cable/")
    assert response.status_code == 200
    assert UPLOAD_URL not in response.content.decode()


def test_post_without_csrf_token_is_refused_and_with_it_works():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff("curator", perms=("cables.upload_cables",)))
    response = client.post(UPLOAD_URL, {"files": [upload("a.txt", cable_bytes())]})
    assert response.status_code == 403
    assert Cable.objects.count() == 0
    assert IngestRun.objects.count() == 0

    page = client.get(UPLOAD_URL)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        UPLOAD_URL, {"csrfmiddlewaretoken": token, "files": [upload("a.txt", cable_bytes())]}
    )
    assert response.status_code == 200
    assert Cable.objects.filter(identifier="08CAIRO9").exists()


# --- loading -----------------------------------------------------------------------------------


def test_several_files_are_loaded_and_listed_with_links_then_unchanged(curator):
    response = post_files(
        curator, ("08CAIRO9.txt", cable_bytes(CAIRO)), ("09PARIS1097.txt", cable_bytes(PARIS))
    )
    assert response.status_code == 200
    assert set(Cable.objects.values_list("identifier", flat=True)) == {"08CAIRO9", "09PARIS1097"}
    cairo = Cable.objects.get(identifier="08CAIRO9")
    assert cairo.source == "08CAIRO9.txt:1"  # the uploaded name (and line), not the temporary path
    body = response.content.decode()
    assert '<a href="/cables/08CAIRO9/">08CAIRO9</a>' in body
    assert f'href="/admin/cables/cable/{cairo.pk}/change/"' in body
    assert body.count('class="outcome-created"') == 2
    run = IngestRun.objects.get()
    assert (run.started_by, run.user.username, run.created, run.failed) == ("upload", "curator", 2, 0)
    assert run.sources == ["08CAIRO9.txt", "09PARIS1097.txt"]
    assert run.finished_at is not None

    again = post_files(curator, ("08CAIRO9.txt", cable_bytes(CAIRO)))
    assert again.content.decode().count('class="outcome-unchanged"') == 1
    assert IngestRun.objects.count() == 2
    assert CableVersion.objects.count() == 0


def test_zip_archive_is_loaded_and_members_are_named_in_the_sources(curator):
    data = zip_bytes(
        {"cables/08CAIRO9.txt": cable_bytes(CAIRO), "cables/09PARIS1097.txt": cable_bytes(PARIS)}
    )
    response = post_files(curator, ("batch.zip", data))
    assert response.status_code == 200
    assert Cable.objects.count() == 2
    assert Cable.objects.get(identifier="08CAIRO9").source == "batch.zip:cables/08CAIRO9.txt:1"


def test_bad_file_is_rejected_and_good_ones_are_loaded(curator):
    response = post_files(curator, ("08CAIRO9.txt", cable_bytes(CAIRO)), ("notes.txt", b"shopping list\n"))
    assert list(Cable.objects.values_list("identifier", flat=True)) == ["08CAIRO9"]
    body = response.content.decode()
    assert 'class="outcome-rejected"' in body
    assert "notes.txt" in body
    run = IngestRun.objects.get()
    assert (run.created, run.failed) == (1, 1)
    assert run.errors.get().source == "notes.txt"


def test_reupload_of_changed_cable_updates_it_and_links_to_the_history(curator):
    original = cable_bytes(CAIRO)
    post_files(curator, ("08CAIRO9.txt", original))
    paragraph = Cable.objects.get(identifier="08CAIRO9").paragraphs.order_by("position")[1]
    word = paragraph.text.split()[3]
    changed = original.replace(word.encode(), b"CORRECTEDWORD", 1)
    assert changed != original

    response = post_files(curator, ("08CAIRO9-fixed.txt", changed))

    body = response.content.decode()
    assert 'class="outcome-updated"' in body
    assert 'href="/cables/08CAIRO9/history/"' in body
    assert CableVersion.objects.get().source == "08CAIRO9.txt:1"
    assert Cable.objects.get(identifier="08CAIRO9").source == "08CAIRO9-fixed.txt:1"


# --- hostile archives and bad files ------------------------------------------------------------


def _symlink_zip(good: bytes) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("good.txt", good)
        link = zipfile.ZipInfo("passwd.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def _encrypted_zip(good: bytes) -> bytes:
    data = bytearray(zip_bytes({"good.txt": good, "secret.txt": b"x" * 100}, compression=zipfile.ZIP_STORED))
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)  # the second member's entry
    data[central + 8] |= 0x1  # general purpose flag: encrypted
    return bytes(data)


def _corrupt_zip(good: bytes) -> bytes:
    data = bytearray(zip_bytes({"a.txt": good, "b.txt": b"ABCDEFGH" * 200}, compression=zipfile.ZIP_STORED))
    at = data.find(b"ABCDEFGH")
    data[at : at + 8] = b"HGFEDCBA"  # same size, wrong CRC
    return bytes(data)


def _lying_size_zip(good: bytes) -> bytes:
    payload = b"A" * 5000
    data = bytearray(zip_bytes({"good.txt": good, "liar.txt": payload}, compression=zipfile.ZIP_STORED))
    size = len(payload).to_bytes(4, "little")
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            if data[at + offset : at + offset + 4] == size:
                data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
            start = at + 4
    return bytes(data)


# (id, files builder taking the good cable's bytes, settings, expected reason, refused as a whole)
HOSTILE = [
    (
        "zip-slip",
        lambda g: [("a.zip", zip_bytes({"good.txt": g, "../evil.txt": g}))],
        {},
        "path with '..' rejected",
        True,
    ),
    (
        "absolute-path",
        lambda g: [("a.zip", zip_bytes({"good.txt": g, "/etc/evil.txt": g}))],
        {},
        "absolute path rejected",
        True,
    ),
    (
        "drive-letter",
        lambda g: [("a.zip", zip_bytes({"good.txt": g, "C:/evil.txt": g}))],
        {},
        "absolute path rejected",
        True,
    ),
    ("symlink", lambda g: [("a.zip", _symlink_zip(g))], {}, "link rejected", True),
    (
        "nested-zip",
        lambda g: [("a.zip", zip_bytes({"good.txt": g, "inner.zip": zip_bytes({"x.txt": g})}))],
        {},
        "nested archive rejected",
        True,
    ),
    (
        "zip-disguised-as-txt",
        lambda g: [("a.zip", zip_bytes({"good.txt": g, "inner.txt": zip_bytes({"x.txt": g})}))],
        {},
        "nested archive rejected",
        True,
    ),
    (
        "zip-bomb-ratio",
        lambda g: [("a.zip", zip_bytes({"good.txt": g, "bomb.txt": b"\0" * (8 * 1024**2)}))],
        {},
        "compression ratio",
        True,
    ),
    (
        "too-many-members",
        lambda g: [("a.zip", zip_bytes({f"{n}.txt": g for n in range(6)}))],
        {"CABLES_UPLOAD_ZIP_MAX_MEMBERS": 5},
        "6 members (limit 5)",
        True,
    ),
    (
        "too-large-uncompressed",
        lambda g: [("a.zip", zip_bytes({"good.txt": g, "big.txt": g * 20}))],
        {"CABLES_UPLOAD_ZIP_MAX_BYTES": 50_000},
        "bytes uncompressed (limit 50000)",
        True,
    ),
    ("encrypted-member", lambda g: [("a.zip", _encrypted_zip(g))], {}, "encrypted member rejected", True),
    ("corrupt-member", lambda g: [("a.zip", _corrupt_zip(g))], {}, "cannot extract", True),
    (
        "lying-size",
        lambda g: [("a.zip", _lying_size_zip(g))],
        {},
        "cannot extract: Bad CRC-32",
        True,
    ),  # zipfile reads no more than declared
    (
        "duplicate-members",
        lambda g: [("a.zip", zip_bytes({"good.txt": g, "dir/../good.txt": g}) + b"")],
        {},
        "rejected",
        True,
    ),
    ("empty-archive", lambda g: [("a.zip", zip_bytes({}))], {}, "no files in it", True),
    (
        "not-a-zip-named-zip",
        lambda g: [("good.txt", g), ("a.zip", b"this is not an archive" * 10)],
        {},
        "not a readable zip archive",
        True,
    ),
    (
        "too-many-files",
        lambda g: [("1.txt", g), ("2.txt", g), ("3.txt", g)],
        {"CABLES_UPLOAD_MAX_FILES": 2},
        "3 files (limit 2)",
        True,
    ),
    ("empty-file", lambda g: [("empty.txt", b"")], {}, "empty", False),
    ("binary-junk", lambda g: [("junk.txt", bytes(range(256)) * 40)], {}, "undecodable", False),
    (
        "html-not-a-cable",
        lambda g: [("page.html", b"<html><body><h1>Hello</h1><p>menu</p></body></html>")],
        {},
        "not a cable",
        False,
    ),
    (
        "csv-wrong-columns",
        lambda g: [
            ("c.csv", b'"1","12/14/2006 16:08","06PARIS1","Embassy Paris","CONFIDENTIAL","","header"\n')
        ],
        {},
        "7 fields, expected 8",
        False,
    ),
    (
        "csv-broken-quoting",
        lambda g: [
            (
                "c.csv",
                b'"1","12/14/2006 16:08","06PARIS1","Embassy Paris","CONFIDENTIAL","","h\n","body "broken\n',
            )
        ],
        {},
        "not a cable",
        False,
    ),
    ("ten-megabyte-line", lambda g: [("line.txt", b"A" * (10 * 1024**2))], {}, "not a cable", False),
    (
        "markup-filename",
        lambda g: [("<img src=x onerror=alert(1)>.txt", b"<script>alert(1)</script>")],
        {},
        "not a cable",
        False,
    ),
]


@pytest.mark.parametrize(
    ("files", "overrides", "reason", "refused"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_hostile_upload_is_refused_or_rejected_with_its_reason_and_writes_no_cable(
    curator, settings, files, overrides, reason, refused
):
    for name, value in overrides.items():
        setattr(settings, name, value)

    response = post_files(curator, *files(cable_bytes()))

    assert response.status_code == 200
    assert Cable.objects.count() == 0
    run = IngestRun.objects.get()
    assert (run.started_by, run.created, run.updated) == ("upload", 0, 0)
    messages = list(run.errors.values_list("message", flat=True))
    assert any(reason in message for message in messages), messages
    assert run.failed == len(messages) >= 1
    body = response.content.decode()
    assert ("was refused and nothing of it was loaded" in body) is refused
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    if "onerror" in files(b"")[0][0]:
        assert "&lt;img src=x onerror=alert(1)&gt;.txt" in body


def test_duplicate_member_names_are_refused(curator):
    import io
    import warnings

    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate, as it should
        archive.writestr("good.txt", cable_bytes())
        archive.writestr("good.txt", b"a different file under the same name")
    post_files(curator, ("dup.zip", buffer.getvalue()))
    assert Cable.objects.count() == 0
    assert IngestRun.objects.get().errors.filter(message="duplicate member name rejected").exists()


def test_upload_over_the_size_limit_is_refused_without_being_read(curator, settings):
    settings.CABLES_UPLOAD_MAX_BYTES = 10_000
    response = post_files(curator, ("big.txt", b"x" * (2 * 1024**2)))
    assert response.status_code == 413
    assert "was not read" in response.content.decode()
    assert Cable.objects.count() == 0


def test_service_refuses_files_over_the_total_limit(settings):
    settings.CABLES_UPLOAD_MAX_BYTES = 1_000
    result = cables_upload(files=[upload("a.txt", b"x" * 600), upload("b.txt", b"y" * 600)])
    assert result.refused
    assert "1,200 bytes (limit 1,000)" in result.report.failed[0][2]
    assert Cable.objects.count() == 0
    assert IngestRun.objects.get().failed == 1


def test_uploaded_names_never_become_paths(tmp_path, settings):
    result = cables_upload(files=[upload("../../../../tmp/evil.txt", b"not a cable")])
    assert result.report.failed[0][0] == "evil.txt"
    assert not (tmp_path.parent / "evil.txt").exists()


@pytest.mark.django_db
def test_upload_parses_in_the_web_process(monkeypatch):
    """A web worker must not start a pool of parser processes, whatever the upload's size."""
    import cables.upload as upload_module

    seen = {}

    def fake_ingest(**kwargs):
        seen.update(kwargs)
        raise RuntimeError("stop here")

    monkeypatch.setattr(upload_module, "cables_ingest", fake_ingest)
    data = corpus_file("telegram/09PARIS1007.txt").read_bytes()
    with pytest.raises(RuntimeError, match="stop here"):
        cables_upload(files=[upload("09PARIS1007.txt", data)])
    assert seen["workers"] == 1
