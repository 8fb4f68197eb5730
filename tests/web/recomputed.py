"""The dashboard's figures recomputed from every case and every step of the history: what the
page showed before the operations kept tallies, and the reference the tallies are held to."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import median
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.models import Case, TrackState, TransitionRecord
from workflow.overdue import waiting_kinds
from workflow.queries import overdue_clause
from workflow.rules.catalogue import all_definitions
from workflow.vocabulary import AgencyKind, CaseStatus
from workflow.web.figures import Stage, StageTime


class Step(NamedTuple):
    """One recorded transition, as much of it as a stage's duration needs."""

    case_id: uuid.UUID
    track: str
    from_state: str
    at: datetime
    case_opened: datetime


def cases_by_status(db: Session) -> dict[str, int]:
    """How many cases are open, complete or closed."""
    rows = db.execute(select(Case.status, func.count()).group_by(Case.status)).all()
    counts = {status.value: 0 for status in CaseStatus}
    counts.update({CaseStatus(status).value: int(count) for status, count in rows})
    return counts


def open_cases_by_stage(db: Session) -> dict[Stage, int]:
    """How many open cases stand in each state of each track."""
    statement = (
        select(TrackState.track, TrackState.state, func.count())
        .join(Case, Case.id == TrackState.case_id)
        .where(Case.status == CaseStatus.OPEN)
        .group_by(TrackState.track, TrackState.state)
    )
    return {(track, state): int(count) for track, state, count in db.execute(statement)}


def stage_times(db: Session) -> dict[Stage, StageTime]:
    """The median time spent in each state of each track, over every stay that has ended."""
    statement = (
        select(
            TransitionRecord.case_id,
            TransitionRecord.track,
            TransitionRecord.from_state,
            TransitionRecord.at,
            Case.created_at,
        )
        .join(Case, Case.id == TransitionRecord.case_id)
        .order_by(TransitionRecord.case_id, TransitionRecord.track, TransitionRecord.at)
        .order_by(TransitionRecord.id)
    )
    return median_stays(Step(*row) for row in db.execute(statement))


def median_stays(steps: Iterable[Step]) -> dict[Stage, StageTime]:
    """The median stay per (track, state), from steps sorted by case, track and time.

    A stay in `from_state` runs from the previous step on the same case and track, or from the
    case's opening for its first step, to this step."""
    stays: dict[Stage, list[float]] = defaultdict(list)
    current: tuple[uuid.UUID, str] | None = None
    entered = datetime.min
    for step in steps:
        if (step.case_id, step.track) != current:
            current, entered = (step.case_id, step.track), step.case_opened
        stays[step.track, step.from_state].append(max(0.0, (step.at - entered).total_seconds()))
        entered = step.at
    return {
        stage: StageTime(timedelta(seconds=median(seconds)), len(seconds))
        for stage, seconds in stays.items()
    }


def overdue_by_agency(db: Session, now: datetime) -> dict[AgencyKind, int]:
    """How many steps of open cases are past their target, per kind of agency they wait on."""
    statement = (
        select(Case.workflow_id, TrackState.track, TrackState.state, func.count())
        .join(Case, Case.id == TrackState.case_id)
        .where(overdue_clause(db, now))
        .group_by(Case.workflow_id, TrackState.track, TrackState.state)
    )
    tracks = {
        (record.id, track.name): track
        for record, definition in all_definitions(db)
        for track in definition.tracks
    }
    counts = dict.fromkeys(
        (
            kind
            for track in tracks.values()
            for state in track.states
            if state.target_days
            for kind in waiting_kinds(track, state.name)
        ),
        0,
    )
    for workflow_id, track_name, state, count in db.execute(statement):
        track = tracks.get((workflow_id, track_name))
        for kind in waiting_kinds(track, state) if track else ():
            counts[kind] = counts.get(kind, 0) + int(count)
    return counts
