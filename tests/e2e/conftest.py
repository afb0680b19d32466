"""Browser tests: Debian's Chromium (headless) driven by Playwright against a live server.

One browser per test module; a fresh context (cookies, viewport) per test. The database is
pytest-django's transactional one, so each test loads the real cables it needs with
``load_cables`` (ingest indexes them for search as it writes).

Missing tools fail the tests with the command that installs them: a browser suite that skips
itself on a machine without a browser would pass without testing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import (
    AXE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    CORPUS_DIR,
    PHONE,
    REPO_DIR,
    WIDE,
    Browser,
    Page,
    sync_playwright,
)

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser test (``-m "not browser"`` leaves them out)."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def _async_unsafe_allowed() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test thread, and Django refuses ORM calls
    from such a thread unless told otherwise. Allowed for the browser modules only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed: None) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install Debian's package with "  # noqa: S608 - a message, not SQL
            "`apt-get update && apt-get install -y chromium` (or set E2E_CHROMIUM to its path).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser: Browser, base_url: str, **options: Any) -> Iterator[Page]:
    # bypass_csp: axe-core is injected as an inline script, which the site's CSP (rightly) blocks.
    context = browser.new_context(base_url=base_url, bypass_csp=True, **options)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A page at desktop width on the live server (``goto`` takes paths)."""
    yield from _page(browser, live_server.url, viewport=WIDE)


@pytest.fixture
def phone_page(browser: Browser, live_server) -> Iterator[Page]:
    """A page at phone size: 375 x 812, touch, mobile viewport."""
    yield from _page(
        browser, live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )


@pytest.fixture
def load_cables(transactional_db) -> Callable[..., int]:
    """``load_cables("10ANKARA294", ...)`` ingests those files of the shared corpus's ``text/``
    folder (all of it without names); returns the number of cables created."""
    from cables.ingest import cables_ingest

    def load(*identifiers: str, folder: str = "text") -> int:
        root = CORPUS_DIR / folder
        if not root.is_dir():
            pytest.fail(
                f"No shared corpus at {root}: the browser tests read real cables from it.", pytrace=False
            )
        sources = [root / f"{identifier}.txt" for identifier in identifiers] if identifiers else [root]
        report = cables_ingest(sources=sources)
        assert not report.failed, report.failed
        return report.created

    return load


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(
            f"No axe-core at {AXE_JS}: run `npm ci` in {REPO_DIR} (or `make install`).", pytrace=False
        )
    return AXE_JS.read_text(encoding="utf-8")
