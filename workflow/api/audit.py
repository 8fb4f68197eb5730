"""The auditor's API: the trail, filtered and exported; verification; checkpoints; proofs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, current_app, jsonify
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy.orm import Session

from audit import checkpoints, queries
from audit.models import AuditHead
from audit.schemas import (
    CasePath,
    ConsistencyQuery,
    EventFilter,
    ExportQuery,
    InclusionQuery,
    ReportQuery,
)
from audit.signing import public_text
from audit.trail import database_now
from workflow import transactions
from workflow.access import current_caller
from workflow.api.audit_answers import (
    CheckpointOut,
    CheckpointsOut,
    ConsistencyProofOut,
    EventPageOut,
    InclusionProofOut,
    ReviewReportOut,
    TrailVerdictOut,
)
from workflow.api.bearer import require_user
from workflow.api.guards import check_json_body
from workflow.api.openapi import a_file
from workflow.config.checks import working_hours
from workflow.errors import InvalidInput, NotPermitted
from workflow.http.downloads import trail_export
from workflow.permissions import can_read_trail
from workflow.services import auditing

EXPORT = a_file(
    "The events, one CSV row or one JSON line each",
    tuple(auditing.EXPORT_TYPES.values()),
    {"X-Next-Cursor": "The cursor of the page after this one, if there is one"},
)

blueprint = APIBlueprint(
    "audit",
    __name__,
    url_prefix="/api/v1/audit",
    abp_security=[{"bearer": []}],
    abp_tags=[Tag(name="audit", description="The audit trail, for auditors")],
)


@blueprint.before_request
def _auditors_only() -> None:
    require_user()
    if not can_read_trail(current_caller()):
        raise NotPermitted("The audit trail is for auditors.")
    check_json_body()


@blueprint.get("/events", responses={200: EventPageOut})
def get_events(query: EventFilter) -> Response:
    """Events matching the filters, oldest first, one page after the cursor."""
    events, next_cursor = auditing.events_page(query)
    return jsonify({"events": [queries.event_json(e) for e in events], "next_cursor": next_cursor})


@blueprint.get("/cases/<case>/accesses", responses={200: EventPageOut})
def get_case_accesses(path: CasePath) -> Response:
    """Who accessed one case, when, and whether it was allowed (denied attempts included)."""
    events, next_cursor = auditing.case_accesses(path.case)
    return jsonify({"events": [queries.event_json(e) for e in events], "next_cursor": next_cursor})


@blueprint.get("/export", responses={200: EXPORT})
def get_export(query: ExportQuery) -> Response:
    """The filtered events as a CSV or JSON Lines download."""
    return trail_export(*auditing.export(query))


@blueprint.get("/verify", responses={200: TrailVerdictOut})
def get_verify() -> Response:
    """Recompute the chain and every stored checkpoint; name the first broken event."""
    return jsonify(auditing.verify_now())


@blueprint.get("/checkpoints", responses={200: CheckpointsOut})
def get_checkpoints() -> Response:
    """Every signed checkpoint, and the public key that verifies them."""
    key = checkpoints.signing_key().public_key()
    return jsonify(
        {"public_key": public_text(key), "checkpoints": checkpoints.stored(transactions.session())}
    )


@blueprint.post("/checkpoints", responses={201: CheckpointOut})
def post_checkpoint() -> tuple[Response, int]:
    """Sign the chain's head now; keep the answer outside Homeward."""
    return jsonify(checkpoints.create(transactions.session(), checkpoints.signing_key())), 201


@blueprint.get("/report", responses={200: ReviewReportOut})
def get_report(query: ReportQuery) -> Response:
    """Accesses outside need-to-know and unusual patterns, over a window (default: a week)."""
    session, config = transactions.session(), current_app.config
    until = query.until or database_now(session)
    since = query.since or until - timedelta(days=7)
    start, end = working_hours(str(config["WORKING_HOURS"]))
    return jsonify(
        queries.review_report(
            session,
            since,
            until,
            (start, end),
            int(config["BURST_CASES"]),
            timedelta(minutes=int(config["BURST_MINUTES"])),
        )
    )


@blueprint.get("/proofs/inclusion", responses={200: InclusionProofOut})
def get_inclusion(query: InclusionQuery) -> Response:
    """An RFC 6962 audit path: event `seq` is in the tree of the first `size` events."""
    session = transactions.session()
    size = query.size or _head(session)
    return _proof(lambda: checkpoints.inclusion(session, query.seq, size), "seq")


@blueprint.get("/proofs/consistency", responses={200: ConsistencyProofOut})
def get_consistency(query: ConsistencyQuery) -> Response:
    """An RFC 6962 consistency proof: the older tree is a prefix of the newer one."""
    session = transactions.session()
    new = query.new or _head(session)
    return _proof(lambda: checkpoints.consistency(session, query.old, new), "old")


def _proof(make: Callable[[], dict[str, Any]], field: str) -> Response:
    try:
        return jsonify(make())
    except ValueError as error:
        raise InvalidInput(str(error), [{"field": field, "problem": "beyond_the_trail"}]) from None


def _head(session: Session) -> int:
    head = session.get(AuditHead, 1)
    return head.seq if head else 0
