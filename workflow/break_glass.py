"""Break-glass: reading a case outside need-to-know, for a stated reason, for a short time.

A grant lets its holder read the case and its history, by id or reference, until it expires;
the case stays out of their lists and queues, and nothing else about it opens to them. Every
grant and every read made under one is marked in the audit trail for the auditors to review.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.access import case_facts
from workflow.db import utcnow
from workflow.errors import Conflict, NotPermitted
from workflow.models import BreakGlassGrant, Case
from workflow.operations import find_any_case
from workflow.permissions import Caller, can_break_glass, can_view_case


def break_glass(
    db: Session, caller: Caller, case_id: str, reason: str, minutes: int
) -> tuple[Case, BreakGlassGrant]:
    """Grant the caller read access to a case they may not see, for `minutes`, for a reason."""
    if not can_break_glass(caller):
        raise NotPermitted("Only lawyers and agency officials may open a case this way.")
    case = find_any_case(db, case_id)
    if can_view_case(caller, case_facts(db, case)):
        raise Conflict("You can already see this case.")
    now = utcnow()
    grant = BreakGlassGrant(
        user_id=caller.id,
        case_id=case.id,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    db.add(grant)
    db.flush()
    return case, grant


def latest_grant(db: Session, caller: Caller, case: Case) -> BreakGlassGrant | None:
    """The caller's grant on the case that lasts longest: the one a read by break-glass uses."""
    # Not filtered on expiry: the grant that was live when the read was allowed must be named
    # even if it lapsed a moment later.
    return db.scalar(
        select(BreakGlassGrant)
        .where(BreakGlassGrant.user_id == caller.id, BreakGlassGrant.case_id == case.id)
        .order_by(BreakGlassGrant.expires_at.desc())
        .limit(1)
    )
