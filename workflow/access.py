"""Need-to-know: the facts of a case that permissions use, and the same rule as a SQL filter."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    ScalarSelect,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    false,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_dict, set_committed_value

from workflow.db import utcnow
from workflow.id_lists import id_list, json_rows, split
from workflow.identity.current import current_user
from workflow.loaded import as_loaded
from workflow.models import (
    Assignment,
    BreakGlassGrant,
    Case,
    CaseHandler,
    CaseRoute,
    TrackState,
    User,
    WorkflowRecord,
)
from workflow.permissions import Caller, CaseFacts
from workflow.rules.catalogue import all_definitions, definition_of
from workflow.rules.definition import Definition
from workflow.vocabulary import AgencyKind, CaseStatus, Role

NOW = "facts_now"
CALLER_ID, CALLER_AGENCY, CASE_KEY = "caller_id", "caller_agency", "case_key"
Lookup = Select[*tuple[Any, ...]]  # a case with its need-to-know facts


@dataclass(frozen=True)
class CallerOfKind:
    """A caller as a query built once for their role and kind of agency sees them: their id and
    agency are the query's parameters (`CALLER_ID`, `CALLER_AGENCY`)."""

    id: Any
    role: Role
    agency_id: Any
    agency_kind: AgencyKind


def caller_of(user: User) -> Caller:
    return Caller(
        id=user.id, role=user.role, agency_id=user.agency_id, agency_kind=user.agency.kind
    )


def current_caller() -> Caller:
    """The signed-in user of this request, as permissions see them."""
    return caller_of(current_user())


def case_facts(db: Session, case: Case) -> CaseFacts:
    """Who works the case, which agencies it waits on, which agencies handled it."""
    listed = db.execute(_facts_query(), {**facts_now(), "case": case.id}).one()
    return facts_of(case, tuple(listed))


@cache
def _facts_query() -> Select[*tuple[str, ...]]:
    """The facts of the case whose id is the `case` parameter; built once, as a statement
    built anew is keyed anew for the compiled cache on every run."""
    return select(*fact_lists()).where(Case.id == bindparam("case"))


@cache
def fact_lists() -> tuple[ScalarSelect[str], ...]:
    """The facts of the case row in a query, each as a list in one text column, so that the
    query that finds a case brings its need-to-know facts with it: assigned lawyers, agencies
    that handled it and on which track (track:id), the agencies that took it (kind:id), live
    break-glass grants at `facts_now()`. Built once, since every case read asks them."""
    return _fact_lists(Case.id)


def _fact_lists(case: Any) -> tuple[ScalarSelect[str], ...]:
    """The facts as `fact_lists` gives them, of the case whose id `case` is."""
    return (
        _listed(Assignment.user_id, Assignment, case),
        _listed(CaseHandler.track + ":" + cast(CaseHandler.agency_id, String), CaseHandler, case),
        _listed(CaseRoute.agency_kind + ":" + cast(CaseRoute.agency_id, String), CaseRoute, case),
        _listed(
            BreakGlassGrant.user_id,
            BreakGlassGrant,
            case,
            BreakGlassGrant.expires_at > bindparam(NOW),
        ),
    )


def facts_now() -> dict[str, Any]:
    """The parameters of a query with `fact_lists`: the moment a grant must outlive."""
    return {NOW: utcnow()}


def facts_of(case: Case, listed: tuple[str | None, ...]) -> CaseFacts:
    """The facts from `fact_lists`' columns and the case's loaded tracks."""
    assigned, steps, routes, grants = listed
    taken = {_step(step) for step in split(steps)}
    definition = definition_of(case.workflow)
    waiting: set[AgencyKind] = set()
    for track_state in case.tracks:
        track = definition.track(track_state.track)
        if track is not None:
            waiting |= track.waiting_on(track_state.state, case.status)
    return CaseFacts(
        agency=case.agency_id,
        assigned=frozenset(uuid.UUID(user) for user in split(assigned)),
        waiting_on=frozenset(waiting),
        handled_by=frozenset(agency for _track, agency in taken),
        steps_taken=frozenset(taken),
        routes=tuple(_route(route) for route in split(routes)),
        break_glass=frozenset(uuid.UUID(user) for user in split(grants)),
    )


def _listed(
    column: Any, model: Any, case: Any, *conditions: ColumnElement[bool]
) -> ScalarSelect[str]:
    return select(id_list(column)).where(model.case_id == case, *conditions).scalar_subquery()


def _step(listed: str) -> tuple[str, uuid.UUID]:
    track, _, agency = listed.partition(":")
    return track, uuid.UUID(agency)


def _route(listed: str) -> tuple[AgencyKind, uuid.UUID]:
    kind, _, agency = listed.partition(":")
    return AgencyKind(kind), uuid.UUID(agency)


def visible_cases(db: Session, caller: Caller, *, one_case: bool = False) -> ColumnElement[bool]:
    """The cases the caller may see, as a WHERE clause on `cases`; a purged case, nobody.

    The tests are subqueries correlated to the case row, so that finding one case probes an
    index instead of gathering every case an agency ever handled; only a lawyer's list is
    faster the other way round, from the lawyer's assignments.

    A break-glass grant does not count here: a case opened that way appears in no list and no
    queue, and is seen only when its reader names it (see `case_lookup`).
    """
    return and_(Case.purged_at.is_(None), _visible(db, caller, one_case=one_case))


# The lookups built so far, by kind of caller; and what an official's is built from.
_LOOKUPS: dict[tuple[Any, ...], Lookup] = {}
STORED_WORKFLOWS = select(WorkflowRecord.id, WorkflowRecord.sha256).order_by(WorkflowRecord.id)


def case_lookup(db: Session, caller: Caller, *, by_reference: bool, break_glass: bool) -> Lookup:
    """The query that finds one case (`CASE_KEY`, its id or its reference) with its tracks and
    need-to-know facts, if the caller may see it, or read it by a live grant (`break_glass`).

    Built once for each kind of caller and set of stored workflows, with the caller and the
    case as its parameters (`lookup_parameters`): building it was a fifth of a case read."""
    stored: tuple[Any, ...] = ()
    if caller.role is Role.OFFICIAL:  # whom a case waits on is in the stored workflows
        stored = tuple(db.execute(STORED_WORKFLOWS))
    key = (caller.role, caller.agency_kind, by_reference, break_glass, stored)
    lookup = _LOOKUPS.get(key)
    if lookup is None:
        if len(_LOOKUPS) > 256:  # workflows loaded again and again: forget the old ones
            _LOOKUPS.clear()
        lookup = _LOOKUPS[key] = _build_lookup(db, caller, by_reference, break_glass)
    return lookup


def _build_lookup(db: Session, caller: Caller, by_reference: bool, break_glass: bool) -> Lookup:
    bound = CallerOfKind(
        bindparam(CALLER_ID), caller.role, bindparam(CALLER_AGENCY), caller.agency_kind
    )
    key: BindParameter[Any] = bindparam(CASE_KEY)
    found = case_named(by_reference, key)
    # The facts are of the case the key names, not of each row the case's tracks join: so the
    # database works each list out once, not once for every track.
    named: ColumnElement[Any] = key
    if by_reference:
        named = select(Case.id).where(found).correlate(None).scalar_subquery()
    visible = _visible(db, bound, one_case=True)
    if break_glass:
        visible = or_(visible, _exists(BreakGlassGrant, _granted_to(bound.id)))
    return select(Case, *_fact_lists(named), _track_rows(named)).where(
        found, Case.purged_at.is_(None), visible
    )


def _track_rows(case: Any) -> ScalarSelect[str]:
    """The tracks of the case whose id `case` is, in one column (`loaded_tracks` reads it): one
    row for the case instead of one for each track, each carrying all of the case's columns."""
    return (
        select(json_rows(TrackState.track, TrackState.state, TrackState.since))
        .where(TrackState.case_id == case)
        .scalar_subquery()
    )


def loaded_tracks(db: Session, case: Case, listed: str | None) -> None:
    """Put the case's tracks, as `_track_rows` lists them, in the session and on the case, as a
    query would have loaded them; a case whose tracks the session holds already keeps them."""
    if "tracks" in instance_dict(case):
        return
    tracks = [
        as_loaded(
            db,
            TrackState,
            {"case_id": case.id, "track": track, "state": state, "since": _moment(since)},
        )
        for track, state, since in sorted(json.loads(listed or "[]"))
    ]
    set_committed_value(case, "tracks", tracks)


def _moment(listed: str) -> datetime:
    """A moment as the track list gives it: naive UTC text (SQLite) or ISO 8601 with an offset."""
    moment = datetime.fromisoformat(listed)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def case_named(by_reference: bool, key: Any) -> ColumnElement[bool]:
    """The case a key names: by its reference, or by its id."""
    named: ColumnElement[bool] = (Case.reference if by_reference else Case.id) == key
    return named


def lookup_parameters(caller: Caller, case_key: str | uuid.UUID) -> dict[str, Any]:
    """The parameters of a `case_lookup` query: the caller, the case, the moment of the facts."""
    return {
        CALLER_ID: caller.id,
        CALLER_AGENCY: caller.agency_id,
        CASE_KEY: case_key,
        **facts_now(),
    }


def _granted_to(user: Any) -> ColumnElement[bool]:
    """A grant of this user's that is still live at `facts_now()`."""
    return and_(BreakGlassGrant.user_id == user, BreakGlassGrant.expires_at > bindparam(NOW))


def _visible(db: Session, caller: Caller | CallerOfKind, *, one_case: bool) -> ColumnElement[bool]:
    if caller.role is Role.LAWYER:
        # Assigned, and in the NGO that holds the case (`permissions.works_case`).
        ours = Case.agency_id == caller.agency_id
        if one_case:
            # The NGO's test inside the assignment's, so that SQLite finds the cases by their ids,
            # never through the NGO's index: that reads every case the NGO holds.
            return _exists(Assignment, Assignment.user_id == caller.id, ours)
        return and_(ours, Case.id.in_(select(Assignment.case_id).filter_by(user_id=caller.id)))
    if caller.role is Role.OFFICIAL:
        handled = _exists(CaseHandler, CaseHandler.agency_id == caller.agency_id)
        taken_by_others = _exists(
            CaseRoute,
            CaseRoute.agency_kind == caller.agency_kind,
            CaseRoute.agency_id != caller.agency_id,
        )
        return or_(handled, and_(waiting_on(db, caller.agency_kind), ~taken_by_others))
    return false()


def waiting_on(db: Session, kind: AgencyKind) -> ColumnElement[bool]:
    """Cases with a track in a state that waits on agencies of this kind: any such state of an
    open case, an amendment of a complete one's papers (`Track.waiting_on`)."""
    definitions, waiting = all_definitions(db), []
    for status in (CaseStatus.OPEN, CaseStatus.COMPLETE):
        states = _tracks_waiting_on(definitions, kind, status)
        if states is not None:
            waiting.append(and_(Case.status == status, _exists(TrackState, states)))
    return or_(*waiting) if waiting else false()


def _tracks_waiting_on(
    definitions: list[tuple[WorkflowRecord, Definition]], kind: AgencyKind, status: CaseStatus
) -> ColumnElement[bool] | None:
    """Track states, of any workflow version, that wait on agencies of this kind on a case that
    is `status`; None where none does."""
    clauses = []
    for record, definition in definitions:
        for track in definition.tracks:
            states = [s.name for s in track.states if kind in track.waiting_on(s.name, status)]
            if states:
                clauses.append(
                    and_(
                        Case.workflow_id == record.id,
                        TrackState.track == track.name,
                        TrackState.state.in_(states),
                    )
                )
    return or_(*clauses) if clauses else None


def _exists(model: Any, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """A row of `model` about this case (correlated on case_id) meets every condition."""
    return exists().where(model.case_id == Case.id, *conditions)
