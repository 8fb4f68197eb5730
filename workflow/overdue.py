"""Which agency kind a step waits on, and how many steps of open cases are past their target:
the dashboard's overdue chart and the operator's /metrics count by the same rules.

Read from the tallies the operations keep (`workflow.tallies`) and an index range of track states
near each target's cutoff, never from every case, so the cost follows the targets, not the
registry's size."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Date,
    Executable,
    Integer,
    Row,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from workflow.db import UTCDateTime
from workflow.models import Case, StageDayTally, StageTally, TrackState
from workflow.rules.catalogue import all_definitions
from workflow.rules.definition import Track
from workflow.vocabulary import AgencyKind, CaseStatus

STAGE = (StageTally.workflow_id, StageTally.track, StageTally.state)
Target = tuple[int, str, str, datetime]  # a workflow's stage and the cutoff its target sets
DAY, HALF_A_DAY = timedelta(days=1), timedelta(hours=12)
KEYS_PER_READ = 500  # case ids in one look-up, well under every backend's parameter limit


def tracks_by_key(db: Session) -> dict[tuple[int, str], Track]:
    """Every workflow's tracks, by the workflow's id and the track's name."""
    return {
        (record.id, track.name): track
        for record, definition in all_definitions(db)
        for track in definition.tracks
    }


def overdue_by_agency(db: Session, now: datetime) -> dict[AgencyKind, int]:
    """How many steps of open cases are past their target, per kind of agency they wait on."""
    tracks = tracks_by_key(db)
    cutoff = now.astimezone(UTC)
    targets = [
        (workflow_id, track.name, state.name, cutoff - timedelta(days=state.target_days))
        for (workflow_id, _name), track in tracks.items()
        for state in track.states
        if state.target_days
    ]
    # Every kind some target waits on is listed, so that none late shows as 0, not as absent.
    counts = dict.fromkeys(
        (
            kind
            for workflow_id, name, state, _cutoff in targets
            for kind in waiting_kinds(tracks[workflow_id, name], state)
        ),
        0,
    )
    for workflow_id, name, state, count in _overdue_steps(db, targets):
        for kind in waiting_kinds(tracks[workflow_id, name], state):
            counts[kind] += count
    return counts


def _overdue_steps(db: Session, targets: list[Target]) -> list[tuple[int, str, str, int]]:
    """(workflow, track, state, steps) past each target: the stage's open cases but those the
    tallies hold for the days after its cutoff, corrected by the track states between the cutoff
    and the nearer midnight of its day (an index range of at most half a day).

    Only days since a cutoff are read, so the cost follows the targets, not the years tallied."""
    if not targets:
        return []
    edges = [(target[:3], _nearer_midnight(target[3])) for target in targets]
    parameters = {
        f"{name}_{number}": value
        for number, ((workflow_id, track, state), (day, low, high, _sign)) in enumerate(edges)
        for name, value in (
            ("workflow", workflow_id),
            ("track", track),
            ("state", state),
            ("day", day),
            ("low", low),
            ("high", high),
        )
    }
    open_cases = select(*STAGE, StageTally.cases)
    overdue = {(row[0], row[1], row[2]): int(row[3]) for row in rows(db, open_cases)}
    since_day, entered_between = _overdue_statements(len(targets))
    for workflow_id, track, state, count in rows(db, since_day, parameters):
        overdue[workflow_id, track, state] -= int(count)
    near = dict(edges)
    for stage in _entered_near_cutoff(db, entered_between, parameters, near):
        overdue[stage] += near[stage][3]
    return [(*stage, overdue.get(stage, 0)) for stage, _edge in edges]


def _entered_near_cutoff(
    db: Session,
    entered_between: Executable,
    parameters: dict[str, Any],
    near: dict[tuple[int, str, str], tuple[date, datetime, datetime, int]],
) -> Iterator[tuple[int, str, str]]:
    """The stage of each open case's track state that entered between a target's two moments.

    Two plain reads, an index range over the track states and a look-up of their cases by key,
    so that no planner can choose to walk the cases instead."""
    entered = rows(db, entered_between, parameters)
    workflows = open_workflows(db, {case_id for case_id, *_ in entered})
    for case_id, track, state, since in entered:
        if case_id not in workflows:
            continue  # closed or complete: counted in no stage
        stage = (workflows[case_id], track, state)
        if stage in near and near[stage][1] <= since < near[stage][2]:
            yield stage


def open_workflows(db: Session, case_ids: set[Any]) -> dict[Any, int]:
    """The workflow of each of these cases that is open, read by primary key only: asked for
    open cases as well, SQLite prefers walking the index of every open case to the keys."""
    workflows: dict[Any, int] = {}
    ordered = sorted(case_ids)
    for start in range(0, len(ordered), KEYS_PER_READ):
        chunk = ordered[start : start + KEYS_PER_READ]
        statement = select(Case.id, Case.workflow_id, Case.status).where(Case.id.in_(chunk))
        workflows.update(
            (case_id, int(workflow))
            for case_id, workflow, status in rows(db, statement)
            if status == CaseStatus.OPEN
        )
    return workflows


def _nearer_midnight(cutoff: datetime) -> tuple[date, datetime, datetime, int]:
    """The first tallied day to take away from a stage's open cases, and the moments between
    which track states are added (entered before the cutoff on its day) or taken away (entered
    on its day from the cutoff on): whichever half of the day is the shorter."""
    midnight = datetime.combine(cutoff.date(), time(), UTC)
    if cutoff - midnight <= HALF_A_DAY:
        return cutoff.date(), midnight, cutoff, 1
    return cutoff.date() + DAY, cutoff, midnight + DAY, -1


@cache
def _overdue_statements(count: int) -> tuple[Executable, Executable]:
    """The tallied days from each of `count` days on, and the track states that entered between
    two moments, each named by parameters workflow_n, track_n, state_n, day_n, low_n and high_n:
    built once for each count, and so compiled once, not on every page."""

    def given(name: str, number: int, kind: Any) -> BindParameter[Any]:
        return bindparam(f"{name}_{number}", type_=kind)

    since_day = (
        and_(
            StageDayTally.track == given("track", number, String),
            StageDayTally.state == given("state", number, String),
            StageDayTally.workflow_id == given("workflow", number, Integer),
            StageDayTally.entered_on >= given("day", number, Date),
        )
        for number in range(count)
    )
    # Only the track states in range: whose case is open, and of which workflow, is looked up
    # by key afterwards (`open_workflows`), for the few rows found.
    between = (
        and_(
            TrackState.track == given("track", number, String),
            TrackState.state == given("state", number, String),
            TrackState.since >= given("low", number, UTCDateTime),
            TrackState.since < given("high", number, UTCDateTime),
        )
        for number in range(count)
    )
    tallied = (StageDayTally.workflow_id, StageDayTally.track, StageDayTally.state)
    days = select(*tallied, func.sum(StageDayTally.cases)).where(or_(*since_day))
    entered = select(TrackState.case_id, TrackState.track, TrackState.state, TrackState.since)
    return days.group_by(*tallied), entered.where(or_(*between))


def rows(
    db: Session, statement: Executable, parameters: dict[str, Any] | None = None
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The statement's rows as plain tuples: aggregates need none of the ORM's bookkeeping."""
    return db.connection().execute(statement, parameters).all()


def waiting_kinds(track: Track, state: str) -> frozenset[AgencyKind]:
    """The agency kinds a step waits on; the lawyers' organisations when a lawyer can act."""
    kinds = track.waiting_on(state)
    if kinds:
        return kinds
    return frozenset({AgencyKind.NGO} if track.lawyer_acts_in(state) else ())
