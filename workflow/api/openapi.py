"""The served OpenAPI document: flask-openapi3's, with every status the API can answer."""

from __future__ import annotations

import copy
from http import HTTPStatus
from typing import Any

from flask_openapi3 import OpenAPI

EXTENSION = "homeward.openapi"
DOCUMENTED_STATUSES = (401, 403, 404, 409, 413, 415, 422, 428, 429, 431)
ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
SUCCESS = ("200", "201", "202", "204")


def served_document(app: OpenAPI) -> dict[str, Any]:
    """The document with error responses on every operation; built once per app."""
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = complete(copy.deepcopy(app.api_doc))
    document: dict[str, Any] = app.extensions[EXTENSION]
    return document


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Declare each operation's errors and, where its view names no success, a plain 200."""
    for path_item in document["paths"].values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if not any(status in responses for status in SUCCESS):
                responses["200"] = {"description": "OK"}
            for status, response in error_responses().items():
                # A view's own answer for a status wins, except flask-openapi3's list-shaped 422.
                if status == "422" or status not in responses:
                    responses[status] = response
    return document


def error_responses() -> dict[str, Any]:
    # flask-openapi3 adds the app's `responses` only to views on the app itself, never to views
    # on blueprints (all of ours), and declares 422 as a list, while every error is one ErrorBody.
    return {
        str(status): {
            "description": HTTPStatus(status).phrase,
            "content": {"application/json": {"schema": ERROR_BODY}},
        }
        for status in DOCUMENTED_STATUSES
    }
