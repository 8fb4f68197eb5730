"""What the application tells the trail: the facts a request learned, and operators' commands.
The request's own event is written by `workflow.http.trail`."""

from __future__ import annotations

from typing import Any

from flask import g
from pydantic import BaseModel
from sqlalchemy.orm import Session

from audit.trail import append


def note(**facts: Any) -> None:
    """Add what the service learned (the case, the cases listed, the user) to this request's
    event; outside a request (a command) there is no such event and nothing is kept."""
    g.setdefault("audit_facts", {}).update(facts)


def add_detail(**facts: Any) -> None:
    """Add these to the detail of this request's event, keeping what is there already."""
    g.setdefault("audit_facts", {}).setdefault("detail", {}).update(facts)


def extend_detail(**lists: list[Any]) -> None:
    """Add these items to the lists of this request's event's detail, after those there."""
    detail = g.setdefault("audit_facts", {}).setdefault("detail", {})
    for key, items in lists.items():
        detail[key] = [*detail.get(key, []), *items]


def named_filters(query: BaseModel) -> list[str]:
    """The filters a search or a list used, by name: the trail keeps which, never their values
    (a searched name is personal data)."""
    given = query.model_dump(exclude_defaults=True)
    return sorted(name for name, value in given.items() if value is not None)


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
