"""Checks every API request passes before its view runs: body type, size, JSON, versions."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request

from workflow.errors import (
    InvalidInput,
    PayloadTooLarge,
    PreconditionRequired,
    UnsupportedMediaType,
)
from workflow.http.headers import parse_version

BODY_METHODS = {"POST", "PUT", "PATCH"}


def check_json_body() -> None:
    """Refuse a body that is not a JSON object of reasonable size before any view sees it."""
    if request.method not in BODY_METHODS:
        return
    limit = int(current_app.config["MAX_JSON_BYTES"])
    if (request.content_length or 0) > limit:
        raise PayloadTooLarge("The request body is too large.")
    raw = request.get_data(cache=True)
    if not raw:
        return  # a view that needs a body names the missing fields
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the request body as application/json.")
    if len(raw) > limit:
        raise PayloadTooLarge("The request body is too large.")
    if not isinstance(_parse(raw), dict):
        raise InvalidInput(
            "The request body must be a JSON object.",
            [{"field": "(body)", "problem": "not_an_object"}],
        )


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidInput(
            "The request body is not valid JSON in UTF-8.",
            [{"field": "(body)", "problem": "malformed_json"}],
        ) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def seen_version() -> int | None:
    """The version `If-Match` names (None if it names none); required on every change."""
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired("Send If-Match with the case's version (its ETag).")
    return parse_version(header)


def etag(version: int) -> str:
    return f'"{version}"'
