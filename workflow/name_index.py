"""The text index of names: their blind tokens as terms, so that a search reads only the names
that hold every token searched for.

A name's `search_key` holds its blind tokens (`workflow.sealing`), never the name. SQLite indexes
them with FTS5 (an external-content table over `person_names`, kept by triggers); PostgreSQL with
a GIN index over the tokens as an array. Both index exact terms: a token is a keyed digest, whose
trigrams are common to a large share of all names, so a trigram index would read far more and
find nothing a term index does not. Migration 0010
creates the index; `homeward keys rotate-data` never changes a token (the search key is not
rotated), so the index stays valid through a rotation.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY

from workflow.models import PersonName

FTS_TABLE = "person_names_fts"
GIN_INDEX = "ix_person_names_search_tokens"
_FTS = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))


def is_index_table(name: str) -> bool:
    """A table SQLite's text index keeps itself: rebuilt from `person_names` by its triggers, so
    a backup leaves it out and a restore fills it again."""
    return name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_")


def tokens_array() -> ColumnElement[list[str]]:
    """A name's tokens as PostgreSQL's index holds them (the expression it is built on)."""
    return func.string_to_array(
        func.btrim(PersonName.search_key), literal_column("' '"), type_=ARRAY(Text)
    )


def newest_names(dialect: str, tokens: list[str]) -> Select[int, uuid.UUID]:
    """The names that hold every one of these tokens, the most recently recorded first: their
    ids and their cases. Read in that order, a search can stop as soon as it has a page."""
    columns = (PersonName.id.label("name_id"), PersonName.case_id)
    if dialect == "postgresql":
        return (
            select(*columns).where(tokens_array().contains(tokens)).order_by(PersonName.id.desc())
        )
    terms = " AND ".join(f'"{token}"' for token in tokens)  # tokens are hexadecimal digests
    return (
        select(*columns)
        .select_from(_FTS)
        .join(PersonName, PersonName.id == _FTS.c.rowid)
        .where(_FTS.c[FTS_TABLE].match(terms))
        .order_by(_FTS.c.rowid.desc())
    )


def holds_tokens(name: Any, tokens: list[str]) -> ColumnElement[bool]:
    """One name (a row of `person_names`, or an alias of it) holds every one of these tokens."""
    return and_(*(name.search_key.contains(f" {token} ") for token in tokens))
