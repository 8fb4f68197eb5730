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
from tests.audit.helpers import fill, store_otherwise, trail_in_memory
from tests.audit.test_tampering import tampering, verify_by_cli
from tests.factories import Api
from workflow import migrations, transactions

EVENTS = AuditEvent.__table__


def test_the_migrated_table_is_the_one_verification_reads(app: Any) -> None:
    """The head migration leaves the events table exactly as `audit.stored` describes it, which
    verification compares the catalogue with."""
    with app.extensions["homeward.engine"].connect() as connection:
        assert stored.vouched_for(connection)
        assert stored.reading(connection) == stored.Reading(text=True, columns=False)


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
        assert stored.reading(connection) == stored.Reading(text=True, columns=False)
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


def test_since_0025_sqlite_stores_no_derived_value_and_the_trail_reads_the_same(
    app: Any, runner: Any
) -> None:
    """Migration 0025 makes SQLite's derived columns virtual (PostgreSQL's stay stored): every
    event reads as it did and is verified by its text alone; taken back, they are stored again."""
    engine = app.extensions["homeward.engine"]
    migrations.downgrade(engine, "0024")
    fill(app, 30, {"note": "Нұрғалиева 🙂"})
    before = _rows(app)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        stored_columns = _columns_kept(connection)
    migrations.upgrade(engine)
    with engine.connect() as connection:
        assert _columns_kept(connection) == ({"virtual"} if sqlite else stored_columns)
        assert stored.reading(connection) == stored.Reading(text=True, columns=False)
    assert _rows(app) == before
    assert verify_by_cli(runner)[1]["ok"] is True
    migrations.downgrade(engine, "0024")
    with engine.connect() as connection:
        assert _columns_kept(connection) == stored_columns == {"stored"}
    assert _rows(app) == before
    migrations.upgrade(engine)


def _columns_kept(connection: Any) -> set[str]:
    """How the database keeps the events' derived columns: stored, or worked out at each read."""
    if connection.dialect.name == "postgresql":
        query = (
            "SELECT attgenerated FROM pg_attribute"
            " WHERE attrelid = 'audit_events'::regclass AND attgenerated <> ''"
        )
        return {"stored" for kind in connection.scalars(text(query)) if kind == "s"}
    query = "SELECT hidden FROM pragma_table_xinfo('audit_events') WHERE hidden IN (2, 3)"
    return {{2: "virtual", 3: "stored"}[kind] for kind in connection.scalars(text(query))}


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
    shows), and for tables inheriting the events. (SQLite's are in
    `test_a_schema_changed_in_the_file_is_not_vouched_for`.)"""
    with app.extensions["homeward.engine"].connect() as connection, connection.begin() as undo:
        assert stored.vouched_for(connection)
        if connection.dialect.name != "postgresql":
            return
        for statement in OWNER_CHANGES[change]:
            connection.exec_driver_sql(statement)
        assert not stored.vouched_for(connection)
        undo.rollback()


DERIVED_AT = f"AS ({stored.expression('sqlite', 'at')}) VIRTUAL"
# Changes to the schema in a SQLite file, which whoever can write the file can make: (old, new).
FILE_CHANGES = {
    "a column stored": (DERIVED_AT, DERIVED_AT.replace("VIRTUAL", "STORED")),
    "a column plain": (f"DATETIME GENERATED ALWAYS {DERIVED_AT}", "DATETIME"),
    "an expression changed": ("'$.outcome'", "'$.purpose'"),
    "NOT NULL dropped": ("'$.action')) VIRTUAL NOT NULL", "'$.action')) VIRTUAL"),
    "a space added": ("canonical TEXT", "canonical  TEXT"),
}


@pytest.mark.parametrize("change", sorted(FILE_CHANGES))
def test_a_schema_changed_in_the_file_is_not_vouched_for(change: str) -> None:
    """On SQLite the columns are derived from the text at every read and nothing of them is
    stored; only the schema in the file could make one say otherwise, and any change to it,
    however small, means every column is checked."""
    old, new = FILE_CHANGES[change]
    with trail_in_memory() as session:
        connection = session.connection()
        assert stored.vouched_for(connection)
        schema = stored.create_table("sqlite")
        assert old in schema
        connection.exec_driver_sql("PRAGMA writable_schema = ON")
        connection.execute(
            text("UPDATE sqlite_master SET sql = :sql WHERE name = :t"),
            {"sql": schema.replace(old, new), "t": stored.TABLE},
        )
        connection.exec_driver_sql("PRAGMA writable_schema = RESET")
        assert not stored.vouched_for(connection)
        assert stored.reading(connection) == stored.Reading(text=True, columns=True)
