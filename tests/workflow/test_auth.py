"""Signing in and out with real tokens: login, refresh rotation, logout, and refused tokens."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from jose import jwk, jwt

from tests.conftest import PASSWORD
from tests.factories import Api, current_signing_key
from workflow import db
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
    with app.app_context(), db.unit_of_work() as session:
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
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 401
    third = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second.json["refresh_token"]}
    )
    assert third.status_code == 200


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


def _claims(app: Any, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": "homeward",
        "aud": "homeward-api",
        "sub": str(uuid.uuid4()),
        "sid": str(uuid.uuid4()),
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "iat": now,
        "exp": now + 300,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def _signed(app: Any, claims: dict[str, Any], **header: Any) -> str:
    key = current_signing_key(app)
    return str(
        jwt.encode(claims, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid, **header})
    )


def _real_claims(client: FlaskClient) -> dict[str, Any]:
    token = _login(client).json["access_token"]
    return dict(jwt.get_unverified_claims(token))


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "someone-else"},
        {"iss": "evil"},
        {"exp": int(time.time()) - 10},
        {"iat": int(time.time()) + 3600},
        {"typ": "refresh"},
        {"exp": None},
        {"jti": None},
        {"aud": None},
        {"iss": None},
        {"iat": None},
    ],
)
def test_tokens_with_wrong_or_missing_claims_are_refused(
    app: Any, client: FlaskClient, accounts: Any, change: dict
) -> None:
    claims = {**_real_claims(client), **change}
    token = _signed(app, {k: v for k, v in claims.items() if v is not None})
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_an_unsigned_token_is_refused(client: FlaskClient, accounts: Any) -> None:
    import base64
    import json

    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    token = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(_real_claims(client))}."
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_hs256_signed_with_the_public_key_is_refused(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    key = current_signing_key(app)
    import hashlib
    import hmac
    import json
    from base64 import urlsafe_b64encode

    def part(raw: bytes) -> str:
        return urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = part(json.dumps({"alg": "HS256", "kid": key.kid}).encode())
    body = part(json.dumps(_real_claims(client)).encode())
    signature = hmac.new(key.public_pem.encode(), f"{header}.{body}".encode(), hashlib.sha256)
    token = f"{header}.{body}.{part(signature.digest())}"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        {"kid": "unknown"},
        {"jku": "http://127.0.0.1:1/keys"},
        {"x5u": "http://127.0.0.1:1/cert"},
        {"kid": "../../etc/passwd"},
    ],
)
def test_tokens_with_foreign_key_headers_are_refused(
    app: Any, client: FlaskClient, accounts: Any, header: dict
) -> None:
    token = _signed(app, _real_claims(client), **header)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_token_for_an_unknown_session_is_refused(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    token = _signed(app, {**_real_claims(client), "sid": str(uuid.uuid4())})
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
