"""Finding cases: the caller's visible cases, filtered, searched and paginated."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from workflow.access import tracks_waiting_on, visible_cases, waiting_on
from workflow.db import utcnow
from workflow.errors import InvalidInput
from workflow.models import Case, Person, PersonName, TrackState, TransitionRecord
from workflow.permissions import Caller, can_work_queue
from workflow.rules.catalogue import all_definitions
from workflow.schemas import CaseListQuery
from workflow.sealing import SHORTEST_PREFIX, data_keys
from workflow.text import search_key
from workflow.vocabulary import CaseStatus


def list_cases(db: Session, caller: Caller, query: CaseListQuery) -> tuple[list[Case], int]:
    """One page of the cases the caller may see that match every given filter, and the total."""
    where = [visible_cases(db, caller), *_filters(db, caller, query)]
    total = db.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    statement = (
        select(Case)
        .where(*where)
        .order_by(*_order(db, caller, query))
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
        .options(selectinload(Case.people).selectinload(Person.names), selectinload(Case.tracks))
    )
    return list(db.scalars(statement).all()), total


def recently_handled(db: Session, caller: Caller, limit: int = 10) -> list[Case]:
    """Cases the official's agency has taken a step on and that no longer wait on it, the most
    recently changed first: where an official finds again what they just acted on."""
    handled = exists().where(
        TransitionRecord.case_id == Case.id, TransitionRecord.agency_id == caller.agency_id
    )
    statement = (
        select(Case)
        .where(visible_cases(db, caller), handled, ~waiting_on(db, caller.agency_kind))
        .order_by(Case.updated_at.desc(), Case.id)
        .limit(limit)
        .options(selectinload(Case.people).selectinload(Person.names), selectinload(Case.tracks))
    )
    return list(db.scalars(statement).all())


def _order(db: Session, caller: Caller, query: CaseListQuery) -> list[Any]:
    """A queue is longest waiting first: by when its oldest step waiting on the agency began."""
    if not query.queue:
        return [Case.updated_at.desc(), Case.id]
    waiting_since = (
        select(func.min(TrackState.since))
        .where(TrackState.case_id == Case.id, tracks_waiting_on(db, caller.agency_kind))
        .scalar_subquery()
    )
    return [waiting_since.asc(), Case.id]


def _filters(db: Session, caller: Caller, query: CaseListQuery) -> list[ColumnElement[bool]]:
    filters = []
    if query.track or query.state:
        filters.append(_in_state(query.track, query.state))
    if query.queue:
        if not can_work_queue(caller):
            raise InvalidInput(
                "The agency queue is for agency officials.",
                [{"field": "queue", "problem": "officials_only"}],
            )
        filters.append(waiting_on(db, caller.agency_kind))
    if query.overdue is not None:
        overdue = exists().where(TrackState.case_id == Case.id, overdue_clause(db, utcnow()))
        filters.append(overdue if query.overdue else ~overdue)
    if query.q:
        filters.append(_name_matches(query.q))
    return filters


def _in_state(track: str | None, state: str | None) -> ColumnElement[bool]:
    conditions = []
    if track:
        conditions.append(TrackState.track == track)
    if state:
        conditions.append(TrackState.state == state)
    return Case.id.in_(select(TrackState.case_id).where(*conditions))


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


def _name_matches(text: str) -> ColumnElement[bool]:
    """Names with a word that starts with each word searched for, compared as blind tokens."""
    words = [word for word in search_key(text).split() if len(word) >= SHORTEST_PREFIX]
    if not words:
        return false()
    keys = data_keys()
    tokens = [PersonName.search_key.contains(f" {keys.token(word)} ") for word in words]
    return Case.id.in_(select(PersonName.case_id).where(*tokens))
