"""axe-core on the reading room's main pages: no serious or critical violations, at desktop width
and at phone size. No rule is disabled."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import Page, axe_violations, describe, expect

PAGES = {
    "home": "/",
    "cable": "/cables/10ANKARA294/",
    "cable-cited": "/cables/10ANKARA150/",
    "list": "/cables/",
    "search": '/cables/?q="foreign+minister"',
    "search-faceted": "/cables/?q=minister&tag=PREL&sort=oldest",
    "tag-index": "/tags/",
    "tag": "/tags/TU/",
    "origin": "/origins/embassy-ankara/",
    "archive-month": "/archive/2010/1/",
}
CABLES = (
    "10ANKARA294",
    "10ANKARA150",
    "09BERLIN1528",
    "09BERLIN1393",
    "09BERLIN1167",
    "10ABUDHABI97",
    "09BERLIN1162",
    "10ROME173",
)


@pytest.fixture
def cables(load_cables) -> None:
    load_cables(*CABLES)


def check(page: Page, axe_source: str, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, path
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    violations = axe_violations(page, axe_source)
    assert not violations, f"{path}:\n{describe(violations)}"


def test_main_pages_have_no_serious_violations(page: Page, axe_source: str, cables) -> None:
    for path in PAGES.values():
        check(page, axe_source, path)


def test_main_pages_have_no_serious_violations_on_a_phone(phone_page: Page, axe_source: str, cables) -> None:
    for path in PAGES.values():
        check(phone_page, axe_source, path)


def test_cable_page_with_the_routing_header_open(page: Page, axe_source: str, cables) -> None:
    page.goto("/cables/10ANKARA294/")
    page.locator("details.routing summary").first.click()
    page.locator("details.raw-header summary").click()
    expect(page.locator("details.raw-header pre")).to_be_visible()
    violations = axe_violations(page, axe_source)
    assert not violations, describe(violations)
