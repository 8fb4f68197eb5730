"""`homeward keys rotate-data`: seal everything again under a new data key, while serving.

The new key is added first, so every process opens both old and new values throughout. Rows are
re-sealed in small batches, each its own transaction; a document is sealed into a new object,
its row switched to it and committed, and only then the old object deleted, so a rotation cut
short leaves every value readable and can simply be run again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Table, select, table, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import column

from workflow.db import Base
from workflow.evidence.documents import sealing_context
from workflow.evidence.store import DocumentStore, MissingObject, new_name
from workflow.models import Document
from workflow.sealing import DataKeys, Sealed, Tampered

BATCH = 500


@dataclass
class Rotation:
    """What a rotation re-sealed, and which keys no value uses any more."""

    values: int = 0
    documents: int = 0
    retired: list[str] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)  # documents that could not be opened


def sealed_columns() -> Iterator[tuple[Table, str, str]]:
    """Every sealed column: its table, its name and the context it is sealed in."""
    for model_table in Base.metadata.sorted_tables:
        for each in model_table.columns:
            if isinstance(each.type, Sealed):
                yield model_table, each.name, each.type.context


def reseal_values(begin: Callable[[], Session], keys: DataKeys) -> int:
    """Re-seal every column value not sealed under the current key; return how many."""
    done = 0
    for model_table, name, context in sealed_columns():
        key = next(iter(model_table.primary_key.columns)).name
        raw = table(model_table.name, column(key), column(name))  # untyped: bytes as stored
        last = None
        while True:
            with begin() as session, session.begin():
                query = select(raw.c[key], raw.c[name]).where(raw.c[name].is_not(None))
                if last is not None:
                    query = query.where(raw.c[key] > last)
                rows = session.execute(query.order_by(raw.c[key]).limit(BATCH)).all()
                for row_key, stored in rows:
                    if keys.stored_key_id(stored) != keys.current:
                        fresh = keys.seal_text(keys.open_text(stored, context), context)
                        # Only if unchanged since read: a concurrent edit wins, sealed as it is.
                        changed = raw.c[key] == row_key, raw.c[name] == stored
                        session.execute(update(raw).where(*changed).values({name: fresh}))
                        done += 1
            if len(rows) < BATCH:
                break
            last = rows[-1][0]
    return done


def reseal_documents(
    begin: Callable[[], Session], keys: DataKeys, store: DocumentStore
) -> tuple[int, list[uuid.UUID]]:
    """Seal each document not under the current key into a new object, in id order; return how
    many, and the documents whose stored object is missing or fails to open (left as they are)."""
    done, failed, last = 0, list[uuid.UUID](), None
    while True:
        fresh = None
        try:
            with begin() as session, session.begin():
                query = select(Document).where(Document.key_id != keys.current)
                if last is not None:
                    query = query.where(Document.id > last)
                document = session.scalars(query.order_by(Document.id).limit(1)).first()
                if document is None:
                    return done, failed
                last, context, old = document.id, sealing_context(document.id), None
                try:
                    plain = keys.open(store.get(document.storage_name), context)
                except (MissingObject, Tampered):
                    failed.append(document.id)
                    continue
                fresh = new_name()
                store.put(fresh, keys.seal(plain, context))
                old, document.storage_name, document.key_id = (
                    document.storage_name,
                    fresh,
                    keys.current,
                )
        except Exception:
            if fresh is not None:
                store.delete(fresh)  # the row still names the old object
            raise
        if old is not None:
            store.delete(old)  # after the commit: until then the row still names the old object
            done += 1


def keys_in_use(begin: Callable[[], Session], keys: DataKeys) -> set[str]:
    """The data keys that some stored value or document is still sealed under."""
    used: set[str] = set()
    with begin() as session:
        used |= set(session.scalars(select(Document.key_id).distinct()).all())
        for model_table, name, _context in sealed_columns():
            raw = table(model_table.name, column(name))
            for stored in session.scalars(select(raw.c[name]).where(raw.c[name].is_not(None))):
                used.add(keys.stored_key_id(stored))
    return used


def rotate(begin: Callable[[], Session], keys: DataKeys, store: DocumentStore) -> Rotation:
    """Re-seal values and documents under `keys.current`; name the keys left unused."""
    values = reseal_values(begin, keys)
    documents, failed = reseal_documents(begin, keys, store)
    rotation = Rotation(values, documents, failed=failed)
    rotation.retired = sorted(set(keys.keys) - keys_in_use(begin, keys))
    return rotation
