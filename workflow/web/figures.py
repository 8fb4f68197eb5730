"""The dashboard's figures: counts, stage times and overdue steps, as aggregates only.

Nothing here reads a name or a case reference; every function returns plain numbers keyed by
the workflow's own words (track, state, agency kind). They read the tallies the operations keep
(`workflow.tallies`), not the cases and their history, so the page costs the same at any size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    Date,
    Executable,
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from workflow.db import UTCDateTime
from workflow.models import Case, CaseTally, StageDayTally, StageTally, StayTally, TrackState
from workflow.rules.catalogue import all_definitions
from workflow.rules.definition import Track
from workflow.tallies import COARSE, FINE, FINE_PER_COARSE, bucket_middle, coarse_bucket
from workflow.vocabulary import AgencyKind, CaseStatus, Role

Stage = tuple[str, str]
STAGE = (StageTally.workflow_id, StageTally.track, StageTally.state)
Target = tuple[int, str, str, datetime]  # a workflow's stage and the cutoff its target sets
Buckets = list[tuple[int, int]]  # (bucket, stays), in the order of the buckets
DAY, HALF_A_DAY = timedelta(days=1), timedelta(hours=12)
KEYS_PER_READ = 500  # case ids in one look-up, well under every backend's parameter limit


class StageTime(NamedTuple):
    median: timedelta
    steps: int


class Middle(NamedTuple):
    """A stage's count of stays; the coarse bucket of each middle stay and its rank within it."""

    total: int
    ranks: list[tuple[int, int]]


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
    )  # a few rows for each workflow
    return {(track, state): int(count) for track, state, count in _rows(db, statement)}


def stage_times(db: Session) -> dict[Stage, StageTime]:
    """The median time spent in each state of each track, over every stay that has ended.

    The coarse buckets give each stage's count and the doubling its middle stays lie in; the
    fine buckets of that doubling alone then give the middle stays' durations."""
    columns = (StayTally.track, StayTally.state, StayTally.bucket, StayTally.stays)
    coarse = select(*columns).where(StayTally.level == COARSE).order_by(*columns[:3])
    middles = {stage: _middle(buckets) for stage, buckets in _by_stage(_rows(db, coarse)).items()}
    if not middles:
        return {}
    fine = _fine_buckets(db, middles)
    times = {}
    for stage, middle in middles.items():
        seconds = [
            bucket_middle(_locate(fine[(*stage, coarse)], rank)[0]) for coarse, rank in middle.ranks
        ]
        times[stage] = StageTime(timedelta(seconds=sum(seconds) / 2), middle.total)
    return times


def _fine_buckets(db: Session, middles: dict[Stage, Middle]) -> dict[tuple[str, str, int], Buckets]:
    """The fine buckets of the doublings the middle stays lie in, each read as a key range, by
    stage and doubling."""
    wanted = {(*stage, bucket) for stage, middle in middles.items() for bucket, _ in middle.ranks}
    parameters = {
        f"{name}_{number}": value
        for number, (track, state, coarse) in enumerate(sorted(wanted))
        for name, value in (
            ("track", track),
            ("state", state),
            ("low", coarse * FINE_PER_COARSE),
            ("high", (coarse + 1) * FINE_PER_COARSE),
        )
    }
    doublings: dict[tuple[str, str, int], Buckets] = defaultdict(list)
    for track, state, bucket, stays in _rows(db, _fine_ranges(len(wanted)), parameters):
        doublings[track, state, coarse_bucket(bucket)].append((bucket, stays))
    return doublings


@cache
def _fine_ranges(count: int) -> Select[str, str, int, int]:
    """Fine buckets in `count` key ranges, each named by parameters track_n, state_n, low_n and
    high_n: built once for each count, and so compiled once, not on every page."""
    ranges = (
        and_(
            StayTally.level == FINE,
            StayTally.track == bindparam(f"track_{number}", type_=String),
            StayTally.state == bindparam(f"state_{number}", type_=String),
            StayTally.bucket >= bindparam(f"low_{number}", type_=Integer),
            StayTally.bucket < bindparam(f"high_{number}", type_=Integer),
        )
        for number in range(count)
    )
    columns = (StayTally.track, StayTally.state, StayTally.bucket, StayTally.stays)
    return select(*columns).where(or_(*ranges)).order_by(*columns[:3])


def _by_stage(rows: Iterable[Any]) -> dict[Stage, Buckets]:
    """(bucket, stays) per stage, in the order given."""
    stages: dict[Stage, Buckets] = defaultdict(list)
    for track, state, bucket, stays in rows:
        stages[track, state].append((bucket, stays))
    return stages


def _middle(buckets: Buckets) -> Middle:
    """Where the middle stay lies, or the two middle ones: statistics.median takes their mean."""
    total = sum(stays for _bucket, stays in buckets)
    ranks = [_locate(buckets, rank) for rank in ((total - 1) // 2, total // 2)]
    return Middle(total, ranks)


def _locate(buckets: Buckets, rank: int) -> tuple[int, int]:
    """The bucket holding the stay of this rank (0: the shortest) and its rank within it."""
    for bucket, stays in buckets:
        if rank < stays:
            return bucket, rank
        rank -= stays
    raise ValueError("no stay of that rank")


def overdue_by_agency(db: Session, now: datetime) -> dict[AgencyKind, int]:
    """How many steps of open cases are past their target, per kind of agency they wait on."""
    tracks = {
        (record.id, track.name): track
        for record, definition in all_definitions(db)
        for track in definition.tracks
    }
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
    overdue = {(row[0], row[1], row[2]): int(row[3]) for row in _rows(db, open_cases)}
    since_day, entered_between = _overdue_statements(len(targets))
    for workflow_id, track, state, count in _rows(db, since_day, parameters):
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
    entered = _rows(db, entered_between, parameters)
    workflows = _open_workflows(db, {case_id for case_id, *_ in entered})
    for case_id, track, state, since in entered:
        if case_id not in workflows:
            continue  # closed or complete: counted in no stage
        stage = (workflows[case_id], track, state)
        if stage in near and near[stage][1] <= since < near[stage][2]:
            yield stage


def _open_workflows(db: Session, case_ids: set[Any]) -> dict[Any, int]:
    """The workflow of each of these cases that is open, read by primary key."""
    workflows: dict[Any, int] = {}
    ordered = sorted(case_ids)
    for start in range(0, len(ordered), KEYS_PER_READ):
        chunk = ordered[start : start + KEYS_PER_READ]
        statement = select(Case.id, Case.workflow_id).where(
            Case.id.in_(chunk), Case.status == CaseStatus.OPEN
        )
        workflows.update((case_id, int(workflow)) for case_id, workflow in _rows(db, statement))
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
    # by key afterwards (`_open_workflows`), for the few rows found.
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


def _rows(
    db: Session, statement: Executable, parameters: dict[str, Any] | None = None
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The statement's rows as plain tuples: aggregates need none of the ORM's bookkeeping."""
    return db.connection().execute(statement, parameters).all()


def waiting_kinds(track: Track, state: str) -> set[AgencyKind]:
    """The agency kinds a step waits on; the lawyers' organisations when a lawyer can act."""
    kinds = track.waiting_on(state)
    if kinds:
        return kinds
    leaving = [p for t in track.transitions if state in t.from_ for p in t.performed_by]
    return {AgencyKind.NGO} if any(p.role is Role.LAWYER for p in leaving) else set()
