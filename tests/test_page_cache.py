"""The cached cable page (cables.page_cache): one query when warm, stale after any change shown,
one upsert to store, a bounded store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cables import page_cache
from cables.ingest import cables_ingest
from cables.models import CablePage, Origin, Tag
from cables.page_cache import cable_page_lookup, collection_version_bump, local_pages
from tests.factories import make_cable, make_reference
from tests.test_admin import admin_client_  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def page(identifier: str) -> str:
    response = Client().get(f"/cables/{identifier}/")
    assert response.status_code == 200
    return response.content.decode()


def test_warm_page_is_one_query_and_the_same_bytes(cable_files):
    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1", tags=("PREL",)))])
    cold = page("06PARIS1")
    with CaptureQueriesContext(connection) as ctx:
        warm = page("06PARIS1")
    assert warm == cold
    assert len(ctx.captured_queries) == 1  # version and page in one SELECT of the cache table
    local_pages.clear()  # another worker: the shared cache answers, still one query
    with CaptureQueriesContext(connection) as ctx:
        assert page("06PARIS1") == cold
    assert len(ctx.captured_queries) == 1


def test_first_visit_reads_the_page_with_the_store_on_postgresql(cable_files):
    """A first visit: on PostgreSQL the store read also reads the page (one statement, then the
    upsert); on SQLite the store read, the page's six reads and the upsert. A stored page of an
    older version is rendered again with one more read, and a cited cable that is not loaded
    still gets its own page."""
    cables_ingest(
        sources=[
            cable_files(
                "a.txt",
                make_cable("06PARIS1", tags=("PREL",), references=(make_reference("06STATE9"),)),
                make_cable("06PARIS2", references=(make_reference("06PARIS1"),)),
            )
        ]
    )
    first = 2 if connection.vendor == "postgresql" else 8
    with CaptureQueriesContext(connection) as ctx:
        body = page("06PARIS1")
    assert len(ctx.captured_queries) == first, [q["sql"][:80] for q in ctx.captured_queries]
    assert "Subject of 06PARIS1" in body and 'href="/cables/06PARIS2/"' in body and "PREL" in body
    local_pages.clear()
    collection_version_bump()  # the stored page is now of an older version
    with CaptureQueriesContext(connection) as ctx:
        assert page("06PARIS1") == body
    assert len(ctx.captured_queries) == first + (1 if connection.vendor == "postgresql" else 0)
    assert "06STATE9" in Client().get("/cables/06STATE9/").content.decode()  # cited, not loaded


def test_new_cable_citing_this_one_appears_in_cited_by(cable_files):
    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1"))])
    assert "No loaded cable cites this one." in page("06PARIS1")
    cables_ingest(
        sources=[cable_files("b.txt", make_cable("06BERLIN2", references=(make_reference("06PARIS1"),)))]
    )
    body = page("06PARIS1")
    assert 'href="/cables/06BERLIN2/"' in body
    assert "No loaded cable cites this one." not in body


def test_reference_becomes_a_link_when_the_cited_cable_arrives(cable_files):
    cables_ingest(
        sources=[cable_files("a.txt", make_cable("06PARIS1", references=(make_reference("06STATE7"),)))]
    )
    assert "(not in the collection)" in page("06PARIS1")
    cables_ingest(sources=[cable_files("b.txt", make_cable("06STATE7"))])
    assert "(not in the collection)" not in page("06PARIS1")


def test_unchanged_reingest_keeps_the_cached_page(cable_files):
    path = cable_files("a.txt", make_cable("06PARIS1"))
    cables_ingest(sources=[path])
    version = cable_page_lookup("06PARIS1").version
    page("06PARIS1")
    cables_ingest(sources=[path])  # writes nothing
    assert cable_page_lookup("06PARIS1")[:2] == (version, page_cache.local_pages.get("06PARIS1")[1])


def test_admin_edits_of_tag_and_origin_show_at_once(admin_client_, cable_files):  # noqa: F811
    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1", tags=("ZZ3",)))])
    assert "Zed three" not in page("06PARIS1")
    tag = Tag.objects.get(code="ZZ3")
    response = admin_client_.post(
        f"/admin/cables/tag/{tag.pk}/change/", {"kind": "program", "name": "Zed three"}
    )
    assert response.status_code == 302
    assert "Zed three" in page("06PARIS1")
    origin = Origin.objects.get(name="Embassy Paris")
    response = admin_client_.post(f"/admin/cables/origin/{origin.pk}/change/", {"name": "US Embassy Paris"})
    assert response.status_code == 302
    assert "US Embassy Paris" in page("06PARIS1")


def test_page_cached_under_an_old_version_is_not_served(cable_files):
    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1"))])
    page("06PARIS1")
    collection_version_bump()
    with CaptureQueriesContext(connection) as ctx:
        page("06PARIS1")
    assert len(ctx.captured_queries) > 1  # rendered again


def test_lost_version_makes_pages_cold_not_stale(cable_files):
    from django.core.cache import cache

    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1"))])
    page("06PARIS1")
    cache.delete(page_cache.VERSION_KEY)
    version, html, _ = cable_page_lookup("06PARIS1")
    assert html is None
    assert cable_page_lookup("06PARIS1").version == version


def test_local_pages_are_bounded_in_bytes():
    pages = page_cache._LocalPages(max_bytes=1000)
    for n in range(20):
        pages.set(f"06PARIS{n}", "v", b"x" * 100)
    assert pages.size <= 1000
    assert pages.get("06PARIS0") is None
    assert pages.get("06PARIS19") == ("v", b"x" * 100)


def test_missing_cable_page_is_not_cached(cable_files):
    cables_ingest(
        sources=[cable_files("a.txt", make_cable("06PARIS1", references=(make_reference("06STATE9"),)))]
    )
    assert Client().get("/cables/06STATE9/").status_code == 200
    assert cable_page_lookup("06STATE9").html is None


def test_storing_a_page_is_one_upsert(cable_files):
    from cables.page_cache import cable_page_set

    with CaptureQueriesContext(connection) as ctx:
        cable_page_set("06PARIS1", version="v1", html=b"<p>one</p>")
        cable_page_set("06PARIS1", version="v2", html=b"<p>two</p>")
    assert len(ctx.captured_queries) == 2
    assert list(CablePage.objects.values_list("identifier", "version")) == [("06PARIS1", "v2")]


def test_the_store_is_culled_to_its_bound(monkeypatch):
    from cables.page_cache import cable_page_set, collection_version

    monkeypatch.setattr(page_cache, "CULL_EVERY", 1)
    monkeypatch.setattr(page_cache, "STORE_MAX_PAGES", 9)
    version = collection_version()
    cable_page_set("05STATE1", version="stale", html=b"old")
    for n in range(30):
        cable_page_set(f"06PARIS{n}", version=version, html=b"x")
        assert CablePage.objects.count() <= 9
    assert not CablePage.objects.filter(version="stale").exists()  # another version: deleted
    assert CablePage.objects.filter(identifier="06PARIS29").exists()  # the newest are kept


def test_pages_older_than_the_timeout_are_not_served(cable_files):
    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1"))])
    page("06PARIS1")
    local_pages.clear()
    CablePage.objects.update(stored_at=timezone.now() - timedelta(seconds=page_cache.PAGE_TIMEOUT + 1))
    assert cable_page_lookup("06PARIS1").html is None
    assert page_cache.cable_pages_cull() == 1


def test_another_cache_backend_reads_the_version_and_the_page_apart(cable_files, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1"))])
    cold = page("06PARIS1")
    local_pages.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert page("06PARIS1") == cold
    assert len(ctx.captured_queries) == 1  # the page; the version is in memory
    collection_version_bump()
    assert cable_page_lookup("06PARIS1").html is None


def _prepared_runs() -> dict[str, int]:
    """Each prepared statement of this connection, with how often it ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def test_the_page_reads_and_store_are_prepared_statements_on_postgresql(cable_files, settings):
    """On PostgreSQL the cable page's fixed SQL (the store read, which on a first visit also
    reads the page's one statement, and the store upsert) runs as statements prepared once per
    connection; CABLES_DB_PREPARE=0 turns that off. On SQLite the same pages are served by
    ordinary cursors."""
    cables_ingest(sources=[cable_files("a.txt", make_cable("06PARIS1"), make_cable("06PARIS2"))])
    before = _prepared_runs() if connection.vendor == "postgresql" else {}
    assert "Subject of 06PARIS1" in page("06PARIS1")
    if connection.vendor != "postgresql":
        return
    ran = {sql: runs for sql, runs in _prepared_runs().items() if runs > before.get(sql, 0)}
    assert len(ran) == 2, list(ran)
    assert sum(sql.startswith("INSERT INTO") and "cables_cablepage" in sql for sql in ran) == 1
    assert (
        sum(
            sql.startswith("SELECT")
            and "cables_cablepage" in sql
            and "FROM cables_cable c LEFT JOIN cables_origin o" in sql
            for sql in ran
        )
        == 1
    )
    settings.CABLES_DB_PREPARE = False
    before = _prepared_runs()
    assert "Subject of 06PARIS2" in page("06PARIS2")
    assert _prepared_runs() == before
