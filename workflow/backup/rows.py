"""The schema's tables, and their rows as JSON values and back, the same on SQLite and PostgreSQL.

Sealed columns are read and written as the text they are stored as, never opened; a JSON column
is carried as its JSON text, so that SQL NULL and JSON null stay apart.
"""

from __future__ import annotations

import base64
import enum
import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    BindParameter,
    Column,
    Connection,
    Date,
    DateTime,
    LargeBinary,
    Table,
    Text,
    Uuid,
    bindparam,
    cast,
    null,
    select,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

import audit.models  # noqa: F401  (the audit tables join the metadata)
import forms.models  # noqa: F401  (and so does the register of issued forms)
import workflow.models  # noqa: F401
from workflow.db import Base
from workflow.sealing import Sealed

KINDS: tuple[tuple[str, type[Any]], ...] = (
    ("json", JSON),
    ("uuid", Uuid),
    ("datetime", DateTime),
    ("date", Date),
    ("bytes", LargeBinary),
)


def tables() -> list[Table]:
    """Every table of Homeward, each after the tables its rows refer to."""
    return list(Base.metadata.sorted_tables)


def revision(connection: Connection) -> str | None:
    """The schema revision Alembic recorded in the database, if any."""
    return MigrationContext.configure(connection).get_current_revision()


def written_columns(table: Table) -> list[Column[Any]]:
    """The columns a row is written with: not those the database derives from the others (an
    audit event's fields, from its canonical text)."""
    return [column for column in table.columns if column.computed is None]


def exported_rows(connection: Connection, table: Table, batch: int) -> Iterator[dict[str, Any]]:
    """Every row of the table, in key order, as JSON values."""
    columns = written_columns(table)
    kinds = {column.name: _kind(column) for column in columns}
    query = select(*(_as_stored(column, kinds[column.name]) for column in columns))
    query = query.order_by(*table.primary_key.columns).execution_options(yield_per=batch)
    for row in connection.execute(query).mappings():
        yield {name: _encode(kinds[name], value) for name, value in row.items()}


def decoded(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """An exported row as the values to insert."""
    return {name: _decode(_kind(table.c[name]), value) for name, value in row.items()}


def sealed_binds(table: Table) -> dict[str, BindParameter[str]]:
    """Parameters that write the sealed columns as the text given, without sealing it again."""
    return {
        column.name: bindparam(column.name, type_=Text)
        for column in table.columns
        if isinstance(column.type, Sealed)
    }


def _kind(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, Sealed):
        return "sealed"
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return next((name for name, each in KINDS if isinstance(kind, each)), "plain")


def _as_stored(column: Column[Any], kind: str) -> ColumnElement[Any]:
    if kind == "sealed":
        return type_coerce(column, Text).label(column.name)
    if kind == "json":
        return cast(column, Text).label(column.name)
    return column


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "uuid":
        return str(value)
    if kind in ("datetime", "date"):
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _decode(kind: str, value: Any) -> Any:
    if kind == "json":
        return null() if value is None else _json_value(value)
    if value is None:
        return None
    if kind == "uuid":
        return uuid.UUID(value)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value)
    return value


def _json_value(text: str) -> Any:
    value = json.loads(text)
    return JSON.NULL if value is None else value
