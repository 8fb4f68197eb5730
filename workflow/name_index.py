"""The text index of names: their blind tokens as terms, so that a search reads only the names
that hold every token searched for.

A name's `search_key` holds its blind tokens (`workflow.sealing`), never the name. SQLite indexes
them with FTS5 (an external-content table over `person_names`, kept by triggers); PostgreSQL with
a GIN index over the tokens as an array. Both index exact terms: a token is a keyed digest, so a
trigram index would find nothing a term index does not, and would read far more. Migration 0010
creates the index; `homeward keys rotate-data` never changes a token (the search key is not
rotated), so the index stays valid through a rotation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
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


def names_with(dialect: str, tokens: list[str]) -> Select[Any]:
    """The cases of the names that hold every one of these tokens."""
    if dialect == "postgresql":
        return select(PersonName.case_id).where(tokens_array().contains(tokens))
    terms = " AND ".join(f'"{token}"' for token in tokens)  # tokens are hexadecimal digests
    matching = select(_FTS.c.rowid).where(_FTS.c[FTS_TABLE].match(terms))
    return select(PersonName.case_id).where(PersonName.id.in_(matching))
