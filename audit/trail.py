"""Appending to the trail: one locked head row serialises appends on every backend."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from audit.chain import EVENT_FIELDS, canonical
from audit.models import AuditHead


@dataclass(frozen=True)
class Statements:
    """An append's three statements as one kind of database's driver takes them."""

    lock_head: str  # the head row, locked until the transaction ends, and the database's clock
    write_event: str
    move_head: str


# Sent on the driver's own connection, in its transaction: SQLAlchemy's execution of each cost
# more than the database's work for it, on every request.
STATEMENTS = {
    "sqlite": Statements(  # BEGIN IMMEDIATE has taken the write lock already
        "SELECT seq, hash, strftime('%Y-%m-%d %H:%M:%f', 'now') FROM audit_head WHERE id = 1",
        "INSERT INTO audit_events (seq, canonical, hash) VALUES (?, ?, ?)",
        "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1",
    ),
    "postgresql": Statements(
        "SELECT seq, hash, clock_timestamp() FROM audit_head WHERE id = 1 FOR UPDATE",
        "INSERT INTO audit_events (seq, canonical, hash) VALUES (%s, %s, %s)",
        "UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1",
    ),
}


def append(session: Session, **fields: Any) -> None:
    """Chain one event after the head, in the caller's transaction; flush, never commit."""
    append_many(session, [fields])


def append_many(session: Session, events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain events after the head, in order, in the caller's transaction; flush, never commit."""
    session.flush()  # the change's rows first, then the head: every writer locks in that order
    connection = session.connection()
    chained = chain(connection.connection.dbapi_connection, connection.dialect.name, events)
    held = session.identity_map.get(session.identity_key(AuditHead, 1))
    if held is not None:  # moved behind the session's back: read it again when next asked
        session.expire(held)
    return chained


def chain(driver: Any, dialect: str, events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain events after the head, in order, in the transaction of a driver's connection to a
    database of this kind (`dialect`); never commit.

    The head row stays locked until that transaction ends, so the time an append holds it is
    three statements (the lock with the clock, the events, the head) and the commit, however
    many events there are: several requests' events may share one (`audit.grouping`)."""
    sent = STATEMENTS[dialect]
    cursor = driver.cursor()
    try:
        locked = cursor.execute(sent.lock_head).fetchone()
        if locked is None:
            raise RuntimeError("the audit head row is missing: run `homeward db upgrade`")
        chained = linked(events, *locked)
        rows = [(event["seq"], text.decode(), event["hash"]) for event, text in chained]
        cursor.executemany(sent.write_event, rows)
        newest, _text = chained[-1]
        cursor.execute(sent.move_head, (newest["seq"], newest["hash"]))
    finally:
        cursor.close()
    return [event for event, _text in chained]


def linked(
    events: Sequence[dict[str, Any]], seq: int, previous: str, now: Any
) -> list[tuple[dict[str, Any], bytes]]:
    """Each event numbered and hashed after the head (`seq`, `previous`) at the database's
    moment `now`, with its canonical text."""
    chained = []
    for fields in events:
        event = {name: fields.get(name) for name in EVENT_FIELDS}
        event["detail"] = event["detail"] or {}
        seq += 1
        event |= {"seq": seq, "at": _utc(now), "prev_hash": previous}
        text = canonical(event)
        previous = event["hash"] = hashlib.sha256(text).hexdigest()
        chained.append((event, text))
    return chained


def database_now(session: Session) -> datetime:
    """The database's clock, in UTC to the microsecond, so every worker agrees on time."""
    return _utc(session.scalar(select(_clock(session))))


def _clock(session: Session) -> ColumnElement[Any]:
    return _clock_of(session.get_bind().dialect.name)


def _clock_of(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.clock_timestamp()
    return func.strftime("%Y-%m-%d %H:%M:%f", "now")


def _utc(now: Any) -> datetime:
    if isinstance(now, datetime):
        return now.astimezone(UTC)
    return datetime.fromisoformat(str(now)).replace(tzinfo=UTC)  # SQLite answers with text
