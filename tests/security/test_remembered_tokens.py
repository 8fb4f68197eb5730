"""A token's signature is checked once by each key ring, and what time changes on every use: a
remembered token still expires, its key still retires, and its session still ends."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jose import jwt

import workflow.identity.tokens as tokens
from tests.audit.helpers import last_event
from tests.factories import Api
from tests.security.test_signing_keys import live_claims, ring_with, signed_by
from workflow.identity import keys
from workflow.identity.keys import create

__all__ = ["live_claims"]  # a fixture, used by name below


def _decodes_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token python-jose is asked to verify from now on."""
    verified: list[str] = []
    decode = jwt.decode

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        verified.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(tokens.jwt, "decode", counted)
    return verified


def _later(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> None:
    """The token checks' clock moved on by `by`; the sessions' clock stays where it is."""

    class Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.now(tz) + by

    monkeypatch.setattr(tokens, "datetime", Later)


def _me(client: FlaskClient, token: str) -> int:
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return int(response.status_code)


def test_a_token_is_verified_once_until_the_keys_change(
    app: Any, client: FlaskClient, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = api.token("lawyer")
    assert _me(client, token) == 200
    verified = _decodes_counted(monkeypatch)

    assert [_me(client, token) for _ in range(3)] == [200, 200, 200]
    assert verified == []
    create(Path(app.config["KEYS_DIR"]))  # a key added: the ring is read afresh, and forgets
    assert _me(client, token) == 200
    assert verified == [token]


def test_a_remembered_token_is_refused_once_it_expires(
    app: Any, client: FlaskClient, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = api.token("lawyer")
    assert _me(client, token) == 200

    _later(monkeypatch, timedelta(minutes=app.config["ACCESS_TOKEN_MINUTES"], seconds=1))
    assert _me(client, token) == 401
    assert last_event(app).detail == {"refused": "expired"}


def test_a_remembered_token_is_refused_once_its_key_retires(
    app: Any, client: FlaskClient, live_claims: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, _new = ring_with(app, timedelta(minutes=2))
    token = signed_by(old, live_claims)
    assert _me(client, token) == 200

    with app.app_context():
        grace = tokens.verification_grace()
    _later(monkeypatch, grace)
    assert _me(client, token) == 401
    assert last_event(app).detail == {"refused": "unknown_or_retired_key"}


def test_a_remembered_token_is_refused_once_its_session_ends(client: FlaskClient, api: Api) -> None:
    token = api.token("lawyer")
    assert _me(client, token) == 200

    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert _me(client, token) == 401


def test_a_forged_token_is_never_remembered(
    app: Any, client: FlaskClient, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = api.token("lawyer")
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    verified = _decodes_counted(monkeypatch)

    assert [_me(client, forged) for _ in range(2)] == [401, 401]
    assert verified == [forged, forged]


def test_past_its_bound_the_ring_forgets_every_token(
    client: FlaskClient, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys, "MOST_REMEMBERED_TOKENS", 2)
    first, second, third = (api.token(user) for user in ("lawyer", "lawyer3", "judge"))
    verified = _decodes_counted(monkeypatch)

    for token in (first, second, first, third, first):
        assert _me(client, token) == 200
    assert verified == [first, second, third, first]
