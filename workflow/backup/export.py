"""Writing a backup: one snapshot of every table, then every object of the document store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import current_app

from workflow.backup.archive import SealedWriter
from workflow.backup.rows import exported_rows, revision, tables
from workflow.evidence.store import MissingObject, document_store

FORMAT = 1
BATCH = 500


@dataclass
class Counts:
    """What an archive holds; `missing` counts documents whose object the store did not have."""

    rows: int = 0
    objects: int = 0
    missing: int = 0


def write_backup(writer: SealedWriter) -> Counts:
    """Write the header, every row, every document object and the closing record."""
    counts, named = Counts(), set[str]()
    engine = current_app.extensions["homeward.engine"]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":  # every table as of one moment
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            write_line(writer, {"homeward_backup": FORMAT, "revision": str(revision(connection))})
            for table in tables():
                for row in exported_rows(connection, table, BATCH):
                    write_line(writer, {"table": table.name, "row": row})
                    counts.rows += 1
                    if table.name == "documents":
                        named.add(row["storage_name"])
    # Objects are never changed once stored; one uploaded since the snapshot is merely unused.
    counts.objects = _write_objects(writer, named)
    counts.missing = len(named)
    write_line(writer, {"end": {"rows": counts.rows, "objects": counts.objects}})
    return counts


def _write_objects(writer: SealedWriter, named: set[str]) -> int:
    """Write every object of the store, each a line then its bytes; strike them from `named`."""
    store, written = document_store(), 0
    for name in store.names():
        try:
            data = store.get(name)
        except (MissingObject, ValueError):  # deleted since it was listed, or not a document
            continue
        write_line(writer, {"object": name, "size": len(data)})
        writer.write(data)
        named.discard(name)
        written += 1
    return written


def write_line(writer: SealedWriter, record: dict[str, Any]) -> None:
    writer.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
