"""Signing in and out with real tokens: login, refresh rotation, logout, and refused tokens."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from jose import jwk, jwt

from tests.conftest import PASSWORD
from tests.factories import Api
from tests.security.tokens import signed
from workflow import transactions
from workflow.identity.keys import ALGORITHM
from workflow.models import User


def _login(client: FlaskClient, username: str = "lawyer", password: str = PASSWORD) -> Any:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_login_gives_a_bearer_token_pair(client: FlaskClient, accounts: Any) -> None:
    response = _login(client)
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json["username"] == "lawyer"
    assert me.json["role"] == "lawyer" and me.json["agency"]["kind"] == "ngo"


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("lawyer", "wrong password"),
        ("nobody", PASSWORD),
        ("LAWYER", PASSWORD),
        ("lawyer ", PASSWORD),
    ],
)
def test_wrong_credentials_get_one_answer(
    client: FlaskClient, accounts: Any, username: str, password: str
) -> None:
    response = _login(client, username, password)
    assert response.status_code == 401
    assert response.json["error"]["message"] == "The username or password is wrong."


def test_a_disabled_user_can_neither_sign_in_nor_use_a_token(
    client: FlaskClient, api: Api, app: Any
) -> None:
    headers = api.headers("lawyer")
    with app.app_context(), transactions.unit_of_work() as session:
        user = session.query(User).filter_by(username="lawyer").one()
        user.active = False
    assert _login(client).status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_stops_working(
    client: FlaskClient, accounts: Any
) -> None:
    first = _login(client).json
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    third = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second.json["refresh_token"]}
    )
    assert third.status_code == 200
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 401  # and the whole session ends: tests/security/test_sessions.py


def test_logout_ends_the_access_and_refresh_tokens_at_once(
    client: FlaskClient, accounts: Any
) -> None:
    tokens = _login(client).json
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401


def test_jwks_publishes_the_key_that_verifies_our_tokens(
    client: FlaskClient, accounts: Any
) -> None:
    token = _login(client).json["access_token"]
    keys = client.get("/.well-known/jwks.json").json["keys"]
    header = jwt.get_unverified_header(token)
    published = next(k for k in keys if k["kid"] == header["kid"])
    assert "d" not in published  # never the private part
    claims = jwt.decode(
        token,
        jwk.construct(published, ALGORITHM),
        algorithms=[ALGORITHM],
        audience="homeward-api",
        issuer="homeward",
    )
    assert {"exp", "iat", "aud", "iss", "sub", "jti", "sid"} <= claims.keys()


def _real_claims(client: FlaskClient) -> dict[str, Any]:
    token = _login(client).json["access_token"]
    return dict(jwt.get_unverified_claims(token))


# The attack battery (forged, bent and foreign tokens) is tests/security/test_token_attacks.py.


def test_a_token_for_an_unknown_session_is_refused(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    token = signed(app, {**_real_claims(client), "sid": str(uuid.uuid4())})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_rotated_key_keeps_older_tokens_valid(
    client: FlaskClient, accounts: Any, runner: Any
) -> None:
    old = _login(client).json["access_token"]
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    new = _login(client).json["access_token"]
    assert jwt.get_unverified_header(new)["kid"] != jwt.get_unverified_header(old)["kid"]
    for token in (old, new):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
