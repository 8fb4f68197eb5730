"""Appending to the trail: one locked head row serialises appends on every backend."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from audit.chain import EVENT_FIELDS, canonical
from audit.models import AuditEvent, AuditHead
from workflow.db import Base

# Plain table statements, built once and sent on the session's connection: the ORM's bulk
# insert and its synchronised update cost more than the database's work for every request.
_WRITE_EVENTS = insert(Base.metadata.tables[AuditEvent.__tablename__])
_MOVE_HEAD = (
    update(Base.metadata.tables[AuditHead.__tablename__])
    .where(AuditHead.id == 1)
    .values(seq=bindparam("head_seq"), hash=bindparam("head_hash"))
)


def append(session: Session, **fields: Any) -> None:
    """Chain one event after the head, in the caller's transaction; flush, never commit."""
    append_many(session, [fields])


def append_many(session: Session, events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain events after the head, in order, in the caller's transaction; flush, never commit."""
    session.flush()  # the change's rows first, then the head: every writer locks in that order
    chained = chain(session.connection(), events)
    held = session.identity_map.get(session.identity_key(AuditHead, 1))
    if held is not None:  # moved behind the session's back: read it again when next asked
        session.expire(held)
    return chained


def chain(connection: Connection, events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain events after the head, in order, in the connection's transaction; never commit.

    The head row stays locked until that transaction ends, so the time an append holds it is
    three statements (the lock with the clock, the events, the head) and the commit, however
    many events there are: several requests' events may share one (`audit.grouping`)."""
    locked = connection.execute(_locking_head(connection.dialect.name)).first()
    if locked is None:
        raise RuntimeError("the audit head row is missing: run `homeward db upgrade`")
    seq, previous, now = locked
    chained, rows = [], []
    for fields in events:
        values = {name: fields.get(name) for name in EVENT_FIELDS}
        values["detail"] = values["detail"] or {}
        seq, values = seq + 1, {**values, "seq": seq + 1, "at": _utc(now), "prev_hash": previous}
        encoded = canonical(values)
        previous = values["hash"] = hashlib.sha256(encoded).hexdigest()
        chained.append(values)
        rows.append({"seq": seq, "canonical": encoded.decode(), "hash": previous})
    connection.execute(_WRITE_EVENTS, rows if len(rows) > 1 else rows[0])  # one: no executemany
    connection.execute(_MOVE_HEAD, {"head_seq": seq, "head_hash": previous})
    return chained


@cache
def _locking_head(dialect: str) -> Select[tuple[int, str, Any]]:
    """The head row, locked, with the database's clock: built once per kind of database."""
    return (
        select(AuditHead.seq, AuditHead.hash, _clock_of(dialect))
        .where(AuditHead.id == 1)
        .with_for_update()
    )


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
