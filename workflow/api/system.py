"""Unauthenticated endpoints: liveness, readiness and the public keys."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from workflow import migrations, transactions
from workflow.api.openapi import served_document
from workflow.identity.tokens import key_ring, verification_grace

blueprint = Blueprint("system", __name__)


@blueprint.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        transactions.session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Whether to send this instance requests: its database answers, at this code's schema."""
    try:
        schema = migrations.schema_standing(transactions.session().connection())
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    status = 200 if schema == "current" else 503
    ready = "ok" if status == 200 else "unavailable"
    return jsonify({"status": ready, "database": "ok", "schema": schema}), status


@blueprint.get("/api/v1/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 document, generated from the views' pydantic models."""
    return jsonify(served_document(current_app))  # type: ignore[arg-type]


@blueprint.get("/.well-known/jwks.json")
def jwks() -> Response:
    """The public keys that verify Homeward's tokens; a replaced key leaves once its tokens do."""
    return jsonify(key_ring().jwks(datetime.now(UTC), verification_grace()))
