"""Hostile addressing and headers: a case id that names no case, a missing, stale or garbage
If-Match, a bad bearer token or a method an endpoint lacks is refused, and changes nothing."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwt

from tests.conftest import PASSWORD
from tests.factories import Api, current_signing_key
from tests.workflow.hostile import (
    ENDPOINTS,
    NOBODY,
    ON_A_CASE,
    SECRET,
    SIGNED_IN,
    Target,
    assert_error,
    observe,
    open_target_case,
    send,
)


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    return open_target_case(api)


BAD_CASE_IDS = [
    "not-a-uuid",
    "12345",
    NOBODY,
    "HW-0000-0000-0000",
    "HW-ZZZZ-ZZZZ-ZZZZ",
    "hw-0000-0000-0000",
    "%00",
    "%FF%FE",
    "%E2%80%AE",
    "%27%20OR%20%271%27%3D%271",
    "%3Cscript%3EZhanar-SECRET-Name%3C%2Fscript%3E",
    "..%2F..%2Fauth%2Flogin",
    "%25",
]


def test_a_case_id_that_names_no_case_is_not_found(api: Api, subtests: pytest.Subtests) -> None:
    target = Target(api.client)
    for case_id in BAD_CASE_IDS:
        for name in ON_A_CASE:
            with subtests.test(msg=case_id, case_id=case_id, endpoint=name), target.refusing():
                assert_error(
                    send(target.api, name, target.case, case_id=case_id), 404, code="not_found"
                )


OVER_LONG_CASE_IDS = {"65 chars": "a" * 65, "5003 chars": "HW-" + "0" * 5000}


def test_an_over_long_case_id_is_refused_naming_it(api: Api, subtests: pytest.Subtests) -> None:
    """Refused for its length before any case is looked up, so it reveals nothing."""
    target = Target(api.client)
    for length, case_id in OVER_LONG_CASE_IDS.items():
        for name in ON_A_CASE:
            with subtests.test(msg=length, case_id=length, endpoint=name), target.refusing():
                response = send(target.api, name, target.case, case_id=case_id)
                assert_error(response, 422, "case_id")


GARBAGE_VERSIONS = [
    "garbage",
    '"abc"',
    '""',
    '"-1"',
    '"1.5"',
    '"0x2"',
    'W/"x"',
    '"' + "9" * 30 + '"',
    f'"{SECRET}"',
]

IF_MATCHES = {
    "missing": (None, 428, "precondition_required"),
    "stale": ('"1"', 409, "stale_version"),
    **{value: (value, 409, "stale_version") for value in GARBAGE_VERSIONS},
}


def changed_case(api: Api) -> dict[str, Any]:
    """A case after one change, at version 2, so that version 1 is stale."""
    response = send(api, "patch", open_target_case(api), {"child": {"sex": "female"}})
    assert response.status_code == 200
    assert response.json["version"] == 2
    return dict(response.json)


def test_a_missing_stale_or_garbage_if_match_changes_nothing(
    api: Api, subtests: pytest.Subtests
) -> None:
    """Each variant on a case of its own, which the current version then changes."""
    for variant, (if_match, status, code) in IF_MATCHES.items():
        with subtests.test(msg=variant, if_match=variant):
            case = changed_case(api)
            for name in ("patch", "transitions"):
                before = observe(api, case["id"])
                response = send(api, name, case, headers={"If-Match": if_match})
                assert_error(response, status, code=code)
                assert observe(api, case["id"]) == before
            # The same requests with the current version go through: the version was the fault.
            assert send(api, "patch", case, headers={"If-Match": '"2"'}).status_code == 200
            assert send(api, "transitions", case, headers={"If-Match": '"3"'}).status_code == 200


def _other_key_token(token: str) -> str:
    """The same claims and kid, signed by a key Homeward never had."""
    key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    kid = jwt.get_unverified_header(token)["kid"]
    return str(jwt.encode(jwt.get_unverified_claims(token), key.decode(), "ES256", {"kid": kid}))


def _expired_token(app: Any, token: str) -> str:
    """The same session's claims, signed by Homeward's own key, expired an hour ago."""
    now = int(time.time())
    claims = {**jwt.get_unverified_claims(token), "iat": now - 7200, "exp": now - 3600}
    key = current_signing_key(app)
    return str(jwt.encode(claims, key.private_pem, "ES256", {"kid": key.kid}))


def bad_authorization(kind: str, app: Any, api: Api) -> str | None:
    """An Authorization header of the given kind, from a session of the lawyer's own."""
    if kind in ("missing", "no token", "blank token", "another scheme", "malformed", "too long"):
        return {
            "missing": None,
            "no token": "Bearer",
            "blank token": "Bearer    ",
            "another scheme": "Basic " + base64.b64encode(f"lawyer:{PASSWORD}".encode()).decode(),
            "malformed": "Bearer not.a.jwt",
            "too long": "Bearer " + "a" * 5000,
        }[kind]
    pair = api.client.post("/api/v1/auth/login", json=ENDPOINTS["login"].body).json
    if kind == "after logout":
        headers = {"Authorization": f"Bearer {pair['access_token']}"}
        assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
        return headers["Authorization"]
    token = {
        "another key": _other_key_token(pair["access_token"]),
        "expired": _expired_token(app, pair["access_token"]),
        "refresh token": pair["refresh_token"],
        "without the scheme": pair["access_token"],
    }[kind]
    return token if kind == "without the scheme" else f"Bearer {token}"


BAD_TOKENS = [
    "missing",
    "no token",
    "blank token",
    "another scheme",
    "malformed",
    "too long",
    "another key",
    "expired",
    "refresh token",
    "without the scheme",
    "after logout",
]


def test_a_bad_bearer_token_is_refused_everywhere(
    app: Any, api: Api, subtests: pytest.Subtests
) -> None:
    target = Target(api.client)
    for kind in BAD_TOKENS:
        authorization = bad_authorization(kind, app, target.api)
        for name in SIGNED_IN:
            with subtests.test(msg=kind, token=kind, endpoint=name), target.refusing():
                response = send(
                    target.api, name, target.case, headers={"Authorization": authorization}
                )
                assert_error(response, 401, code="not_authenticated")


MISSING_METHODS = [
    ("PUT", "/api/v1/cases"),
    ("DELETE", "/api/v1/cases/{case}"),
    ("PUT", "/api/v1/cases/{case}"),
    ("GET", "/api/v1/auth/login"),
    ("DELETE", "/api/v1/cases/{case}/history"),
]


def test_a_method_the_endpoint_lacks_is_a_json_405(api: Api, subtests: pytest.Subtests) -> None:
    target = Target(api.client)
    for method, path in MISSING_METHODS:
        with subtests.test(msg=f"{method} {path}", method=method, path=path), target.refusing():
            response = api.client.open(
                path.format(case=target.case["id"]),
                method=method,
                headers=target.api.headers("lawyer"),
            )
            assert_error(response, 405)


def test_an_unknown_api_path_is_a_json_404(api: Api) -> None:
    assert_error(api.get("lawyer", f"/api/v1/{SECRET}"), 404)
