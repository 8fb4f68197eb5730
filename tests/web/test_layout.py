"""The case page, the lists and the dashboard in Chromium, on a desktop and on a phone: nothing
scrolls sideways, lists become cards, and the lawyer meets the child's name on the first screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.factories import Api
from tests.web.conftest import new_page, sign_in

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 720}}
# The page, and every list, no wider than the window: nothing to scroll sideways.
SIDEWAYS = """() => [document.documentElement, ...document.querySelectorAll('.cards')]
    .filter(e => e.scrollWidth > e.clientWidth)
    .map(e => `${e.tagName}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}`)"""


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    """A case on which DNA kinship waits on the court."""
    created = api.create_case()
    return api.request_dna(created)


def _open(browser: Browser, served: str, username: str, width: str) -> Page:
    page = new_page(browser, viewport=WIDTHS[width])
    sign_in(page, served, username)
    return page


def _check(page: Page, address: str, shot: Path) -> None:
    page.goto(address)
    page.screenshot(path=str(shot), full_page=True)
    assert page.evaluate(SIDEWAYS) == []


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("lawyer", "/cases/{id}"),
        ("lawyer", "/cases"),
        ("judge", "/queue"),
        ("judge", "/cases/{id}"),
        ("admin", "/dashboard"),
    ],
)
def test_nothing_scrolls_sideways(
    browser: Browser,
    served: str,
    case: dict[str, Any],
    tmp_path: Path,
    username: str,
    path: str,
    width: str,
) -> None:
    page = _open(browser, served, username, width)
    try:
        name = f"{username}-{path.strip('/').split('/')[0]}-{width}.png"
        _check(page, served + path.format(id=case["id"]), tmp_path / name)
    finally:
        page.context.close()


def test_the_lawyer_meets_the_child_and_what_waits_first(
    browser: Browser, served: str, case: dict[str, Any], tmp_path: Path
) -> None:
    page = _open(browser, served, "lawyer", "desktop")
    try:
        page.goto(f"{served}/cases/{case['id']}")
        page.screenshot(path=str(tmp_path / "case-top.png"))
        child = page.locator("#overview-heading")
        assert "Nurgalieva" in child.inner_text()
        box = child.bounding_box()
        assert box is not None and box["y"] < 400
        summary = page.locator(".overview").inner_text()
        assert "about" in summary and "years" in summary  # born in 2016, the year alone known
        assert "DNA kinship (requested): waits on: court" in " ".join(summary.split())
        steps = page.locator("#steps-heading").bounding_box()
        assert steps is not None and box["y"] < steps["y"]
    finally:
        page.context.close()


def test_on_a_phone_a_list_row_is_a_card_and_the_reference_is_whole(
    browser: Browser, served: str, case: dict[str, Any]
) -> None:
    page = _open(browser, served, "judge", "phone")
    try:
        page.goto(f"{served}/queue")
        reference = page.locator("a.reference").first
        assert reference.inner_text() == case["reference"]
        box = reference.bounding_box()
        assert box is not None and box["height"] < 40  # one line: never broken at a hyphen
        display = page.locator(".cards tr").last.evaluate("e => getComputedStyle(e).display")
        assert display == "block"
    finally:
        page.context.close()
