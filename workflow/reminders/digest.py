"""The daily digest: for each official and lawyer who wants reminders, the steps that wait on
them and what became overdue since their last digest, read through their own lists (so
need-to-know decides what a digest may name, as it decides what a queue shows)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.access import caller_of
from workflow.models import Case, Reminder, User
from workflow.permissions import Caller
from workflow.queries import list_cases
from workflow.reminders.queue import reachable
from workflow.rules.catalogue import definition_of
from workflow.rules.definition import Track
from workflow.schemas import CaseListQuery
from workflow.vocabulary import CaseStatus, ReminderKind, Role

LONGEST = 100  # cases one digest lists; the rest are counted, with a link to the lists


def queue_digests(db: Session, now: datetime) -> int:
    """Put one digest in the outbox for each user something waits on; return how many."""
    ids = db.scalars(reachable(User.role.in_([Role.OFFICIAL, Role.LAWYER])))
    queued = 0
    for user in db.scalars(select(User).where(User.id.in_(list(ids)))):
        content = digest_of(db, user, now)
        if content["total"] or content["newly_overdue"]:
            letter = {"kind": ReminderKind.DIGEST, "content": content}
            db.add(Reminder(user_id=user.id, **letter, created_at=now, next_attempt_at=now))
            queued += 1
    db.flush()
    return queued


def digest_of(db: Session, user: User, now: datetime) -> dict[str, Any]:
    """What waits on the user now, and which of it fell due since their last digest."""
    caller = caller_of(user)
    official = caller.role is Role.OFFICIAL
    query = CaseListQuery(queue="agency" if official else None, per_page=LONGEST)
    page = list_cases(db, caller, query)
    last = db.scalar(
        select(func.max(Reminder.created_at)).where(
            Reminder.user_id == user.id, Reminder.kind == ReminderKind.DIGEST
        )
    )
    waiting = [item for case in page.cases for item in _waiting_steps(case, caller)]
    overdue = [
        item
        for item in waiting
        if item["due"]
        and item["due"] <= now.isoformat()
        and (last is None or item["due"] > last.isoformat())
    ]
    return {
        "waiting": waiting,
        "newly_overdue": overdue,
        "total": len(waiting),
        "more_cases": max(0, page.total - len(page.cases)),
    }


def _waiting_steps(case: Case, caller: Caller) -> list[dict[str, Any]]:
    definition = definition_of(case.workflow)
    steps = []
    for state in sorted(case.tracks, key=lambda state: state.track):
        track = definition.track(state.track)
        if track is not None and _waits_on(track, state.state, case.status, caller):
            target = track.target_days(state.state, case.status)
            due = state.since + timedelta(days=target) if target else None
            steps.append(
                {
                    "reference": case.reference,
                    "track": state.track,
                    "state": state.state,
                    "due": due.isoformat() if due else None,
                }
            )
    return steps


def _waits_on(track: Track, state: str, status: CaseStatus, caller: Caller) -> bool:
    """An official's kind acts next (on an open case, or on a complete one's amendment); or a
    lawyer can, on an open case's track already begun."""
    if caller.role is Role.OFFICIAL:
        return caller.agency_kind in track.waiting_on(state, status)
    open_case = status is CaseStatus.OPEN
    return open_case and state != track.initial and track.lawyer_acts_in(state)
