"""Finding cases: the caller's lists, filtered, searched and paged, at a cost that does not grow
with the registry.

Each list reads the caller's rows of the lists' index (`workflow.listings`) in the list's order
(`workflow.paging`): the last change first, a queue by how long it has waited, the overdue by
when they fell due. An official's lists merge two viewers, their agency's rows and their kind's.
A name search reads the names' text index instead, the most recently recorded names first. The
cases of a page are then read with need-to-know checked on each again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session, selectinload

from workflow import paging
from workflow.access import visible_cases, waiting_on
from workflow.db import utcnow
from workflow.errors import InvalidInput
from workflow.external_references import cases_known_by
from workflow.listings import agency_viewer, viewers
from workflow.models import (
    Case,
    CaseHandler,
    CaseListing,
    Person,
    PersonName,
    TrackState,
)
from workflow.paging import Filters, Order, Unindexed, decode_cursor, encode_cursor
from workflow.permissions import Caller, can_work_queue
from workflow.rules.catalogue import all_definitions
from workflow.schemas import CaseListQuery
from workflow.sealing import SHORTEST_PREFIX, data_keys
from workflow.text import search_key
from workflow.vocabulary import CaseStatus, Relation

Row = CaseListing
BY_CHANGE = Order(Row.updated_at, descending=True)
BY_WAITING = Order(Row.waiting_since, descending=False)
BY_DUE = Order(Row.due, descending=False)


@dataclass(frozen=True)
class CasePage:
    """One page of a list. `total` counts the matches, exactly when `total_exact`, otherwise as
    a lower bound (a count reads a bounded part of a long list); `next_cursor` fetches the page
    after this one."""

    cases: list[Case]
    total: int
    total_exact: bool
    next_cursor: str | None


def list_cases(db: Session, caller: Caller, query: CaseListQuery) -> CasePage:
    """One page of the cases the caller may see that match every given filter."""
    if query.queue and not can_work_queue(caller):
        raise InvalidInput(
            "The agency queue is for agency officials.",
            [{"field": "queue", "problem": "officials_only"}],
        )
    if query.reference is not None:
        return _known_by_reference(db, caller, query)
    order, among, searched = _order(query), viewers(caller), query.q is not None
    cursor = decode_cursor(query.cursor, searched=searched) if query.cursor else None
    tokens = _tokens(query.q) if query.q else []
    filters = _filters(query, order, searched=searched)
    if not among or (searched and not tokens):
        return CasePage([], 0, True, None)
    offset = 0 if cursor else (query.page - 1) * query.per_page
    if searched:
        keys, total, exact = paging.search(
            db, among, tokens, filters, cursor, offset, query.per_page + 1
        )
    else:
        keys = paging.browse(db, among, filters, order, cursor, offset, query.per_page + 1)
        total, exact = paging.count(db, among, filters, order)
    shown = keys[: query.per_page]
    return CasePage(
        _cases(db, caller, [case_id for _key, case_id in shown]),
        max(total, offset + len(shown)) if shown else total,  # a lower bound counts what is seen
        exact,
        encode_cursor(shown[-1]) if len(keys) > query.per_page else None,
    )


def _known_by_reference(db: Session, caller: Caller, query: CaseListQuery) -> CasePage:
    """The caller's own cases that carry an external reference of this value; few by nature,
    so counted exactly and paged by number."""
    found = cases_known_by(db, caller, query.reference or "")
    start = (query.page - 1) * query.per_page
    shown = _cases(db, caller, found[start : start + query.per_page])
    return CasePage(shown, len(found), True, None)


def recently_handled(db: Session, caller: Caller, limit: int = 10) -> list[Case]:
    """Cases the official's agency has taken a step on and that no longer wait on it, the most
    recently changed first: where an official finds again what they just acted on."""
    mine = Filters(rows=[Unindexed(Row.waiting_since).is_(None)], probes=[])
    keys = paging.browse(db, [agency_viewer(caller.agency_id)], mine, BY_CHANGE, None, 0, limit)
    handled = exists().where(
        CaseHandler.case_id == Case.id, CaseHandler.agency_id == caller.agency_id
    )
    ids = [case_id for _key, case_id in keys]
    return _cases(db, caller, ids, handled, ~waiting_on(db, caller.agency_kind))


def overdue_clause(db: Session, now: datetime) -> ColumnElement[bool]:
    """Track states of open cases that have been in a state longer than its target duration."""
    clauses = [
        and_(
            Case.workflow_id == record.id,
            TrackState.track == track.name,
            TrackState.state == state.name,
            TrackState.since < now - timedelta(days=state.target_days),
        )
        for record, definition in all_definitions(db)
        for track in definition.tracks
        for state in track.states
        if state.target_days
    ]
    return and_(Case.status == CaseStatus.OPEN, or_(*clauses)) if clauses else false()


def _order(query: CaseListQuery) -> Order:
    """A queue is longest waiting first, the overdue longest overdue first, the rest the most
    recently changed first."""
    if query.queue:
        return BY_WAITING
    if query.overdue:
        return BY_DUE
    return BY_CHANGE


def _filters(query: CaseListQuery, order: Order, *, searched: bool) -> Filters:
    """What each listing row must meet beside belonging to one of the caller's viewers. A row is
    tested as the index of the list's order yields it (or as a name found leads to it), never
    looked up by another of its columns."""
    waiting, due = (
        column if column is order.key and not searched else Unindexed(column)
        for column in (Row.waiting_since, Row.due)
    )
    rows: list[ColumnElement[bool]] = []
    if query.queue:
        rows.append(waiting.is_not(None))
    if query.overdue is not None:
        now = utcnow()
        rows.append(due < now if query.overdue else or_(due.is_(None), due >= now))
    probes = [_in_state(query.track, query.state)] if query.track or query.state else []
    return Filters(rows, probes)


def _in_state(track: str | None, state: str | None) -> ColumnElement[bool]:
    conditions = [TrackState.case_id == Row.case_id]
    if track:
        conditions.append(TrackState.track == track)
    if state:
        conditions.append(TrackState.state == state)
    return exists().where(*conditions)


def _tokens(text: str) -> list[str]:
    """The blind tokens a name must hold to have a word starting with each word searched for;
    none when no word is long enough to search for."""
    words = [word for word in search_key(text).split() if len(word) >= SHORTEST_PREFIX]
    keys = data_keys() if words else None
    return sorted({keys.token(word) for word in words}) if keys else []


def _cases(
    db: Session, caller: Caller, ids: list[uuid.UUID], *also: ColumnElement[bool]
) -> list[Case]:
    """The cases of these ids that the caller may see, in the order given."""
    if not ids:
        return []
    statement = (
        select(Case)
        .where(Case.id.in_(ids), visible_cases(db, caller, one_case=True), *also)
        .options(
            # Each case's workflow is one of very few: read once each, not joined to every row.
            selectinload(Case.workflow),
            # A list shows the child's names, so only they are read and opened, not everyone's
            # particulars (the session's cases then hold the child alone among their people).
            selectinload(Case.people.and_(Person.relation == Relation.CHILD))
            .load_only(Person.case_id, Person.relation, Person.position)
            .selectinload(Person.names)
            .defer(PersonName.search_key),
            selectinload(Case.tracks),
        )
    )
    found = {case.id: case for case in db.scalars(statement)}
    return [found[case_id] for case_id in ids if case_id in found]
