"""The pages for people who use a keyboard, a narrow screen or a zoomed page, and for names
written right to left: checked in the browser, not in the HTML source."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.factories import Api
from tests.web.conftest import new_page, screenshot, sign_in

# A phone held upright (WCAG 1.4.10 reflow), and a 1280×900 screen zoomed to 200 % (1.4.4).
NARROW = {"viewport": {"width": 320, "height": 720}}
ZOOMED = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
TAB_STOPS = 12

HORIZONTAL_OVERFLOW = """() => ({
    page: document.documentElement.scrollWidth,
    window: window.innerWidth,
    widest: [...document.body.querySelectorAll('*')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter(e => !e.closest('.table-wrap'))
        .slice(0, 5).map(e => e.outerHTML.slice(0, 120)),
})"""
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(e => e.type !== 'hidden')
    .filter(e => ![...e.labels].some(l => l.textContent.trim())
                 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
    .map(e => e.outerHTML.slice(0, 120))"""
DUPLICATE_IDS = """() => {
    const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
    return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}"""
# Every run of Arabic letters must be laid out right to left: inside an element that says so,
# or (in a plain-text option) isolated between U+2068 and U+2069.
ARABIC_OUTSIDE_RTL = """() => {
    const arabic = /[\\u0600-\\u06FF]/;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const stray = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent;
        if (!arabic.test(text)) continue;
        const element = node.parentElement;
        const isolated = /\\u2068[^\\u2069]*[\\u0600-\\u06FF][^\\u2069]*\\u2069/.test(text);
        if (!element.closest('[dir=rtl]') && !isolated) stray.push(text.trim().slice(0, 60));
    }
    return stray;
}"""
FOCUS_RING = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    return {
        what: e.outerHTML.slice(0, 80),
        outline: style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0,
        inside: box.right > 0 && box.left < window.innerWidth,
    };
}"""


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    """A case on which the lawyer has steps to take, the child named in three scripts."""
    return api.create_case()


def test_sign_in_with_the_keyboard_alone(served: str, page: Page) -> None:
    page.goto(f"{served}/sign-in")
    expect(page.locator("#username")).to_be_focused()  # autofocus: type at once
    page.keyboard.type("lawyer")
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")

    # From the top of the page, the first Tab offers to skip to the content, and it does.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize("screen", [NARROW, ZOOMED], ids=["320px", "200-percent-zoom"])
def test_pages_reflow_keep_labels_and_show_focus(
    served: str, browser: Browser, case: dict[str, Any], screen: dict[str, Any]
) -> None:
    page = new_page(browser, **screen)
    try:
        sign_in(page, served, "lawyer")
        name = "narrow" if screen is NARROW else "zoomed"
        for path, shot in [
            ("/cases", f"lawyer-case-list-{name}"),
            ("/cases/new", f"lawyer-new-case-form-{name}"),
            (f"/cases/{case['id']}", f"lawyer-case-page-{name}"),
            ("/account/password", f"lawyer-password-form-{name}"),
            ("/account", f"lawyer-account-{name}"),
            ("/account/second-factor", f"lawyer-second-factor-{name}"),  # its button, below
        ]:
            page.goto(served + path)
            screenshot(page, shot)
            _check_page(page)
        page.get_by_role("button", name="Set up a second factor").click()  # the QR code's page
        screenshot(page, f"lawyer-second-factor-qr-{name}")
        _check_page(page)
    finally:
        page.context.close()


def _check_page(page: Page) -> None:
    where = page.url
    overflow = page.evaluate(HORIZONTAL_OVERFLOW)
    assert overflow["page"] <= overflow["window"] + 1, (where, overflow)
    assert page.evaluate(UNLABELLED) == [], where
    assert page.evaluate(DUPLICATE_IDS) == [], where
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.evaluate(ARABIC_OUTSIDE_RTL) == [], where
    for stop in range(TAB_STOPS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            assert stop > 5, (where, "the Tab key left the page after", stop, "stops")
            break
        ring = page.evaluate(FOCUS_RING)
        assert ring["outline"] >= 2, (where, ring)
        assert ring["inside"], (where, ring)


def test_arabic_names_read_right_to_left(served: str, page: Page, case: dict[str, Any]) -> None:
    sign_in(page, served, "lawyer")
    page.goto(f"{served}/cases/{case['id']}")
    arabic = page.locator("#child-heading ~ dl bdi", has_text="عالية")
    expect(arabic).to_have_attribute("dir", "rtl")
    expect(arabic).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.goto(f"{served}/cases")
    expect(page.locator("[dir=rtl]", has_text="عالية")).to_be_visible()
    page.goto(f"{served}/cases/new")
    expect(page.get_by_label("Given name (Arabic)").first).to_have_attribute("dir", "rtl")
