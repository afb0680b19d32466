"""The rendered cable page, cached per cable until anything it shows could have changed.

A cable page shows its own cable, the cables it cites and the cables citing it (links, dates,
subjects), its tags' names and kinds and its origin's name: ingest of any cable, or an admin edit
of a tag or an origin, can change pages other than the one written. So every cached page is
valid for one **collection version**, a random token in the shared cache that
``collection_version_bump()`` replaces: ingest calls it after a run that wrote anything, the tag
and origin admin after every save or delete. A page is stored with the version it was rendered
under (read *before* rendering) and used only while that version is current.

The version is a random token, never a counter: a bump rolled back with its transaction (a test,
a failed admin save) leaves no reusable number behind, and a lost key (expired, culled) is
replaced by a new token, which only makes every page cold.

Pages are kept in their own table (``CablePage``), not in the cache: one upsert stores a page
(DatabaseCache counts its whole table and reads the row before every write), and the table is
bounded by ``cable_pages_cull()``, which every ``CULL_EVERY``-th write in a process runs: it
deletes the pages of another version, those older than ``PAGE_TIMEOUT`` and, beyond
``STORE_MAX_PAGES``, the oldest third.

Reads cost one query: the version row of the cache table and the page row, joined in one
``SELECT`` (or, with a cache that is not a DatabaseCache in the same database, two reads). A small
per-process LRU, bounded in bytes, keeps recent pages in front of the store: a hit there reads
only the version. ``cable_page_lookup`` can also read, in the same statement, what a page is
rendered from when no page is stored (a first visit: one round trip instead of two). Nothing
per visitor is in the page (no CSRF token, no login state, no CSP nonce); the view caches only
complete 200 pages of loaded cables.
"""

from __future__ import annotations

import base64
import itertools
import pickle
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.db.models import Q
from django.utils import timezone

from cables.models import CablePage, prepared_cursor

VERSION_KEY = "cables:version"
PAGE_TIMEOUT = 24 * 3600
LOCAL_MAX_BYTES = 32 * 1024**2
# The store's bound: at most this many pages (about 15 kB each), culled every CULL_EVERY writes.
STORE_MAX_PAGES = getattr(settings, "CABLES_PAGE_STORE_MAX_PAGES", 50_000)
CULL_EVERY = 500


class BoundedLRU:
    """A per-process map, least recently used dropped first once the values' weights add up to
    more than ``max_weight`` (or there are more than ``max_entries``); a value weighing more than
    ``max_weight // largest_share`` is not kept. Thread-safe (gthread workers share it)."""

    def __init__(
        self,
        max_weight: int,
        *,
        weigh: Callable[[Any], int],
        max_entries: int | None = None,
        largest_share: int = 8,
    ) -> None:
        self.max_weight, self.max_entries, self.largest = max_weight, max_entries, max_weight // largest_share
        self.weigh = weigh
        self.size = 0  # the sum of the kept values' weights
        self.entries: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            self.entries.move_to_end(key)
            return entry[0]

    def set(self, key: str, value: Any) -> None:
        weight = self.weigh(value)
        if weight > self.largest:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self.entries[key] = (value, weight)
            self.size += weight
            while self.entries and (
                self.size > self.max_weight
                or (self.max_entries is not None and len(self.entries) > self.max_entries)
            ):
                _, (_, dropped) = self.entries.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


class _LocalPages(BoundedLRU):
    """identifier -> (version, html), bounded by the pages' bytes."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, weigh=lambda entry: len(entry[1]))

    def set(self, identifier: str, version: str, html: bytes) -> None:  # type: ignore[override]
        super().set(identifier, (version, html))


local_pages = _LocalPages(LOCAL_MAX_BYTES)


def collection_version_bump() -> str:
    """Make every cached cable page stale (after ingest wrote, or a tag or origin was edited)."""
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    return version


def _version_or_new(version: str | None) -> str:
    if version is not None:
        return version
    candidate = uuid.uuid4().hex
    if cache.add(VERSION_KEY, candidate, None):
        return candidate
    return cache.get(VERSION_KEY) or candidate


def collection_version() -> str:
    """The current collection version (one cache read): part of the key of anything rendered
    from the collection that a load or a tag/origin edit can change."""
    return _version_or_new(cache.get(VERSION_KEY))


class Lookup(NamedTuple):
    """What ``cable_page_lookup`` found."""

    version: str  # the current collection version: render under it, store under it
    html: bytes | None  # the stored page, if one is current
    row: tuple | None  # ``page_sql``'s row, read in the same statement; None if it was not read


def _stored(
    identifier: str, page_sql: str | None = None
) -> tuple[str | None, bytes | None, str | None, tuple | None]:
    """(the version in the cache or None, the stored page or None, the stored page's version,
    ``page_sql``'s row for ``identifier`` if it was read: see ``cable_page_lookup``)."""
    now = timezone.now()
    oldest = now - timedelta(seconds=PAGE_TIMEOUT)
    backend = caches["default"]
    db = router.db_for_read(CablePage)
    if not isinstance(backend, DatabaseCache) or router.db_for_read(backend.cache_model_class) != db:
        version = cache.get(VERSION_KEY)
        row = (
            CablePage.objects.filter(identifier=identifier, stored_at__gte=oldest)
            .values_list("version", "html")
            .first()
        )
        return (version, bytes(row[1]), row[0], None) if row else (version, None, None, None)
    # One query for both; the version's value and expiry read as DatabaseCache.get_many does.
    connection = connections[db]
    quote = connection.ops.quote_name
    # only quoted names of the two tables and their columns, and the caller's fixed page_sql,
    # are formatted into the SQL
    sql = (
        f"SELECT c.{quote('value')}, p.{quote('version')}, p.{quote('html')}"  # noqa: S608
        f"{', d.*' if page_sql else ''} FROM (SELECT 1 AS one) q "
        f"LEFT JOIN {quote(backend._table)} c ON c.{quote('cache_key')} = %s AND c.{quote('expires')} >= %s "
        f"LEFT JOIN {quote(CablePage._meta.db_table)} p ON p.{quote('identifier')} = %s "
        f"AND p.{quote('stored_at')} >= %s"
    )
    params = [
        backend.make_and_validate_key(VERSION_KEY),
        connection.ops.adapt_datetimefield_value(now),
        identifier,
        connection.ops.adapt_datetimefield_value(oldest),
    ]
    if page_sql:
        # Run only when no page is stored: the condition on the outer row becomes a one-time
        # filter of the subquery, which OFFSET 0 keeps from being merged into the joins.
        sql += (
            f" LEFT JOIN LATERAL (SELECT * FROM ({page_sql}) s "  # noqa: S608 - fixed SQL, see above
            f"WHERE p.{quote('html')} IS NULL OFFSET 0) d ON true"
        )
        params.append(identifier)
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        value, stored_version, html, *row = cursor.fetchone()
    if value is not None:
        value = pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode()))  # noqa: S301 - our own cache row
    read = tuple(row) if page_sql and html is None else None
    return value, (bytes(html) if html is not None else None), stored_version, read


def cable_page_lookup(identifier: str, *, page_sql: str | None = None) -> Lookup:
    """The current collection version and the cached page of ``identifier`` (one query), and,
    when no page is stored, ``page_sql``'s row for it, read by the same statement.

    ``page_sql``: fixed SQL of one parameter, ``identifier``, that reads at most one row (all
    NULL in ``Lookup.row`` when it finds none). It is read only where the store and the version
    are read by one statement (a DatabaseCache in the store's database) and no page is stored,
    current or not; elsewhere ``Lookup.row`` is None and the caller reads what it needs."""
    local = local_pages.get(identifier)
    if local is not None:
        version = collection_version()
        return Lookup(version, local[1] if local[0] == version else None, None)
    found, html, stored_version, row = _stored(identifier, page_sql)
    version = _version_or_new(found)
    if html is not None and stored_version == version:
        local_pages.set(identifier, version, html)
        return Lookup(version, html, None)
    return Lookup(version, None, row)


_writes = itertools.count(1)


def cable_page_set(identifier: str, *, version: str, html: bytes) -> None:
    """Keep the page rendered under ``version`` (the version read before rendering): one upsert,
    and every ``CULL_EVERY``-th write in this process a ``cable_pages_cull()``."""
    connection = connections[router.db_for_write(CablePage)]
    quote = connection.ops.quote_name
    table, key = quote(CablePage._meta.db_table), quote("identifier")
    columns = [quote(name) for name in ("version", "html", "stored_at")]
    # The upsert bulk_create(update_conflicts=True) writes, without building a query each time
    # (a twentieth of a first visit). Only quoted names are formatted into the SQL.
    sql = (
        f"INSERT INTO {table} ({key}, {', '.join(columns)}) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT ({key}) DO UPDATE SET "
        + ", ".join(f"{column} = EXCLUDED.{column}" for column in columns)
    )
    stored_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [identifier, version, html, stored_at])
    local_pages.set(identifier, version, html)
    if next(_writes) % CULL_EVERY == 0:
        cable_pages_cull()


def cable_pages_cull(*, max_pages: int | None = None) -> int:
    """Delete the stored pages no request can use (another version, older than ``PAGE_TIMEOUT``)
    and, if more than ``max_pages`` remain, the oldest third of them. Returns how many went."""
    max_pages = STORE_MAX_PAGES if max_pages is None else max_pages
    useless = Q(stored_at__lt=timezone.now() - timedelta(seconds=PAGE_TIMEOUT))
    version = cache.get(VERSION_KEY)
    if version is not None:
        useless |= ~Q(version=version)
    deleted, _ = CablePage.objects.filter(useless).delete()  # one DELETE: nothing refers to pages
    if CablePage.objects.count() > max_pages:
        keep = max_pages * 2 // 3
        cutoff = CablePage.objects.order_by("-stored_at").values_list("stored_at", flat=True)[keep]
        surplus, _ = CablePage.objects.filter(stored_at__lte=cutoff).delete()
        deleted += surplus
    return deleted
