"""Migration 0024 stores each event as the text its hash covers and derives every other column
from it: a trail written before reads the same after, verifies as it did (an event that did not
verify still does not), and is then verified by hashing the stored text; taken back, the
columns are plain again and still verify."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from audit import stored, walk
from audit.models import AuditEvent
from tests.audit.helpers import fill, store_otherwise
from tests.audit.test_tampering import tampering, verify_by_cli
from tests.factories import Api
from workflow import migrations, transactions

EVENTS = AuditEvent.__table__


def test_the_migrated_table_is_the_one_verification_reads(app: Any) -> None:
    """The head migration leaves the events table exactly as `audit.stored` describes it, which
    verification compares the catalogue with on PostgreSQL."""
    with app.extensions["homeward.engine"].connect() as connection:
        if connection.dialect.name == "postgresql":
            assert stored.vouched_for(connection)
        else:
            found = connection.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": stored.TABLE}
            )
            assert found == stored.create_table("sqlite")


def _rows(app: Any) -> list[dict[str, Any]]:
    with app.extensions["homeward.engine"].connect() as connection:
        columns = [EVENTS.c.seq, *(EVENTS.c[name] for name in stored.DERIVED), EVENTS.c.hash]
        found = connection.execute(select(*columns).order_by(EVENTS.c.seq)).mappings()
        return [dict(row) for row in found]


def _walked(app: Any) -> walk.Walked:
    with app.app_context():
        return walk.walk(transactions.session(), walk.Start(), [], 16)


def _before_0024(app: Any, events: int) -> Any:
    engine = app.extensions["homeward.engine"]
    migrations.downgrade(engine, "0023")
    fill(app, events, {"returned": 2, "note": "Нұрғалиева 🙂"})
    return engine


def test_a_trail_written_before_reads_the_same_and_is_verified_by_its_text(
    app: Any, runner: Any
) -> None:
    engine = _before_0024(app, 40)
    before = _rows(app)
    migrations.upgrade(engine)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"  # whose columns are always checked too
        assert stored.reading(connection) == stored.Reading(text=True, columns=sqlite)
    assert _rows(app) == before
    walked = _walked(app)
    assert (walked.broken, walked.count, walked.slow) == (None, 40, 0)
    assert verify_by_cli(runner)[1]["ok"] is True


def test_values_stored_otherwise_become_the_text_they_hashed_and_a_changed_event_stays_changed(
    app: Any, api: Api, runner: Any
) -> None:
    engine = _before_0024(app, 40)
    with tampering(api) as connection:
        store_otherwise(connection)
        connection.execute(text("UPDATE audit_events SET outcome = 'denied' WHERE seq = 30"))
    migrations.upgrade(engine)
    walked = _walked(app)
    assert (walked.broken, walked.count) == (walk.Break(30, "altered_event"), 29)
    assert verify_by_cli(runner)[1]["first_broken"] == {"seq": 30, "problem": "altered_event"}
    assert _rows(app)[29]["outcome"] == "denied"  # the change is kept, for the auditor to see


def test_taken_back_the_columns_are_plain_and_still_verify(app: Any, runner: Any) -> None:
    engine = _before_0024(app, 20)
    migrations.upgrade(engine)
    after = _rows(app)
    migrations.downgrade(engine, "0023")
    with engine.connect() as connection:
        assert stored.reading(connection) == stored.Reading(text=False, columns=True)
    assert _rows(app) == after
    assert verify_by_cli(runner)[1]["ok"] is True
    migrations.upgrade(engine)  # a database shared with the next test is left as it was found


AT = stored.expression("postgresql", "at")
# Changes the table's owner could make that leave every generation expression reading the same.
OWNER_CHANGES = {
    "a function put before the database's own on the search path": [
        "CREATE FUNCTION public.substr(text, integer, integer) RETURNS text IMMUTABLE"
        " LANGUAGE sql AS 'SELECT pg_catalog.substr($1, $2, $3)'",
        "ALTER TABLE audit_events DROP COLUMN at",
        "ALTER TABLE audit_events ADD COLUMN at timestamp with time zone GENERATED ALWAYS AS"
        f" ({AT.replace('substr(', 'public.substr(')}) STORED NOT NULL",
        "SET LOCAL search_path = public, pg_catalog",
    ],
    "a time without its zone": [
        "ALTER TABLE audit_events DROP COLUMN at",
        "ALTER TABLE audit_events ADD COLUMN at timestamp without time zone GENERATED ALWAYS AS"
        f" ({AT}) STORED NOT NULL",
    ],
    "NOT NULL dropped": ["ALTER TABLE audit_events ALTER action DROP NOT NULL"],
    "a table inheriting the events": ["CREATE TABLE more_events () INHERITS (audit_events)"],
}


@pytest.mark.parametrize("change", sorted(OWNER_CHANGES))
def test_a_table_changed_by_its_owner_is_not_vouched_for(app: Any, change: str) -> None:
    """The catalogue is read for each column's type, NOT NULL and expression (with only
    `pg_catalog` on the search path, so a function of the owner's named like the database's own
    shows), and for tables inheriting the events. On SQLite nothing is vouched for, ever."""
    with app.extensions["homeward.engine"].connect() as connection, connection.begin() as undo:
        if connection.dialect.name != "postgresql":
            assert not stored.vouched_for(connection)
            return
        assert stored.vouched_for(connection)
        for statement in OWNER_CHANGES[change]:
            connection.exec_driver_sql(statement)
        assert not stored.vouched_for(connection)
        undo.rollback()
