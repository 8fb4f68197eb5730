"""Unauthenticated endpoints: liveness and the public keys."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, current_app, jsonify
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from workflow import transactions
from workflow.api.answers import HealthOut, KeySetOut
from workflow.api.openapi import served_document
from workflow.identity.tokens import key_ring, verification_grace

blueprint = APIBlueprint(
    "system", __name__, abp_tags=[Tag(name="system", description="Health, keys and this document")]
)
DOCUMENT = {"content": {"application/json": {"schema": {"type": "object"}}}}


@blueprint.get("/healthz", responses={200: HealthOut, 503: HealthOut})
def healthz() -> tuple[Response, int]:
    try:
        transactions.session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


@blueprint.get("/api/v1/openapi.json", responses={200: DOCUMENT})
def openapi_document() -> Response:
    """The OpenAPI 3.1 document, generated from the views' pydantic models."""
    return jsonify(served_document(current_app))


@blueprint.get("/.well-known/jwks.json", responses={200: KeySetOut})
def jwks() -> Response:
    """The public keys that verify Homeward's tokens; a replaced key leaves once its tokens do."""
    return jsonify(key_ring().jwks(datetime.now(UTC), verification_grace()))
