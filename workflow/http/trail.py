"""Every request the trail keeps leaves one event, written in the request's final transaction:
who, what, which case, from where, and how it ended."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy.orm import Session

from audit.actions import action_of
from audit.grouping import GroupCommit
from audit.trail import append, chain
from workflow import transactions
from workflow.kept_connection import KeptConnection
from workflow.references import looks_like_reference

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
PURPOSE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KEPT = "homeward.read_events_connection"


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_stamp_request_id)
    transactions.add_finisher(app, record_request)
    app.extensions["homeward.read_events"] = GroupCommit(_write_events)
    transactions.end_reads_with(app, record_request, _record_read)


def answered_with(code: str) -> None:
    """The error code the request is answered with, kept as its outcome; called only where an
    error becomes a response (the API's JSON, a page's refusal)."""
    g.audit_outcome = code[:40]


def _start() -> None:
    inbound = request.headers.get("X-Request-Id", "")
    g.request_id = inbound if REQUEST_ID.match(inbound) else uuid.uuid4().hex
    g.audit_facts = {}


def _stamp_request_id(response: Response) -> Response:
    if "request_id" in g:
        response.headers["X-Request-Id"] = g.request_id
    return response


def record_request(session: Session, status: int) -> None:
    """Append the event of this request, if it is one the trail keeps."""
    fields = event_fields(status)
    if fields is not None:
        append(session, **fields)


def _record_read(status: int) -> None:
    """Append a read's event with those of other reads ending now, and wait until committed."""
    fields = event_fields(status)
    transactions.end_answered_reads()  # no snapshot held while waiting for the commit
    if fields is not None:
        current_app.extensions["homeward.read_events"].append(fields)


def _write_events(events: list[dict[str, Any]]) -> None:
    """One batch of reads' events in a transaction of its own, on the connection kept for
    them (the group commit's leader writes one batch at a time)."""
    kept: KeptConnection | None = current_app.extensions.get(KEPT)
    if kept is None:  # made on first use: in the worker process, where the engine is
        kept = current_app.extensions[KEPT] = KeptConnection(
            current_app.extensions["homeward.engine"]
        )
    kept.write(lambda driver, dialect: chain(driver, dialect, events))


def event_fields(status: int) -> dict[str, Any] | None:
    """The event of this request, if it is one the trail keeps."""
    action = action_of(request.endpoint)
    if action is None or request.method == "OPTIONS":  # a CORS preflight reaches no view
        return None
    facts: dict[str, Any] = g.get("audit_facts", {})
    user = acting_user()
    case = facts.get("case")
    return dict(
        actor_id=user.id if user else None,
        username=user.username if user else None,
        role=user.role.value if user else None,
        agency_id=user.agency_id if user else None,
        agency_kind=user.agency.kind.value if user else None,
        action=action,
        object_type=facts.get("object_type") or ("case" if _path_case() else None),
        object_id=facts.get("object_id") or _path_case(),
        case_id=case.id if case else None,
        case_reference=case.reference if case else None,
        detail=facts.get("detail", {}),
        client_address=(request.remote_addr or "")[:64] or None,
        request_id=g.get("request_id"),
        outcome=_outcome(status),
        purpose=_purpose(),
    )


def acting_user() -> Any:
    """Who the request acts as: the user signed in, or the one signing in now."""
    return g.get("audit_facts", {}).get("actor") or g.get("user")


def _path_case() -> str | None:
    """The case named in the URL, if it has the shape of an id or a reference; never free text."""
    raw = (request.view_args or {}).get("case_id")
    if raw is None:
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return raw if looks_like_reference(raw) else "(malformed)"


def _outcome(status: int) -> str:
    if status < 400:
        return "success"
    return str(g.get("audit_outcome") or f"http_{status}")


def _purpose() -> str | None:
    value = request.headers.get("X-Purpose", "")
    return value if PURPOSE.match(value) else None
