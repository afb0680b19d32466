"""The admin: cables read-only and cheap to list, tags and origins editable, the ingest log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cables.ingest import cables_ingest
from cables.models import Cable, IngestRun, Origin, Tag
from cables.parsing.errors import ParseError
from tests.curation_helpers import make_staff
from tests.factories import make_cable, make_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_() -> Client:
    client = Client()
    client.force_login(
        make_staff(
            "curator",
            perms=(
                "cables.view_cable",
                "cables.change_tag",
                "cables.view_tag",
                "cables.change_origin",
                "cables.view_origin",
                "cables.view_ingestrun",
                "cables.view_ingesterror",
            ),
        )
    )
    return client


@pytest.fixture
def loaded(cable_files):
    root = cable_files("a.txt", make_cable("06PARIS1", references=(make_reference("06PARIS2"),))).parent
    for n in range(2, 30):
        cable_files(f"{n}.txt", make_cable(f"06PARIS{n}", tags=("PREL", f"ZZ{n}")))
    cables_ingest(sources=[root])


def test_cable_changelist_shows_columns_in_a_fixed_number_of_queries(admin_client_, loaded):
    admin_client_.get("/admin/cables/cable/")  # computes and caches the year filter's counts
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client_.get("/admin/cables/cable/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "06PARIS29" in body and "Embassy Paris" in body and "Subject of 06PARIS2" in body
    few = len(ctx.captured_queries)
    Cable.objects.filter(identifier="06PARIS1").update(subject="x")
    with CaptureQueriesContext(connection) as ctx:
        admin_client_.get("/admin/cables/cable/?p=1")
    assert len(ctx.captured_queries) == few
    assert few <= 15
    # the paginator's count only: no second count for "N total" (show_full_result_count)
    assert sum("COUNT(*)" in q["sql"] for q in ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        admin_client_.get("/admin/cables/cable/?classification__exact=3")
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"]]
    assert len(counts) == 1 and "WHERE" in counts[0], "a filtered list never counts the whole table"


def test_cable_filters_and_search(admin_client_, loaded):
    by_tag = admin_client_.get("/admin/cables/cable/?tag=zz7").content.decode()
    assert "06PARIS7<" in by_tag and "06PARIS8<" not in by_tag
    by_id = admin_client_.get("/admin/cables/cable/?q=06PARIS12").content.decode()
    assert "06PARIS12<" in by_id and "06PARIS13<" not in by_id
    by_subject = admin_client_.get("/admin/cables/cable/?q=Subject+of+06PARIS2").content.decode()
    assert "06PARIS2<" in by_subject and "06PARIS29<" in by_subject
    paris = Origin.objects.get(name="Embassy Paris")
    assert admin_client_.get(f"/admin/cables/cable/?origin__id__exact={paris.pk}").status_code == 200
    assert (
        admin_client_.get("/admin/cables/cable/?classification__exact=3&created__year=2006").status_code
        == 200
    )


def test_cable_year_filter_lists_the_years_with_cables_and_filters_by_range(admin_client_, loaded):
    cache.clear()
    Cable.objects.filter(identifier="06PARIS3").update(created=datetime(2007, 3, 1, 12, tzinfo=UTC))
    with CaptureQueriesContext(connection) as ctx:
        page = admin_client_.get("/admin/cables/cable/?year=2007").content.decode()
    assert "06PARIS3<" in page and "06PARIS4<" not in page
    assert "2007 (1)" in page and f"2006 ({Cable.objects.count() - 1:,})" in page
    assert not any("DATE_TRUNC" in q["sql"].upper() for q in ctx.captured_queries)
    everything = admin_client_.get("/admin/cables/cable/?year=2007x").content.decode()
    assert "06PARIS3<" in everything and "06PARIS4<" in everything


def test_cable_page_is_read_only_with_inlines_and_view_on_site(admin_client_, loaded):
    cable = Cable.objects.get(identifier="06PARIS1")
    response = admin_client_.get(f"/admin/cables/cable/{cable.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Summary: something happened" in body  # paragraph inline
    assert "06PARIS2" in body  # reference inline
    assert "/cables/06PARIS1/history/" in body
    assert 'name="subject"' not in body  # no editable field
    assert "View on site" in body
    assert admin_client_.post(f"/admin/cables/cable/{cable.pk}/delete/").status_code == 403
    assert admin_client_.get("/admin/cables/cable/add/").status_code == 403


def test_tag_and_origin_edits_show_in_the_reading_room_at_once(admin_client_, loaded, cable_files):
    tag = Tag.objects.get(code="ZZ3")
    response = admin_client_.post(
        f"/admin/cables/tag/{tag.pk}/change/", {"kind": "program", "name": "Zed three"}
    )
    assert response.status_code == 302
    assert Tag.objects.get(pk=tag.pk).name == "Zed three"
    origin = Origin.objects.get(name="Embassy Paris")
    response = admin_client_.post(f"/admin/cables/origin/{origin.pk}/change/", {"name": "US Embassy Paris"})
    assert response.status_code == 302
    assert "US Embassy Paris" in Client().get("/cables/06PARIS3/").content.decode()
    # the next load finds the renamed origin by its parsed name: no second origin
    cables_ingest(sources=[cable_files("new.txt", make_cable("06PARIS99"))])
    assert Cable.objects.get(identifier="06PARIS99").origin_id == origin.pk
    assert Origin.objects.filter(station="PARIS").count() == 1


def test_ingest_log_is_listed_read_only_with_its_errors(admin_client_, cable_files):
    bad = cable_files("bad.txt", ParseError("not a cable (no TAGS line)", path="bad.txt", line=3))
    cables_ingest(sources=[bad, "/no/such/file"])
    run = IngestRun.objects.get()
    assert admin_client_.get("/admin/cables/ingestrun/").status_code == 200
    page = admin_client_.get(f"/admin/cables/ingestrun/{run.pk}/change/").content.decode()
    assert "no such file or directory" in page and "bad.txt" in page
    errors = admin_client_.get(f"/admin/cables/ingesterror/?run__id__exact={run.pk}")
    assert errors.status_code == 200
    assert "not a cable (no TAGS line)" in errors.content.decode()
    assert "/no/such/file" in errors.content.decode()
    assert admin_client_.get("/admin/cables/ingestrun/add/").status_code == 403
