"""A reader's journeys through the reading room, in Chromium: by mouse at desktop width, by
keyboard alone (every stop shows its focus), and at phone size.

The cables are real: 10ANKARA294 cites 10ANKARA150 as REF A (a linked mention in its text), so
10ANKARA150 lists it under "Cited by"; both carry the tag TU and come from Embassy Ankara.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import Page, assert_focus_visible, expect, focused, screenshot, tab_to

CITING = "10ANKARA294"  # 23 Feb 2010, REF A = ANKARA 150
CITED = "10ANKARA150"  # 29 Jan 2010
FEW = (CITING, CITED, "09BERLIN1528", "09BERLIN1393", "09BERLIN1167")
PHRASE = '"foreign minister"'  # 72 of the 243 cables: two pages of 50


@pytest.fixture
def few_cables(load_cables) -> None:
    load_cables(*FEW)


@pytest.fixture
def all_cables(load_cables) -> None:
    assert load_cables() == 243


def in_viewport(page: Page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "el => { const b = el.getBoundingClientRect(); return b.top >= -1 && b.top < window.innerHeight; }",
    )


def listed_identifiers(page: Page) -> list[str]:
    return page.locator(".cable-list .cable-row a.ident").all_inner_texts()


def listed_dates(page: Page) -> list[str]:
    return page.locator(".cable-list .cable-row .meta time").evaluate_all(
        "els => els.map(el => el.getAttribute('datetime'))"
    )


# --- home -> tag -> cable -> REF -> Cited by; permalink; routing ---------------------------------


def test_home_to_tag_to_cable_to_reference_and_back_through_cited_by(page: Page, few_cables) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Cablegate cables")
    expect(page.locator(".lede")).to_contain_text("5 diplomatic cables")
    screenshot(page, "home-wide")

    page.locator("section[aria-labelledby=tags-title]").get_by_role("link", name=re.compile(r"^TU\b")).click()
    expect(page).to_have_url(re.compile(r"/tags/TU/$"))
    expect(page.locator(".results-count")).to_contain_text("2 cables")
    assert sorted(listed_identifiers(page)) == [CITED, CITING]

    page.get_by_role("link", name=CITING, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/cables/{CITING}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("LARGEST WAVE OF MILITARY DETENTIONS")
    screenshot(page, "cable-wide")

    mention = page.locator(f'.telegram a.ref-mention[href="/cables/{CITED}/"]').first
    expect(mention).to_have_text(re.compile(r"REF\s*A", re.I))
    mention.click()
    expect(page).to_have_url(re.compile(rf"/cables/{CITED}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("OF COUPS AND CONSTITUTIONAL REFORMS")

    cited_by = page.locator("section[aria-labelledby=cited-by]")
    expect(cited_by.get_by_role("link")).to_have_text([CITING])
    cited_by.get_by_role("link", name=CITING).click()
    expect(page).to_have_url(re.compile(rf"/cables/{CITING}/$"))


def test_paragraph_permalink_lands_on_the_paragraph(page: Page, few_cables) -> None:
    page.goto(f"/cables/{CITING}/")
    assert not in_viewport(page, "#p9"), "paragraph 9 should start below the fold"
    page.locator('#p9 a.pnum[href="#p9"]').click()
    expect(page).to_have_url(re.compile(rf"/cables/{CITING}/#p9$"))
    assert in_viewport(page, "#p9")

    # a permalink opened from elsewhere (a new page) lands on the paragraph too, marked :target
    page.goto("/")
    page.goto(f"/cables/{CITING}/#p8")
    assert in_viewport(page, "#p8")
    assert page.eval_on_selector("#p8", "el => el.matches(':target')")


def test_routing_header_expands(page: Page, few_cables) -> None:
    page.goto(f"/cables/{CITING}/")
    routing = page.locator("details.routing")
    expect(routing).not_to_have_attribute("open", "")
    expect(routing.locator(".routing-list")).to_be_hidden()
    routing.locator("summary").first.click()
    expect(routing).to_have_attribute("open", "")
    expect(routing.locator(".routing-list")).to_be_visible()
    expect(routing.locator(".routing-list")).to_contain_text("AMEMBASSY ANKARA")


# --- search, facets, paging, sorting, identifiers ------------------------------------------------


def test_search_a_phrase_narrow_by_a_facet_page_and_sort(page: Page, all_cables) -> None:
    page.goto("/")
    page.get_by_label("Search the cables, or open one by its identifier").fill(PHRASE)
    page.get_by_label("Search the cables, or open one by its identifier").press("Enter")
    expect(page).to_have_url(re.compile(r"/cables/\?q=%22foreign\+minister%22$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Search: {PHRASE}")
    expect(page.locator(".results-count")).to_contain_text("72 cables")
    expect(page.locator(".cable-row .snippet mark").first).to_be_visible()
    screenshot(page, "search-wide")

    facets = page.locator("section.facets")
    facets.get_by_role("link", name="PREL", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]tag=PREL"))
    expect(page.locator(".results-count")).to_contain_text("65 cables")
    expect(page.locator(".filters .chip")).to_contain_text("PREL")
    assert len(listed_identifiers(page)) == 50
    first_page = set(listed_identifiers(page))

    page.locator("nav.pagination").get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(page).to_have_url(re.compile(r"[?&]tag=PREL"))  # paging keeps the filters
    expect(page).to_have_url(re.compile(r"[?&]q=%22foreign"))
    expect(page.locator("nav.pagination")).to_contain_text("Page 2 of 2")
    second_page = set(listed_identifiers(page))
    assert len(second_page) == 15
    assert not first_page & second_page

    page.locator(".sort-links").get_by_role("link", name="oldest").click()
    expect(page).not_to_have_url(re.compile(r"[?&]page="))  # a new order starts at page 1
    expect(page).to_have_url(re.compile(r"[?&]sort=oldest"))
    expect(page.locator(".sort-links a[aria-current=true]")).to_have_text("oldest")
    dates = listed_dates(page)
    assert len(dates) == 50 and dates == sorted(dates)
    page.locator(".sort-links").get_by_role("link", name="newest").click()
    dates = listed_dates(page)
    assert dates == sorted(dates, reverse=True)


def test_typing_an_identifier_opens_the_cable(page: Page, few_cables) -> None:
    page.goto("/cables/")
    box = page.get_by_role("searchbox", name="Search cables or open an identifier")
    box.fill("10 ankara 294")
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cables/{CITING}/$"))
    expect(page.locator(".cable-head .ident")).to_have_text(CITING)


# --- archive and origins ------------------------------------------------------------------------


def test_archive_by_year_and_month(page: Page, few_cables) -> None:
    page.goto("/")
    page.get_by_role("link", name="Years", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cables by year")
    page.locator("ul.year-list").get_by_role("link", name="2010").click()
    expect(page).to_have_url(re.compile(r"/archive/2010/$"))
    expect(page.locator(".lede")).to_contain_text("2 cables")
    page.locator("table.index-table").get_by_role("link", name="January").click()
    expect(page).to_have_url(re.compile(r"/archive/2010/1/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("January 2010")
    assert listed_identifiers(page) == [CITED]
    page.goto("/archive/2009/")
    expect(page.locator("table.index-table tbody tr")).to_have_count(12)
    page.locator("table.index-table").get_by_role("link", name="November").click()
    expect(page).to_have_url(re.compile(r"/archive/2009/11/$"))
    assert listed_identifiers(page) == ["09BERLIN1393"]


def test_origin_page_lists_that_posts_cables(page: Page, few_cables) -> None:
    page.goto("/origins/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Origins")
    page.get_by_role("link", name="Embassy Ankara").click()
    expect(page).to_have_url(re.compile(r"/origins/embassy-ankara/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Embassy Ankara")
    assert listed_identifiers(page) == [CITING, CITED]  # newest first


# --- the same by keyboard alone -----------------------------------------------------------------


def test_keyboard_skip_link_moves_focus_to_the_content(page: Page, few_cables) -> None:
    page.goto(f"/cables/{CITING}/")
    state = tab_to(page, text="Skip to content", limit=1)
    assert state["href"] == "#content"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "content"
    tab_to(page, href="/origins/embassy-ankara/", limit=3)  # the next stops are the cable's own links


def test_keyboard_home_to_tag_to_cable_to_reference_and_back(page: Page, few_cables) -> None:
    page.goto("/")
    expect(page.locator("#home-q")).to_be_focused()  # the search box has the focus on arrival
    tab_to(page, href="/tags/TU/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/tags/TU/$"))

    tab_to(page, href=f"/cables/{CITING}/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cables/{CITING}/$"))

    # the routing header opens with Space, and closes again with Enter
    tab_to(page, text="Routing")
    page.keyboard.press("Space")
    expect(page.locator("details.routing")).to_have_attribute("open", "")
    expect(page.locator(".routing-list")).to_be_visible()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("details.routing")).not_to_have_attribute("open", "")

    tab_to(page, href=f"/cables/{CITED}/")  # REF A in the references, then in the text
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cables/{CITED}/$"))

    tab_to(page, href=f"/cables/{CITING}/", limit=250)  # past every paragraph's permalink: Cited by
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cables/{CITING}/$"))

    tab_to(page, href="#p9", limit=250)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#p9$"))
    assert in_viewport(page, "#p9")


def test_keyboard_search_facet_page_and_sort(page: Page, all_cables) -> None:
    page.goto("/")
    expect(page.locator("#home-q")).to_be_focused()  # the home search box has the focus
    page.keyboard.type(PHRASE)
    page.keyboard.press("Enter")
    expect(page.locator(".results-count")).to_contain_text("72 cables")

    tab_to(page, text="PREL", limit=300)
    assert "tag=PREL" in focused(page)["href"]
    page.keyboard.press("Enter")
    expect(page.locator(".results-count")).to_contain_text("65 cables")

    tab_to(page, text="Next", limit=300)
    page.keyboard.press("Enter")
    expect(page.locator("nav.pagination")).to_contain_text("Page 2 of 2")

    tab_to(page, text="oldest", limit=300)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]sort=oldest"))
    dates = listed_dates(page)
    assert dates == sorted(dates)

    # an identifier typed into the header's search box opens the cable
    tab_to(page, text="Search", limit=300)  # from the end of the page, Tab wraps round
    page.keyboard.press("Shift+Tab")
    assert focused(page)["id"] == "site-q"
    page.keyboard.press("Control+a")
    page.keyboard.type(CITING)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cables/{CITING}/$"))


def test_keyboard_archive_and_origin(page: Page, few_cables) -> None:
    page.goto("/")
    tab_to(page, href="/archive/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/archive/$"))
    tab_to(page, href="/archive/2010/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/archive/2010/$"))
    tab_to(page, href="/archive/2010/1/")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("January 2010")
    tab_to(page, href=f"/cables/{CITED}/")
    tab_to(page, href="/origins/embassy-ankara/")  # the row's origin link, next to the cable
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/origins/embassy-ankara/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Embassy Ankara")


# --- at phone size ------------------------------------------------------------------------------


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px screen"


def test_phone_home_tag_cable_reference_and_routing(phone_page: Page, few_cables) -> None:
    page = phone_page
    page.goto("/")
    no_sideways_scroll(page)
    screenshot(page, "home-phone")
    page.locator("section[aria-labelledby=tags-title]").get_by_role("link", name=re.compile(r"^TU\b")).tap()
    expect(page).to_have_url(re.compile(r"/tags/TU/$"))
    no_sideways_scroll(page)
    # results come before the filters on a phone
    results_top = page.locator(".cable-list").bounding_box()["y"]
    assert results_top < page.locator("form.filters").bounding_box()["y"]
    assert results_top < 812, "the first result should be on the first screen"
    page.get_by_role("link", name=CITING, exact=True).tap()
    expect(page).to_have_url(re.compile(rf"/cables/{CITING}/$"))
    no_sideways_scroll(page)
    screenshot(page, "cable-phone")

    page.locator("details.routing summary").first.tap()
    expect(page.locator(".routing-list")).to_be_visible()
    no_sideways_scroll(page)

    page.locator(f'.telegram a.ref-mention[href="/cables/{CITED}/"]').first.tap()
    expect(page).to_have_url(re.compile(rf"/cables/{CITED}/$"))
    page.locator("section[aria-labelledby=cited-by]").get_by_role("link", name=CITING).tap()
    expect(page).to_have_url(re.compile(rf"/cables/{CITING}/$"))
    page.goto(f"/cables/{CITING}/#p9")
    assert in_viewport(page, "#p9")


def test_phone_search_facet_and_pages(phone_page: Page, all_cables) -> None:
    page = phone_page
    page.goto("/")
    page.get_by_label("Search the cables, or open one by its identifier").fill(PHRASE)
    page.get_by_role("button", name="Search").tap()
    expect(page.locator(".results-count")).to_contain_text("72 cables")
    no_sideways_scroll(page)
    screenshot(page, "search-phone")
    page.locator(".filters-jump").tap()  # the jump link to the filters below the results
    expect(page).to_have_url(re.compile(r"#filters-title$"))
    page.locator("section.facets").get_by_role("link", name="PREL", exact=True).tap()
    expect(page.locator(".results-count")).to_contain_text("65 cables")
    page.locator("nav.pagination").get_by_role("link", name="Next").tap()
    expect(page.locator("nav.pagination")).to_contain_text("Page 2 of 2")
    no_sideways_scroll(page)


def test_phone_archive_and_origin(phone_page: Page, few_cables) -> None:
    page = phone_page
    page.goto("/archive/2010/")
    no_sideways_scroll(page)
    page.locator("table.index-table").get_by_role("link", name="February").tap()
    expect(page).to_have_url(re.compile(r"/archive/2010/2/$"))
    assert listed_identifiers(page) == [CITING]
    page.locator(".cable-row .meta").get_by_role("link", name="Embassy Ankara").tap()
    expect(page).to_have_url(re.compile(r"/origins/embassy-ankara/$"))
    no_sideways_scroll(page)
