"""The served OpenAPI document: flask-openapi3's, completed into a contract that integrators can
generate a client from: every status each operation can answer, the headers it reads and sends,
the media types of files, the servers, and which operations need a bearer token."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from flask import Flask
from flask_openapi3.types import ResponseDict
from pydantic import BaseModel

from workflow.errors import ErrorBody

EXTENSION = "homeward.openapi"
# Statuses any operation may answer; 428 is declared only by the changes that need If-Match,
# and 503 only by the uploads that wait on a file check.
ERROR_STATUSES = (401, 403, 404, 409, 413, 415, 422, 429, 431, 500)
NEEDS_IF_MATCH = "428"
WAIT_HEADERS = ("429", "503")
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
BINARY = {"type": "string", "format": "binary"}
# The id a request is traced by in the trail; one outside the pattern is replaced.
REQUEST_ID_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
HEADERS: dict[str, Any] = {
    "X-Request-Id": {
        "description": "The request's id in the audit trail: the one sent, or a new one",
        "schema": {"type": "string", "pattern": REQUEST_ID_PATTERN},
    },
    "Retry-After": {
        "description": "Seconds to wait before sending the request again",
        "schema": {"type": "integer", "minimum": 0},
    },
}
PARAMETERS: dict[str, Any] = {
    "RequestId": {
        "name": "X-Request-Id",
        "in": "header",
        "required": False,
        "description": "An id of the caller's own for the request, kept in the audit trail "
        "and sent back; one that does not match the pattern is replaced by a new one",
        "schema": {"type": "string", "pattern": REQUEST_ID_PATTERN},
    },
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": True,
        "description": 'The case\'s version last seen, as its ETag gave it: `"3"`. Without '
        "it the change is refused with 428; if the case changed since, with 409 stale_version",
        "schema": {"type": "string"},
    },
}


def changes_a_case(answer: type[BaseModel]) -> ResponseDict:
    """The answers of a change that must name the version it saw: the case, or 428 without
    If-Match (which is how the document knows to ask for the header)."""
    return {200: answer, int(NEEDS_IF_MATCH): ErrorBody}


def a_file(
    description: str, media_types: tuple[str, ...], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """A download's answer: its bytes in each media type it may come in, and its headers."""
    return {
        "description": description,
        "content": {media_type: {"schema": BINARY} for media_type in media_types},
        "headers": {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in {"Content-Disposition": "attachment", **(headers or {})}.items()
        },
    }


def served_document(app: Flask) -> dict[str, Any]:
    """The completed document; built once per app."""
    if EXTENSION not in app.extensions:
        document = copy.deepcopy(app.api_doc)  # type: ignore[attr-defined]
        app.extensions[EXTENSION] = complete(document, view_names(app), app.config["PUBLIC_URL"])
    served: dict[str, Any] = app.extensions[EXTENSION]
    return served


def complete(
    document: dict[str, Any], names: dict[tuple[str, str], str], public_url: str | None
) -> dict[str, Any]:
    """Declare the servers, the shared headers, and each operation's name, security, request
    headers and errors."""
    document["servers"] = [{"url": (public_url or "").rstrip("/") or "/"}]
    components = document.setdefault("components", {})
    components.setdefault("headers", {}).update(HEADERS)
    components.setdefault("parameters", {}).update(PARAMETERS)
    for path, method, operation in operations(document):
        operation["operationId"] = names.get((path, method), operation["operationId"])
        operation.setdefault("security", [])  # an operation without a bearer scheme is public
        declare_request_headers(operation)
        declare_errors(operation["responses"])
        operation["responses"] = dict(sorted(operation["responses"].items()))
        for status, response in operation["responses"].items():
            declare_response_headers(status, response)
    return document


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, path_item in document["paths"].items():
        for method, operation in path_item.items():
            if method in METHODS:
                yield path, method, operation


def view_names(app: Flask) -> dict[tuple[str, str], str]:
    """Each operation named after its view (`get_case`, `post_transition`), so a generated
    client's functions read like the API's own words."""
    return {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower()): (
            app.view_functions[rule.endpoint].__name__
        )
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
    }


def declare_request_headers(operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    parameters.append({"$ref": "#/components/parameters/RequestId"})
    if NEEDS_IF_MATCH in operation["responses"]:
        parameters.append({"$ref": "#/components/parameters/IfMatch"})


def declare_errors(responses: dict[str, Any]) -> None:
    """Every error is one ErrorBody; a view's own answer for a status wins, except
    flask-openapi3's list-shaped 422."""
    # flask-openapi3 adds the app's `responses` only to views on the app itself, never to views
    # on blueprints (all of ours).
    for status in ERROR_STATUSES:
        if str(status) == "422" or str(status) not in responses:
            responses[str(status)] = error_response(status)


def error_response(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {"application/json": {"schema": ERROR_BODY}},
    }


def is_refusal(response: dict[str, Any]) -> bool:
    return bool(response.get("content", {}).get("application/json", {}).get("schema") == ERROR_BODY)


def declare_response_headers(status: str, response: dict[str, Any]) -> None:
    headers = response.setdefault("headers", {})
    headers["X-Request-Id"] = {"$ref": "#/components/headers/X-Request-Id"}
    if status in WAIT_HEADERS and is_refusal(response):
        headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
