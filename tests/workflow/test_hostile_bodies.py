"""Hostile request bodies on every endpoint: unreadable JSON, other content types and bodies over
the limit are refused with the contract's error shape, never echoed, and never written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.factories import Api
from tests.workflow.hostile import (
    ENDPOINTS,
    MAX_JSON_BYTES,
    SECRET,
    WITH_BODY,
    Target,
    assert_error,
    open_target_case,
    refused_and_unchanged,
    send,
)

SUCCESS = {"create": 201, "assignments": 201, "logout": 204}


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    return open_target_case(api)


def test_the_valid_request_of_each_endpoint_succeeds(api: Api, subtests: pytest.Subtests) -> None:
    """The baseline every hostile variant below departs from; each on a case and a sign-in of its
    own, since each succeeds."""
    for name in ENDPOINTS:
        with subtests.test(msg=name, name=name):
            fresh = Api(api.client, PASSWORD)
            case = open_target_case(fresh)
            body = None
            if name == "refresh":
                login = fresh.client.post("/api/v1/auth/login", json=ENDPOINTS["login"].body)
                body = {"refresh_token": login.json["refresh_token"]}
            if name == "reopen":
                case = send(fresh, "close", case).json
            response = send(fresh, name, case, body)
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


def test_a_body_that_is_not_a_json_object_is_refused(api: Api, subtests: pytest.Subtests) -> None:
    target = Target(api.client)
    for body, (raw, problem) in UNREADABLE_BODIES.items():
        for name in WITH_BODY:
            with subtests.test(msg=body, body=body, endpoint=name), target.refusing():
                response = send(target.api, name, target.case, raw=raw)
                assert_error(response, 422, "(body)", code="invalid_input")
                assert response.json["error"]["details"][0]["problem"] == problem


CONTENT_TYPES = [
    "text/plain",
    "text/html",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/json-patch+json",
    None,
]


def test_a_json_body_sent_as_another_type_is_refused(api: Api, subtests: pytest.Subtests) -> None:
    target = Target(api.client)
    for content_type in CONTENT_TYPES:
        for name in WITH_BODY:
            with (
                subtests.test(msg=str(content_type), content_type=content_type, endpoint=name),
                target.refusing(),
            ):
                response = send(target.api, name, target.case, content_type=content_type)
                assert_error(response, 415, code="unsupported_media_type")


def _padded(size: int) -> bytes:
    """A JSON object of exactly `size` bytes, holding a long name."""
    frame = json.dumps({"given": ""}).encode()
    filler = (SECRET * (size // len(SECRET) + 1))[: size - len(frame)]
    return json.dumps({"given": filler}).encode()


OVERSIZED = {"just over": MAX_JSON_BYTES + 1, "1 MiB": 1024 * 1024}


def test_a_body_over_the_json_limit_is_too_large(api: Api, subtests: pytest.Subtests) -> None:
    target = Target(api.client)
    for size_id, size in OVERSIZED.items():
        for name in WITH_BODY:
            with subtests.test(msg=size_id, size=size_id, endpoint=name), target.refusing():
                assert_error(
                    send(target.api, name, target.case, raw=_padded(size)), 413, code="too_large"
                )


def test_a_body_just_under_the_limit_is_read_and_its_long_field_named(
    api: Api, case: dict[str, Any]
) -> None:
    frame = len(json.dumps({"child": {"names": [{"script": "Latn", "given": ""}]}}))
    given = "Z" * (MAX_JSON_BYTES - frame)
    body = {"child": {"names": [{"script": "Latn", "given": given}]}}
    assert len(json.dumps(body)) == MAX_JSON_BYTES
    refused_and_unchanged(api, case, "create", body, "child.names.0.given")
