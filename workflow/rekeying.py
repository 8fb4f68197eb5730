"""`homeward keys rotate-data`: seal everything again under a new data key, while serving.

The new key is added first, so every process opens both old and new values throughout. Rows are
re-sealed in small batches, each its own transaction; a document is sealed into a new object,
its row switched to it and committed, and only then the old object deleted, so a rotation cut
short leaves every value readable and can simply be run again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Table, select, table, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import column

from workflow.db import Base
from workflow.evidence.documents import sealing_context
from workflow.evidence.store import DocumentStore, new_name
from workflow.models import Document
from workflow.sealing import DataKeys, Sealed

BATCH = 500


@dataclass
class Rotation:
    """What a rotation re-sealed, and which keys no value uses any more."""

    values: int = 0
    documents: int = 0
    retired: list[str] = field(default_factory=list)


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
                        session.execute(
                            update(raw).where(raw.c[key] == row_key).values({name: fresh})
                        )
                        done += 1
            if len(rows) < BATCH:
                break
            last = rows[-1][0]
    return done


def reseal_documents(begin: Callable[[], Session], keys: DataKeys, store: DocumentStore) -> int:
    """Seal each document not under the current key into a new object; return how many."""
    done = 0
    while True:
        with begin() as session, session.begin():
            document = session.scalars(
                select(Document).where(Document.key_id != keys.current).limit(1)
            ).first()
            if document is None:
                return done
            context = sealing_context(document.id)
            plain = keys.open(store.get(document.storage_name), context)
            old, document.storage_name = document.storage_name, new_name()
            store.put(document.storage_name, keys.seal(plain, context))
            document.key_id = keys.current
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
    rotation = Rotation(reseal_values(begin, keys), reseal_documents(begin, keys, store))
    rotation.retired = sorted(set(keys.keys) - keys_in_use(begin, keys))
    return rotation
