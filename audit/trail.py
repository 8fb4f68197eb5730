"""Appending to the trail: one locked head row serialises appends on every backend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from audit.chain import EVENT_FIELDS, event_hash
from audit.models import AuditEvent, AuditHead


def append(session: Session, **fields: Any) -> AuditEvent:
    """Chain one event after the head, in the caller's transaction; flush, never commit.

    The head row stays locked until that transaction ends, so the time an append holds it is
    three statements (the lock with the clock, the event, the head) and the commit."""
    locked = session.execute(
        select(AuditHead.seq, AuditHead.hash, _clock(session))
        .where(AuditHead.id == 1)
        .with_for_update()
    ).first()
    if locked is None:
        raise RuntimeError("the audit head row is missing: run `homeward db upgrade`")
    seq, previous, now = locked
    values = {name: fields.get(name) for name in EVENT_FIELDS}
    values["detail"] = values["detail"] or {}
    values.update(seq=seq + 1, at=_utc(now), prev_hash=previous)
    event = AuditEvent(**values, hash=event_hash(values))
    session.add(event)
    session.flush()
    session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=event.seq, hash=event.hash)
    )
    return event


def database_now(session: Session) -> datetime:
    """The database's clock, in UTC to the microsecond, so every worker agrees on time."""
    return _utc(session.scalar(select(_clock(session))))


def _clock(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return func.clock_timestamp()
    return func.strftime("%Y-%m-%d %H:%M:%f", "now")


def _utc(now: Any) -> datetime:
    if isinstance(now, datetime):
        return now.astimezone(UTC)
    return datetime.fromisoformat(str(now)).replace(tzinfo=UTC)  # SQLite answers with text
