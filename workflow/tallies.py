"""The dashboard's tallies, kept by the operations in the transaction that changes a case.

Four small tables stand in for reading every case and every step: how many cases have each
status; how many open cases stand in each state of each track, in all and by the day (UTC) they
entered it; and how many ended stays in each state lasted a duration within each bucket. An
operation takes the case's `Standing` before it changes it and notes the step after; every count
moves by a difference (`cases = cases + 1`), so two transactions never overwrite each other's
counts, and the tallies commit with the change or not at all.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from math import floor, log2
from typing import Any, NamedTuple

from sqlalchemy import (
    ClauseElement,
    Column,
    Connection,
    Dialect,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workflow.db import Base
from workflow.driver_statements import (
    DriverStatement,
    driver_cursor,
    for_driver,
    parameters_in,
)
from workflow.models import (
    Case,
    CaseTally,
    MonthStayTally,
    StageDayTally,
    StageTally,
    StayTally,
    TrackState,
    TransitionRecord,
)
from workflow.vocabulary import CaseStatus

# A stay is counted in a fine bucket 2^(1/64) wide, about 1.1%, whose middle is within 0.55% of
# every stay in it, and in the coarse bucket of its doubling, which holds 64 fine ones. Changing
# this needs a migration that derives the stay tallies again.
FINE_PER_COARSE = 64
COARSE, FINE = 0, 1  # the levels of `StayTally`

MonthKey = tuple[int, date, str, str, int]  # level, month, track, state, bucket
StageKey = tuple[str, str, int, date]  # track, state, workflow, entry day: `StageDayTally`'s key
# The track and state under which `MonthStayTally` counts a completed case's time from its opening.
COMPLETION = ("", "")


class Standing(NamedTuple):
    """Where a case counts: its status, and if it is open, each track's state and entry day."""

    status: CaseStatus | None
    stages: Counter[StageKey]


NOWHERE = Standing(None, Counter())


class Step(NamedTuple):
    """One recorded step, as much of it as the stay it ends needs."""

    case_id: uuid.UUID
    track: str
    from_state: str
    at: datetime
    case_opened: datetime


def stay_bucket(seconds: float) -> int:
    """The fine bucket of a stay: 0 under a second, then 64 buckets to each doubling from 1 s."""
    return 0 if seconds < 1 else FINE_PER_COARSE + floor(FINE_PER_COARSE * log2(seconds))


def coarse_bucket(fine: int) -> int:
    """The doubling a fine bucket lies in: 0 under a second, n from 2^(n-1) to 2^n seconds."""
    return fine // FINE_PER_COARSE


def bucket_middle(fine: int) -> float:
    """The duration, in seconds, that stands for every stay in a fine bucket."""
    if fine < FINE_PER_COARSE:
        return 0.5
    return float(2 ** ((fine - FINE_PER_COARSE + 0.5) / FINE_PER_COARSE))


def stay_keys(track: str, state: str, seconds: float) -> list[tuple[int, str, str, int]]:
    """The two `StayTally` keys one stay counts under."""
    fine = stay_bucket(seconds)
    return [(COARSE, track, state, coarse_bucket(fine)), (FINE, track, state, fine)]


def month_keys(at: datetime, track: str, state: str, seconds: float) -> list[MonthKey]:
    """The two `MonthStayTally` keys a stay ended at `at` counts under."""
    month = entry_day(at).replace(day=1)
    return [
        (level, month, track, state, bucket)
        for level, *_, bucket in stay_keys(track, state, seconds)
    ]


def entry_day(since: datetime) -> date:
    """The day (UTC) a track entered its state; a naive time is UTC, as SQLite returns it."""
    return (since if since.tzinfo else since.replace(tzinfo=UTC)).astimezone(UTC).date()


def standing(case: Case) -> Standing:
    """Where the case counts now."""
    if case.status is not CaseStatus.OPEN:
        return Standing(case.status, Counter())
    stages = Counter(
        (track.track, track.state, case.workflow_id, entry_day(track.since))
        for track in case.tracks
    )
    return Standing(case.status, stages)


def note_step(db: Session, case: Case, record: TransitionRecord, before: Standing) -> None:
    """Count the stay the recorded step ended, and move the case to where it counts now."""
    # A bare read, not through the ORM: the step is flushed already, and this costs less.
    entered = db.connection().scalar(
        _ENTERED, {"case": case.id, "track": record.track, "record": record.id}
    )
    # Two clocks can disagree by a moment; a stay is never shorter than nothing.
    seconds = max(0.0, (record.at - (entered or case.created_at)).total_seconds())
    _add(db.connection(), StayTally, Counter(stay_keys(record.track, record.from_state, seconds)))
    months = Counter(month_keys(record.at, record.track, record.from_state, seconds))
    if before.status is CaseStatus.OPEN and case.completed_at == record.at:
        months.update(completion_keys(case.created_at, record.at))
    _add(db.connection(), MonthStayTally, months)
    note_change(db, before, standing(case))


# Built once, as every step asks it: when the stay the step ended began, if a step began it.
# The newest earlier step of the track, read from the end of its index: one or two entries,
# however many steps the track has taken.
_ENTERED = (
    select(TransitionRecord.at)
    .where(
        TransitionRecord.case_id == bindparam("case"),
        TransitionRecord.track == bindparam("track"),
        TransitionRecord.id < bindparam("record"),
    )
    .order_by(TransitionRecord.at.desc())
    .limit(1)
)


def completion_keys(opened: datetime, completed: datetime) -> list[MonthKey]:
    """The keys a case completed at `completed` counts under, with the time it took."""
    return month_keys(completed, *COMPLETION, max(0.0, (completed - opened).total_seconds()))


def note_change(db: Session, before: Standing, after: Standing) -> None:
    """Move the counts from where a case counted to where it counts now."""
    statuses: Counter[tuple[CaseStatus]] = Counter()
    if before.status is not after.status:
        statuses.update({(after.status,): 1} if after.status else {})
        statuses.update({(before.status,): -1} if before.status else {})
    days = Counter(after.stages)
    days.subtract(before.stages)
    connection = db.connection()
    _add(connection, CaseTally, statuses)
    _add(connection, StageTally, all_days(days))
    _add(connection, StageDayTally, days)


def all_days(days: Counter[StageKey]) -> Counter[tuple[str, str, int]]:
    """Counts by track, state and workflow, from counts by entry day too."""
    stages: Counter[tuple[str, str, int]] = Counter()
    for (track, state, workflow_id, _day), count in days.items():
        stages[track, state, workflow_id] += count
    return stages


def ended_stays(steps: Iterable[Step]) -> Iterator[tuple[str, str, float]]:
    """(track, state, seconds) of each stay a step ended, from steps sorted by case, track and
    time: from the previous step on the same case and track, or from the case's opening."""
    for _at, track, state, seconds in dated_stays(steps):
        yield track, state, seconds


def dated_stays(steps: Iterable[Step]) -> Iterator[tuple[datetime, str, str, float]]:
    """(end, track, state, seconds) of each stay a step ended, as `ended_stays`."""
    current: tuple[uuid.UUID, str] | None = None
    entered = datetime.min
    for step in steps:
        if (step.case_id, step.track) != current:
            current, entered = (step.case_id, step.track), step.case_opened
        yield step.at, step.track, step.from_state, max(0.0, (step.at - entered).total_seconds())
        entered = step.at


def derive(connection: Connection) -> None:
    """Replace every tally with counts derived from the cases, their tracks and their history."""
    for tally in (CaseTally, StageTally, StageDayTally, StayTally, MonthStayTally):
        connection.execute(delete(tally))
    statuses = select(Case.status, func.count()).group_by(Case.status)
    _insert(
        connection, CaseTally, Counter({(status,): n for status, n in connection.execute(statuses)})
    )
    tracks = (
        select(TrackState.track, TrackState.state, Case.workflow_id, TrackState.since)
        .join(Case, Case.id == TrackState.case_id)
        .where(Case.status == CaseStatus.OPEN)
    )
    days: Counter[StageKey] = Counter(
        (track, state, workflow_id, entry_day(since))
        for track, state, workflow_id, since in connection.execute(tracks)
    )
    _insert(connection, StageTally, all_days(days))
    _insert(connection, StageDayTally, days)
    steps = (
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
        .execution_options(yield_per=5_000)
    )
    stays: Counter[tuple[int, str, str, int]] = Counter()
    months: Counter[MonthKey] = Counter(completed_months(connection))
    for at, track, state, seconds in dated_stays(Step(*row) for row in connection.execute(steps)):
        stays.update(stay_keys(track, state, seconds))
        months.update(month_keys(at, track, state, seconds))
    _insert(connection, StayTally, stays)
    _insert(connection, MonthStayTally, months)


def completed_months(connection: Connection) -> Iterator[MonthKey]:
    """The month keys of every completed case's time from its opening to its completion."""
    completed = select(Case.created_at, Case.completed_at).where(Case.completed_at.is_not(None))
    for opened, at in connection.execute(completed):
        yield from completion_keys(opened, at) if at else ()


def _insert(connection: Connection, tally: type[Base], counts: Counter[Any]) -> None:
    """Write counts into an empty tally."""
    table = Base.metadata.tables[tally.__tablename__]
    keys, count = _columns(table)
    rows = [{**dict(zip(keys, key, strict=True)), count.name: n} for key, n in counts.items()]
    if rows:
        connection.execute(insert(table), rows)


@cache
def _columns(table: Table) -> tuple[list[str], Column[Any]]:
    """A tally's key columns and its count, worked out once for each table."""
    keys = [column.name for column in table.primary_key.columns]
    (count,) = (column for column in table.columns if column.name not in keys)
    return keys, count


def _add(connection: Connection, tally: type[Base], deltas: Mapping[tuple[Any, ...], int]) -> None:
    """Add each delta to the count under its key; a count that reaches nothing is removed.

    Keys are written in order, so two transactions lock the same rows in the same order. Sent
    on the driver's own connection, in the transaction's: through SQLAlchemy, the five tallies
    a step moves cost a sixth of the step."""
    sent = _statements(connection.dialect, tally.__tablename__)
    changes = sorted((key, delta) for key, delta in deltas.items() if delta)
    if not changes:
        return
    rows = [sent.add.in_order((*key, delta)) for key, delta in changes]
    cursor = driver_cursor(connection)
    try:
        cursor.executemany(sent.add.text, rows)
        # Only a count moved down can have reached nothing: a count is never below it.
        lowered = [row[:-1] for row in rows if row[-1] < 0]
        if lowered:
            cursor.executemany(sent.remove_emptied.text, lowered)
    finally:
        cursor.close()


@dataclass(frozen=True)
class TallyStatements:
    """A tally's two statements as one kind of database's driver takes them, with how their
    values are stored there (a day as text on SQLite, a status as its value)."""

    add: DriverStatement  # add to the count under a key, or start it: the key, then the count
    remove_emptied: DriverStatement  # remove the row under a key if its count is nothing


_STATEMENTS: dict[tuple[str, str], TallyStatements] = {}


def _statements(dialect: Dialect, name: str) -> TallyStatements:
    """The statements of the tally `name`, compiled once for each kind of database, their
    parameters in the order of the key's columns, then the count."""
    found = _STATEMENTS.get((dialect.name, name))
    if found is None:
        table = Base.metadata.tables[name]
        keys, count = _columns(table)
        order = [*keys, count.name]
        statement = (postgresql if dialect.name == "postgresql" else sqlite).insert(table)
        add = statement.on_conflict_do_update(
            index_elements=keys, set_={count.name: count + statement.excluded[count.name]}
        )
        emptied = delete(table).where(
            *(table.c[key] == bindparam(key) for key in keys), count == literal_column("0")
        )
        found = _STATEMENTS[dialect.name, name] = TallyStatements(
            add=_taking(
                add.values({column: bindparam(column) for column in order}), dialect, order
            ),
            remove_emptied=_taking(emptied, dialect, keys),
        )
    return found


def _taking(statement: ClauseElement, dialect: Dialect, order: list[str]) -> DriverStatement:
    """The statement for the driver, checked to take its parameters by position in `order`."""
    return parameters_in(for_driver(statement, dialect), order)
