"""Unauthenticated endpoints: liveness, readiness, the operator's metrics and the public keys."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, current_app, jsonify, request
from flask_openapi3 import APIBlueprint, Tag
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from workflow import migrations, transactions
from workflow.api.answers import HealthOut, KeySetOut, ReadyOut
from workflow.api.openapi import served_document
from workflow.identity.tokens import key_ring, verification_grace
from workflow.networks import in_networks
from workflow.observe.metrics import exposition

blueprint = APIBlueprint(
    "system", __name__, abp_tags=[Tag(name="system", description="Health, keys and this document")]
)
DOCUMENT = {"content": {"application/json": {"schema": {"type": "object"}}}}
METRICS = {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}
# To an address not allowed, the page any unknown address gets: nothing says /metrics is here.
NO_SUCH_PAGE = {
    "description": "Not found, as for any address",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


@blueprint.get("/healthz", responses={200: HealthOut, 503: HealthOut})
def healthz() -> tuple[Response, int]:
    try:
        transactions.session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


@blueprint.get("/readyz", responses={200: ReadyOut, 503: ReadyOut})
def readyz() -> tuple[Response, int]:
    """Whether to send this instance requests: its database answers, at this code's schema."""
    try:
        schema = migrations.schema_standing(transactions.session().connection())
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    status = 200 if schema == "current" else 503
    ready = "ok" if status == 200 else "unavailable"
    return jsonify({"status": ready, "database": "ok", "schema": schema}), status


@blueprint.get("/metrics", responses={200: METRICS, 404: NO_SUCH_PAGE})
def metrics() -> Response:
    """The request and database metrics, to the addresses HOMEWARD_METRICS_ALLOW lists only;
    anyone else is told there is no such page."""
    allowed = current_app.config["METRICS_ALLOW"]
    if not all(in_networks(address, allowed) for address in scrapers()):
        abort(404)
    body = exposition(current_app.extensions.get("homeward.gauges", []))
    return Response(body, content_type=CONTENT_TYPE_LATEST)


def scrapers() -> set[str | None]:
    """Both addresses that must be listed: the connection's own, so that no one who reaches the
    port can name a listed address in a header; and, behind trusted proxies, the client's they
    forward, so that no one outside is served through a proxy that forwards /metrics."""
    original = request.environ.get("werkzeug.proxy_fix.orig", {})
    return {original.get("REMOTE_ADDR") or request.remote_addr, request.remote_addr}


@blueprint.get("/api/v1/openapi.json", responses={200: DOCUMENT})
def openapi_document() -> Response:
    """The OpenAPI 3.1 document, generated from the views' pydantic models."""
    return jsonify(served_document(current_app))


@blueprint.get("/.well-known/jwks.json", responses={200: KeySetOut})
def jwks() -> Response:
    """The public keys that verify Homeward's tokens; a replaced key leaves once its tokens do."""
    return jsonify(key_ring().jwks(datetime.now(UTC), verification_grace()))
