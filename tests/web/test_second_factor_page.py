"""The second factor on the pages: set up from the account page with a QR code drawn in the page,
then asked for on a second sign-in page that never holds the password; and, when the setting
requires it, every page of an official without one leads to setting it up."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from tests.audit.helpers import outcome_of
from tests.conftest import PASSWORD
from tests.web.conftest import screenshot
from tests.web.conftest import sign_in as sign_in_browser
from tests.web.helpers import body, csrf_token, sign_in
from tests.web.test_sign_in import post_sign_in, signed_in

SECRET = re.compile(r'<code id="secret">([A-Z2-7]+)</code>')


def code_at(totp: pyotp.TOTP, steps_from_now: int) -> str:
    return totp.at(int(time.time()) + 30 * steps_from_now)


def enrol_on_the_page(client: FlaskClient, token: str) -> tuple[pyotp.TOTP, str]:
    """Start on the account page and confirm with the app's code; the recovery codes' page."""
    client.post("/account/second-factor", data={"csrf_token": token})
    page = body(client.get("/account/second-factor"))
    found = SECRET.search(page)
    assert found is not None, "the page shows no key to type"
    totp = pyotp.TOTP(found.group(1))
    confirm = {"csrf_token": csrf_token(page), "code": code_at(totp, -1)}
    return totp, body(client.post("/account/second-factor/confirm", data=confirm))


def sign_in_with_code(client: FlaskClient, code: str) -> Any:
    first = post_sign_in(client, "lawyer")
    assert first.status_code == 303 and first.headers["Location"].startswith("/sign-in/code")
    page = body(client.get(first.headers["Location"]))
    return client.post("/sign-in/code", data={"csrf_token": csrf_token(page), "code": code})


def test_the_page_draws_the_qr_code_itself_and_shows_the_codes_once(
    client: FlaskClient, accounts: Any
) -> None:
    token = sign_in(client, "lawyer")
    client.post("/account/second-factor", data={"csrf_token": token})

    page = body(client.get("/account/second-factor"))
    _totp, codes_page = enrol_on_the_page(client, token)

    assert "<svg" in page and "<script" not in page and "http" not in page.split("<svg")[1][:200]
    assert (
        len(re.findall(r"<li><code>[a-z2-7]{4}(?:-[a-z2-7]{4}){3}</code></li>", codes_page)) == 10
    )
    after = body(client.get("/account/second-factor"))
    assert "<svg" not in after and "<code" not in after  # neither the key nor the codes again


def test_signing_in_asks_for_the_code_on_a_second_page_without_the_password(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    totp, _codes = enrol_on_the_page(client, sign_in(client, "lawyer"))
    client.post("/sign-out", data={"csrf_token": csrf_token(body(client.get("/cases")))})

    first = post_sign_in(client, "lawyer")
    second_page = body(client.get(first.headers["Location"]))
    cookie = client.get_cookie("homeward_session")
    assert cookie is not None
    held = app.session_interface.get_signing_serializer(app).loads(cookie.value)  # type: ignore[attr-defined]

    assert not signed_in(client)
    assert 'name="password"' not in second_page and PASSWORD not in second_page
    assert PASSWORD not in repr(held) and set(held["pending"]) == {"uid", "until"}
    done = client.post(
        "/sign-in/code", data={"csrf_token": csrf_token(second_page), "code": code_at(totp, 0)}
    )
    assert done.status_code == 303
    assert signed_in(client)


@pytest.mark.parametrize("code", ["000000x", "١٢٣٤٥٦", "1" * 10_000, ""], ids=repr)
def test_a_wrong_or_hostile_code_signs_no_one_in(
    app: Flask, client: FlaskClient, accounts: Any, code: str
) -> None:
    enrol_on_the_page(client, sign_in(client, "lawyer"))
    client.post("/sign-out", data={"csrf_token": csrf_token(body(client.get("/cases")))})

    response = sign_in_with_code(client, code)

    assert response.status_code == 401
    assert "The code is wrong or was used already." in body(response)
    assert outcome_of(app, response) == "not_authenticated"
    assert not signed_in(client)


def test_the_code_page_without_a_right_password_leads_back_to_sign_in(
    client: FlaskClient, accounts: Any
) -> None:
    page = body(client.get("/sign-in"))

    sent = client.post("/sign-in/code", data={"csrf_token": csrf_token(page), "code": "123456"})

    assert sent.status_code == 303 and sent.headers["Location"].startswith("/sign-in")
    assert client.get("/sign-in/code").status_code == 302


class TestRequiredSecondFactor:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"REQUIRE_SECOND_FACTOR": True}

    def test_every_page_of_an_official_without_one_leads_to_setting_it_up(
        self, client: FlaskClient, accounts: Any
    ) -> None:
        token = post_sign_in(client, "registrar")
        assert token.status_code == 303

        for address in ("/queue", "/cases/new", "/account/password"):
            response = client.get(address)
            assert response.status_code == 303, address
            assert response.headers["Location"] == "/account/second-factor"
        page = client.get("/account/second-factor")
        assert page.status_code == 200
        assert "must have a second factor" in body(page)

    def test_once_set_up_the_official_reaches_the_queue(
        self, client: FlaskClient, accounts: Any
    ) -> None:
        post_sign_in(client, "registrar")
        page = body(client.get("/account/second-factor"))
        enrol_on_the_page(client, csrf_token(page))

        assert client.get("/queue").status_code == 200

    def test_a_lawyer_is_not_sent_there(self, client: FlaskClient, accounts: Any) -> None:
        sign_in(client, "lawyer")

        assert client.get("/cases").status_code == 200


def test_in_a_browser_a_lawyer_sets_it_up_and_signs_in_with_a_code(served: str, page: Page) -> None:
    sign_in_browser(page, served, "lawyer")
    page.get_by_role("link", name="Second factor").click()
    page.get_by_role("button", name="Set up a second factor").click()
    expect(page.locator("svg")).to_be_visible()
    totp = pyotp.TOTP(page.locator("#secret").inner_text())
    page.get_by_label("Code from the app").fill(code_at(totp, -1))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot(page, "lawyer-recovery-codes")
    page.get_by_role("button", name="Sign out").click()

    page.locator("#username").fill("lawyer")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#password")).to_have_count(0)
    page.get_by_label("Code").fill(code_at(totp, 0))
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
