"""The dashboard's figures: counts, stage times and overdue steps, as aggregates only.

Nothing here reads a name or a case reference; every function returns plain numbers keyed by
the workflow's own words (track, state, agency kind). They read the tallies the operations keep
(`workflow.tallies`), not the cases and their history, so the page costs the same at any size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Executable, Row, and_, false, func, or_, select
from sqlalchemy.orm import Session

from workflow.models import Case, CaseTally, StageTally, StayTally, TrackState
from workflow.rules.catalogue import all_definitions
from workflow.rules.definition import Track
from workflow.tallies import COARSE, FINE, FINE_PER_COARSE, bucket_middle, coarse_bucket
from workflow.vocabulary import AgencyKind, CaseStatus, Role

Stage = tuple[str, str]
Target = tuple[int, str, str, datetime]  # a workflow's stage and the cutoff its target sets


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
    counts = {status.value: 0 for status in CaseStatus}
    for status, count in _rows(db, select(CaseTally.status, CaseTally.cases)):
        counts[CaseStatus(status).value] = int(count)
    return counts


def open_cases_by_stage(db: Session) -> dict[Stage, int]:
    """How many open cases stand in each state of each track."""
    statement = select(StageTally.track, StageTally.state, func.sum(StageTally.cases)).group_by(
        StageTally.track, StageTally.state
    )
    return {(track, state): int(count) for track, state, count in _rows(db, statement)}


def stage_times(db: Session) -> dict[Stage, StageTime]:
    """The median time spent in each state of each track, over every stay that has ended.

    The coarse buckets give each stage's count and the doubling its middle stays lie in; the
    fine buckets of that doubling alone then give the middle stays' durations."""
    coarse = select(StayTally.track, StayTally.state, StayTally.bucket, StayTally.stays).where(
        StayTally.level == COARSE
    )
    ordered = coarse.order_by(StayTally.track, StayTally.state, StayTally.bucket)
    middles = {stage: _middle(buckets) for stage, buckets in _by_stage(_rows(db, ordered)).items()}
    wanted = {(stage, bucket) for stage, middle in middles.items() for bucket, _ in middle.ranks}
    fine = select(StayTally.track, StayTally.state, StayTally.bucket, StayTally.stays).where(
        _any(_fine_of(*each) for each in sorted(wanted))
    )
    found = _by_stage(_rows(db, fine.order_by(StayTally.track, StayTally.state, StayTally.bucket)))
    times = {}
    for stage, middle in middles.items():
        seconds = [bucket_middle(_at_rank(found[stage], *each)) for each in middle.ranks]
        times[stage] = StageTime(timedelta(seconds=sum(seconds) / 2), middle.total)
    return times


class Middle(NamedTuple):
    """A stage's count of stays; the coarse bucket of each middle stay and its rank within it."""

    total: int
    ranks: list[tuple[int, int]]


def _by_stage(rows: Iterable[Any]) -> dict[Stage, list[tuple[int, int]]]:
    """(bucket, stays) per stage, in the order given."""
    stages: dict[Stage, list[tuple[int, int]]] = defaultdict(list)
    for track, state, bucket, stays in rows:
        stages[track, state].append((int(bucket), int(stays)))
    return stages


def _middle(buckets: list[tuple[int, int]]) -> Middle:
    """Where the middle stay lies, or the two middle ones: statistics.median takes their mean."""
    total = sum(stays for _bucket, stays in buckets)
    ranks = [_locate(buckets, rank) for rank in ((total - 1) // 2, total // 2)]
    return Middle(total, ranks)


def _locate(buckets: list[tuple[int, int]], rank: int) -> tuple[int, int]:
    """The bucket holding the stay of this rank (0: the shortest) and its rank within it."""
    for bucket, stays in buckets:
        if rank < stays:
            return bucket, rank
        rank -= stays
    raise ValueError("no stay of that rank")


def _at_rank(fine: list[tuple[int, int]], coarse: int, rank: int) -> int:
    """The fine bucket, within a coarse one, holding the stay of that rank within it."""
    return _locate([each for each in fine if coarse_bucket(each[0]) == coarse], rank)[0]


def _fine_of(stage: Stage, coarse: int) -> ColumnElement[bool]:
    # The level inside each term: SQLite then reads one key range per term.
    return and_(
        StayTally.level == FINE,
        StayTally.track == stage[0],
        StayTally.state == stage[1],
        StayTally.bucket >= coarse * FINE_PER_COARSE,
        StayTally.bucket < (coarse + 1) * FINE_PER_COARSE,
    )


def overdue_by_agency(db: Session, now: datetime) -> dict[AgencyKind, int]:
    """How many steps of open cases are past their target, per kind of agency they wait on."""
    tracks = {
        (record.id, track.name): track
        for record, definition in all_definitions(db)
        for track in definition.tracks
    }
    targets = [
        (workflow_id, track.name, state.name, now - timedelta(days=state.target_days))
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
    """(workflow, track, state, steps) past each target: whole days before the cutoff's day from
    the tallies, and the cutoff's own day from the track states it holds (an index range)."""
    days = select(
        StageTally.workflow_id, StageTally.track, StageTally.state, func.sum(StageTally.cases)
    ).where(_any(_before_day(target) for target in targets))
    # The workflow of each track state's case if it is open (NULL if not), looked up by key for
    # the few track states in range: a subquery, not a join, so that no plan walks every open case.
    workflow = (
        select(Case.workflow_id)
        .where(Case.id == TrackState.case_id, Case.status == CaseStatus.OPEN)
        .scalar_subquery()
    )
    same_day = select(workflow, TrackState.track, TrackState.state, func.count()).where(
        _any(_on_day(target, workflow) for target in targets)
    )
    found: list[tuple[int, str, str, int]] = []
    for statement in (
        days.group_by(*days.selected_columns[:3]),
        same_day.group_by(workflow, TrackState.track, TrackState.state),
    ):
        found += [(row[0], row[1], row[2], int(row[3])) for row in _rows(db, statement)]
    return found


def _before_day(target: Target) -> ColumnElement[bool]:
    workflow_id, track, state, cutoff = target
    return and_(
        StageTally.track == track,
        StageTally.state == state,
        StageTally.workflow_id == workflow_id,
        StageTally.entered_on < cutoff.astimezone(UTC).date(),
    )


def _on_day(target: Target, workflow: ColumnElement[int]) -> ColumnElement[bool]:
    workflow_id, track, state, cutoff = target
    midnight = datetime.combine(cutoff.astimezone(UTC).date(), time(), UTC)
    return and_(
        TrackState.track == track,
        TrackState.state == state,
        TrackState.since >= midnight,
        TrackState.since < cutoff,
        workflow == workflow_id,
    )


def _rows(db: Session, statement: Executable) -> Sequence[Row[*tuple[Any, ...]]]:
    """The statement's rows as plain tuples: aggregates need none of the ORM's bookkeeping."""
    return db.connection().execute(statement).all()


def _any(clauses: Iterable[ColumnElement[bool]]) -> ColumnElement[bool]:
    return or_(false(), *clauses)


def waiting_kinds(track: Track, state: str) -> set[AgencyKind]:
    """The agency kinds a step waits on; the lawyers' organisations when a lawyer can act."""
    kinds = track.waiting_on(state)
    if kinds:
        return kinds
    leaving = [p for t in track.transitions if state in t.from_ for p in t.performed_by]
    return {AgencyKind.NGO} if any(p.role is Role.LAWYER for p in leaving) else set()
