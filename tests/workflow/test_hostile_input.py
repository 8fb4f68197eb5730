"""Hostile input on every endpoint: refused with the contract's error shape and the failing field
named, never echoing the personal data that was sent, and never writing anything."""

from __future__ import annotations

import base64
import json
import time
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwt
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD
from tests.factories import GRANDMOTHER, MOTHER_ABROAD, Api, current_signing_key

SECRET = "Zhanar-SECRET-Name"
SECRET_CYRILLIC = "Жанар-ҚҰПИЯ-Есім"
MAX_JSON_BYTES = 256 * 1024

CHILD: dict[str, Any] = {
    "names": [{"script": "Latn", "given": SECRET, "family": "Nurgalieva"}],
    "sex": "female",
    "birth_date": {"value": "2016-01-01", "precision": "year"},
    "birth_place": {"country": "SY", "locality": "Raqqa"},
    "residence": f"With {SECRET_CYRILLIC}, Almaty region",
}
MOTHER: dict[str, Any] = {**MOTHER_ABROAD, "names": [{"script": "Cyrl", "given": SECRET_CYRILLIC}]}
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
    "create": Endpoint("POST", "/api/v1/cases", {"child": CHILD, "people": [MOTHER]}),
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
}
WITH_BODY = [name for name, endpoint in ENDPOINTS.items() if endpoint.body is not None]
SIGNED_IN = [name for name, endpoint in ENDPOINTS.items() if endpoint.signed_in]
ON_A_CASE = [name for name, endpoint in ENDPOINTS.items() if "{case}" in endpoint.path]
SUCCESS = {"create": 201, "assignments": 201, "logout": 204}


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
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
    """The contract's error: the status, JSON {"error": {code, message, details}}, the failing
    fields named, and none of the personal data that was sent."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert {"code", "message", "details"} <= error.keys()
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code
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


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_valid_request_of_each_endpoint_succeeds(
    api: Api, case: dict[str, Any], name: str
) -> None:
    """The baseline every hostile variant below departs from."""
    body = None
    if name == "refresh":
        login = api.client.post("/api/v1/auth/login", json=ENDPOINTS["login"].body)
        body = {"refresh_token": login.json["refresh_token"]}
    if name == "reopen":
        case = send(api, "close", case).json
    response = send(api, name, case, body)
    assert response.status_code == SUCCESS.get(name, 200), response.get_data(as_text=True)


UNREADABLE_BODIES = {
    "truncated": (b'{"child": {"names": [{"given": "Zhanar-SECRET-Name"', "malformed_json"),
    "single quotes": (b"{'username': 'Zhanar-SECRET-Name'}", "malformed_json"),
    "trailing comma": (b'{"username": "Zhanar-SECRET-Name",}', "malformed_json"),
    "two documents": (b'{"username": "Zhanar-SECRET-Name"} {}', "malformed_json"),
    "a comment": (b'{"username": "x" /* Zhanar-SECRET-Name */}', "malformed_json"),
    "bare word": (b"Zhanar-SECRET-Name", "malformed_json"),
    "invalid UTF-8 byte": (b'{"username": "Zhanar-SECRET-Name \xff"}', "malformed_json"),
    "Windows-1251": ('{"username": "Жанар Zhanar-SECRET-Name"}'.encode("cp1251"), "malformed_json"),
    "UTF-16": ('{"username": "Zhanar-SECRET-Name"}'.encode("utf-16"), "malformed_json"),
    "overlong UTF-8": (b'{"username": "Zhanar-SECRET-Name \xc0\xaf"}', "malformed_json"),
    "UTF-8 encoded surrogate": (
        b'{"username": "Zhanar-SECRET-Name \xed\xa0\x80"}',
        "malformed_json",
    ),
    "NaN": (b'{"username": "Zhanar-SECRET-Name", "x": NaN}', "malformed_json"),
    "Infinity": (b'{"username": "Zhanar-SECRET-Name", "x": Infinity}', "malformed_json"),
    "-Infinity": (b'{"username": "Zhanar-SECRET-Name", "x": -Infinity}', "malformed_json"),
    "a 5000-digit number": (b'{"x": ' + b"9" * 5000 + b"}", "malformed_json"),
    "nested arrays": (b"[" * 100_000 + b"]" * 100_000, "malformed_json"),
    "nested objects": (b'{"a":' * 40_000 + b"1" + b"}" * 40_000, "malformed_json"),
    "an array": (b'[{"username": "Zhanar-SECRET-Name"}]', "not_an_object"),
    "a string": (b'"Zhanar-SECRET-Name"', "not_an_object"),
    "a number": (b"42", "not_an_object"),
    "null": (b"null", "not_an_object"),
    "true": (b"true", "not_an_object"),
}


@pytest.mark.parametrize(("raw", "problem"), UNREADABLE_BODIES.values(), ids=UNREADABLE_BODIES)
def test_a_body_that_is_not_a_json_object_is_refused(
    api: Api, case: dict[str, Any], subtests: pytest.Subtests, raw: bytes, problem: str
) -> None:
    before = observe(api, case["id"])
    for name in WITH_BODY:
        with subtests.test(endpoint=name):
            response = send(api, name, case, raw=raw)
            assert_error(response, 422, "(body)", code="invalid_input")
            assert response.json["error"]["details"][0]["problem"] == problem
            assert observe(api, case["id"]) == before


CONTENT_TYPES = [
    "text/plain",
    "text/html",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/json-patch+json",
    None,
]


@pytest.mark.parametrize("content_type", CONTENT_TYPES, ids=str)
def test_a_json_body_sent_as_another_type_is_refused(
    api: Api, case: dict[str, Any], subtests: pytest.Subtests, content_type: str | None
) -> None:
    before = observe(api, case["id"])
    for name in WITH_BODY:
        with subtests.test(endpoint=name):
            response = send(api, name, case, content_type=content_type)
            assert_error(response, 415, code="unsupported_media_type")
            assert observe(api, case["id"]) == before


def _padded(size: int) -> bytes:
    """A JSON object of exactly `size` bytes, holding a long name."""
    frame = json.dumps({"given": ""}).encode()
    filler = (SECRET * (size // len(SECRET) + 1))[: size - len(frame)]
    return json.dumps({"given": filler}).encode()


@pytest.mark.parametrize("size", [MAX_JSON_BYTES + 1, 1024 * 1024], ids=["just over", "1 MiB"])
def test_a_body_over_the_json_limit_is_too_large(
    api: Api, case: dict[str, Any], subtests: pytest.Subtests, size: int
) -> None:
    before = observe(api, case["id"])
    for name in WITH_BODY:
        with subtests.test(endpoint=name):
            assert_error(send(api, name, case, raw=_padded(size)), 413, code="too_large")
            assert observe(api, case["id"]) == before


def test_a_body_just_under_the_limit_is_read_and_its_long_field_named(
    api: Api, case: dict[str, Any]
) -> None:
    frame = len(json.dumps({"child": {"names": [{"script": "Latn", "given": ""}]}}))
    given = "Z" * (MAX_JSON_BYTES - frame)
    body = {"child": {"names": [{"script": "Latn", "given": given}]}}
    assert len(json.dumps(body)) == MAX_JSON_BYTES
    refused_and_unchanged(api, case, "create", body, "child.names.0.given")


def _child(**changes: Any) -> dict[str, Any]:
    return {"child": {**CHILD, **changes}, "people": [MOTHER]}


def _mother(**changes: Any) -> dict[str, Any]:
    return {"child": CHILD, "people": [{**MOTHER, **changes}]}


def _petition(**changes: Any) -> dict[str, Any]:
    return {**PETITION, **changes}


def _named(rows: list[tuple[str, Any, str]]) -> list[str]:
    """Test ids such as `create child.names.0.given`."""
    return [f"{name} {field}" for name, _body, field in rows]


NOBODY = str(uuid.uuid4())
DNA_REQUEST = {"track": "dna", "action": "request"}

WRONG_TYPES = [
    ("login", {"username": 42, "password": SECRET}, "username"),
    ("login", {"username": [SECRET], "password": PASSWORD}, "username"),
    ("login", {"username": "lawyer", "password": True}, "password"),
    ("login", {"username": "lawyer"}, "password"),
    ("login", {"username": None, "password": None}, "username"),
    ("login", {"username": "", "password": SECRET}, "username"),
    ("refresh", {"refresh_token": 12345}, "refresh_token"),
    ("refresh", {"refresh_token": [SECRET]}, "refresh_token"),
    ("refresh", {}, "refresh_token"),
    ("refresh", {"refresh_token": ""}, "refresh_token"),
    ("create", {}, "child"),
    ("create", {"child": SECRET}, "child"),
    ("create", _child(names=SECRET), "child.names"),
    ("create", _child(names=[]), "child.names"),
    ("create", _child(names=[{"script": "Latn", "given": 12345}]), "child.names.0.given"),
    ("create", _child(names=[{"script": "Klingon", "given": SECRET}]), "child.names.0.script"),
    ("create", _child(names=[{"script": "Latn", "patronymic": SECRET}]), "child.names.0"),
    ("create", _child(sex=["female"]), "child.sex"),
    ("create", _child(birth_date="2016-01-01"), "child.birth_date"),
    (
        "create",
        _child(birth_date={"value": "2016-13-45", "precision": "year"}),
        "child.birth_date.value",
    ),
    (
        "create",
        _child(birth_date={"value": "2999-01-01", "precision": "exact"}),
        "child.birth_date.value",
    ),
    (
        "create",
        _child(birth_date={"value": "2016-01-01", "precision": "roughly"}),
        "child.birth_date.precision",
    ),
    ("create", _child(birth_place={"country": "Kazakhstan"}), "child.birth_place.country"),
    ("create", _child(languages="kk"), "child.languages"),
    ("create", {"child": CHILD, "people": MOTHER}, "people"),
    ("create", _mother(relation="child"), "people.0.relation"),
    ("create", _mother(alive="perhaps"), "people.0.alive"),
    ("create", _mother(whereabouts="on the moon"), "people.0.whereabouts"),
    ("create", _mother(citizenship=398), "people.0.citizenship"),
    ("create", _mother(names=[{"script": "Cyrl", "given": 1}]), "people.0.names.0.given"),
    ("patch", {"child": []}, "child"),
    ("patch", {"child": {"sex": 1}}, "child.sex"),
    ("patch", {"child": {"names": []}}, "child.names"),
    ("patch", {"people": [{"id": SECRET}]}, "people.0.id"),
    ("patch", {"people": [{"id": NOBODY, "alive": False}]}, "people.id"),
    ("patch", {"people": [{"names": [{"script": "Latn", "given": SECRET}]}]}, "people"),
    ("transitions", _petition(track=5), "track"),
    ("transitions", {"track": "parentage", "data": PETITION["data"]}, "action"),
    ("transitions", _petition(data=[SECRET]), "data"),
    ("transitions", _petition(data={"grounds": 42}), "data.grounds"),
    ("transitions", _petition(data={}), "data.grounds"),
    ("transitions", _petition(evidence_ids=[SECRET]), "evidence_ids.0"),
    ("transitions", _petition(evidence_ids=SECRET), "evidence_ids"),
    ("transitions", _petition(note=5), "note"),
    ("transitions", _petition(track="no_such_track"), "track"),
    ("transitions", _petition(action="no_such_action"), "action"),
    (
        "transitions",
        {**DNA_REQUEST, "data": {"reference_person": NOBODY, "relationship_tested": "maternity"}},
        "data.reference_person",
    ),
    (
        "transitions",
        {**DNA_REQUEST, "data": {"reference_person": SECRET, "relationship_tested": SECRET}},
        "data.relationship_tested",
    ),
    ("close", {}, "reason"),
    ("close", {"reason": "because"}, "reason"),
    ("close", {"reason": ["withdrawn"]}, "reason"),
    ("close", {"reason": "withdrawn", "note": 5}, "note"),
    ("reopen", {"note": [SECRET]}, "note"),
    ("assignments", {"username": 5}, "username"),
    ("assignments", {"username": ["lawyer2"]}, "username"),
    ("assignments", {}, "username"),
    ("assignments", {"username": SECRET}, "username"),
]


@pytest.mark.parametrize(("name", "body", "field"), WRONG_TYPES, ids=_named(WRONG_TYPES))
def test_a_wrong_or_missing_value_is_refused_and_named(
    api: Api, case: dict[str, Any], name: str, body: dict[str, Any], field: str
) -> None:
    if body.get("track") == "dna":  # the request stands on a consent; its data is what is wrong
        evidence = api.provide_evidence("lawyer", case["id"], "dna", "request")
        body = {**body, "evidence_ids": evidence}
    refused_and_unchanged(api, case, name, body, field)


LONG = SECRET * 12  # 216 characters, over every one-line limit of 200
VERY_LONG = SECRET * 112  # 2016 characters, over every paragraph limit of 2000

TOO_LONG = [
    ("login", {"username": "l" * 65, "password": PASSWORD}, "username"),
    ("login", {"username": "lawyer", "password": SECRET * 57}, "password"),
    ("refresh", {"refresh_token": "x" * 513}, "refresh_token"),
    ("create", _child(names=[{"script": "Latn", "given": LONG}]), "child.names.0.given"),
    ("create", _child(names=[{"script": "Latn", "family": LONG}]), "child.names.0.family"),
    (
        "create",
        _child(names=[{"script": "Latn", "given": "A", "patronymic": LONG}]),
        "child.names.0.patronymic",
    ),
    (
        "create",
        _child(birth_place={"country": "SY", "locality": LONG}),
        "child.birth_place.locality",
    ),
    ("create", _child(residence=VERY_LONG), "child.residence"),
    ("create", _child(languages=["k" * 101]), "child.languages.0"),
    ("create", _child(languages=["kk"] * 11), "child.languages"),
    ("create", _child(names=CHILD["names"] * 7), "child.names"),
    ("create", {"child": CHILD, "people": [MOTHER] * 31}, "people"),
    ("patch", {"child": {"residence": VERY_LONG}}, "child.residence"),
    (
        "patch",
        {"people": [{"relation": "aunt", "names": [{"script": "Latn", "family": LONG}]}]},
        "people.0.names.0.family",
    ),
    ("transitions", _petition(track="t" * 41), "track"),
    ("transitions", _petition(action="a" * 41), "action"),
    ("transitions", _petition(note=VERY_LONG), "note"),
    ("transitions", _petition(data={"grounds": VERY_LONG}), "data.grounds"),
    ("transitions", _petition(evidence_ids=[str(uuid.uuid4()) for _ in range(21)]), "evidence_ids"),
    ("close", {"reason": "withdrawn", "note": VERY_LONG}, "note"),
    ("reopen", {"note": VERY_LONG}, "note"),
    ("assignments", {"username": "l" * 65}, "username"),
]


@pytest.mark.parametrize(("name", "body", "field"), TOO_LONG, ids=_named(TOO_LONG))
def test_an_over_long_value_is_refused_and_named(
    api: Api, case: dict[str, Any], name: str, body: dict[str, Any], field: str
) -> None:
    refused_and_unchanged(api, case, name, body, field)


UNKNOWN_FIELDS = [
    ("login", {"username": "lawyer", "password": PASSWORD, "remember_me": True}, "remember_me"),
    ("login", {"username": "lawyer", "password": PASSWORD, "role": "admin"}, "role"),
    ("refresh", {"refresh_token": "x" * 43, "scope": "admin"}, "scope"),
    ("create", {**_child(), "status": "complete"}, "status"),
    ("create", {**_child(), "reference": "HW-0000-0000-0000"}, "reference"),
    ("create", _child(nickname=SECRET), "child.nickname"),
    (
        "create",
        _child(names=[{"script": "Latn", "given": "A", "middle": SECRET}]),
        "child.names.0.middle",
    ),
    (
        "create",
        _child(birth_date={"value": "2016-01-01", "precision": "year", "approximate": True}),
        "child.birth_date.approximate",
    ),
    ("create", _mother(religion=SECRET), "people.0.religion"),
    ("create", _mother(id=NOBODY), "people.0.id"),
    ("patch", {"version": 99}, "version"),
    ("patch", {"status": "closed"}, "status"),
    ("patch", {"child": {"relation": "mother"}}, "child.relation"),
    ("patch", {"people": [{"id": NOBODY, "case_id": NOBODY}]}, "people.0.case_id"),
    ("transitions", _petition(to="established"), "to"),
    ("transitions", _petition(performed_by="judge"), "performed_by"),
    ("transitions", _petition(data={"grounds": "Camp records", "approved": True}), "data.approved"),
    ("close", {"reason": "withdrawn", "status": "open"}, "status"),
    ("reopen", {"status": "open"}, "status"),
    ("assignments", {"username": "lawyer2", "role": "admin"}, "role"),
]


@pytest.mark.parametrize(("name", "body", "field"), UNKNOWN_FIELDS, ids=_named(UNKNOWN_FIELDS))
def test_an_unknown_field_is_refused_and_named(
    api: Api, case: dict[str, Any], name: str, body: dict[str, Any], field: str
) -> None:
    refused_and_unchanged(api, case, name, body, field)


BAD_TEXT = {
    "NUL": f"{SECRET}\x00",
    "lone high surrogate": f"{SECRET}\ud800",
    "lone low surrogate": f"\udfff{SECRET}",
    "escape": f"{SECRET}\x1b[31m",
    "delete": f"{SECRET}\x7f",
    "blank": " \t ",
}
TEXT_FIELDS = {
    "child's given name": (
        "create",
        lambda text: _child(names=[{"script": "Latn", "given": text}]),
        "child.names.0.given",
    ),
    "mother's family name": (
        "create",
        lambda text: _mother(names=[{"script": "Cyrl", "family": text}]),
        "people.0.names.0.family",
    ),
    "residence": ("create", lambda text: _child(residence=text), "child.residence"),
    "a changed name": (
        "patch",
        lambda text: {"child": {"names": [{"script": "Latn", "given": text}]}},
        "child.names.0.given",
    ),
    "note": ("transitions", lambda text: _petition(note=text), "note"),
    "closing note": ("close", lambda text: {"reason": "withdrawn", "note": text}, "note"),
    "transition data": (
        "transitions",
        lambda text: _petition(data={"grounds": text}),
        "data.grounds",
    ),
}


@pytest.mark.parametrize("text", BAD_TEXT.values(), ids=BAD_TEXT)
@pytest.mark.parametrize(("name", "body", "field"), TEXT_FIELDS.values(), ids=TEXT_FIELDS)
def test_control_characters_and_lone_surrogates_in_text_are_refused(
    api: Api, case: dict[str, Any], name: str, body: Any, field: str, text: str
) -> None:
    refused_and_unchanged(api, case, name, body(text), field)


def test_a_newline_is_refused_in_a_name_but_kept_in_a_residence(
    api: Api, case: dict[str, Any]
) -> None:
    refused_and_unchanged(
        api,
        case,
        "create",
        _child(names=[{"script": "Latn", "given": "Ali\nya"}]),
        "child.names.0.given",
    )
    created = api.create_case(child={**CHILD, "residence": "Almaty region\nWith her grandmother"})
    shown = api.case("lawyer", created["id"])["child"]["residence"]
    assert shown == "Almaty region\nWith her grandmother"


CODES = {401: "not_authenticated", 422: "invalid_input"}
IMPOSSIBLE_CREDENTIALS = [
    ("login", {"username": "law\x00yer", "password": PASSWORD}, 422, "username"),
    ("login", {"username": "\ud800lawyer", "password": PASSWORD}, 422, "username"),
    ("login", {"username": "lawyer", "password": f"{SECRET}\x00"}, 401, "password"),
    ("login", {"username": "lawyer", "password": f"{SECRET}\ud800"}, 422, "password"),
    ("refresh", {"refresh_token": "x\x00" * 20}, 422, "refresh_token"),
    ("refresh", {"refresh_token": "\ud800" * 20}, 422, "refresh_token"),
    ("assignments", {"username": "lawyer2\x00"}, 422, "username"),
    ("assignments", {"username": "\ud800lawyer2"}, 422, "username"),
]


@pytest.mark.parametrize(
    ("name", "body", "status", "field"),
    IMPOSSIBLE_CREDENTIALS,
    ids=[
        "login username NUL",
        "login username surrogate",
        "login password NUL",
        "login password surrogate",
        "refresh token NUL",
        "refresh token surrogate",
        "assignee NUL",
        "assignee surrogate",
    ],
)
def test_a_name_no_account_can_have_is_refused_like_any_wrong_name(
    api: Api, case: dict[str, Any], name: str, body: Any, status: int, field: str
) -> None:
    """A NUL or lone surrogate is refused as invalid or as not matching, never a server error."""
    before = observe(api, case["id"])
    response = send(api, name, case, body)
    assert_error(response, status, *([field] if status == 422 else []), code=CODES[status])
    assert observe(api, case["id"]) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (lambda token: {"refresh_token": token, "scope": "admin"}, 422),
        (lambda token: {"refresh_token": [token]}, 422),
        (lambda token: {"refresh_token": token + "\ud800"}, 422),
    ],
    ids=["unknown field", "wrong type", "lone surrogate"],
)
def test_a_refused_refresh_leaves_the_refresh_token_working(
    api: Api, body: Any, status: int
) -> None:
    token = api.client.post("/api/v1/auth/login", json=ENDPOINTS["login"].body).json[
        "refresh_token"
    ]
    refused = api.client.post("/api/v1/auth/refresh", json=body(token))
    assert_error(refused, status, code=CODES[status])
    sent_as_text = api.client.post(
        "/api/v1/auth/refresh", data=json.dumps({"refresh_token": token}), content_type="text/plain"
    )
    assert_error(sent_as_text, 415)
    assert api.client.post("/api/v1/auth/refresh", json={"refresh_token": token}).status_code == 200


SQL = [
    "Robert'); DROP TABLE cases;--",
    "' OR '1'='1",
    '"; DELETE FROM people WHERE ""="',
    "1; SELECT pg_sleep(10)--",
    "x' UNION SELECT username, password_hash FROM users --",
    "\\'; --",
]


@pytest.mark.parametrize("sql", SQL)
def test_sql_in_a_name_is_stored_and_searched_as_text(
    api: Api, case: dict[str, Any], sql: str
) -> None:
    created = api.create_case(
        child={**CHILD, "names": [{"script": "Latn", "given": sql, "family": "Nurgalieva"}]},
        people=[{**MOTHER, "names": [{"script": "Latn", "family": sql}]}],
    )
    shown = api.case("lawyer", created["id"])
    assert shown["child"]["names"][0]["given"] == sql
    assert shown["people"][0]["names"][0]["family"] == sql
    found = api.get("lawyer", "/api/v1/cases", query_string={"q": sql}).json
    assert [c["id"] for c in found["cases"]] == [created["id"]]
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 2
    api.create_case()
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 3


@pytest.mark.parametrize(
    "q",
    [*SQL, "%", "_", "%%", "\\", "*", f"{SECRET}' OR '1'='1", "\x00"],
    ids=[*SQL, "percent", "underscore", "two percents", "backslash", "star", "or", "NUL"],
)
def test_sql_and_wildcards_in_the_search_match_nothing_they_do_not_spell(
    api: Api, case: dict[str, Any], q: str
) -> None:
    response = api.get("lawyer", "/api/v1/cases", query_string={"q": q})
    if response.status_code == 422:  # refusing a NUL outright is as good as matching nothing
        assert_error(response, 422, "q")
    else:
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.json["total"] == 0 and response.json["cases"] == []
        assert_not_echoed(response)
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 1


@pytest.mark.parametrize(
    ("q", "expected"),
    [("aru_", {"Aru_5"}), ("Aru%", {"Aru%5"}), ("aru\\5", {"Aru\\5"}), ("%", set()), ("_", set())],
)
def test_search_wildcards_are_matched_literally(api: Api, q: str, expected: set[str]) -> None:
    ids = {
        given: api.create_case(child={**CHILD, "names": [{"script": "Latn", "given": given}]})["id"]
        for given in ("Aru_5", "Arux5", "Aru%5", "Aru\\5")
    }
    found = api.get("lawyer", "/api/v1/cases", query_string={"q": q}).json
    assert {c["id"] for c in found["cases"]} == {ids[given] for given in expected}


MARKUP = [
    "<script>alert('x')</script>",
    "<b>Әлия</b>",
    "&lt;b&gt;Aliya&lt;/b&gt;",
    '"><img src=x onerror=alert(1)>',
    "{{ 7 * 7 }}",
    "${7*7}",
    "Aliya <!-- -->",
]


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_names_and_notes_is_stored_and_returned_as_typed(api: Api, markup: str) -> None:
    created = api.create_case(
        child={**CHILD, "names": [{"script": "Latn", "given": markup, "family": markup}]}
    )
    shown = api.get("lawyer", f"/api/v1/cases/{created['id']}")
    assert shown.mimetype == "application/json"
    assert shown.json["child"]["names"][0] == {"script": "Latn", "given": markup, "family": markup}
    listed = api.get("lawyer", "/api/v1/cases", query_string={"q": markup}).json["cases"]
    assert [c["child_names"][0]["given"] for c in listed] == [markup]
    api.step("lawyer", created["id"], "parentage", "file_petition", {"grounds": markup})
    history = api.get("lawyer", f"/api/v1/cases/{created['id']}/history").json["history"]
    assert history[0]["data"] == {"grounds": markup}


KAZAKH = {
    "script": "Cyrl",
    "given": "Әлия Ұлжан Үміт Ілияс Һарун",
    "family": "Нұрғалиева-Қаңлыбай-Өмірзақ",
    "patronymic": "ӘҒҚҢӨҰҮҺІ әғқңөұүһі",
}
ARABIC = {"script": "Arab", "given": "عَلِيَّة إسراء آمنة", "family": "نورغالييفا"}


def test_kazakh_and_arabic_names_are_stored_and_returned_exactly(api: Api) -> None:
    for name in (KAZAKH, ARABIC):
        assert all(unicodedata.is_normalized("NFC", part) for part in name.values())
    created = api.create_case(
        child={**CHILD, "names": [KAZAKH, ARABIC]},
        people=[{**MOTHER, "names": [ARABIC, KAZAKH]}],
    )
    shown = api.case("lawyer", created["id"])
    assert shown["child"]["names"] == [KAZAKH, ARABIC]
    assert shown["people"][0]["names"] == [ARABIC, KAZAKH]
    listed = api.get("lawyer", "/api/v1/cases").json["cases"]
    assert [c["child_names"] for c in listed] == [[KAZAKH, ARABIC]]
    changed = api.patch(
        "lawyer",
        f"/api/v1/cases/{created['id']}",
        {"child": {"names": [ARABIC, KAZAKH]}},
        **{"If-Match": f'"{shown["version"]}"'},
    )
    assert changed.status_code == 200
    assert api.case("lawyer", created["id"])["child"]["names"] == [ARABIC, KAZAKH]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ил\u0438\u0306ас", "Илйас"),
        ("Е\u0308ркін", "Ёркін"),
        ("\u0627\u0654حمد", "أحمد"),
        ("\u0627\u0655سراء", "إسراء"),
        ("Zhe\u0301nya", "Zhénya"),
        ("علي\u0651\u064eة", "علي\u064e\u0651ة"),
    ],
    ids=["short i", "yo", "alef hamza above", "alef hamza below", "latin accent", "shadda"],
)
def test_decomposed_names_are_stored_composed(api: Api, typed: str, stored: str) -> None:
    created = api.create_case(child={**CHILD, "names": [{"script": "Cyrl", "given": typed}]})
    assert api.case("lawyer", created["id"])["child"]["names"][0]["given"] == stored


BAD_LIST_QUERIES = [
    ("page=-1", "page"),
    ("page=0", "page"),
    ("page=abc", "page"),
    ("page=1.5", "page"),
    ("page=" + "9" * 30, "page"),
    ("per_page=100000", "per_page"),
    ("per_page=0", "per_page"),
    ("per_page=-5", "per_page"),
    ("overdue=maybe", "overdue"),
    (f"overdue={SECRET}", "overdue"),
    ("queue=all", "queue"),
    (f"queue={SECRET}", "queue"),
    ("queue=agency", "queue"),  # the lawyer has no agency queue
    ("q=" + LONG, "q"),
    ("track=" + "t" * 41, "track"),
    ("state=" + "s" * 41, "state"),
    (f"name={SECRET}", "name"),
    ("sort=reference", "sort"),
    ("q=Aliya&debug=1", "debug"),
]


@pytest.mark.parametrize(("query", "field"), BAD_LIST_QUERIES, ids=[q for q, _ in BAD_LIST_QUERIES])
def test_a_bad_list_query_is_refused_and_named(
    api: Api, case: dict[str, Any], query: str, field: str
) -> None:
    assert_error(api.get("lawyer", f"/api/v1/cases?{query}"), 422, field, code="invalid_input")


@pytest.mark.parametrize(
    "query",
    ["track=%3Cscript%3E", "state=%27%20OR%20%271%27%3D%271", "track=dna&state=no_such_state"],
)
def test_a_list_filter_that_matches_nothing_is_an_empty_page(
    api: Api, case: dict[str, Any], query: str
) -> None:
    response = api.get("lawyer", f"/api/v1/cases?{query}")
    assert response.status_code == 200
    assert response.json["total"] == 0 and response.json["cases"] == []


def test_a_page_past_the_end_is_empty_but_counts_everything(api: Api, case: dict[str, Any]) -> None:
    response = api.get("lawyer", "/api/v1/cases?page=100000&per_page=100")
    assert response.status_code == 200
    assert response.json["cases"] == [] and response.json["total"] == 1


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("name=../../etc/passwd", 422, "name"),
        ("name=Default", 422, "name"),
        (f"name={SECRET}", 422, "name"),
        ("version=abc", 422, "version"),
        ("version=0", 422, "version"),
        ("version=-1", 422, "version"),
        ("foo=1", 422, "foo"),
        ("name=nosuch", 404, None),
        ("name=default&version=99", 404, None),
    ],
)
def test_a_bad_workflow_query_is_refused(
    api: Api, query: str, status: int, field: str | None
) -> None:
    response = api.get("lawyer", f"/api/v1/workflow?{query}")
    assert_error(response, status, *([field] if field else []))


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


@pytest.mark.parametrize("case_id", BAD_CASE_IDS)
def test_a_case_id_that_names_no_case_is_not_found(
    api: Api, case: dict[str, Any], subtests: pytest.Subtests, case_id: str
) -> None:
    before = observe(api, case["id"])
    for name in ON_A_CASE:
        with subtests.test(endpoint=name):
            assert_error(send(api, name, case, case_id=case_id), 404, code="not_found")
            assert observe(api, case["id"]) == before


@pytest.mark.parametrize("case_id", ["a" * 65, "HW-" + "0" * 5000], ids=["65 chars", "5003 chars"])
def test_an_over_long_case_id_is_not_found_or_refused(
    api: Api, case: dict[str, Any], subtests: pytest.Subtests, case_id: str
) -> None:
    """Either answer is safe: no case has such an id, so neither reveals anything."""
    before = observe(api, case["id"])
    for name in ON_A_CASE:
        with subtests.test(endpoint=name):
            response = send(api, name, case, case_id=case_id)
            if response.status_code == 422:
                assert_error(response, 422, "case_id")
            else:
                assert_error(response, 404, code="not_found")
            assert observe(api, case["id"]) == before


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


@pytest.fixture
def changed_case(api: Api, case: dict[str, Any]) -> dict[str, Any]:
    """The case after one change, at version 2, so that version 1 is stale."""
    response = send(api, "patch", case, {"child": {"sex": "female"}})
    assert response.status_code == 200
    assert response.json["version"] == 2
    return dict(response.json)


@pytest.mark.parametrize(
    ("if_match", "status", "code"),
    [
        (None, 428, "precondition_required"),
        ('"1"', 409, "stale_version"),
        *((value, 409, "stale_version") for value in GARBAGE_VERSIONS),
    ],
    ids=["missing", "stale", *GARBAGE_VERSIONS],
)
def test_a_missing_stale_or_garbage_if_match_changes_nothing(
    api: Api, changed_case: dict[str, Any], if_match: str | None, status: int, code: str
) -> None:
    for name in ("patch", "transitions"):
        before = observe(api, changed_case["id"])
        response = send(api, name, changed_case, headers={"If-Match": if_match})
        assert_error(response, status, code=code)
        assert observe(api, changed_case["id"]) == before
    # The same requests with the current version go through: the version was the only fault.
    assert send(api, "patch", changed_case, headers={"If-Match": '"2"'}).status_code == 200
    assert send(api, "transitions", changed_case, headers={"If-Match": '"3"'}).status_code == 200


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


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_a_bad_bearer_token_is_refused_everywhere(
    app: Any, api: Api, case: dict[str, Any], subtests: pytest.Subtests, kind: str
) -> None:
    authorization = bad_authorization(kind, app, api)
    before = observe(api, case["id"])
    for name in SIGNED_IN:
        with subtests.test(endpoint=name):
            response = send(api, name, case, headers={"Authorization": authorization})
            assert_error(response, 401, code="not_authenticated")
            assert observe(api, case["id"]) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/api/v1/cases"),
        ("DELETE", "/api/v1/cases/{case}"),
        ("PUT", "/api/v1/cases/{case}"),
        ("GET", "/api/v1/auth/login"),
        ("DELETE", "/api/v1/cases/{case}/history"),
    ],
)
def test_a_method_the_endpoint_lacks_is_a_json_405(
    api: Api, case: dict[str, Any], method: str, path: str
) -> None:
    before = observe(api, case["id"])
    response = api.client.open(
        path.format(case=case["id"]), method=method, headers=api.headers("lawyer")
    )
    assert_error(response, 405)
    assert observe(api, case["id"]) == before


def test_an_unknown_api_path_is_a_json_404(api: Api) -> None:
    assert_error(api.get("lawyer", f"/api/v1/{SECRET}"), 404)
