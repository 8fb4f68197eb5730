"""Appending to the trail: one locked head row serialises appends on every backend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from audit.chain import EVENT_FIELDS, event_hash
from audit.models import AuditEvent, AuditHead


def append(session: Session, **fields: Any) -> AuditEvent:
    """Chain one event after the head, in the caller's transaction; flush, never commit."""
    head = session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        raise RuntimeError("the audit head row is missing: run `homeward db upgrade`")
    values = {name: fields.get(name) for name in EVENT_FIELDS}
    values["detail"] = values["detail"] or {}
    values.update(seq=head.seq + 1, at=database_now(session), prev_hash=head.hash)
    event = AuditEvent(**values, hash=event_hash(values))
    session.add(event)
    head.seq, head.hash = event.seq, event.hash
    session.flush()
    return event


def database_now(session: Session) -> datetime:
    """The database's clock, in UTC to the microsecond, so every worker agrees on time."""
    if session.get_bind().dialect.name == "postgresql":
        now = session.scalar(text("SELECT clock_timestamp()"))
    else:
        raw = session.scalar(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')"))
        now = datetime.fromisoformat(str(raw)).replace(tzinfo=UTC)
    assert isinstance(now, datetime)
    return now.astimezone(UTC)
