"""The one place an error becomes a response: the contract's JSON for the API and machines, or
a page for a person, for errors raised in a view and for those raised after it, at commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, has_request_context, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from workflow.errors import HomewardError, as_homeward, invalid, log_safely
from workflow.http import trail

PageRenderer = Callable[[HomewardError], Response]
_page_renderers: dict[str, PageRenderer] = {}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(Exception, response_for)
    app.log_exception = _log_exception  # type: ignore[method-assign]


def render_pages_with(blueprint: str, renderer: PageRenderer) -> None:
    """Answer the errors of this blueprint's requests with `renderer` (HTML pages), even those
    raised after its view, such as at commit."""
    _page_renderers[blueprint] = renderer


def shown(error: BaseException) -> HomewardError:
    """Any error as the HomewardError it is answered with; Werkzeug's (405, 413, …) with the
    status, code and message the contract uses."""
    if isinstance(error, HTTPException):
        return _from_http(error)
    return as_homeward(error)


def response_for(error: BaseException) -> Response:
    """The response for any error: a page for a blueprint that renders pages, else JSON."""
    renderer = _page_renderers.get(request.blueprint or "") if has_request_context() else None
    if renderer is not None:
        return renderer(shown(error))
    return json_response(shown(error))


def json_response(error: HomewardError) -> Response:
    """The contract's error body; the trail records the error's code as the outcome."""
    trail.answered_with(error.code)
    response = jsonify(
        {"error": {"code": error.code, "message": error.message, "details": error.details}}
    )
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def validation_error_response(error: ValidationError) -> Response:
    """flask-openapi3's hook for request models that fail validation."""
    return json_response(invalid(error))


def http_error_response(error: HTTPException) -> Response:
    """Werkzeug's error in the contract's shape, with the methods a 405 allows."""
    response = response_for(error)
    allowed = getattr(error, "valid_methods", None)
    if response.status_code == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _from_http(error: HTTPException) -> HomewardError:
    status = error.code or 500
    refusal = HomewardError(
        {413: "The request is too large."}.get(status, error.description or error.name)
    )
    refusal.status = status
    refusal.code = (
        "too_large" if status == 413 else (error.name or "error").lower().replace(" ", "_")
    )
    return refusal


def _log_exception(exc_info: Any) -> None:
    log_safely(exc_info[1])
