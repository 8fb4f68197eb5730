"""The served OpenAPI document is a contract an integrator can build on: valid OpenAPI 3.1, every
API route in it with the shape of its success, and the headers, media types, servers and
security each operation really has."""

from __future__ import annotations

import re
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from workflow.api.openapi import complete

SUCCESS = re.compile(r"^2\d\d$")
# Operations anyone may call: signing in, the public checks of forms, health and keys.
PUBLIC = {
    "login",
    "refresh",
    "get_verification",
    "post_verification",
    "get_certificate",
    "healthz",
    "readyz",
    "metrics",  # to the addresses HOMEWARD_METRICS_ALLOW lists, never with a token
    "jwks",
    "openapi_document",
}
CHANGES = {"patch_case", "post_transition", "post_close", "post_reopen"}
# An unknown code is refused with the error, and still says, as a verdict, that nothing is genuine.
UNKNOWN_CODE = ("get_verification", "404")
# Opening a case declares its possible duplicate's details beside the usual error.
DUPLICATE = ("create_case", "409")
NO_SUCH_PAGE = ("metrics", "404")  # the page any unknown address gets, to an address not allowed
DOCUMENT_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/tiff"}


@pytest.fixture
def document(app: Any) -> dict[str, Any]:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    served: dict[str, Any] = response.json
    return served


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each operation by its id."""
    return {
        operation["operationId"]: operation
        for path_item in document["paths"].values()
        for operation in path_item.values()
    }


def openapi_path(rule: str) -> str:
    """Flask's `/cases/<case_id>` as OpenAPI writes it, `/cases/{case_id}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def declares_its_success(operation: dict[str, Any]) -> bool:
    """A 2xx answer, with a schema for each media type it comes in; only a 204 has no body."""
    successes = {s: r for s, r in operation["responses"].items() if SUCCESS.match(s)}
    return bool(successes) and all(
        status == "204" or has_schemas(response) for status, response in successes.items()
    )


def has_schemas(response: dict[str, Any]) -> bool:
    content = response.get("content", {})
    return bool(content) and all("schema" in media for media in content.values())


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_every_api_route_is_in_the_document_with_the_schema_of_its_success(
    app: Any, document: dict[str, Any]
) -> None:
    routes = [
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    assert len(routes) > 30
    missing = [route for route in routes if route[1] not in document["paths"].get(route[0], {})]
    undeclared = [
        route
        for route in routes
        if route not in missing and not declares_its_success(document["paths"][route[0]][route[1]])
    ]
    assert missing == []
    assert undeclared == []


def test_public_operations_ask_for_no_token_and_the_rest_for_a_bearer_token(
    document: dict[str, Any],
) -> None:
    security = {name: op["security"] for name, op in operations(document).items()}
    assert {name for name, required in security.items() if required == []} == PUBLIC
    assert all(security[name] == [{"bearer": []}] for name in security.keys() - PUBLIC)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_changes_ask_for_if_match_and_a_case_comes_with_its_etag(document: dict[str, Any]) -> None:
    by_name = operations(document)
    asking = {
        name
        for name, operation in by_name.items()
        if {"$ref": "#/components/parameters/IfMatch"} in operation["parameters"]
    }
    assert asking == CHANGES
    assert document["components"]["parameters"]["IfMatch"]["required"] is True
    for name, status in [("get_case", "200"), ("create_case", "201"), ("post_transition", "200")]:
        assert "ETag" in by_name[name]["responses"][status]["headers"], name


def test_every_operation_takes_and_answers_a_request_id(document: dict[str, Any]) -> None:
    for name, operation in operations(document).items():
        assert {"$ref": "#/components/parameters/RequestId"} in operation["parameters"], name
        for status, response in operation["responses"].items():
            assert "X-Request-Id" in response["headers"], (name, status)


def test_errors_are_one_body_and_waits_say_how_long(document: dict[str, Any]) -> None:
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    for name, operation in operations(document).items():
        for status in ("401", "404", "409", "422", "429"):
            if (name, status) == NO_SUCH_PAGE:
                assert set(operation["responses"][status]["content"]) == {"text/html"}
                continue
            refusal = operation["responses"][status]["content"]["application/json"]["schema"]
            assert refusal == error_body or (name, status) in (UNKNOWN_CODE, DUPLICATE)
        assert "Retry-After" in operation["responses"]["429"]["headers"], name
    upload = operations(document)["post_document"]["responses"]["503"]
    assert "Retry-After" in upload["headers"]
    unknown = document["components"]["schemas"]["UnknownCode"]
    assert unknown["properties"]["error"] == {"$ref": "#/components/schemas/ErrorDetail"}


def test_opening_declares_the_possible_duplicates_details_and_the_confirmation(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    refusal = operations(document)["create_case"]["responses"]["409"]["content"]
    assert refusal["application/json"]["schema"] == {"$ref": "#/components/schemas/OpeningRefused"}
    kinds = [
        kind["$ref"].rsplit("/", 1)[1]
        for kind in schemas["OpeningRefused"]["properties"]["error"]["anyOf"]
    ]
    assert kinds == ["PossibleDuplicateDetail", "ErrorDetail"]
    duplicate = schemas["PossibleDuplicateDetail"]["properties"]
    assert duplicate["code"]["const"] == "possible_duplicate"
    match = schemas["DuplicateMatchOut"]
    assert set(match["properties"]) == {"agency", "case"} and set(match["required"]) == {
        "agency",
        "case",
    }
    assert {"$ref": "#/components/schemas/DuplicateCaseOut"} in match["properties"]["case"]["anyOf"]
    assert set(schemas["DuplicateCaseOut"]["properties"]) == {"id", "reference"}
    confirm = schemas["CaseIn"]["properties"]["confirm_distinct"]
    assert confirm["type"] == "boolean" and confirm["default"] is False
    assert "possible_duplicate" in confirm["description"]


def test_files_are_declared_in_their_own_media_types(document: dict[str, Any]) -> None:
    by_name = operations(document)
    form = by_name["post_form"]["responses"]["201"]
    assert set(form["content"]) == {"application/pdf"}
    assert "X-Verification-Code" in form["headers"]
    assert set(by_name["get_document"]["responses"]["200"]["content"]) == DOCUMENT_TYPES
    export = by_name["get_export"]["responses"]["200"]["content"]
    assert set(export) == {"text/csv", "application/x-ndjson"}
    assert set(by_name["get_verification"]["responses"]["200"]["content"]) == {
        "application/json",
        "text/html",
    }


@pytest.mark.parametrize(
    ("public_url", "server"),
    [
        ("https://homeward.example.org/", "https://homeward.example.org"),
        (None, "/"),
        ("", "/"),
    ],
)
def test_the_server_is_the_public_address_or_relative(public_url: str | None, server: str) -> None:
    empty = {"openapi": "3.1.0", "paths": {}}
    assert complete(empty, {}, public_url)["servers"] == [{"url": server}]


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://homeward.example.org"}])
def test_the_served_document_names_the_configured_public_address(
    document: dict[str, Any],
) -> None:
    assert document["servers"] == [{"url": "https://homeward.example.org"}]
