"""The dashboard's figures by month: cases completed, the median time to complete them and the
median stay in each stage, over the last twelve months (UTC).

They read `MonthStayTally` as `figures.stage_times` reads `StayTally`: the coarse rows of the
twelve months, one key range, then the fine rows of the doublings the middle stays lie in."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Date, Integer, Select, String, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from workflow.models import MonthStayTally
from workflow.overdue import rows
from workflow.tallies import COARSE, COMPLETION, FINE, FINE_PER_COARSE, bucket_middle, coarse_bucket
from workflow.web.figures import Buckets, Middle, Stage, StageTime, locate, middle_of

MONTHS = 12
RANGES_PER_READ = 50  # fine-bucket key ranges in one statement, well under any parser's limits
Key = tuple[date, str, str]  # month, track, state
Doubling = tuple[date, str, str, int]  # and the coarse bucket


class MonthFigures(NamedTuple):
    months: list[date]  # the first day of each, oldest first
    completed: dict[date, int]
    to_complete: dict[date, StageTime]  # the months with a case completed
    overall: StageTime | None  # time to complete over all twelve months
    stages: dict[Stage, dict[date, StageTime]]  # the months in which some stay ended


def last_months(now: datetime, count: int = MONTHS) -> list[date]:
    """The first days of this month and the `count - 1` before it, oldest first."""
    month = now.date().replace(day=1)
    months = [month]
    for _ in range(count - 1):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def month_figures(db: Session, now: datetime) -> MonthFigures:
    """Completions, time to complete and stays by stage, for each of the last twelve months."""
    months = last_months(now)
    coarse = _coarse(db, months[0], months[-1])
    middles = {key: middle_of(buckets) for key, buckets in coarse.items()}
    overall_buckets = _merged(b for (_, *stage), b in coarse.items() if tuple(stage) == COMPLETION)
    overall = middle_of(overall_buckets) if overall_buckets else None
    wanted = {(*key, bucket) for key, middle in middles.items() for bucket, _ in middle.ranks}
    if overall:
        wanted |= {(m, *COMPLETION, bucket) for m in months for bucket, _ in overall.ranks}
    fine = _fine(db, wanted)
    times = {key: _time(fine, key, middle) for key, middle in middles.items()}
    stages: dict[Stage, dict[date, StageTime]] = defaultdict(dict)
    for (month, *stage), time in times.items():
        stages[stage[0], stage[1]][month] = time
    to_complete = stages.pop(COMPLETION, {})
    return MonthFigures(
        months,
        {month: to_complete[month].steps if month in to_complete else 0 for month in months},
        to_complete,
        _overall_time(fine, months, overall) if overall else None,
        dict(stages),
    )


def _coarse(db: Session, first: date, last: date) -> dict[Key, Buckets]:
    """The coarse buckets of every stage and month from `first` to `last`, in bucket order."""
    columns = (MonthStayTally.month, MonthStayTally.track, MonthStayTally.state)
    statement = (
        select(*columns, MonthStayTally.bucket, MonthStayTally.stays)
        .where(MonthStayTally.level == COARSE)
        .where(MonthStayTally.month >= first, MonthStayTally.month <= last)
        .order_by(*columns, MonthStayTally.bucket)
    )
    found: dict[Key, Buckets] = defaultdict(list)
    for month, track, state, bucket, stays in rows(db, statement):
        found[month, track, state].append((bucket, stays))
    return found


def _fine(db: Session, wanted: set[Doubling]) -> dict[Doubling, Buckets]:
    """The fine buckets of each doubling wanted, read a few dozen key ranges at a time."""
    ordered, found = sorted(wanted), defaultdict(list)
    for start in range(0, len(ordered), RANGES_PER_READ):
        chunk = ordered[start : start + RANGES_PER_READ]
        parameters = {
            f"{name}_{number}": value
            for number, (month, track, state, coarse) in enumerate(chunk)
            for name, value in (
                ("month", month),
                ("track", track),
                ("state", state),
                ("low", coarse * FINE_PER_COARSE),
                ("high", (coarse + 1) * FINE_PER_COARSE),
            )
        }
        for month, track, state, bucket, stays in rows(db, _fine_ranges(len(chunk)), parameters):
            found[month, track, state, coarse_bucket(bucket)].append((bucket, stays))
    return found


@cache
def _fine_ranges(count: int) -> Select[date, str, str, int, int]:
    """Fine buckets in `count` key ranges named by month_n, track_n, state_n, low_n and high_n:
    built once for each count, and so compiled once."""
    tally = MonthStayTally
    ranges = (
        and_(
            tally.level == FINE,
            tally.month == bindparam(f"month_{n}", type_=Date),
            tally.track == bindparam(f"track_{n}", type_=String),
            tally.state == bindparam(f"state_{n}", type_=String),
            tally.bucket >= bindparam(f"low_{n}", type_=Integer),
            tally.bucket < bindparam(f"high_{n}", type_=Integer),
        )
        for n in range(count)
    )
    columns = (tally.month, tally.track, tally.state, tally.bucket, tally.stays)
    return select(*columns).where(or_(*ranges)).order_by(*columns[:4])


def _time(fine: dict[Doubling, Buckets], key: Key, middle: Middle) -> StageTime:
    seconds = [bucket_middle(locate(fine[(*key, c)], rank)[0]) for c, rank in middle.ranks]
    return StageTime(timedelta(seconds=sum(seconds) / 2), middle.total)


def _overall_time(fine: dict[Doubling, Buckets], months: list[date], middle: Middle) -> StageTime:
    """The median time to complete over every month, from the months' fine buckets merged."""
    seconds = [
        bucket_middle(locate(_merged(fine.get((m, *COMPLETION, c), []) for m in months), r)[0])
        for c, r in middle.ranks
    ]
    return StageTime(timedelta(seconds=sum(seconds) / 2), middle.total)


def _merged(parts: Any) -> Buckets:
    """Buckets of several months added together, in bucket order."""
    total: Counter[int] = Counter()
    for buckets in parts:
        for bucket, stays in buckets:
            total[bucket] += stays
    return sorted(total.items())
