"""Changing one's password from the pages: reachable from every role's header, guarded by CSRF,
refusals beside their fields in the reader's language, and afterwards this browser stays signed
in while every other session of the user has ended."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect
from werkzeug.test import TestResponse

from tests.audit.helpers import outcome_of
from tests.conftest import PASSWORD
from tests.factories import can_sign_in
from tests.web.conftest import screenshot
from tests.web.conftest import sign_in as sign_in_browser
from tests.web.helpers import body, sign_in
from tests.web.test_sign_in import signed_in

NEW = "a longer passphrase for spring"


def post_change(
    client: FlaskClient, token: str, current: str = PASSWORD, new: str = NEW, again: str = ""
) -> TestResponse:
    form = {
        "csrf_token": token,
        "current_password": current,
        "new_password": new,
        "new_password_again": again or new,
    }
    return client.post("/account/password", data=form)


@pytest.mark.parametrize("username", ["lawyer", "registrar", "auditor", "admin"])
def test_every_role_finds_the_page_in_the_header(
    client: FlaskClient, accounts: Any, username: str
) -> None:
    sign_in(client, username)

    start = body(client.get("/", follow_redirects=True))
    page = client.get("/account/password")

    assert 'href="/account/password"' in start
    assert page.status_code == 200
    assert 'type="password"' in body(page) and 'name="current_password"' in body(page)


def test_the_change_keeps_this_browser_and_signs_out_the_others(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    other = app.test_client()
    sign_in(other, "lawyer")
    token = sign_in(client, "lawyer")

    response = post_change(client, token)

    assert response.status_code == 303
    landed = client.get(response.headers["Location"], follow_redirects=True)
    assert "Every other sign-in of yours has ended" in body(landed)
    assert signed_in(client)
    assert not signed_in(other)
    assert outcome_of(app, response) == "success"
    assert can_sign_in(client, NEW) and not can_sign_in(client, PASSWORD)


def test_a_form_without_its_csrf_token_changes_nothing(client: FlaskClient, accounts: Any) -> None:
    sign_in(client, "lawyer")

    response = post_change(client, "forged")

    assert response.status_code == 400
    assert can_sign_in(client, PASSWORD)


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"current": "not it at all"}, "current-password", "The current password is wrong."),
        ({"new": "short one"}, "new-password", "must be 12 to 256 characters"),
        ({"new": "Q1w2e3r4t5y6"}, "new-password", "too easy to guess"),
        ({"again": "another passphrase here"}, "new-password-again", "passwords differ"),
        ({"new": "twelve chars\x00and a NUL"}, "new-password", "cannot be used here"),
        ({"current": ""}, "current-password", "Fill this in."),
    ],
)
def test_a_refusal_is_shown_beside_its_field_and_no_password_is_sent_back(
    client: FlaskClient, accounts: Any, fields: dict[str, str], field: str, problem: str
) -> None:
    token = sign_in(client, "lawyer")

    response = post_change(client, token, **fields)

    assert response.status_code == 422
    page = body(response)
    assert f'id="f-{field}-error">' in page and problem in page
    assert PASSWORD not in page and NEW not in page
    assert signed_in(client) and can_sign_in(client, PASSWORD)


def test_refusals_are_in_russian_for_a_russian_reader(client: FlaskClient, accounts: Any) -> None:
    token = sign_in(client, "lawyer")
    client.post("/language", data={"csrf_token": token, "language": "ru", "next": "/"})

    response = post_change(client, token, current="not it at all")

    assert "Текущий пароль неверен." in body(response)
    assert "<h1>Сменить пароль</h1>" in body(response)


def test_guessing_the_current_password_waits_as_at_sign_in(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    token = sign_in(client, "lawyer")
    for guess in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        assert post_change(client, token, current=f"guess {guess} at it").status_code == 422

    response = post_change(client, token)

    assert response.status_code == 429
    assert "Too many failed sign-ins" in body(response)
    assert not can_sign_in(client, PASSWORD)  # nor may this address sign in meanwhile


def test_in_a_browser_the_header_leads_to_the_form_and_the_change_keeps_one_signed_in(
    served: str, page: Page
) -> None:
    sign_in_browser(page, served, "registrar")

    page.get_by_role("link", name="Change password").click()
    page.get_by_label("Current password").fill(PASSWORD)
    page.locator("#f-new-password").fill(NEW)  # its label holds a hint too
    page.get_by_label("New password again").fill(NEW)
    page.get_by_role("button", name="Change password").click()

    expect(page.get_by_role("status")).to_contain_text("Every other sign-in of yours has ended")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, "registrar-password-changed")
