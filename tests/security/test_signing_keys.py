"""A replaced signing key keeps verifying for one token lifetime, so rotation logs no one out,
and then stops, so a stolen old key signs nothing that passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jose import jwt

from tests.audit.helpers import last_event
from tests.factories import Api
from workflow.identity.keys import ALGORITHM, STAMP, create, load


def ring_with(app: Any, replaced_ago: timedelta) -> tuple[Any, Any]:
    """Two keys: an old one, and the one that replaced it `replaced_ago`."""
    directory = Path(app.config["KEYS_DIR"])
    for path in directory.glob("*.pem"):
        path.unlink()
    now = datetime.now(UTC)
    for made, suffix in (
        (now - replaced_ago - timedelta(days=30), "old"),
        (now - replaced_ago, "new"),
    ):
        key = create(directory)
        (directory / f"{key.kid}.pem").rename(directory / f"{made.strftime(STAMP)}-{suffix}.pem")
    ring = load(directory)
    return ring.get(next(path.stem for path in directory.glob("*-old.pem"))), ring.current


def signed_by(key: Any, claims: dict[str, Any]) -> str:
    return str(jwt.encode(claims, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid}))


@pytest.fixture
def live_claims(api: Api) -> dict[str, Any]:
    return dict(jwt.get_unverified_claims(api.token("lawyer")))


def test_a_key_replaced_minutes_ago_still_verifies(
    app: Any, client: FlaskClient, live_claims: dict[str, Any]
) -> None:
    old, new = ring_with(app, timedelta(minutes=2))

    for key in (old, new):
        headers = {"Authorization": f"Bearer {signed_by(key, live_claims)}"}
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    published = {key["kid"] for key in client.get("/.well-known/jwks.json").json["keys"]}
    assert published == {old.kid, new.kid}


def test_a_key_replaced_longer_than_a_token_lifetime_ago_is_refused(
    app: Any, client: FlaskClient, live_claims: dict[str, Any]
) -> None:
    lifetime = timedelta(minutes=app.config["ACCESS_TOKEN_MINUTES"])
    old, new = ring_with(app, lifetime + timedelta(minutes=1))

    def me(key: Any) -> int:
        headers = {"Authorization": f"Bearer {signed_by(key, live_claims)}"}
        return int(client.get("/api/v1/me", headers=headers).status_code)

    assert me(old) == 401
    assert last_event(app).detail == {"refused": "unknown_or_retired_key"}
    assert me(new) == 200
    published = {key["kid"] for key in client.get("/.well-known/jwks.json").json["keys"]}
    assert published == {new.kid}
