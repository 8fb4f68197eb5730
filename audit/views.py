"""The auditor's API: the trail, filtered and exported; verification; checkpoints; proofs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, current_app, jsonify
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy.orm import Session

from audit import checkpoints, queries
from audit.models import AuditEvent, AuditHead
from audit.recorder import note
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
from audit.verification import verify_trail
from workflow import db
from workflow.access import current_caller
from workflow.api.guards import check_json_body
from workflow.config.checks import working_hours
from workflow.errors import InvalidInput, NotPermitted
from workflow.identity.current import require_user
from workflow.permissions import can_read_trail

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


@blueprint.get("/events")
def get_events(query: EventFilter) -> Response:
    """Events matching the filters, oldest first, one page after the cursor."""
    events, next_cursor = queries.page(db.session(), query)
    note(detail={"filters": given_filters(query), "returned": len(events)})
    return jsonify({"events": [queries.event_json(e) for e in events], "next_cursor": next_cursor})


@blueprint.get("/cases/<case>/accesses")
def get_case_accesses(path: CasePath) -> Response:
    """Who accessed one case, when, and whether it was allowed (denied attempts included)."""
    events, next_cursor = case_access_events(path.case)
    return jsonify({"events": [queries.event_json(e) for e in events], "next_cursor": next_cursor})


def case_access_events(case: str) -> tuple[list[AuditEvent], int | None]:
    """Find the first events about one case, by id or reference, and note what was asked."""
    events, next_cursor = queries.page(db.session(), EventFilter(case=case, limit=500))
    note(object_type="case", object_id=case, detail={"returned": len(events)})
    return events, next_cursor


@blueprint.get("/export")
def get_export(query: ExportQuery) -> Response:
    """The filtered events as a CSV or JSON Lines download."""
    return export(query)


def export(query: ExportQuery) -> Response:
    """Make the download of the filtered events, for the API and the auditor's pages alike."""
    events, next_cursor = queries.page(db.session(), query)
    rows = [queries.event_json(e) for e in events]
    body = (
        _csv(rows)
        if query.format == "csv"
        else "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    )
    note(detail={"filters": given_filters(query), "returned": len(rows), "format": query.format})
    mimetype = "text/csv" if query.format == "csv" else "application/x-ndjson"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=audit.{query.format}"
    if next_cursor is not None:
        response.headers["X-Next-Cursor"] = str(next_cursor)
    return response


@blueprint.get("/verify")
def get_verify() -> Response:
    """Recompute the chain and every stored checkpoint; name the first broken event."""
    return jsonify(verify_now(db.session()))


def verify_now(session: Session) -> dict[str, Any]:
    """Verify the whole trail against the stored checkpoints, with the checkpoint key."""
    return verify_trail(session, checkpoints.signing_key().public_key())


@blueprint.get("/checkpoints")
def get_checkpoints() -> Response:
    """Every signed checkpoint, and the public key that verifies them."""
    key = checkpoints.signing_key().public_key()
    return jsonify(
        {"public_key": public_text(key), "checkpoints": checkpoints.stored(db.session())}
    )


@blueprint.post("/checkpoints", responses={201: None})
def post_checkpoint() -> tuple[Response, int]:
    """Sign the chain's head now; keep the answer outside Homeward."""
    return jsonify(checkpoints.create(db.session(), checkpoints.signing_key())), 201


@blueprint.get("/report")
def get_report(query: ReportQuery) -> Response:
    """Accesses outside need-to-know and unusual patterns, over a window (default: a week)."""
    session, config = db.session(), current_app.config
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


@blueprint.get("/proofs/inclusion")
def get_inclusion(query: InclusionQuery) -> Response:
    """An RFC 6962 audit path: event `seq` is in the tree of the first `size` events."""
    session = db.session()
    size = query.size or _head(session)
    return _proof(lambda: checkpoints.inclusion(session, query.seq, size), "seq")


@blueprint.get("/proofs/consistency")
def get_consistency(query: ConsistencyQuery) -> Response:
    """An RFC 6962 consistency proof: the older tree is a prefix of the newer one."""
    session = db.session()
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


def given_filters(query: EventFilter) -> list[str]:
    """Name the filters given, not their values: the trail keeps which filters, never what."""
    return sorted(
        name for name, value in query.model_dump(exclude_defaults=True).items() if value is not None
    )


def _csv(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["seq"])
    writer.writeheader()
    for row in rows:
        # A cell starting with = + - @ (or a tab or CR before one) would run as a formula in a
        # spreadsheet; quote it.
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
