"""Who works a case: the lawyers of the NGO that holds it, assigned and unassigned; and the
assignments a lawyer leaves behind on moving to another NGO. Each checks, changes, flushes."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.db import utcnow
from workflow.errors import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.models import Assignment, Case, User
from workflow.permissions import Caller, CaseFacts, can_edit_case
from workflow.vocabulary import Role


def assign_lawyer(db: Session, caller: Caller, case: Case, facts: CaseFacts, username: str) -> User:
    """Add another lawyer of the NGO that holds the case to it."""
    _ensure_case_lawyer(caller, facts, "assign others to it")
    lawyer = db.scalar(select(User).filter_by(username=username))
    if (
        lawyer is None
        or not lawyer.active
        or lawyer.role is not Role.LAWYER
        or lawyer.agency_id != case.agency_id
    ):
        raise InvalidInput(
            "Name an active lawyer of your own organisation.",
            [{"field": "username", "problem": "not_a_colleague"}],
        )
    if case.is_assigned(lawyer.id):
        raise Conflict("That lawyer already works this case.")
    case.assignments.append(Assignment(user_id=lawyer.id, assigned_by_id=caller.id))
    case.updated_at = utcnow()
    try:
        db.flush()
    except IntegrityError:
        raise Conflict("That lawyer already works this case.") from None
    return lawyer


def unassign_lawyer(
    db: Session, caller: Caller, case: Case, facts: CaseFacts, username: str
) -> None:
    """Take a lawyer (a colleague or the caller) off the case; its last lawyer stays."""
    _ensure_case_lawyer(caller, facts, "unassign lawyers from it")
    # One answer for a name nobody has and for anyone not on the case: it tells no more than
    # the case's own assignments, which its lawyers see anyway.
    user_id = db.scalar(select(User.id).filter_by(username=username))
    assignment = next((a for a in case.assignments if a.user_id == user_id), None)
    if assignment is None:
        raise NotFound("That lawyer does not work this case.")
    if len(case.assignments) == 1:
        raise Conflict(
            "A case keeps at least one lawyer: assign another before removing the last.",
            {"problem": "last_lawyer"},
        )
    case.assignments.remove(assignment)
    case.updated_at = utcnow()
    db.flush()


def end_assignments_elsewhere(db: Session, user_id: uuid.UUID, agency_id: uuid.UUID) -> list[Case]:
    """End the user's assignments on cases another NGO than `agency_id` holds; return those
    cases. A lawyer moving to another NGO leaves the old one's cases to its lawyers."""
    rows = db.execute(
        select(Assignment, Case)
        .join(Case, Case.id == Assignment.case_id)
        .where(Assignment.user_id == user_id, Case.agency_id != agency_id)
        .order_by(Case.reference)
    ).all()
    for assignment, case in rows:
        case.assignments.remove(assignment)
        case.updated_at = utcnow()
    db.flush()
    return [case for _, case in rows]


def _ensure_case_lawyer(caller: Caller, facts: CaseFacts, doing: str) -> None:
    if not can_edit_case(caller, facts):
        raise NotPermitted(f"Only the lawyers working this case {doing}.")
