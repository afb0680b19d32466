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

Reads cost one cache query (``get_many`` of the version and the page). A small per-process LRU,
bounded in bytes, keeps recent pages in front of the shared cache: a hit there reads only the
version. Nothing per visitor is in the page (no CSRF token, no login state, no CSP nonce); the
view caches only complete 200 pages of loaded cables.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict

from django.core.cache import cache

# "cables:version" sorts after the page keys ("cables:page:..."), so DatabaseCache's culling,
# which deletes the first third of the keys in key order, removes pages before the version.
VERSION_KEY = "cables:version"
PAGE_KEY = "cables:page:{identifier}"
PAGE_TIMEOUT = 24 * 3600
LOCAL_MAX_BYTES = 32 * 1024**2


class _LocalPages:
    """identifier -> (version, html), least recently used dropped first beyond ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, identifier: str) -> tuple[str, bytes] | None:
        with self.lock:
            entry = self.entries.get(identifier)
            if entry is not None:
                self.entries.move_to_end(identifier)
            return entry

    def set(self, identifier: str, version: str, html: bytes) -> None:
        if len(html) > self.max_bytes // 8:
            return
        with self.lock:
            old = self.entries.pop(identifier, None)
            if old is not None:
                self.size -= len(old[1])
            self.entries[identifier] = (version, html)
            self.size += len(html)
            while self.size > self.max_bytes and self.entries:
                _, (_, dropped) = self.entries.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


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


def cable_page_get(identifier: str) -> tuple[str, bytes | None]:
    """(the current collection version, the cached page of ``identifier`` or None). One query."""
    local = local_pages.get(identifier)
    if local is not None:
        version = collection_version()
        return version, (local[1] if local[0] == version else None)
    key = PAGE_KEY.format(identifier=identifier)
    found = cache.get_many([VERSION_KEY, key])
    version = _version_or_new(found.get(VERSION_KEY))
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        local_pages.set(identifier, version, stored[1])
        return version, stored[1]
    return version, None


def cable_page_set(identifier: str, *, version: str, html: bytes) -> None:
    """Keep the page rendered under ``version`` (the version read before rendering)."""
    cache.set(PAGE_KEY.format(identifier=identifier), (version, html), PAGE_TIMEOUT)
    local_pages.set(identifier, version, html)
