"""How events are stored: each event's canonical text, the very bytes its hash covers, and every
other hashed field a column the database derives from that text.

Verification always hashes the stored text, which must be the hashed bytes exactly. Whether it
must also check every column against the text (by rebuilding the bytes from the columns,
`audit.encoding`, three to four times the cost) depends on who could make a column say other
than its text:

- On PostgreSQL the columns are STORED, and no role but the table's owner can write one; the
  owner's ordinary DDL shows in the catalogue. Where the catalogue shows the table exactly as
  written here (`vouched_for`: each column's type, NOT NULL and generation expression, printed as
  the database prints them back, with nothing on the search path to stand in for its functions,
  and no table inheriting from it), the columns are taken as derived.
- On SQLite whoever can write the database file can write any stored value, so the columns are
  VIRTUAL: none is stored, and SQLite works each out from the text whenever it is read. The
  table's schema in the file could still make one say otherwise, so where it is the table
  exactly as written here, the columns are taken as derived. An index keeps copies of values
  too: verification reads the rows by their key's own index (`segments`), never through another
  the file's writer could have filled; the auditor's filters do read through theirs, which
  verification does not check.
- Anywhere, when asked (`homeward audit verify --every-column`): for a database whose owner
  account, or whose catalogue itself, may have been misused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from audit.encoding import UUIDS

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
# The columns that are not derived, as PostgreSQL's catalogue describes them.
WRITTEN = {
    "seq": ("bigint", True, "", None),
    "canonical": ("text", True, "", None),
    "hash": ("character varying(64)", True, "", None),
}


@dataclass(frozen=True)
class Reading:
    """What verification checks of each event besides its order and links."""

    text: bool  # the stored text hashes to the event's hash (where the table keeps the text)
    columns: bool  # the bytes rebuilt from the columns do too


def reading(connection: Connection, every_column: bool = False) -> Reading:
    """What this database's events must be checked for."""
    text_kept = _keeps_text(connection)
    trusted = text_kept and not every_column and vouched_for(connection)
    return Reading(text=text_kept, columns=not trusted)


def expression(dialect: str, name: str) -> str:
    """The SQL that derives column `name` from the stored canonical text, on this dialect."""
    return _postgresql(name) if dialect == "postgresql" else _sqlite(name)


def _sqlite(name: str) -> str:
    if name == "detail":  # as JSON text, whatever it holds: json_extract would unwrap a string
        return "canonical -> '$.detail'"
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
    kept = "STORED" if postgresql else "VIRTUAL"  # PostgreSQL 15 has no virtual columns
    columns = [
        "seq BIGINT NOT NULL",
        "canonical TEXT NOT NULL",
        *(
            f"{column} {pg if postgresql else lite} GENERATED ALWAYS AS"
            f" ({expression(dialect, column)}) {kept}{' NOT NULL' if required else ''}"
            for column, lite, pg, required in COLUMNS
        ),
        "hash VARCHAR(64) NOT NULL",
        f"CONSTRAINT pk_{TABLE} PRIMARY KEY (seq)",
        f"CONSTRAINT uq_{TABLE}_hash UNIQUE (hash)",
    ]
    return f"CREATE TABLE {TABLE} (\n    " + ",\n    ".join(columns) + "\n)"


def vouched_for(connection: Connection) -> bool:
    """Whether the database's catalogue shows the events table, the one this session reads,
    exactly as `create_table` makes it."""
    if connection.dialect.name == "postgresql":
        return _vouched_for_by_postgresql(connection)
    schema = connection.scalar(_SQLITE_SCHEMA, {"table": TABLE})
    return bool(schema == create_table("sqlite"))


# The schema in the database file, which SQLite reads the table's columns from.
_SQLITE_SCHEMA = text("SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = :table")


def _vouched_for_by_postgresql(connection: Connection) -> bool:
    """Read with only `pg_catalog` on the search path, so that each function in an expression
    prints with its schema unless it is the database's own."""
    saved = connection.scalar(text("SELECT current_setting('search_path')"))
    table = connection.scalar(text("SELECT to_regclass(:table)::oid"), {"table": TABLE})
    connection.execute(text("SELECT set_config('search_path', 'pg_catalog', true)"))
    try:
        columns = connection.execute(_COLUMNS, {"table": table}).all()
        alone = connection.scalar(_ALONE, {"table": table})
    finally:
        connection.execute(text("SELECT set_config('search_path', :saved, true)"), {"saved": saved})
    expected = {
        **WRITTEN,
        **{
            name: (kind, required, "s", _postgresql(name))
            for name, _lite, kind, required in COLUMNS
        },
    }
    return bool(alone) and {name: tuple(rest) for name, *rest in columns} == expected


_COLUMNS = text(
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attgenerated,"
    " pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a"
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    " WHERE a.attrelid = :table AND a.attnum > 0 AND NOT a.attisdropped"
)
_ALONE = text(  # a plain table, and none inherits from it (its rows would be read with its own)
    "SELECT c.relkind = 'r' AND NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = c.oid)"
    " FROM pg_class c WHERE c.oid = :table"
)


def _keeps_text(connection: Connection) -> bool:
    if connection.dialect.name == "postgresql":
        query = (
            "SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(:table)"
            " AND attname = 'canonical' AND NOT attisdropped"
        )
    else:
        query = "SELECT count(*) FROM pragma_table_info(:table) WHERE name = 'canonical'"
    return bool(connection.scalar(text(query), {"table": TABLE}))


class Derived(ColumnElement[Any]):
    """A column's derivation in the ORM's model, written per dialect when tables are created."""

    inherit_cache = False

    def __init__(self, name: str) -> None:
        self.name = name


@compiles(Derived)
def _derivation(element: Derived, compiler: Any, **_kw: Any) -> str:
    return expression(compiler.dialect.name, element.name)
