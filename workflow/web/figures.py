"""The dashboard's figures: counts, stage times and overdue steps, as aggregates only.

Nothing here reads a name or a case reference; every function returns plain numbers keyed by
the workflow's own words (track, state, agency kind). They read the tallies the operations keep
(`workflow.tallies`), not the cases and their history, so the page costs the same at any size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from workflow.models import CaseTally, StageTally, StayTally
from workflow.overdue import rows
from workflow.rules.catalogue import all_definitions
from workflow.tallies import COARSE, FINE, FINE_PER_COARSE, bucket_middle, coarse_bucket
from workflow.vocabulary import CaseStatus

Stage = tuple[str, str]
STAGE = (StageTally.workflow_id, StageTally.track, StageTally.state)
Buckets = list[tuple[int, int]]  # (bucket, stays), in the order of the buckets


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
    for status, count in rows(db, select(CaseTally.status, CaseTally.cases)):
        counts[CaseStatus(status).value] = int(count)
    return counts


def open_cases_by_stage(db: Session) -> dict[Stage, int]:
    """How many open cases stand in each state of each track."""
    statement = select(StageTally.track, StageTally.state, func.sum(StageTally.cases)).group_by(
        StageTally.track, StageTally.state
    )  # a few rows for each workflow
    return {(track, state): int(count) for track, state, count in rows(db, statement)}


def stage_times(db: Session) -> dict[Stage, StageTime]:
    """The median time spent in each state of each track, over every stay that has ended.

    The coarse buckets give each stage's count and the doubling its middle stays lie in; the
    fine buckets of that doubling alone then give the middle stays' durations."""
    columns = (StayTally.track, StayTally.state, StayTally.bucket, StayTally.stays)
    coarse = select(*columns).where(StayTally.level == COARSE).order_by(*columns[:3])
    middles = {stage: middle_of(buckets) for stage, buckets in _by_stage(rows(db, coarse)).items()}
    if not middles:
        return {}
    fine = _fine_buckets(db, middles)
    times = {}
    for stage, middle in middles.items():
        seconds = [
            bucket_middle(locate(fine[(*stage, coarse)], rank)[0]) for coarse, rank in middle.ranks
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
    for track, state, bucket, stays in rows(db, _fine_ranges(len(wanted)), parameters):
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


def middle_of(buckets: Buckets) -> Middle:
    """Where the middle stay lies, or the two middle ones: statistics.median takes their mean."""
    total = sum(stays for _bucket, stays in buckets)
    ranks = [locate(buckets, rank) for rank in ((total - 1) // 2, total // 2)]
    return Middle(total, ranks)


def locate(buckets: Buckets, rank: int) -> tuple[int, int]:
    """The bucket holding the stay of this rank (0: the shortest) and its rank within it."""
    for bucket, stays in buckets:
        if rank < stays:
            return bucket, rank
        rank -= stays
    raise ValueError("no stay of that rank")
