"""Reading the trail straight from the database in tests, and writing long trails quickly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from audit.chain import event_hash
from audit.models import AuditCheckpoint, AuditEvent, AuditHead
from workflow import transactions


def events(app: Any) -> list[AuditEvent]:
    """Every event, in sequence order."""
    with app.app_context():
        session = transactions.session()
        found = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        session.expunge_all()
        return found


def last_event(app: Any) -> AuditEvent:
    return events(app)[-1]


def event_of(app: Any, response: TestResponse) -> AuditEvent:
    """The event the trail recorded for this very request, found by its X-Request-Id: how a
    page's refusal is told apart. The trail's latest event would do only while every request
    leaves one."""
    request_id = response.headers.get("X-Request-Id")
    assert request_id, "the response names no request"
    with app.app_context():
        found = transactions.session().scalars(
            select(AuditEvent).where(AuditEvent.request_id == request_id)
        )
        recorded = list(found)
    assert len(recorded) == 1, (request_id, recorded)
    return recorded[0]


def outcome_of(app: Any, response: TestResponse) -> str:
    """The outcome the trail recorded for this very request."""
    return event_of(app, response).outcome


def fill(app: Any, events: int, detail: dict[str, Any] | None = None) -> int:
    """Append `events` synthetic events straight into the tables, chained as `append` would,
    and move the head to the last: a long trail in a fraction of the time requests take."""
    with app.app_context(), transactions.unit_of_work() as session:
        head = session.get(AuditHead, 1)
        assert head is not None
        seq, previous = head.seq, head.hash
        rows = []
        for _ in range(events):
            seq += 1
            row = synthetic(seq, previous, detail)
            previous = row["hash"] = event_hash(row)
            rows.append(row)
        if rows:
            session.execute(insert(AuditEvent), rows)
        head.seq, head.hash = seq, previous
    return seq


def synthetic(seq: int, prev_hash: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """An event's fields as a case read writes them, varied by its sequence number."""
    return {
        "seq": seq,
        "at": datetime(2026, 3, 14, 9, 0, tzinfo=UTC) + timedelta(seconds=seq, microseconds=seq),
        "actor_id": uuid.UUID(int=seq % 7 + 1),
        "username": f"lawyer{seq % 3}",
        "role": "lawyer",
        "agency_id": uuid.UUID(int=99) if seq % 5 else None,
        "agency_kind": "ngo",
        "action": "case.list" if seq % 2 else "case.read",
        "object_type": "case",
        "object_id": str(uuid.UUID(int=seq)),
        "case_id": uuid.UUID(int=seq) if seq % 2 == 0 else None,
        "case_reference": "HW-7KQ2-M9XD-4TRB",
        "detail": detail if detail is not None else {"returned": seq % 4, "filters": ["q"]},
        "client_address": "203.0.113.7",
        "request_id": f"req-{seq}",
        "outcome": "success",
        "purpose": None,
        "prev_hash": prev_hash,
    }


@contextmanager
def trail_in_memory() -> Iterator[Session]:
    """A session on the audit tables alone, in an in-memory SQLite database: for the unit tests
    of the trail's walk and verification."""
    engine = create_engine("sqlite://")
    tables = [AuditEvent.__table__, AuditHead.__table__, AuditCheckpoint.__table__]
    AuditEvent.metadata.create_all(engine, tables=tables)
    with Session(engine) as session:
        yield session
    engine.dispose()
