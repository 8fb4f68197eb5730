"""Reading the trail for auditors: filters, cursor pages, per-case logs and the review report."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from audit.schemas import EventFilter
from workflow.models import BreakGlassGrant, Case, User
from workflow.references import looks_like_reference
from workflow.text import is_uuid

# Outcomes of a case request that the caller was not allowed to make.
DENIED = ("not_found", "not_permitted")
CASE_READS = ("case.read", "case.history", "case.list")
BREAK_GLASS = "case.break_glass"


def filtered(db: Session, query: EventFilter) -> Select[AuditEvent]:
    """The events matching every given filter, in sequence order."""
    statement = select(AuditEvent).order_by(AuditEvent.seq)
    for condition in _conditions(db, query):
        statement = statement.where(condition)
    return statement


def _conditions(db: Session, query: EventFilter) -> Iterator[ColumnElement[bool]]:
    if query.actor:
        yield AuditEvent.username == query.actor
    if query.case:
        yield _names_case(db, query.case)
    if query.action:
        yield AuditEvent.action == query.action
    if query.outcome:
        yield AuditEvent.outcome == query.outcome
    if query.since:
        yield AuditEvent.at >= query.since
    if query.until:
        yield AuditEvent.at < query.until


def _names_case(db: Session, case: str) -> ColumnElement[bool]:
    """Events about a case given by id or reference, including attempts that named it either way
    and were denied (those events do not say which case it was, only what the URL said)."""
    names = {case}
    found = _case_names(db, case)
    if found is not None:
        names |= {str(found[0]), found[1]}
    ids = [uuid.UUID(name) for name in names if not looks_like_reference(name) and is_uuid(name)]
    return or_(
        AuditEvent.object_id.in_(names),
        AuditEvent.case_reference.in_(names),
        AuditEvent.case_id.in_(ids),
    )


def _case_names(db: Session, case: str) -> tuple[uuid.UUID, str] | None:
    """The id and the reference of a case: not its content, only what the trail records."""
    column = Case.reference if looks_like_reference(case) else Case.id
    if column is Case.id and not is_uuid(case):
        return None
    value: object = case if column is Case.reference else uuid.UUID(case)
    row = db.execute(select(Case.id, Case.reference).where(column == value)).first()
    return (row[0], row[1]) if row else None


def page(
    db: Session, query: EventFilter, *, newest_first: bool = False
) -> tuple[list[AuditEvent], int | None]:
    """One page after the cursor (or, newest first, before it, 0 meaning from the newest), and
    the cursor of the next page if there is one."""
    statement = filtered(db, query)
    if not newest_first:
        statement = statement.where(AuditEvent.seq > query.cursor)
    else:
        statement = statement.order_by(None).order_by(AuditEvent.seq.desc())
        if query.cursor:
            statement = statement.where(AuditEvent.seq < query.cursor)
    events = list(db.scalars(statement.limit(query.limit + 1)))
    more = len(events) > query.limit
    events = events[: query.limit]
    return events, (events[-1].seq if more else None)


def event_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": _moment(event.at),
        "actor": event.username,
        "role": event.role,
        "agency_kind": event.agency_kind,
        "agency_id": str(event.agency_id) if event.agency_id else None,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "case_id": str(event.case_id) if event.case_id else None,
        "case_reference": event.case_reference,
        "detail": event.detail,
        "client_address": event.client_address,
        "request_id": event.request_id,
        "outcome": event.outcome,
        "purpose": event.purpose,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def review_report(
    db: Session,
    since: datetime,
    until: datetime,
    working_hours: tuple[int, int],
    burst_cases: int,
    burst: timedelta,
) -> dict[str, Any]:
    """Accesses outside need-to-know, break-glass grants, reading sprees, and accesses outside
    working hours."""
    window = select(AuditEvent).where(AuditEvent.at >= since, AuditEvent.at < until)
    events = list(db.scalars(window.order_by(AuditEvent.seq)))
    denied = [e for e in events if e.object_type == "case" and e.outcome in DENIED]
    start, end = working_hours
    after_hours = [e for e in events if e.actor_id and not start <= e.at.hour < end]
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "outside_need_to_know": [event_json(e) for e in denied],
        "break_glass": _break_glass(db, since, until),
        "reading_sprees": _sprees(events, burst_cases, burst),
        "outside_working_hours": [event_json(e) for e in after_hours],
    }


def _break_glass(db: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Grants made in the window: who, which case, when, until when, why, and the reads made."""
    rows = db.execute(
        select(BreakGlassGrant, User.username, Case.reference)
        .join(User, User.id == BreakGlassGrant.user_id)
        .join(Case, Case.id == BreakGlassGrant.case_id)
        .where(BreakGlassGrant.granted_at >= since, BreakGlassGrant.granted_at < until)
        .order_by(BreakGlassGrant.granted_at, BreakGlassGrant.id)
    ).all()
    return [
        {
            "grant": str(grant.id),
            "actor": username,
            "case_reference": reference,
            "granted_at": _moment(grant.granted_at),
            "expires_at": _moment(grant.expires_at),
            # Auditors review why the glass was broken; the reason is shown here and nowhere else.
            "reason": grant.reason,
            "accesses": [event_json(e) for e in _reads_under(db, grant)],
        }
        for grant, username, reference in rows
    ]


def _reads_under(db: Session, grant: BreakGlassGrant) -> list[AuditEvent]:
    """The holder's requests on the case that the trail marks as made through this grant."""
    events = db.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.actor_id == grant.user_id,
            AuditEvent.case_id == grant.case_id,
            AuditEvent.action != BREAK_GLASS,
        )
        .order_by(AuditEvent.seq)
    )
    return [e for e in events if e.detail.get("break_glass") == str(grant.id)]


def _moment(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _sprees(events: list[AuditEvent], limit: int, window: timedelta) -> list[dict[str, Any]]:
    """Users who read more than `limit` distinct cases within any `window`."""
    reads: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for event in events:
        if event.username and event.action in CASE_READS and event.outcome == "success":
            for reference in _cases_read(event):
                reads[event.username].append((event.at, reference))
    found = []
    for username, seen in reads.items():
        peak = _peak_distinct(seen, window)
        if peak > limit:
            found.append(
                {
                    "actor": username,
                    "distinct_cases": peak,
                    "window_minutes": int(window.total_seconds() // 60),
                }
            )
    return found


def _cases_read(event: AuditEvent) -> list[str]:
    if event.action == "case.list":
        return list(event.detail.get("returned", []))
    return [event.case_reference] if event.case_reference else []


def _peak_distinct(seen: list[tuple[datetime, str]], window: timedelta) -> int:
    peak, first = 0, 0
    for last in range(len(seen)):
        while seen[last][0] - seen[first][0] > window:
            first += 1
        peak = max(peak, len({reference for _at, reference in seen[first : last + 1]}))
    return peak
