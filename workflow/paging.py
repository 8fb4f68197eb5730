"""Pages of the lists' index: each viewer's rows read through the index of the list's order,
merged, and cut into pages by keyset; the matches counted with bounded work.

A page reads, for each of the caller's viewers, the rows after the cursor in the list's order and
stops once it has enough, so it costs the same however many rows the viewer has. A count reads at
most COUNT_LIMIT + 1 of the viewer's rows: the total is exact when that is all of them, and
otherwise a lower bound. A name search instead reads the names the text index finds, the most
recently recorded first, and probes each one's case in the listing by key; it too stops once it
has a page, and counts among at most COUNT_LIMIT + 1 names.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    select,
    tuple_,
    union,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import Function

from workflow.errors import InvalidInput
from workflow.models import CaseListing, PersonName
from workflow.name_index import holds_tokens, newest_names

COUNT_LIMIT = 1000
Row = CaseListing
# The sort key of a row and its case id: a moment for the lists, a name's id for a name search.
Key = tuple[datetime | int, uuid.UUID]
Conditions = list[ColumnElement[bool]]


class Unindexed(Function[Any]):
    """A column as SQLite must not look it up through an index (`+column`), so that a list is
    read through the index its plan is built on; other databases, which plan from statistics,
    see the column as it is."""

    inherit_cache = True

    def __init__(self, column: Any) -> None:
        super().__init__("unindexed", column, type_=column.type)


@compiles(Unindexed)
def _as_it_is(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses.clauses[0], **kw))


@compiles(Unindexed, "sqlite")
def _unary_plus(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.clauses.clauses[0], **kw))


@dataclass(frozen=True)
class Order:
    """The key a list is sorted by, and which way."""

    key: Any
    descending: bool

    def columns(self, key: Any = None, case_id: Any = None) -> tuple[Any, Any]:
        """The ORDER BY of the listing's rows (or of these columns standing for them)."""
        key, case_id = (self.key, Row.case_id) if key is None else (key, case_id)
        if self.descending:
            return key.desc(), case_id.desc()
        return key.asc(), case_id.asc()

    def after(self, cursor: Key, key: Any = None, case_id: Any = None) -> ColumnElement[bool]:
        """Rows (or these columns' rows) that come after the cursor's row in the list."""
        key, case_id = (self.key, Row.case_id) if key is None else (key, case_id)
        row = tuple_(key, case_id)
        given = tuple_(
            bindparam(None, cursor[0], type_=Row.updated_at.type),
            bindparam(None, cursor[1], type_=Row.case_id.type),
        )
        return row < given if self.descending else row > given


@dataclass(frozen=True)
class Filters:
    """What a row must meet beside belonging to a viewer: tests of its own columns, and probes of
    other tables (a track's state), each as one expression on the listing's row."""

    rows: Conditions
    probes: Conditions


def browse(
    db: Session,
    viewers: list[str],
    filters: Filters,
    order: Order,
    cursor: Key | None,
    offset: int,
    limit: int,
) -> list[Key]:
    """The sort keys and ids of a page, merged from each viewer's rows in the list's order."""
    after = [order.after(cursor)] if cursor else []
    branches = [
        select(Row.case_id, order.key.label("key"))
        .where(Row.viewer == viewer, *filters.rows, *filters.probes, *after)
        .order_by(*order.columns())
        .limit(offset + limit)
        for viewer in viewers
    ]
    if len(branches) == 1:
        return _keys(db.execute(branches[0].offset(offset)))
    merged = union(*(select(branch.subquery()) for branch in branches)).subquery()
    return _keys(
        db.execute(
            select(merged.c.case_id, merged.c.key)
            .order_by(*order.columns(merged.c.key, merged.c.case_id))
            .limit(limit)
            .offset(offset)
        )
    )


def count(db: Session, viewers: list[str], filters: Filters, order: Order) -> tuple[int, bool]:
    """How many cases match among the first COUNT_LIMIT + 1 rows of each viewer in the list's
    order, and whether those were all of the rows (the count is then exact; otherwise it is a
    lower bound, and counts what the first pages hold)."""
    hit = case((and_(*filters.probes), 1), else_=0) if filters.probes else literal(1)
    branches = [
        select(Row.case_id, hit.label("hit"))
        .where(Row.viewer == viewer, *filters.rows)
        .order_by(*order.columns())
        .limit(COUNT_LIMIT + 1)
        for viewer in viewers
    ]
    rows: Select[Any] | CompoundSelect[Any] = (
        branches[0] if len(branches) == 1 else union(*(select(b.subquery()) for b in branches))
    )
    read = rows.subquery()
    seen, matched = db.execute(select(func.count(), func.sum(read.c.hit))).one()
    exact = seen <= COUNT_LIMIT
    return (int(matched or 0) if exact else min(int(matched or 0), COUNT_LIMIT)), exact


def search(
    db: Session,
    viewers: list[str],
    tokens: list[str],
    filters: Filters,
    cursor: Key | None,
    offset: int,
    limit: int,
) -> tuple[list[Key], int, bool]:
    """A page of the cases with a name that holds every token, the most recently recorded name
    first, each case once (at its newest such name); and how many there are among the first
    COUNT_LIMIT + 1 such names, with whether those were all of them."""
    names = newest_names(db.get_bind().dialect.name, tokens)
    # A name's id and case as the index gives them, so that PostgreSQL need not read the name.
    name_id, case_id = names.selected_columns.name_id, names.selected_columns.case_id
    later = aliased(PersonName)
    listed = [Row.case_id == case_id, Row.viewer.in_(viewers), *filters.rows, *filters.probes]
    wanted = [
        exists().where(*listed),
        ~exists().where(later.case_id == case_id, later.id > name_id, holds_tokens(later, tokens)),
    ]
    # The name's id as the index reads it, so that a cursor is a bound of the walk, not a filter.
    after = [name_id < cursor[0]] if cursor else []
    page = db.execute(names.where(*wanted, *after).limit(limit).offset(offset)).all()
    # A case counted once however many of its names are read: its newest is read before them.
    # The probe is a scalar subquery so that it stays one lookup per name read: an EXISTS there
    # PostgreSQL may answer by hashing every row the viewers have, which grows with the registry.
    probe = select(literal(1)).where(*listed).limit(1).scalar_subquery().is_not(None)
    visible = case((probe, case_id), else_=None)
    read = names.with_only_columns(visible.label("visible")).limit(COUNT_LIMIT + 1).subquery()
    seen, matched = db.execute(select(func.count(), func.count(read.c.visible.distinct()))).one()
    return [(found, case) for found, case in page], matched, seen <= COUNT_LIMIT


def encode_cursor(key: Key) -> str:
    """The opaque cursor of the page after a row: its sort key and case id."""
    first = key[0] if isinstance(key[0], int) else key[0].isoformat()
    text = json.dumps([first, key[1].hex])
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, *, searched: bool) -> Key:
    """The sort key and case id a cursor names; a cursor not made by a list of this kind (a
    name search, or another list) is invalid input."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        first, case_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        key = (_sort_key(first, searched=searched), uuid.UUID(hex=case_id))
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise InvalidInput(
            "That cursor was not given by this list.",
            [{"field": "cursor", "problem": "not_a_cursor"}],
        ) from None
    return key


def _sort_key(given: object, *, searched: bool) -> datetime | int:
    if searched and isinstance(given, int) and not isinstance(given, bool) and given > 0:
        return given
    if not searched and isinstance(given, str):
        moment = datetime.fromisoformat(given)
        if moment.tzinfo is not None:
            return moment
    raise ValueError("not a sort key of this list")


def _keys(rows: Any) -> list[Key]:
    return [(key, case_id) for case_id, key in rows]
