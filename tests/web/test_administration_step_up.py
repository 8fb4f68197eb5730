"""An administrator who has a second factor gives a fresh code with every change to accounts
(step-up): a session taken over without the authenticator changes nothing, and each refusal is
in the trail. A lost second factor is reset by an administrator, never by its user."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.audit.helpers import event_of
from tests.security.test_second_factor import code_at, enrol, login
from tests.web.helpers import body, field_error, sign_in
from tests.web.test_administration import post, user_id
from workflow import transactions
from workflow.models import RecoveryCode, SecondFactor, User

STEP_UP = "Type a fresh code from your authenticator app to make this change."


@pytest.fixture
def admin_with_factor(client: FlaskClient, accounts: Any) -> tuple[FlaskClient, str, pyotp.TOTP]:
    """An administrator signed in on the pages who has since set up a second factor."""
    token = sign_in(client, "admin")
    totp, _ = enrol(client.application.test_client(), "admin")
    return client, token, totp


def active(app: Flask, username: str) -> bool:
    with app.app_context():
        return bool(transactions.session().scalar(select(User.active).filter_by(username=username)))


def test_the_forms_ask_for_a_code_once_the_administrator_has_a_second_factor(
    app: Flask, admin_with_factor: tuple[FlaskClient, str, pyotp.TOTP]
) -> None:
    client, _, _ = admin_with_factor

    page = body(client.get(f"/admin/users/{user_id(app, 'lawyer')}"))

    assert page.count('name="totp"') == 3  # role and agency, disable, password
    assert 'name="totp"' in body(client.get("/admin/users"))
    assert 'name="totp"' in body(client.get("/admin/agencies"))


@pytest.mark.parametrize(("code", "refused"), [("", "step_up_missing"), ("000000", None)])
def test_a_change_without_a_fresh_code_is_refused_beside_the_field_and_audited(
    app: Flask, admin_with_factor: tuple[FlaskClient, str, pyotp.TOTP], code: str, refused: Any
) -> None:
    client, token, totp = admin_with_factor
    if code == "000000" and totp.verify(code, valid_window=1):
        code = "999999"  # the rare step whose code this is

    response = post(client, token, f"/admin/users/{user_id(app, 'lawyer')}/disable", totp=code)

    assert response.status_code == 422
    assert field_error(body(response), "disable-totp") == STEP_UP
    assert active(app, "lawyer")
    event = event_of(app, response)
    assert (event.action, event.outcome) == ("admin.user_disable", "invalid_input")
    assert event.detail["refused"] == (refused or "step_up_wrong_code")


def test_a_fresh_code_makes_the_change_and_is_spent(
    app: Flask, admin_with_factor: tuple[FlaskClient, str, pyotp.TOTP]
) -> None:
    client, token, totp = admin_with_factor
    code = code_at(totp, 0)
    lawyer = user_id(app, "lawyer")

    first = post(client, token, f"/admin/users/{lawyer}/disable", totp=code)
    again = post(client, token, f"/admin/users/{lawyer}/enable", totp=code)

    assert first.status_code == 303
    assert not active(app, "lawyer")
    assert again.status_code == 422  # the same code, replayed
    assert event_of(app, again).detail["refused"] == "step_up_code_replayed"


def test_an_administrator_without_a_second_factor_is_not_asked(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    token = sign_in(client, "admin")

    response = post(client, token, f"/admin/users/{user_id(app, 'lawyer')}/disable")

    assert 'name="totp"' not in body(client.get("/admin/users"))
    assert response.status_code == 303
    assert not active(app, "lawyer")


def factors_of(app: Flask, username: str) -> tuple[int, int]:
    with app.app_context():
        session = transactions.session()
        user = session.scalar(select(User.id).filter_by(username=username))
        factors = session.scalars(select(SecondFactor).filter_by(user_id=user)).all()
        codes = session.scalars(select(RecoveryCode).filter_by(user_id=user)).all()
        return len(factors), len(codes)


def test_a_lost_second_factor_is_reset_and_the_user_signs_in_with_the_password_alone(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    api = app.test_client()
    enrol(api, "lawyer")
    assert login(api, "lawyer").json["error"]["code"] == "second_factor_required"
    token = sign_in(client, "admin")

    response = post(client, token, f"/admin/users/{user_id(app, 'lawyer')}/second-factor-reset")

    assert response.status_code == 303
    assert factors_of(app, "lawyer") == (0, 0)
    assert login(api, "lawyer").status_code == 200
    event = event_of(app, response)
    assert (event.action, event.outcome, event.object_id) == (
        "admin.second_factor_reset",
        "success",
        "lawyer",
    )
    assert event.detail["second_factor_reset"] is True


def test_resetting_an_account_without_a_second_factor_is_refused(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    token = sign_in(client, "admin")

    response = post(client, token, f"/admin/users/{user_id(app, 'lawyer')}/second-factor-reset")

    assert response.status_code == 409
    assert event_of(app, response).detail["refused"] == "no_second_factor"
    assert "This account has no second factor." in body(response)


def test_resetting_a_second_factor_needs_the_administrators_own_code(
    app: Flask, admin_with_factor: tuple[FlaskClient, str, pyotp.TOTP]
) -> None:
    client, token, _ = admin_with_factor
    enrol(app.test_client(), "lawyer")

    response = post(client, token, f"/admin/users/{user_id(app, 'lawyer')}/second-factor-reset")

    assert response.status_code == 422
    assert factors_of(app, "lawyer") == (1, 10)
