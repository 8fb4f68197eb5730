"""Restoring a backup: read it whole first, then write it in one transaction, or nothing at all."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from workflow import db, transactions
from workflow.backup.archive import Damaged, open_archive
from workflow.backup.export import BATCH, FORMAT, Counts
from workflow.backup.rows import decoded, revision, sealed_binds, tables, written_columns
from workflow.evidence.store import document_store

LONGEST_LINE = 16 * 1024 * 1024
# `homeward db upgrade` fills these in a new database; a restore replaces what they hold.
SEEDED_TABLES = ("workflow_definitions", "audit_head")


class NotFresh(Exception):
    """The database to restore into is not a freshly migrated, empty one."""


def backed_up_revision(path: Path, key: bytes) -> str:
    """The schema revision of the database the archive was made from."""
    with path.open("rb") as file, open_archive(file, key) as stream:
        return str(next(_records(stream))[1]["revision"])


def check_archive(path: Path, key: bytes) -> None:
    """Read every record of the archive, writing nothing; raise `Damaged` if any fails."""
    with path.open("rb") as file, open_archive(file, key) as stream:
        for _ in _records(stream):
            pass


def refuse_unless_fresh(session: Session, backed_up: str) -> None:
    """Raise `NotFresh` unless the database is migrated to the archive's revision and empty."""
    current = revision(session.connection())
    if current is None:
        raise NotFresh("the database has no schema: run `homeward db upgrade` first")
    if current != backed_up:
        raise NotFresh(
            f"the backup is of schema revision {backed_up} and the database is at {current}: "
            f"restore it with the release that made it, into a database migrated to {backed_up}, "
            "then upgrade it"
        )
    holding = [
        table.name
        for table in tables()
        if table.name not in SEEDED_TABLES
        and session.scalar(select(literal(True)).select_from(table).limit(1))
    ]
    if holding:
        raise NotFresh(
            f"the database already holds data ({', '.join(holding)}): restore only into a "
            "freshly migrated, empty database"
        )


def restore_archive(session: Session, path: Path, key: bytes) -> Counts:
    """Write the archive's rows and objects in the session's transaction; should it roll back,
    the objects it wrote are deleted again."""
    store = document_store()
    present = set(store.names())
    session.execute(delete(db.Base.metadata.tables["workflow_definitions"]))
    counts, waiting = Counts(), _Batch(session)
    with path.open("rb") as file, open_archive(file, key) as stream:
        for kind, first, second in _records(stream):
            if kind == "row":
                waiting.add(first, second)
                counts.rows += 1
            elif kind == "object":
                store.put(first, second)
                if first not in present:
                    transactions.on_rollback(partial(store.delete, first))
                counts.objects += 1
    waiting.flush()
    _reset_sequences(session)
    return counts


def _records(stream: io.BufferedReader) -> Iterator[tuple[str, Any, Any]]:
    """Each record: ("header", fields, None), ("row", table, values), ("object", name, bytes)."""
    header = _read_line(stream)
    if header.get("homeward_backup") != FORMAT or not isinstance(header.get("revision"), str):
        raise Damaged("it is of a format this version does not know")
    yield "header", header, None
    known = {table.name: table for table in tables()}
    rows = objects = 0
    while "end" not in (record := _read_line(stream)):
        if "object" in record:
            yield "object", record["object"], _object(stream, record)
            objects += 1
        else:
            yield "row", _table(known, record), record["row"]
            rows += 1
    if record["end"] != {"rows": rows, "objects": objects} or stream.read(1):
        raise Damaged("its closing record does not match what it holds")


def _read_line(stream: io.BufferedReader) -> dict[str, Any]:
    line = stream.readline(LONGEST_LINE)
    if not line.endswith(b"\n"):
        raise Damaged("it ends in the middle of a record")
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        raise Damaged("a record is not readable")
    return record


def _object(stream: io.BufferedReader, record: dict[str, Any]) -> bytes:
    size = record.get("size")
    data = stream.read(size) if isinstance(size, int) and size >= 0 else b""
    if not isinstance(record["object"], str) or len(data) != size:
        raise Damaged("a document object is cut short")
    return data


def _names(table: Table) -> set[str]:
    return {column.name for column in written_columns(table)}


def _table(known: dict[str, Table], record: dict[str, Any]) -> Table:
    table, row = known.get(str(record.get("table"))), record.get("row")
    if table is None or not isinstance(row, dict) or set(row) != _names(table):
        raise Damaged("it holds a table or columns this version does not know")
    return table


class _Batch:
    """Rows of one table waiting to be written together."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.table: Table | None = None
        self.rows: list[dict[str, Any]] = []

    def add(self, table: Table, row: dict[str, Any]) -> None:
        if table is not self.table or len(self.rows) >= BATCH:
            self.flush()
            self.table = table
        self.rows.append(row)

    def flush(self) -> None:
        if self.table is not None and self.rows:
            _write_rows(self.session, self.table, self.rows)
        self.rows = []


def _write_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    values = [decoded(table, row) for row in rows]
    if table.name == "audit_head":  # made by the migration: moved on to the backed-up head
        for row in values:
            session.execute(update(table).where(table.c.id == row.pop("id")).values(row))
        return
    statement, sealed = insert(table), sealed_binds(table)
    session.execute(statement.values(sealed) if sealed else statement, values)


def _reset_sequences(session: Session) -> None:
    """On PostgreSQL, make each serial key go on after the highest value restored."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables():
        key = list(table.primary_key.columns)
        if len(key) == 1 and isinstance(key[0].type, Integer):
            sequence = func.pg_get_serial_sequence(table.name, key[0].name)
            after = func.coalesce(func.max(key[0]), 0) + 1
            session.execute(select(func.setval(sequence, after, False)).select_from(table))
