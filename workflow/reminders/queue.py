"""Who a step has just put a case in front of, and the outbox row that tells each of them.

Written in the transaction of the change (the operations call these, then flush), so a message
never tells of a change that rolled back, and a change never commits without its messages."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.orm import Session

from workflow.models import Agency, Assignment, Case, CaseRoute, Reminder, User
from workflow.rules.catalogue import definition_of
from workflow.rules.definition import Track
from workflow.vocabulary import AgencyKind, CaseStatus, ReminderKind, Role

Move = tuple[str, str | None, str]  # a track, the state it left (None: it just began), its state


def note_moves(db: Session, case: Case, moves: Iterable[Move], actor: uuid.UUID) -> None:
    """Queue a message to each user a move has just made the case wait on, but the actor."""
    if case.status is CaseStatus.CLOSED:
        return
    definition = definition_of(case.workflow)

    @cache
    def reached(kind: AgencyKind | None) -> list[uuid.UUID]:
        """The officials of this kind the case is in front of, or (None) its lawyers: each
        asked once, however many of the moves reach them (a reopened case moves every track)."""
        return _lawyers(db, case) if kind is None else _officials(db, case, kind)

    steps: dict[uuid.UUID, list[dict[str, str]]] = {}
    for name, before, after in moves:
        track = definition.track(name)
        if track is None:
            continue
        for user_id in _newly_waiting_on(reached, case, track, before, after):
            steps.setdefault(user_id, []).append({"track": name, "state": after})
    for user_id, waiting in steps.items():
        if user_id != actor:
            content = {"reference": case.reference, "steps": waiting}
            db.add(Reminder(user_id=user_id, kind=ReminderKind.QUEUED, content=content))


def _newly_waiting_on(
    reached: Callable[[AgencyKind | None], list[uuid.UUID]],
    case: Case,
    track: Track,
    before: str | None,
    after: str,
) -> list[uuid.UUID]:
    kinds = track.waiting_on(after, case.status)
    kinds -= track.waiting_on(before, case.status) if before else set()
    users = [user for kind in sorted(kinds) for user in reached(kind)]
    began_waiting = not (before and track.lawyer_acts_in(before))
    if case.status is CaseStatus.OPEN and track.lawyer_acts_in(after) and began_waiting:
        users += reached(None)
    return users


def _officials(db: Session, case: Case, kind: AgencyKind) -> list[uuid.UUID]:
    """The officials whose queue shows the case: the agency of the kind that took it, or else
    every agency of that kind."""
    agency = db.scalar(_TAKEN_BY, {"case": case.id, "kind": kind})
    if agency is not None:
        return list(db.scalars(_OFFICIALS_OF_AGENCY, {"agency": agency}))
    return list(db.scalars(_OFFICIALS_OF_KIND, {"kind": kind}))


def _lawyers(db: Session, case: Case) -> list[uuid.UUID]:
    """The case's lawyers, while in the NGO that holds it (as need-to-know asks)."""
    return list(db.scalars(_LAWYERS, {"case": case.id, "agency": case.agency_id}))


def reachable(where: ColumnElement[bool]) -> Select[Any]:
    """The ids of active users matching `where` who have an address and want reminders."""
    return select(User.id).where(
        where, User.active.is_(True), User.reminders.is_(True), User.email.is_not(None)
    )


# Built once, since steps ask them: the agency of a kind that took the case, and who is reached.
_TAKEN_BY = select(CaseRoute.agency_id).where(
    CaseRoute.case_id == bindparam("case"), CaseRoute.agency_kind == bindparam("kind")
)
_OFFICIALS_OF_AGENCY = reachable(User.agency_id == bindparam("agency")).where(
    User.role == Role.OFFICIAL
)
_OFFICIALS_OF_KIND = reachable(
    User.agency_id.in_(select(Agency.id).where(Agency.kind == bindparam("kind")))
).where(User.role == Role.OFFICIAL)
_LAWYERS = reachable(
    User.id.in_(select(Assignment.user_id).where(Assignment.case_id == bindparam("case")))
    & (User.agency_id == bindparam("agency"))
).where(User.role == Role.LAWYER)
