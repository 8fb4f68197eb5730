"""RFC 8725's attacks on bearer tokens, each refused with 401 and recorded with the check it failed.

Every forged token below carries the claims of a real, live session, so that the one thing wrong
with it is the attack itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from jose import jwt

from tests.audit.helpers import last_event
from tests.factories import Api, current_signing_key
from tests.security.tokens import (
    claims,
    foreign_signed,
    hmac_signed,
    public_key_forms,
    signed,
    unsigned,
    with_flipped_signature,
    with_payload,
)

Attack = Callable[[Any, dict[str, Any], str], str]
GENERIC = "The access token is missing, invalid or expired."


def _kid(app: Any) -> str:
    return current_signing_key(app).kid


ATTACKS: dict[str, tuple[Attack, str]] = {
    "alg none": (lambda app, real, token: unsigned(real), "algorithm"),
    "alg None": (lambda app, real, token: unsigned(real, "None"), "algorithm"),
    "HS256 keyed with our PEM public key": (
        lambda app, real, token: hmac_signed(real, public_key_forms(app)["pem"], _kid(app)),
        "algorithm",
    ),
    "HS256 keyed with our DER public key": (
        lambda app, real, token: hmac_signed(real, public_key_forms(app)["der"], _kid(app)),
        "algorithm",
    ),
    "HS256 keyed with our SSH public key": (
        lambda app, real, token: hmac_signed(real, public_key_forms(app)["ssh"], _kid(app)),
        "algorithm",
    ),
    "HS512 keyed with our PEM public key": (
        lambda app, real, token: hmac_signed(
            real, public_key_forms(app)["pem"], _kid(app), "HS512"
        ),
        "algorithm",
    ),
    "RS256, an algorithm not on the list": (
        lambda app, real, token: foreign_signed(real, "RS256", _kid(app)),
        "algorithm",
    ),
    "ES384, an algorithm not on the list": (
        lambda app, real, token: foreign_signed(real, "ES384", _kid(app)),
        "algorithm",
    ),
    "ES256 by a stranger's key under our kid": (
        lambda app, real, token: foreign_signed(real, "ES256", _kid(app)),
        "signature",
    ),
    "unknown kid": (
        lambda app, real, token: signed(app, real, kid="20990101T000000000000-deadbeef"),
        "unknown_or_retired_key",
    ),
    "kid injecting a path": (
        lambda app, real, token: signed(app, real, kid="../../../../dev/null"),
        "unknown_or_retired_key",
    ),
    "kid injecting SQL": (
        lambda app, real, token: signed(app, real, kid="' OR '1'='1"),
        "unknown_or_retired_key",
    ),
    "jku header": (
        lambda app, real, token: signed(app, real, jku="https://attacker.example/jwks.json"),
        "forbidden_header",
    ),
    "x5u header": (
        lambda app, real, token: signed(app, real, x5u="https://attacker.example/cert.pem"),
        "forbidden_header",
    ),
    "missing aud": (lambda app, real, token: signed(app, {**real, "aud": None}), "claims"),
    "wrong aud": (lambda app, real, token: signed(app, {**real, "aud": "other-api"}), "claims"),
    "missing iss": (lambda app, real, token: signed(app, {**real, "iss": None}), "unknown_issuer"),
    "wrong iss": (lambda app, real, token: signed(app, {**real, "iss": "evil"}), "unknown_issuer"),
    "missing exp": (lambda app, real, token: signed(app, {**real, "exp": None}), "claims"),
    "missing iat": (lambda app, real, token: signed(app, {**real, "iat": None}), "claims"),
    "missing jti": (lambda app, real, token: signed(app, {**real, "jti": None}), "claims"),
    "expired": (
        lambda app, real, token: signed(app, {**real, "exp": int(time.time()) - 5}),
        "expired",
    ),
    "not yet valid": (
        lambda app, real, token: signed(app, {**real, "nbf": int(time.time()) + 3600}),
        "claims",
    ),
    "issued in the future": (
        lambda app, real, token: signed(app, {**real, "iat": int(time.time()) + 3600}),
        "issued_in_future",
    ),
    "a refresh-kind token": (
        lambda app, real, token: signed(app, {**real, "typ": "refresh"}),
        "wrong_kind",
    ),
    "payload changed under the signature": (
        lambda app, real, token: with_payload(token, {**real, "sub": claims()["sub"]}),
        "signature",
    ),
    "signature with one bit flipped": (
        lambda app, real, token: with_flipped_signature(token),
        "signature",
    ),
    "oversized": (
        lambda app, real, token: signed(app, {**real, "pad": "A" * 5000}),
        "oversized",
    ),
    "not a JWT at all": (lambda app, real, token: "x.y.z", "malformed"),
    "an empty JWT": (lambda app, real, token: "..", "malformed"),
}


@pytest.fixture
def live(client: FlaskClient, api: Api) -> tuple[dict[str, Any], str]:
    """A real lawyer's access token and its claims."""
    token = api.token("lawyer")
    return {k: v for k, v in jwt.get_unverified_claims(token).items() if v is not None}, token


def _with_none_removed(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize("name", ATTACKS)
def test_each_attack_is_refused_and_recorded(
    app: Any, client: FlaskClient, live: tuple[dict[str, Any], str], name: str
) -> None:
    make, reason = ATTACKS[name]
    real, token = live
    forged = make(app, _with_none_removed(real), token)

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})

    assert response.status_code == 401
    # One answer for every failure: which check failed is for the trail, not the attacker.
    assert response.json["error"] == {
        "code": "not_authenticated",
        "message": GENERIC,
        "details": None,
    }
    event = last_event(app)
    assert (event.action, event.outcome) == ("auth.me", "not_authenticated")
    assert event.detail.get("refused") == reason
    assert event.username is None


def test_the_real_token_itself_is_accepted(
    client: FlaskClient, live: tuple[dict[str, Any], str]
) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {live[1]}"})

    assert response.status_code == 200


def test_an_opaque_refresh_token_used_as_an_access_token_is_refused(
    app: Any, client: FlaskClient, api: Api
) -> None:
    pair = client.post(
        "/api/v1/auth/login", json={"username": "lawyer", "password": api.password}
    ).json

    response = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {pair['refresh_token']}"}
    )

    assert response.status_code == 401
    assert last_event(app).detail.get("refused") == "malformed"
