"""The dashboard's figures: counts, stage times and overdue steps, as aggregates only.

Nothing here reads a name or a case reference; every function returns plain numbers keyed by
the workflow's own words (track, state, agency kind)."""

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
from workflow.queries import overdue_clause
from workflow.rules.catalogue import all_definitions
from workflow.rules.definition import Track
from workflow.vocabulary import AgencyKind, CaseStatus, Role

# Rows streamed from the history at a time: the medians need every step, not every step at once.
BATCH = 5_000

Stage = tuple[str, str]


class Step(NamedTuple):
    """One recorded transition, as much of it as a stage's duration needs."""

    case_id: uuid.UUID
    track: str
    from_state: str
    at: datetime
    case_opened: datetime


class StageTime(NamedTuple):
    median: timedelta
    steps: int


def track_layout(db: Session) -> list[tuple[str, list[str]]]:
    """Every track and its states in the order the definitions give them, oldest first."""
    layout: dict[str, list[str]] = {}
    for _record, definition in all_definitions(db):
        for track in definition.tracks:
            states = layout.setdefault(track.name, [])
            states.extend(name for name in track.state_names if name not in states)
    return list(layout.items())


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
        .execution_options(yield_per=BATCH)
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
        # Two clocks can disagree by a moment; a stay is never shorter than nothing.
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
    # Every kind some target waits on is listed, so that none late shows as 0, not as absent.
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


def waiting_kinds(track: Track, state: str) -> set[AgencyKind]:
    """The agency kinds a step waits on; the lawyers' organisations when a lawyer can act."""
    kinds = track.waiting_on(state)
    if kinds:
        return kinds
    leaving = [p for t in track.transitions if state in t.from_ for p in t.performed_by]
    return {AgencyKind.NGO} if any(p.role is Role.LAWYER for p in leaving) else set()
