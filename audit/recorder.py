"""Every API request leaves one audit event, written in the request's own transaction."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy.orm import Session

from audit.actions import action_of
from audit.trail import append
from workflow import db
from workflow.references import looks_like_reference

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
PURPOSE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_stamp_request_id)
    db.add_finisher(app, record_request)


def note(**facts: Any) -> None:
    """Add what the view learned (the case, the cases listed, the user) to this request's event."""
    g.audit_facts.update(facts)


def _start() -> None:
    inbound = request.headers.get("X-Request-Id", "")
    g.request_id = inbound if REQUEST_ID.match(inbound) else uuid.uuid4().hex
    g.audit_facts = {}


def _stamp_request_id(response: Response) -> Response:
    if "request_id" in g:
        response.headers["X-Request-Id"] = g.request_id
    return response


def record_request(session: Session, response: Response) -> None:
    """Append the event of this request, if it is one the trail keeps."""
    action = action_of(request.endpoint)
    if action is None or request.method == "OPTIONS":  # a CORS preflight reaches no view
        return
    facts: dict[str, Any] = g.get("audit_facts", {})
    user = facts.get("actor") or g.get("user")
    case = facts.get("case")
    append(
        session,
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
        outcome=_outcome(response),
        purpose=_purpose(),
    )


def _path_case() -> str | None:
    """The case named in the URL, if it has the shape of an id or a reference; never free text."""
    raw = (request.view_args or {}).get("case_id")
    if raw is None:
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return raw if looks_like_reference(raw) else "(malformed)"


def _outcome(response: Response) -> str:
    if response.status_code < 400:
        return "success"
    if g.get("error_code"):  # a web page names its refusal; its body is HTML, not JSON
        return str(g.error_code)[:40]
    try:
        code = json.loads(response.get_data())["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    return str(code)[:40] if code else f"http_{response.status_code}"


def _purpose() -> str | None:
    value = request.headers.get("X-Purpose", "")
    return value if PURPOSE.match(value) else None


def record_command(session: Session, action: str, **facts: Any) -> None:
    """Append the event of an operator's command-line action, in its own unit of work."""
    case = facts.get("case")
    append(
        session,
        action=action,
        outcome="success",
        detail=facts.get("detail", {}),
        object_type=facts.get("object_type"),
        object_id=facts.get("object_id"),
        username=None,
        request_id="cli",
        case_id=case.id if case is not None else None,
        case_reference=case.reference if case is not None else None,
    )
