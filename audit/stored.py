"""How events are stored: each event's canonical text, the very bytes its hash covers, and every
other hashed field a column the database derives from that text.

No field can then be changed without changing the text, so verification hashes the stored text
at close to the rate of SHA-256 alone. That holds only while the columns are still derived as
written here: the table could be rebuilt with plain columns. Verification therefore reads the
database's catalogue first (`derived`), and where it shows anything but this table it checks every
column the slower way, by rebuilding the bytes from them (`audit.encoding`).

The expressions are written the way each database prints them back, so that the catalogue can
be compared with them as text. A migration that changes this table changes this module too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

TABLE = "audit_events"
# name, SQLite type, PostgreSQL type, NOT NULL: the hashed fields but `seq`, as migration 0003
# made them.
COLUMNS = (
    ("at", "DATETIME", "timestamp with time zone", True),
    ("actor_id", "CHAR(32)", "uuid", False),
    ("username", "VARCHAR(64)", "character varying(64)", False),
    ("role", "VARCHAR(20)", "character varying(20)", False),
    ("agency_id", "CHAR(32)", "uuid", False),
    ("agency_kind", "VARCHAR(40)", "character varying(40)", False),
    ("action", "VARCHAR(60)", "character varying(60)", True),
    ("object_type", "VARCHAR(40)", "character varying(40)", False),
    ("object_id", "VARCHAR(64)", "character varying(64)", False),
    ("case_id", "CHAR(32)", "uuid", False),
    ("case_reference", "VARCHAR(20)", "character varying(20)", False),
    ("detail", "JSON", "json", True),
    ("client_address", "VARCHAR(64)", "character varying(64)", False),
    ("request_id", "VARCHAR(64)", "character varying(64)", False),
    ("outcome", "VARCHAR(40)", "character varying(40)", True),
    ("purpose", "VARCHAR(40)", "character varying(40)", False),
    ("prev_hash", "VARCHAR(64)", "character varying(64)", True),
)
DERIVED = tuple(name for name, *_rest in COLUMNS)
UUIDS = ("actor_id", "agency_id", "case_id")
INDEXED = ("at", "actor_id", "username", "action", "case_id", "case_reference", "outcome")


def expression(dialect: str, name: str) -> str:
    """The SQL that derives column `name` from the stored canonical text, on this dialect."""
    return _postgresql(name) if dialect == "postgresql" else _sqlite(name)


def _sqlite(name: str) -> str:
    field = f"json_extract(canonical, '$.{name}')"
    if name in UUIDS:  # stored as 32 hex digits, as SQLAlchemy's Uuid keeps them on SQLite
        return f"replace({field}, '-', '')"
    if name == "at":  # 'YYYY-MM-DDTHH:MM:SS.ffffffZ' becomes 'YYYY-MM-DD HH:MM:SS.ffffff'
        return f"substr({field}, 1, 10) || ' ' || substr({field}, 12, 15)"
    return field


def _postgresql(name: str) -> str:
    field = f"((canonical)::json ->> '{name}'::text)"
    if name in UUIDS:
        return f"({field})::uuid"
    if name == "detail":
        return "((canonical)::json -> 'detail'::text)"  # its text exactly as stored
    if name == "at":  # a cast from text to a time depends on settings; make_timestamp does not
        parts = ", ".join(
            f"(substr({field}, {start}, {length}))::{kind}"
            for start, length, kind in (
                (1, 4, "integer"),
                (6, 2, "integer"),
                (9, 2, "integer"),
                (12, 2, "integer"),
                (15, 2, "integer"),
                (18, 9, "double precision"),
            )
        )
        return f"timezone('UTC'::text, make_timestamp({parts}))"
    return field


def create_table(dialect: str) -> str:
    """The CREATE TABLE of the events, as the catalogue keeps it."""
    postgresql = dialect == "postgresql"
    columns = [
        "seq BIGINT NOT NULL",
        "canonical TEXT NOT NULL",
        *(
            f"{column} {pg if postgresql else lite} GENERATED ALWAYS AS"
            f" ({expression(dialect, column)}) STORED{' NOT NULL' if required else ''}"
            for column, lite, pg, required in COLUMNS
        ),
        "hash VARCHAR(64) NOT NULL",
        f"CONSTRAINT pk_{TABLE} PRIMARY KEY (seq)",
        f"CONSTRAINT uq_{TABLE}_hash UNIQUE (hash)",
    ]
    return f"CREATE TABLE {TABLE} (\n    " + ",\n    ".join(columns) + "\n)"


def derived(connection: Connection) -> bool:
    """Whether the catalogue shows the events table exactly as `create_table` makes it: every
    hashed field derived from the stored text by the expression written here."""
    if connection.dialect.name == "postgresql":
        found: dict[str, str] = dict(
            connection.execute(
                text(
                    "SELECT attname, pg_get_expr(adbin, adrelid) FROM pg_attribute"
                    " JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum"
                    " WHERE attrelid = CAST(:table AS regclass) AND attgenerated = 's'"
                    " AND NOT attisdropped"
                ),
                {"table": TABLE},
            ).all()
        )
        return found == {name: _postgresql(name) for name in DERIVED}
    stored = connection.scalar(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :table"),
        {"table": TABLE},
    )
    return bool(stored == create_table("sqlite"))


class Derived(ColumnElement[Any]):
    """A column's derivation in the ORM's model, written per dialect when tables are created."""

    inherit_cache = False

    def __init__(self, name: str) -> None:
        self.name = name


@compiles(Derived)
def _derived_sqlite(element: Derived, _compiler: Any, **_kw: Any) -> str:
    return _sqlite(element.name)


@compiles(Derived, "postgresql")
def _derived_postgresql(element: Derived, _compiler: Any, **_kw: Any) -> str:
    return _postgresql(element.name)
