"""Domain errors, and the one place that turns any error into the contract's JSON shape."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, has_request_context, jsonify, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
# Pydantic quotes pieces of the input in backticks (e.g. "found `l` at 1"); those never go back.
_QUOTED = re.compile(r"`[^`]*`")


DOCUMENTED_STATUSES = (401, 403, 404, 409, 413, 415, 422, 428, 429, 431)


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    """Every error the API returns."""

    error: ErrorDetail


class HomewardError(Exception):
    """An error with an HTTP status, a stable machine code and a message safe to show anyone."""

    status = 400
    code = "bad_request"
    headers: dict[str, str] = {}  # replaced per instance, never mutated
    localized = False  # the message is already in the reader's language (a web page's)

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotAuthenticated(HomewardError):
    status, code = 401, "not_authenticated"


class NotPermitted(HomewardError):
    status, code = 403, "not_permitted"


class NotFound(HomewardError):
    status, code = 404, "not_found"


class WrongState(HomewardError):
    status, code = 409, "wrong_state"


class PrerequisiteMissing(HomewardError):
    status, code = 409, "prerequisite_missing"


class StaleVersion(HomewardError):
    status, code = 409, "stale_version"


class Conflict(HomewardError):
    status, code = 409, "conflict"


class PayloadTooLarge(HomewardError):
    status, code = 413, "too_large"


class UnsupportedMediaType(HomewardError):
    status, code = 415, "unsupported_media_type"


class TooManyAttempts(HomewardError):
    status, code = 429, "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.headers = {"Retry-After": str(retry_after)}


class InvalidInput(HomewardError):
    status, code = 422, "invalid_input"


class BodyTooSlow(HomewardError):
    status, code = 408, "request_timeout"


class PreconditionRequired(HomewardError):
    status, code = 428, "precondition_required"


class HeadersTooLarge(HomewardError):
    status, code = 431, "headers_too_large"


class IntegrityFailure(HomewardError):
    """Stored data failed its integrity check: it was changed outside Homeward, or lost."""

    status, code = 500, "integrity_failure"


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details}})
    response.status_code = status
    return response


def field_errors(
    error: ValidationError, prefix: tuple[str | int, ...] = ()
) -> list[dict[str, Any]]:
    """Name each failing field; never echo the submitted value back."""
    return [
        {
            "field": ".".join(str(part) for part in (*prefix, *item["loc"])) or "(body)",
            "problem": item["type"],
            "message": _QUOTED.sub("…", item["msg"]),
        }
        for item in error.errors(include_url=False, include_input=False, include_context=False)
    ]


def invalid(error: ValidationError, prefix: tuple[str | int, ...] = ()) -> InvalidInput:
    return InvalidInput("The request has invalid or missing fields.", field_errors(error, prefix))


def validation_error_response(error: ValidationError) -> Response:
    """flask-openapi3's hook for request models that fail validation."""
    return _render(invalid(error))


def init_app(app: Flask) -> None:
    app.register_error_handler(HomewardError, _render)
    app.register_error_handler(StaleDataError, _render_stale)
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(Exception, _render_unexpected)
    app.log_exception = _log_exception  # type: ignore[method-assign]


class InternalError(HomewardError):
    status, code = 500, "internal_error"


PageRenderer = Callable[[HomewardError], Response]
_page_renderers: dict[str, PageRenderer] = {}


def render_pages_with(blueprint: str, renderer: PageRenderer) -> None:
    """Answer the errors of this blueprint's requests with `renderer` (HTML pages), even those
    raised after its view, such as at commit."""
    _page_renderers[blueprint] = renderer


def as_homeward(error: Exception) -> HomewardError:
    """Any error as a HomewardError with a status, a code and a message safe to show; an
    unexpected one is logged safely and shown as an internal error."""
    if isinstance(error, HomewardError):
        if error.status >= 500:
            _log_safely(error)
        return error
    if isinstance(error, StaleDataError):
        return _stale()
    if isinstance(error, HTTPException):
        return _from_http(error)
    _log_safely(error)
    return InternalError("Something went wrong; nothing was saved.")


def response_for(error: Exception) -> Response:
    """The error response for an exception raised outside a view, such as at commit."""
    renderer = _page_renderers.get(request.blueprint or "") if has_request_context() else None
    if renderer is not None:
        return renderer(as_homeward(error))
    if isinstance(error, HomewardError):
        return _render(error)
    if isinstance(error, StaleDataError):
        return _render_stale(error)
    return _render_unexpected(error)


def _log_exception(exc_info: Any) -> None:
    _log_safely(exc_info[1])


def _log_safely(error: BaseException) -> None:
    # An exception's text and Flask's traceback can carry SQL parameters, names included; the
    # type and the innermost line are enough to find the bug.
    traceback = error.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    where = f"{traceback.tb_frame.f_code.co_filename}:{traceback.tb_lineno}" if traceback else "?"
    log.error("unexpected error: %s at %s", type(error).__name__, where)


def _render(error: HomewardError) -> Response:
    if error.status >= 500:
        _log_safely(error)  # the operator must hear of stored data that fails its checks
    response = error_response(error.status, error.code, error.message, error.details)
    response.headers.update(error.headers)
    return response


def _render_stale(_error: StaleDataError) -> Response:
    return _render(_stale())


def _stale() -> StaleVersion:
    """A version check lost at flush, said as the optimistic lock says it."""
    return StaleVersion("Someone else changed this case first; reload it and try again.")


def _from_http(error: HTTPException) -> HomewardError:
    """Werkzeug's error (405, 413, …) with the status, code and message the contract uses."""
    status = error.code or 500
    shown = HomewardError(
        {413: "The request is too large."}.get(status, error.description or error.name)
    )
    shown.status = status
    shown.code = "too_large" if status == 413 else (error.name or "error").lower().replace(" ", "_")
    return shown


def http_error_response(error: HTTPException) -> Response:
    if isinstance(error.response, Response) and error.response.mimetype == "application/json":
        return error.response
    shown = _from_http(error)
    response = error_response(shown.status, shown.code, shown.message)
    allowed = getattr(error, "valid_methods", None)
    if shown.status == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _render_unexpected(error: Exception) -> Response:
    _log_safely(error)
    return error_response(500, "internal_error", "Something went wrong; nothing was saved.")
