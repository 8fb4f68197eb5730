"""Reading the trail straight from the database in tests, and writing long trails quickly."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    Table,
    create_engine,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from audit import stored
from audit.chain import canonical, event_hash
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
            insert_events(session, rows)
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


def columns_generated(connection: Connection) -> bool:
    """Whether the events' columns are generated from their text, as migrations make them."""
    if connection.dialect.name == "postgresql":
        query = (
            "SELECT count(*) FROM pg_attribute"
            " WHERE attrelid = 'audit_events'::regclass AND attgenerated = 's'"
        )
    else:
        query = "SELECT count(*) FROM pragma_table_xinfo('audit_events') WHERE hidden IN (2, 3)"
    return bool(connection.scalar(text(query)))


def insert_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write events with the hashes they carry: as their canonical text where the columns are
    derived from it, as plain columns where the table has them (as before migration 0024)."""
    if columns_generated(session.connection()):
        rows = [
            {"seq": row["seq"], "canonical": canonical(row).decode(), "hash": row["hash"]}
            for row in rows
        ]
    session.execute(insert(AuditEvent.__table__), rows)


def plain_columns(connection: Connection) -> None:
    """Rebuild the events table with plain columns, as before migration 0024 or as someone with
    the owner's rights could: each column may then differ from the text the hash covers."""
    if not columns_generated(connection):
        return
    if connection.dialect.name == "postgresql":
        for name in stored.DERIVED:
            connection.execute(text(f"ALTER TABLE audit_events ALTER {name} DROP EXPRESSION"))
        return
    connection.execute(text("CREATE TABLE plain AS SELECT * FROM audit_events"))
    connection.execute(text("DROP TABLE audit_events"))
    connection.execute(text("ALTER TABLE plain RENAME TO audit_events"))


def store_otherwise(connection: Connection) -> int:
    """Store values in another form with the same meaning, as an older version wrote `detail`
    (spaced, keys unsorted, non-ASCII escaped): the hash still holds, the rebuilt bytes do not.
    Only plain columns can hold them (a table as before migration 0024, or rebuilt so)."""
    plain_columns(connection)
    rows = connection.execute(select(AuditEvent.seq, AuditEvent.detail).order_by(AuditEvent.seq))
    for seq, detail in rows.all()[1:3]:
        spaced = json.dumps(dict(reversed(list(detail.items()))))
        connection.execute(
            text("UPDATE audit_events SET detail = :d WHERE seq = :s"), {"d": spaced, "s": seq}
        )
    if connection.dialect.name != "sqlite":
        return 2
    # SQLite stores UUIDs and times as text, which reads back the same in other forms too.
    connection.execute(text("UPDATE audit_events SET actor_id = upper(actor_id) WHERE seq = 4"))
    connection.execute(text("UPDATE audit_events SET at = replace(at, ' ', 'T') WHERE seq = 1"))
    return 4


def change_event(connection: Connection, seq: int, /, **changes: Any) -> int:
    """Change fields of event `seq` where they are kept: `seq` and `hash` in their columns, every
    other field in the stored text (the columns derived from it follow), or in its own column
    where the table has plain columns. How many rows changed."""
    table = AuditEvent.__table__
    if columns_generated(connection):
        kept = {name: changes.pop(name) for name in ("seq", "hash") if name in changes}
        if changes:
            found = connection.execute(select(table).where(table.c.seq == seq)).mappings()
            kept["canonical"] = canonical({**found.one(), **changes}).decode()
        changes = kept
    return int(connection.execute(update(table).where(table.c.seq == seq).values(changes)).rowcount)


@contextmanager
def trail_in_memory(derived: bool = True) -> Iterator[Session]:
    """A session on the audit tables alone, in an in-memory SQLite database: for the unit tests
    of the trail's walk and verification. The events table is the one migrations make, or with
    `derived` false a table of plain columns, as before migration 0024."""
    engine = create_engine("sqlite://")
    AuditEvent.metadata.create_all(engine, tables=[AuditHead.__table__, AuditCheckpoint.__table__])
    with Session(engine) as session:
        if derived:
            session.execute(text(stored.create_table("sqlite")))
        else:
            plain = Table(
                stored.TABLE,
                MetaData(),
                *(
                    Column(c.name, c.type, primary_key=c.primary_key)
                    for c in AuditEvent.__table__.c
                    if c.name != "canonical"  # before migration 0024, events kept no text
                ),
            )
            plain.create(session.connection())
        yield session
    engine.dispose()
