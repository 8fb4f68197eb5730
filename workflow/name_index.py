"""The text index of names: their blind tokens as terms, so that a search reads only the names
that hold every token searched for.

A name's `search_key` holds its blind tokens (`workflow.sealing`), never the name. SQLite indexes
them with FTS5 (an external-content table over `person_names`, kept by triggers), which reads a
term's names newest first. PostgreSQL searches one token through `person_name_terms`, one row per
token and name kept by a trigger, whose btree reads them in that order too (a GIN index cannot:
a search there sorted every name of a common word before its page), and several tokens through a
GIN index over the tokens as an array, which intersects their names before any are read. Both
index exact terms: a token is a keyed digest, whose trigrams are common to a large share of all
names, so a trigram index would read far more and find nothing a term index does not. Migrations
0010 and 0023 create the indexes; `homeward keys rotate-data` never changes a token (the
search key is not rotated), so the indexes stay valid through a rotation.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    Uuid,
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
TERMS_TABLE = "person_name_terms"
_FTS = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))
_TERMS = table(TERMS_TABLE, column("token"), column("name_id"), column("case_id", Uuid()))


def is_index_table(name: str) -> bool:
    """A table SQLite's text index keeps itself: rebuilt from `person_names` by its triggers, so
    a backup leaves it out and a restore fills it again."""
    return name in (FTS_TABLE, TERMS_TABLE) or name.startswith(f"{FTS_TABLE}_")


def tokens_array() -> ColumnElement[list[str]]:
    """A name's tokens as PostgreSQL's GIN index holds them (the expression it is built on)."""
    return func.string_to_array(
        func.btrim(PersonName.search_key), literal_column("' '"), type_=ARRAY(Text)
    )


def newest_names(dialect: str, tokens: list[str]) -> Select[int, uuid.UUID]:
    """The names that hold every one of these tokens, the most recently recorded first: their
    ids and their cases. Read in that order, a search can stop as soon as it has a page."""
    columns = (PersonName.id.label("name_id"), PersonName.case_id)
    if dialect == "postgresql" and len(tokens) == 1:
        return _newest_by_term(tokens[0])
    if dialect == "postgresql":
        # Several tokens: GIN intersects their names, far fewer than those of any one token.
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


def _newest_by_term(token: str) -> Select[int, uuid.UUID]:
    """The names of one token, newest first through its btree: a walk that stops at the page,
    reading the index alone (it holds each name's case too)."""
    return (
        select(_TERMS.c.name_id.label("name_id"), _TERMS.c.case_id.label("case_id"))
        .where(_TERMS.c.token == token)
        .order_by(_TERMS.c.name_id.desc())
    )


def holds_tokens(name: Any, tokens: list[str]) -> ColumnElement[bool]:
    """One name (a row of `person_names`, or an alias of it) holds every one of these tokens."""
    return and_(*(name.search_key.contains(f" {token} ") for token in tokens))
