"""A curator logs in, uploads a zip of cables, reads the report and finds the new cable in the
reading room: by mouse at desktop width and by keyboard alone."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User

from tests.e2e.helpers import CORPUS_DIR, Page, expect, focused, screenshot, tab_to

TELEGRAMS = ("09PARIS997", "09PARIS1007", "09UNVIEVIENNA279")  # not in text/: new to the collection
PASSWORD = "a-curator-password-for-tests"


@pytest.fixture
def curator(transactional_db) -> User:
    user = User.objects.create_user("curator", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="cables", codename__in=["upload_cables", "view_cable"]
        )
    )
    return user


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "new-cables.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for identifier in TELEGRAMS:
            source = CORPUS_DIR / "telegram" / f"{identifier}.txt"
            if not source.is_file():
                pytest.fail(f"No shared corpus file {source}", pytrace=False)
            zf.write(source, arcname=f"telegrams/{identifier}.txt")
    return path


@pytest.fixture
def reading_room(load_cables) -> None:
    load_cables("10ANKARA294", "10ANKARA150")


def test_curator_uploads_a_zip_and_finds_the_new_cable(page: Page, curator, archive, reading_room) -> None:
    page.goto("/admin/cables/cable/upload/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next="))
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/cables/cable/upload/$"))
    expect(page.get_by_role("heading", name="Upload cables")).to_be_visible()

    page.get_by_label("Files").set_input_files(archive)
    page.get_by_role("button", name="Upload and load").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible()
    expect(page.locator("#content-main")).to_contain_text("3 created, 0 updated, 0 unchanged, 0 rejected")
    rows = page.locator("#upload-cables tbody tr")
    expect(rows).to_have_count(3)
    for identifier in TELEGRAMS:
        expect(rows.filter(has_text=identifier)).to_contain_text("created")
    screenshot(page, "upload-report")

    page.locator("#upload-cables").get_by_role("link", name="09PARIS997", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cables/09PARIS997/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("MFA AFRICA DIRECTOR")

    # and the reading room shows it: on the home page, and by its identifier in the search box
    page.goto("/")
    expect(page.locator(".lede")).to_contain_text("5 diplomatic cables")
    expect(page.locator("section[aria-labelledby=recent-title]")).to_contain_text("09PARIS997")
    page.get_by_label("Search the cables, or open one by its identifier").fill("09PARIS1007")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cables/09PARIS1007/$"))


def test_curator_journey_by_keyboard(page: Page, curator, archive, reading_room) -> None:
    page.goto("/admin/login/?next=/admin/cables/cable/")
    expect(page.locator("#id_username")).to_be_focused()  # the admin login focuses the username
    page.keyboard.type("curator")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/cables/cable/$"))

    tab_to(page, href="/admin/cables/cable/upload/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/cables/cable/upload/$"))

    # File choosers are intercepted once a listener exists, but the driver switches that on
    # without a reply: switched on here, many round trips before Space, it cannot lose the race
    # with the key press (expect_file_chooser alone switched it on only just before).
    page.on("filechooser", lambda _: None)
    tab_to(page, element_id="id_files")
    with page.expect_file_chooser() as chooser:  # Space opens the chooser; the test answers it
        page.keyboard.press("Space")
    chooser.value.set_files(archive)
    tab_to(page, text="Upload and load")
    page.keyboard.press("Enter")
    expect(page.locator("#content-main")).to_contain_text("3 created")

    tab_to(page, href="/cables/09PARIS1007/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cables/09PARIS1007/$"))
