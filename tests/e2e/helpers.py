"""Helpers of the browser tests: paths, viewports, keyboard and focus checks, axe, screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # a collection error that says how to fix it (never a skip)
    raise ImportError(
        "Playwright is not installed: run `make install` (pip install -r requirements.lock). "
        "Do not run `playwright install`: the tests use Debian's Chromium at /usr/bin/chromium."
    ) from None

REPO_DIR = Path(__file__).resolve().parent.parent.parent
CORPUS_DIR = REPO_DIR.parent / "shared" / "corpus"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = REPO_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS_DIR = REPO_DIR / "artifacts" / "screenshots"

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

# As root in a sandbox without network: no sandboxing, no GPU, nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# What the focused element looks like: a visible focus style is an outline or a ring.
_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    type: el.getAttribute('type'),
    focus: el.matches(':focus'),
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 80),
    href: el.getAttribute('href'),
    id: el.id,
    focusVisible: el.matches(':focus-visible'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    ring: style.boxShadow !== 'none',
    inViewport: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight
      && box.right > 0 && box.left < window.innerWidth,
  };
}"""


__all__ = ["Browser", "Page", "expect", "sync_playwright"]  # re-exported for the tests


def url_path(page: Page) -> str:
    """The page's path, query and fragment (without the live server's origin)."""
    return re.sub(r"^https?://[^/]+", "", page.url)


def focused(page: Page) -> dict[str, Any] | None:
    return page.evaluate(_FOCUS_JS)


def assert_focus_visible(page: Page) -> dict[str, Any]:
    """The focused element shows it: an outline or a ring while it has the focus, on screen."""
    state = focused(page)
    assert state is not None, "nothing has the focus"
    if state["tag"] == "input" and state["type"] == "date" and not state["focus"]:
        # Tab has reached the calendar button inside the date field's own (browser) shadow tree:
        # the field does not match :focus, page CSS cannot style the button and scripts cannot
        # see it; Chromium draws its own ring round it (artifacts show it). Nothing to measure.
        return state
    if not (state["outline"] or state["ring"]):
        path = screenshot(page, "focus-not-visible")
        raise AssertionError(f"no visible focus style on {state} (see {path})")
    assert state["inViewport"], f"the focused element is off screen: {state}"
    return state


def tab_to(
    page: Page,
    *,
    href: str | None = None,
    text: str | None = None,
    element_id: str | None = None,
    limit: int = 150,
) -> dict[str, Any]:
    """Press Tab until the focus is on the link/control whose href (exact, or ending with it),
    text (substring) or id matches; every stop on the way must show its focus. Fails after
    ``limit`` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        if state is None:
            continue
        seen.append(state["href"] or state["text"])
        assert_focus_visible(page)
        if href is not None and state["href"] and (state["href"] == href or state["href"].endswith(href)):
            return state
        if text is not None and text in state["text"]:
            return state
        if element_id is not None and state["id"] == element_id:
            return state
    raise AssertionError(
        f"Tab never reached href={href!r} text={text!r} id={element_id!r}; stops: {seen[:40]}..."
    )


def axe_violations(page: Page, axe_source: str, *, disable: dict[str, str] | None = None) -> list[dict]:
    """Run axe-core on the page; the serious and critical violations. ``disable`` maps an axe
    rule to the written reason the page is right (none are disabled today)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    rules = {rule: {"enabled": False} for rule in (disable or {})}
    result = page.evaluate(
        """async (rules) => await axe.run(document, {
            resultTypes: ['violations'],
            rules,
        })""",
        rules,
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} - {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']} {node.get('failureSummary', '')[:200]!r}")
    return "\n".join(lines)


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot to artifacts/screenshots/NAME.png (CI keeps the folder)."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
