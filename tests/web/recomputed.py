"""The dashboard's figures recomputed from every case and every step of the history: what the
page showed before the operations kept tallies, and the reference the tallies are held to."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.models import Case, TrackState, TransitionRecord
from workflow.overdue import waiting_kinds
from workflow.queries import overdue_clause
from workflow.rules.catalogue import all_definitions
from workflow.rules.definition import unmet
from workflow.vocabulary import AgencyKind, CaseStatus
from workflow.web.figures import Stage, StageTime
from workflow.web.month_figures import MonthFigures, last_months


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
    return median_stays(_every_step(db))


def _every_step(db: Session) -> Iterator[Step]:
    """Every step with its case's opening, by case, track and time."""
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
    return (Step(*row) for row in db.execute(statement))


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


def completions(db: Session) -> dict[uuid.UUID, tuple[datetime, datetime]]:
    """When each case first met its workflow's completion rule, replaying its history step by
    step from the states its tracks started in: (opened, completed) by case."""
    definitions = {record.id: definition for record, definition in all_definitions(db)}
    cases = {case.id: case for case in db.scalars(select(Case))}
    steps: dict[uuid.UUID, list[TransitionRecord]] = defaultdict(list)
    history = select(TransitionRecord).order_by(TransitionRecord.at, TransitionRecord.id)
    for record in db.scalars(history):
        if record.track != "case":  # closing and reopening move no track
            steps[record.case_id].append(record)
    found = {}
    for case_id, case in cases.items():
        states = {track.track: track.state for track in case.tracks}
        states.update({r.track: r.from_state for r in reversed(steps[case_id])})
        for record in steps[case_id]:
            states[record.track] = record.to_state
            if not unmet(definitions[case.workflow_id].complete_when, states):
                found[case_id] = (case.created_at, record.at)
                break
    return found


def month_figures(db: Session, now: datetime) -> MonthFigures:
    """Completions, time to complete and stays by stage per month, from every case and step."""
    months = last_months(now)
    per_month: dict[tuple[date, str, str], list[float]] = defaultdict(list)
    for opened, completed in completions(db).values():
        per_month[_month(completed), "", ""].append((completed - opened).total_seconds())
    for step in _steps(db):
        per_month[_month(step.at), step.track, step.from_state].append(step.seconds)
    shown = {
        key: seconds for key, seconds in per_month.items() if months[0] <= key[0] <= months[-1]
    }
    times = {key: _median(seconds) for key, seconds in shown.items()}
    stages: dict[Stage, dict[date, StageTime]] = defaultdict(dict)
    for (month, track, state), time in times.items():
        stages[track, state][month] = time
    to_complete = stages.pop(("", ""), {})
    overall = [s for (_, *stage), seconds in shown.items() if stage == ["", ""] for s in seconds]
    return MonthFigures(
        months,
        {month: to_complete[month].steps if month in to_complete else 0 for month in months},
        to_complete,
        _median(overall) if overall else None,
        dict(stages),
    )


class DatedStay(NamedTuple):
    at: datetime
    track: str
    from_state: str
    seconds: float


def _steps(db: Session) -> list[DatedStay]:
    """Every ended stay with the moment it ended, walked as `median_stays` walks them."""
    stays, current, entered = [], None, datetime.min
    for step in _every_step(db):
        if (step.case_id, step.track) != current:
            current, entered = (step.case_id, step.track), step.case_opened
        seconds = max(0.0, (step.at - entered).total_seconds())
        stays.append(DatedStay(step.at, step.track, step.from_state, seconds))
        entered = step.at
    return stays


def _month(moment: datetime) -> date:
    return moment.astimezone(UTC).date().replace(day=1)


def _median(seconds: list[float]) -> StageTime:
    return StageTime(timedelta(seconds=median(seconds)), len(seconds))
