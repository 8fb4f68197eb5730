"""What the hostile-input tests share: the lawyer's case they aim at, one valid request per
endpoint, and the checks that a request was refused without echoing or writing anything."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD
from tests.factories import GRANDMOTHER, MOTHER_ABROAD, Api

SECRET = "Zhanar-SECRET-Name"
SECRET_CYRILLIC = "Жанар-ҚҰПИЯ-Есім"
MAX_JSON_BYTES = 256 * 1024
NOBODY = str(uuid.uuid4())
LONG = SECRET * 12  # 216 characters, over every one-line limit of 200
VERY_LONG = SECRET * 112  # 2016 characters, over every paragraph limit of 2000
# The one error code the contract gives each status; a 409 has several, so its callers name one.
CODE_OF_STATUS = {
    401: "not_authenticated",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    428: "precondition_required",
}

CHILD: dict[str, Any] = {
    "names": [{"script": "Latn", "given": SECRET, "family": "Nurgalieva"}],
    "sex": "female",
    "birth_date": {"value": "2016-01-01", "precision": "year"},
    "birth_place": {"country": "SY", "locality": "Raqqa"},
    "residence": f"With {SECRET_CYRILLIC}, Almaty region",
}
MOTHER: dict[str, Any] = {**MOTHER_ABROAD, "names": [{"script": "Cyrl", "given": SECRET_CYRILLIC}]}
SQL = [
    "Robert'); DROP TABLE cases;--",
    "' OR '1'='1",
    '"; DELETE FROM people WHERE ""="',
    "1; SELECT pg_sleep(10)--",
    "x' UNION SELECT username, password_hash FROM users --",
    "\\'; --",
]
PETITION: dict[str, Any] = {
    "track": "parentage",
    "action": "file_petition",
    "data": {"grounds": f"Camp records name {SECRET}"},
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    body: dict[str, Any] | None = None
    signed_in: bool = True
    versioned: bool = False


ENDPOINTS = {
    "login": Endpoint(
        "POST", "/api/v1/auth/login", {"username": "lawyer", "password": PASSWORD}, signed_in=False
    ),
    "refresh": Endpoint(
        "POST", "/api/v1/auth/refresh", {"refresh_token": "x" * 43}, signed_in=False
    ),
    "logout": Endpoint("POST", "/api/v1/auth/logout", {}),
    "me": Endpoint("GET", "/api/v1/me"),
    "workflow": Endpoint("GET", "/api/v1/workflow"),
    "list": Endpoint("GET", "/api/v1/cases"),
    "create": Endpoint(
        "POST", "/api/v1/cases", {"child": CHILD, "people": [MOTHER], "confirm_distinct": True}
    ),
    "get": Endpoint("GET", "/api/v1/cases/{case}"),
    "patch": Endpoint(
        "PATCH", "/api/v1/cases/{case}", {"child": {"residence": SECRET}}, versioned=True
    ),
    "transitions": Endpoint("POST", "/api/v1/cases/{case}/transitions", PETITION, versioned=True),
    "history": Endpoint("GET", "/api/v1/cases/{case}/history"),
    "close": Endpoint(
        "POST",
        "/api/v1/cases/{case}/close",
        {"reason": "withdrawn", "note": f"Moved in with {SECRET}"},
        versioned=True,
    ),
    "reopen": Endpoint(
        "POST", "/api/v1/cases/{case}/reopen", {"note": f"Back from {SECRET}"}, versioned=True
    ),
    "assignments": Endpoint("POST", "/api/v1/cases/{case}/assignments", {"username": "lawyer2"}),
    # Last: its valid request changes the lawyer's password, which the others sign in with.
    "password": Endpoint(
        "POST",
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "a new passphrase of ours"},
    ),
}
WITH_BODY = [name for name, endpoint in ENDPOINTS.items() if endpoint.body is not None]
SIGNED_IN = [name for name, endpoint in ENDPOINTS.items() if endpoint.signed_in]
ON_A_CASE = [name for name, endpoint in ENDPOINTS.items() if "{case}" in endpoint.path]


def open_target_case(api: Api) -> dict[str, Any]:
    """The lawyer's case that every hostile request aims at."""
    return api.create_case(child=CHILD, people=[MOTHER, GRANDMOTHER])


def send(
    api: Api,
    name: str,
    case: dict[str, Any],
    body: Any = None,
    *,
    raw: bytes | None = None,
    content_type: str | None = "application/json",
    headers: dict[str, str | None] | None = None,
    case_id: str | None = None,
) -> TestResponse:
    """Call one endpoint as the lawyer, at the case's version, with its valid body unless given."""
    endpoint = ENDPOINTS[name]
    sent: dict[str, str | None] = {}
    if endpoint.signed_in:
        sent.update(api.headers("lawyer"))
    if endpoint.versioned:
        sent["If-Match"] = f'"{case["version"]}"'
    sent.update(headers or {})
    if raw is None and endpoint.body is not None:
        raw = json.dumps(endpoint.body if body is None else body).encode()
    return api.client.open(
        endpoint.path.format(case=case["id"] if case_id is None else case_id),
        method=endpoint.method,
        data=raw,
        content_type=content_type if raw is not None else None,
        headers={key: value for key, value in sent.items() if value is not None},
    )


def observe(api: Api, case_id: str) -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    return {
        "cases": api.get("lawyer", "/api/v1/cases").json["total"],
        "case": api.case("lawyer", case_id),
        "history": api.get("lawyer", f"/api/v1/cases/{case_id}/history").json["history"],
        "lawyer2 sees it": api.get("lawyer2", f"/api/v1/cases/{case_id}").status_code,
        "signed in": api.get("lawyer", "/api/v1/me").status_code,
    }


def assert_error(response: TestResponse, status: int, *fields: str, code: str = "") -> None:
    """The contract's error: the status and its one code (`code`, or the status's own), JSON
    {"error": {code, message, details}}, the failing fields named, and none of the personal data
    that was sent."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert {"code", "message", "details"} <= error.keys()
    assert error["code"] == (code or CODE_OF_STATUS[status])
    assert isinstance(error["message"], str) and error["message"]
    if fields:
        assert isinstance(error["details"], list), error
        assert set(fields) <= {item["field"] for item in error["details"]}, error["details"]
    assert_not_echoed(response)


def assert_not_echoed(response: TestResponse) -> None:
    shown = response.get_data(as_text=True) + json.dumps(response.json, ensure_ascii=False)
    assert SECRET not in shown
    assert SECRET_CYRILLIC not in shown


def refused_and_unchanged(
    api: Api, case: dict[str, Any], name: str, body: Any, *fields: str, status: int = 422
) -> None:
    before = observe(api, case["id"])
    assert_error(send(api, name, case, body), status, *fields)
    assert observe(api, case["id"]) == before


class Unchanged:
    """Whatever a run of refused requests must leave as it was. Each request is compared with
    the look taken after the one before it, so one that changes something fails alone."""

    def __init__(self, look: Callable[[], Any]) -> None:
        self.look = look
        self.seen = look()

    @contextmanager
    def around(self) -> Iterator[None]:
        before = self.seen
        try:
            yield
        finally:
            self.seen = self.look()
        assert self.seen == before


class Target:
    """The lawyer's case that a run of hostile requests aims at, on a sign-in of its own."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.renew()

    def renew(self) -> None:
        """A fresh sign-in and case for the requests from here on."""
        self.api = Api(self.client, PASSWORD)
        self.case = open_target_case(self.api)
        self.seen = observe(self.api, self.case["id"])

    @contextmanager
    def refusing(self) -> Iterator[None]:
        """The request inside must change nothing `observe` sees. One that did fails, and the
        requests after it get a fresh sign-in and case, so that each is judged on its own."""
        before = self.seen
        try:
            yield
        finally:
            try:
                now = observe(self.api, self.case["id"])
            except Exception as error:  # e.g. the lawyer was signed out and reads nothing
                now = {"observing failed": repr(error)}
            if now == before:
                self.seen = now
            else:
                self.renew()
        assert now == before


def refuse_each(
    client: FlaskClient, subtests: pytest.Subtests, variants: dict[str, tuple[str, Any, str]]
) -> None:
    """Send each variant's body to its endpoint: each is refused with 422 naming its field, and
    none changes anything."""
    target = Target(client)
    for variant, (name, body, field) in variants.items():
        with subtests.test(msg=variant, name=name, field=field), target.refusing():
            assert_error(send(target.api, name, target.case, body), 422, field)


def with_child(**changes: Any) -> dict[str, Any]:
    """The create body with the child's particulars changed."""
    return {"child": {**CHILD, **changes}, "people": [MOTHER]}


def with_mother(**changes: Any) -> dict[str, Any]:
    """The create body with the mother's particulars changed."""
    return {"child": CHILD, "people": [{**MOTHER, **changes}]}


def with_petition(**changes: Any) -> dict[str, Any]:
    """The petition step's body with some of its keys changed."""
    return {**PETITION, **changes}


def named(rows: list[tuple[str, Any, str]]) -> dict[str, tuple[str, Any, str]]:
    """Rows of (endpoint, body, field) by ids such as `create child.names.0.given`, numbered
    from 0 where ids repeat, as pytest numbers them."""
    ids = [f"{name} {field}" for name, _body, field in rows]
    repeats, counted = Counter(ids), Counter[str]()
    variants = {}
    for id_, row in zip(ids, rows, strict=True):
        variants[f"{id_}{counted[id_]}" if repeats[id_] > 1 else id_] = row
        counted[id_] += 1
    return variants
