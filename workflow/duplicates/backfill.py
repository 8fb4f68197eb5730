"""Give every recorded child without them the digests the duplicate check finds it by: run by
migration 0017 over the cases already present (idempotent: a child with digests is left)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from workflow.duplicates.keys import stored_digests
from workflow.duplicates.matching import NameSpec
from workflow.sealing import DataKeys

PARTS = ("given", "family", "patronymic")
_CHILD_NAMES = sa.text(
    "SELECT n.person_id, n.case_id, n.given, n.family, n.patronymic FROM person_names n "
    "JOIN people p ON p.id = n.person_id WHERE p.relation = 'child' AND NOT EXISTS "
    "(SELECT 1 FROM name_keys k WHERE k.person_id = n.person_id) ORDER BY n.person_id"
)
# Typed, so that each backend stores the ids as the models do (SQLite: 32 hex digits).
_INSERT = sa.text(
    "INSERT INTO name_keys (person_id, case_id, digest) VALUES (:person, :case, :d)"
).bindparams(sa.bindparam("person", type_=sa.Uuid()), sa.bindparam("case", type_=sa.Uuid()))


def fill_name_keys(connection: Connection, keys: DataKeys) -> int:
    """Store the digests of each child that has none; return how many children."""
    names: dict[Any, list[NameSpec]] = defaultdict(list)
    cases: dict[Any, Any] = {}
    for row in connection.execute(_CHILD_NAMES).mappings():
        opened = {part: _open(keys, part, row[part]) for part in PARTS}
        names[row["person_id"]].append(NameSpec(**opened))
        cases[row["person_id"]] = row["case_id"]
    for person, spelled in names.items():
        rows = [
            {"person": _uuid(person), "case": _uuid(cases[person]), "d": digest}
            for digest in sorted(stored_digests(keys, spelled))
        ]
        connection.execute(_INSERT, rows)
    return len(names)


def _open(keys: DataKeys, part: str, stored: str | None) -> str | None:
    return None if stored is None else keys.open_text(stored, f"person_names.{part}")


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
