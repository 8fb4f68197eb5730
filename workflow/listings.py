"""The lists' own index of cases: who finds each case in which list, kept in step with the case.

Every list and queue reads `case_listings` by viewer, through an index in the order it shows, so
that a page costs the same at 1,000 cases as at 100,000. A case's rows are derived from its own
rows (status, tracks, routes, assignments, the agencies that acted) and recomputed whole when a
transaction that changed any of them commits, in that same transaction. Need-to-know stays the
rule of `workflow.access`: the lists check it again on every case they return, so a wrong row
here could hide a case, never show one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Select,
    String,
    Uuid,
    bindparam,
    cast,
    delete,
    event,
    insert,
    inspect,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from workflow.db import Base
from workflow.models import (
    Agency,
    Assignment,
    Case,
    CaseHandler,
    CaseListing,
    CaseRoute,
    TrackState,
    User,
    WorkflowRecord,
)
from workflow.permissions import Caller
from workflow.rules.catalogue import definition_of, parsed_already
from workflow.rules.definition import Definition
from workflow.vocabulary import AgencyKind, CaseStatus, Role

BATCH = 500
TOUCHED = "homeward.listings.touched"
LISTINGS = Base.metadata.tables[CaseListing.__tablename__]
# The rows a case's listing is derived from; a change to any of them touches the case.
_DERIVED_FROM = (TrackState, CaseHandler, CaseRoute, Assignment)
_DERIVED_TABLES = {model.__tablename__ for model in (Case, *_DERIVED_FROM)}
# Built once, so that each transaction's refresh only binds the ids of the cases it touched.
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
# The cases, with what names their workflow's definition (parsed once by each process).
_CASES = (
    select(
        Case.id,
        Case.workflow_id,
        Case.status,
        Case.updated_at,
        Case.purged_at,
        Case.created_at,
        WorkflowRecord.name.label("workflow_name"),
        WorkflowRecord.version.label("workflow_version"),
        WorkflowRecord.sha256.label("workflow_sha256"),
    )
    .join(WorkflowRecord, WorkflowRecord.id == Case.workflow_id)
    .where(Case.id.in_(_IDS))
)


class Part(IntEnum):
    """Which part of a case a row of `_PARTS` is from."""

    TRACKS = 0
    ROUTES = 1
    LAWYERS = 2
    HANDLERS = 3


# Tracks, routes, lawyers and the agencies that acted, in one query: each row is of a case, from
# one of the parts, with its values as text (a moment only for a track's).
_NO_TEXT, _NO_MOMENT = cast(null(), String), cast(null(), TrackState.since.type)
_PART_QUERIES: tuple[Select[*tuple[Any, ...]], ...] = (
    select(
        TrackState.case_id,
        literal_column(str(Part.TRACKS.value)),
        TrackState.track,
        TrackState.state,
        TrackState.since,
    ),
    select(
        CaseRoute.case_id,
        literal_column(str(Part.ROUTES.value)),
        CaseRoute.agency_kind,
        cast(CaseRoute.agency_id, String),
        _NO_MOMENT,
    ),
    # A lawyer finds a case only while in the NGO that holds it (`permissions.works_case`).
    select(
        Assignment.case_id,
        literal_column(str(Part.LAWYERS.value)),
        cast(Assignment.user_id, String),
        _NO_TEXT,
        _NO_MOMENT,
    )
    .join(Case, Case.id == Assignment.case_id)
    .join(User, User.id == Assignment.user_id)
    .where(User.agency_id == Case.agency_id),
    select(
        CaseHandler.case_id,
        literal_column(str(Part.HANDLERS.value)),
        cast(CaseHandler.agency_id, String),
        Agency.kind,
        _NO_MOMENT,
    )
    .join(Agency, Agency.id == CaseHandler.agency_id)
    .distinct(),
)
_PARTS = union_all(*(part.where(part.selected_columns[0].in_(_IDS)) for part in _PART_QUERIES))
_DELETE = delete(LISTINGS).where(LISTINGS.c.case_id.in_(_IDS))
_INSERT = insert(LISTINGS)


@dataclass(frozen=True)
class ListedCase:
    """What a case's listing rows are derived from."""

    id: uuid.UUID
    definition: Definition
    status: CaseStatus
    updated_at: datetime
    purged: bool
    tracks: dict[str, tuple[str, datetime]]
    routes: dict[AgencyKind, uuid.UUID]
    assigned: frozenset[uuid.UUID]
    handlers: dict[uuid.UUID, AgencyKind]
    opened_at: datetime | None = None  # when the whole case's target began to run


def user_viewer(user_id: uuid.UUID) -> str:
    return f"user:{user_id.hex}"


def agency_viewer(agency_id: uuid.UUID) -> str:
    return f"agency:{agency_id.hex}"


def kind_viewer(kind: AgencyKind) -> str:
    return f"kind:{kind.value}"


def viewers(caller: Caller) -> list[str]:
    """The viewers whose rows make up the caller's lists: a lawyer's own; an official's agency's
    and their kind's (what waits on every agency of it). Auditors and admins have none."""
    if caller.role is Role.LAWYER:
        return [user_viewer(caller.id)]
    if caller.role is Role.OFFICIAL:
        return [agency_viewer(caller.agency_id), kind_viewer(caller.agency_kind)]
    return []


def entries(case: ListedCase) -> list[dict[str, Any]]:
    """The case's listing rows: each viewer, and what the lists sort and filter it by."""
    if case.purged:
        return []
    waiting, due = waiting_since(case), due_at(case)
    found: dict[str, datetime | None] = {user_viewer(user): None for user in case.assigned}
    for agency, kind in case.handlers.items():
        found[agency_viewer(agency)] = waiting.get(kind)
    for kind, since in waiting.items():
        taken = case.routes.get(kind)
        found.setdefault(kind_viewer(kind) if taken is None else agency_viewer(taken), since)
    return [
        {
            "case_id": case.id,
            "viewer": viewer,
            "updated_at": case.updated_at,
            "waiting_since": since,
            "due": due,
        }
        for viewer, since in found.items()
    ]


def waiting_since(case: ListedCase) -> dict[AgencyKind, datetime]:
    """Each agency kind a case waits on (an open one's steps, a complete one's amendment), and
    since when its oldest such step waits."""
    waiting: dict[AgencyKind, datetime] = {}
    for name, (state, since) in case.tracks.items():
        track = case.definition.track(name)
        for kind in track.waiting_on(state, case.status) if track else ():
            waiting[kind] = min(waiting.get(kind, since), since)
    return waiting


def due_at(case: ListedCase) -> datetime | None:
    """When a case first passes a target: a track's state's (an open case's, or a complete
    one's amendment), or the whole open case's."""
    dues = [
        since + timedelta(days=target)
        for name, (state, since) in case.tracks.items()
        if (target := _target_days(case, name, state))
    ]
    whole = case.definition.target_days
    if case.status is CaseStatus.OPEN and whole and case.opened_at:
        dues.append(case.opened_at + timedelta(days=whole))
    return min(dues, default=None)


def _target_days(case: ListedCase, track_name: str, state_name: str) -> int | None:
    track = case.definition.track(track_name)
    return track.target_days(state_name, case.status) if track else None


def refresh(connection: Connection, case_ids: Collection[uuid.UUID]) -> None:
    """Derive the listing rows of these cases anew from their rows as they stand."""
    ordered = sorted(set(case_ids))
    for chunk in (ordered[start : start + BATCH] for start in range(0, len(ordered), BATCH)):
        rows = [row for case in gather(connection, chunk) for row in entries(case)]
        connection.execute(_DELETE, {"ids": chunk})
        if rows:
            connection.execute(_INSERT, rows)


def rebuild(connection: Connection) -> int:
    """Derive every case's listing rows anew; return how many cases there are."""
    done, last = 0, None
    while True:
        query = select(Case.id).order_by(Case.id).limit(BATCH)
        if last is not None:
            query = query.where(Case.id > last)
        chunk = list(connection.scalars(query))
        refresh(connection, chunk)
        done += len(chunk)
        if len(chunk) < BATCH:
            return done
        last = chunk[-1]


def gather(connection: Connection, case_ids: Collection[uuid.UUID]) -> list[ListedCase]:
    """Read what the listings of these cases are derived from: the cases, then their parts."""
    ids = {"ids": list(case_ids)}
    cases = connection.execute(_CASES, ids).all()
    parts = _by_case(connection.execute(_PARTS, ids))
    return [
        ListedCase(
            id=case.id,
            definition=_definition(connection, case),
            status=CaseStatus(case.status),
            updated_at=case.updated_at,
            purged=case.purged_at is not None,
            opened_at=case.created_at,
            tracks={
                track: (state, since) for track, state, since in parts[Part.TRACKS].get(case.id, [])
            },
            routes={
                AgencyKind(kind): uuid.UUID(agency)
                for kind, agency, _ in parts[Part.ROUTES].get(case.id, [])
            },
            assigned=frozenset(
                uuid.UUID(user) for user, *_ in parts[Part.LAWYERS].get(case.id, [])
            ),
            handlers={
                uuid.UUID(agency): AgencyKind(kind)
                for agency, kind, _ in parts[Part.HANDLERS].get(case.id, [])
            },
        )
        for case in cases
    ]


def _by_case(rows: Iterable[Any]) -> list[dict[uuid.UUID, list[tuple[Any, ...]]]]:
    """For each part, its rows by case id: the rest of each row."""
    parts: list[dict[uuid.UUID, list[tuple[Any, ...]]]] = [{} for _ in Part]
    for case_id, part, *rest in rows:
        parts[part].setdefault(case_id, []).append(tuple(rest))
    return parts


def _definition(connection: Connection, case: Any) -> Definition:
    """The parsed definition of a case's workflow; its body is read only the first time."""
    parsed = parsed_already(case.workflow_name, case.workflow_version, case.workflow_sha256)
    return parsed or _parsed(connection, case.workflow_id)


def _parsed(connection: Connection, record_id: int) -> Definition:
    record = connection.execute(
        select(
            WorkflowRecord.name,
            WorkflowRecord.version,
            WorkflowRecord.sha256,
            WorkflowRecord.body,
        ).where(WorkflowRecord.id == record_id)
    ).one()
    return definition_of(WorkflowRecord(**record._asdict()))


def keep_current(sessions: sessionmaker[Session]) -> None:
    """Have sessions made by this factory keep the listings of the cases they change current."""
    event.listen(sessions, "after_flush", _note_flushed)
    event.listen(sessions, "do_orm_execute", _note_bulk_change)
    event.listen(sessions, "before_commit", _refresh_touched)
    event.listen(sessions, "after_rollback", _forget_touched)


def _note_flushed(session: Session, _context: object) -> None:
    _touched(session).update(_touched_cases([*session.new, *session.dirty, *session.deleted]))
    _touched(session).update(_cases_of_moved_lawyers(session))


def _cases_of_moved_lawyers(session: Session) -> Iterator[uuid.UUID]:
    """A user who changed agency touches the cases they are assigned to: their rows there
    depend on whether they are still in the NGO that holds each case."""
    moved = [
        user.id
        for user in session.dirty
        if isinstance(user, User) and inspect(user).attrs.agency_id.history.has_changes()
    ]
    if moved:
        query = select(Assignment.case_id).where(Assignment.user_id.in_(moved))
        yield from session.connection().scalars(query)


def _note_bulk_change(state: ORMExecuteState) -> None:
    """An UPDATE or DELETE sent through the session touches the cases of the rows it selects."""
    if not (state.is_update or state.is_delete):
        return
    changed = state.statement.table  # type: ignore[attr-defined]
    if changed.name not in _DERIVED_TABLES:
        return
    column = changed.c.get("id" if changed.name == "cases" else "case_id")
    if column is None:
        return  # a table() naming only sealed columns: re-sealing changes nothing lists read
    key = type_coerce(column, Uuid())  # a table() names its columns without their types
    where = state.statement.whereclause  # type: ignore[attr-defined]
    selected = select(key) if where is None else select(key).where(where)
    _touched(state.session).update(state.session.scalars(selected))


def _touched(session: Session) -> set[uuid.UUID]:
    touched: set[uuid.UUID] = session.info.setdefault(TOUCHED, set())
    return touched


def _touched_cases(changed: Iterable[object]) -> Iterator[uuid.UUID]:
    for instance in changed:
        if isinstance(instance, Case):
            yield instance.id
        elif isinstance(instance, _DERIVED_FROM) and instance.case_id is not None:
            yield instance.case_id


def _refresh_touched(session: Session) -> None:
    session.flush()  # what is about to commit is what the listings are derived from
    touched: set[uuid.UUID] = session.info.pop(TOUCHED, set())
    if touched:
        refresh(session.connection(), touched)


def _forget_touched(session: Session) -> None:
    session.info.pop(TOUCHED, None)
