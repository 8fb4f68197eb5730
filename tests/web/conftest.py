"""Browser fixtures: the lawyer's browser as the test client, the test app served on a loopback
port, and the system's Chromium driven by Playwright. No browser is ever downloaded: a missing
Chromium fails the run, it is not skipped."""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Error, Page, Playwright, expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tests.web import helpers

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("HOMEWARD_CHROMIUM", "/usr/bin/chromium")
# Chromium's own calls home (updates, sync, background fetches) are off: only loopback is used.
CHROMIUM_ARGS = [
    "--disable-dev-shm-usage",  # a container's 64 MB /dev/shm crashes tall full-page screenshots
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000
VIEWPORT = {"width": 1280, "height": 900}
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def as_lawyer(client: FlaskClient, accounts: Any) -> tuple[FlaskClient, str]:
    """The lawyer's browser, signed in, and the CSRF token its forms carry."""
    return client, helpers.sign_in(client, "lawyer")


def artifacts_dir() -> Path:
    """Where screenshots go: test-artifacts/ at the repository root, or HOMEWARD_TEST_ARTIFACTS."""
    return Path(os.environ.get("HOMEWARD_TEST_ARTIFACTS") or ROOT / "test-artifacts")


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as screenshots/<name>.png, for a person to look at after the run."""
    folder = artifacts_dir() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, base_url: str, username: str) -> None:
    """Sign in through the sign-in page and wait until the user's start page is shown."""
    page.goto(f"{base_url}/sign-in")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#username")).to_be_visible()


class _Server(threading.Thread):
    """The app behind a real HTTP server on 127.0.0.1, one thread per request."""

    def __init__(self, app: Any) -> None:
        super().__init__(name="homeward-served", daemon=True)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def run(self) -> None:
        self.server.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.join(timeout=5)


@pytest.fixture
def served(app: Any, accounts: dict[str, uuid.UUID]) -> Iterator[str]:
    """The test app, with the demo users (password PASSWORD), served over HTTP; its base URL.

    Named apart from pytest-flask's `live_server`, which serves a copy of the app in a process of
    its own. Each request runs in a thread of its own and pushes its own app and request context
    (Flask's contexts are per thread), so no request shares `g` or a database session with
    another request or with the test, whatever the test itself has pushed.
    """
    server = _Server(app)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (or HOMEWARD_CHROMIUM), headless; a missing one fails every web test.

    One per test module, not per session: while Playwright's sync API is started, its asyncio
    loop counts as running in the main thread, so anything a later test runs there through the
    test client that calls `asyncio.run` (pyHanko signing a form) would fail.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is needed for the browser tests and is not at {CHROMIUM}: install Debian's "
            "`chromium` package or set HOMEWARD_CHROMIUM to a Chromium executable. "
            "(`playwright install` is never used: the tests drive the system's browser.)",
            pytrace=False,
        )
    driver = sync_playwright().start()
    try:
        launched = _launch(driver)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        driver.stop()


def _launch(driver: Playwright) -> Browser:
    try:
        return driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Error as error:
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)


def new_page(browser: Browser, **options: Any) -> Page:
    """A page in a fresh context (no cookies shared with any other page)."""
    settings: dict[str, Any] = {
        "viewport": VIEWPORT,
        "locale": "en-US",
        "accept_downloads": True,
        **options,
    }
    context = browser.new_context(**settings)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page of its own for the test, 1280×900, English, downloads allowed."""
    opened = new_page(browser)
    try:
        yield opened
    finally:
        opened.context.close()
