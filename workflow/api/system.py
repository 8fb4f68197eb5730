"""Unauthenticated endpoints: liveness and the public keys."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from workflow import db
from workflow.identity.tokens import key_ring

blueprint = Blueprint("system", __name__)


@blueprint.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db.session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


@blueprint.get("/api/v1/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 document, generated from the views' pydantic models."""
    return jsonify(current_app.api_doc)  # type: ignore[attr-defined]


@blueprint.get("/.well-known/jwks.json")
def jwks() -> Response:
    return jsonify(key_ring().jwks())
