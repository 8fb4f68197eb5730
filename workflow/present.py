"""Cases as the API and the pages show them, minimised by `workflow.disclosure` to what the
caller's work on the case rests on."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import families, particulars
from workflow.db import utcnow
from workflow.disclosure import Disclosure, case_disclosure
from workflow.engine import allowed_steps
from workflow.models import (
    Case,
    Consent,
    Document,
    ExternalReference,
    Person,
    TrackState,
    TransitionRecord,
    User,
)
from workflow.permissions import Caller, CaseFacts
from workflow.reviews import case_reviews
from workflow.rules.catalogue import definition_of
from workflow.rules.definition import Definition
from workflow.vocabulary import CaseStatus


def case_json(case: Case, caller: Caller, facts: CaseFacts) -> dict[str, Any]:
    definition = definition_of(case.workflow)
    shown = case_disclosure(case, caller, facts)
    return {
        **case_summary(case, definition),
        "child": child_json(case.child, shown),
        "people": [person_json(p, shown) for p in case.relatives],
        "family": family_json(case, caller),
        "allowed_transitions": allowed_steps(caller, case, definition, facts),
        "reviews": _reviews(case, shown),
        "assigned_to_me": caller.id in facts.assigned,
        "created_at": _iso(case.created_at),
        **registered_json(case, shown),
    }


def registered_json(case: Case, shown: Disclosure) -> dict[str, Any]:
    """The particulars as registered and their versions, to those whose work rests on them."""
    session = Session.object_session(case)
    if not shown.registered_particulars or session is None:
        return {}
    return {"registered_particulars": particulars.particulars_json(session, case)}


def case_due(case: Case, definition: Definition) -> datetime | None:
    """When the whole case should be complete, by its workflow's target; None without one."""
    if definition.target_days is None:
        return None
    return case.created_at + timedelta(days=definition.target_days)


def _reviews(case: Case, shown: Disclosure) -> list[dict[str, Any]]:
    """The reviews due on the case (a temporary guardianship's), overdue once their date passed."""
    session = Session.object_session(case)
    return case_reviews(session, case, shown) if session is not None else []


def family_json(case: Case, caller: Caller) -> dict[str, Any] | None:
    """The case's family and its cases the caller may see (this one among them), or None."""
    session = Session.object_session(case)
    if case.family_id is None or session is None:
        return None
    cases = families.family_cases(session, caller, case.family_id)
    return {"id": str(case.family_id), "cases": [case_reference(c) for c, _facts in cases]}


def family_view(
    family_id: uuid.UUID,
    cases: list[tuple[Case, CaseFacts]],
    relatives: list[tuple[Person, set[uuid.UUID]]],
    caller: Caller,
) -> dict[str, Any]:
    """A family as the caller may see it: its cases they may see, and the relatives shared on
    those, where each is only if the caller's work on a case she is on rests on it."""
    shown = {case.id: case_disclosure(case, caller, facts) for case, facts in cases}
    return {
        "id": str(family_id),
        "cases": [case_reference(case) for case, _facts in cases],
        "relatives": [
            person_json(person, _widest(shown[case_id] for case_id in on))
            for person, on in relatives
        ],
    }


def _widest(disclosures: Iterable[Disclosure]) -> Disclosure:
    return max(disclosures, key=lambda shown: shown.where_people_are)


def case_reference(case: Case) -> dict[str, str]:
    return {"id": str(case.id), "reference": case.reference}


def case_summary(case: Case, definition: Definition | None = None) -> dict[str, Any]:
    definition = definition or definition_of(case.workflow)
    now, due = utcnow(), case_due(case, definition)
    return {
        "id": str(case.id),
        "reference": case.reference,
        "version": case.version,
        "status": case.status.value,
        "closure_reason": case.closure_reason.value if case.closure_reason else None,
        "workflow": {"name": case.workflow.name, "version": case.workflow.version},
        "child_names": [_name_json(n) for n in case.child.names],
        "tracks": {
            t.track: _track_json(definition, t, case.status, now)
            for t in sorted(case.tracks, key=lambda t: definition.position(t.track))
        },
        "updated_at": _iso(case.updated_at),
        "due_on": due.date().isoformat() if due else None,
        "overdue": bool(due and case.status is CaseStatus.OPEN and due < now),
    }


def child_json(child: Person, shown: Disclosure) -> dict[str, Any]:
    """The child's particulars; where the child lives only for those whose work rests on it."""
    particulars = {
        "id": str(child.id),
        "names": [_name_json(n) for n in child.names],
        "sex": child.sex.value if child.sex else None,
        "birth_date": _birth_date(child),
        "birth_place": _birth_place(child),
        "languages": child.languages or [],
    }
    if shown.where_people_are:
        particulars["residence"] = child.residence
    return particulars


def person_json(person: Person, shown: Disclosure) -> dict[str, Any]:
    """A relative's particulars; where they are only for those whose work rests on it."""
    particulars = {
        "id": str(person.id),
        "relation": person.relation.value,
        "names": [_name_json(n) for n in person.names],
        "sex": person.sex.value if person.sex else None,
        "birth_date": _birth_date(person),
        "birth_place": _birth_place(person),
        "citizenship": person.citizenship,
        "alive": person.alive,
    }
    if shown.where_people_are:
        particulars["whereabouts"] = person.whereabouts.value if person.whereabouts else None
    return particulars


def case_history(
    session: Session, case: Case, caller: Caller, facts: CaseFacts
) -> list[dict[str, Any]]:
    """Every step taken on the case, oldest first, as the caller may see it."""
    shown = case_disclosure(case, caller, facts)
    records = session.scalars(
        select(TransitionRecord).filter_by(case_id=case.id).order_by(TransitionRecord.id)
    ).all()
    actors = select(User.id, User.username).where(User.id.in_({r.actor_id for r in records}))
    users = {user_id: username for user_id, username in session.execute(actors)}
    return [history_json(record, users, shown) for record in records]


def history_json(
    record: TransitionRecord, usernames: dict[Any, str], shown: Disclosure
) -> dict[str, Any]:
    """One step of the history; its data, evidence and note only as `shown` allows."""
    sees_data = shown.step_data(record.track, record.agency_id)
    return {
        "id": record.id,
        "track": record.track,
        "action": record.action,
        "from": record.from_state,
        "to": record.to_state,
        "by": usernames.get(record.actor_id),
        "at": _iso(record.at),
        "data": record.data if sees_data else None,
        "evidence_ids": record.evidence_ids if sees_data else None,
        "note": record.note if sees_data else None,
    }


def document_json(document: Document) -> dict[str, Any]:
    """A document's description; never its original file name, which may name the child."""
    return {
        "id": str(document.id),
        "kind": document.kind.value,
        "sha256": document.sha256,
        "size": document.size,
        "content_type": document.content_type,
        "uploaded_at": _iso(document.uploaded_at),
        **foreign_json(document),
    }


def foreign_json(document: Document) -> dict[str, Any]:
    """A document's language, the original it translates and by whom, and its legalisation."""
    translator = None
    if document.translator_name is not None:
        translator = {
            "name": document.translator_name,
            "role": document.translator_role,
            "sworn": document.translator_sworn,
        }
    return {
        "language": document.language,
        "translation_of": str(document.translation_of_id) if document.translation_of_id else None,
        "translator": translator,
        "legalisation": {
            "status": document.legalisation.value,
            "country": document.legalisation_country,
            "on": document.legalised_on.isoformat() if document.legalised_on else None,
        },
    }


def consent_json(consent: Consent) -> dict[str, Any]:
    return {
        "id": str(consent.id),
        "person_id": str(consent.person_id),
        "purpose": consent.purpose.value,
        "given_on": consent.given_on.isoformat(),
        "document_id": str(consent.document_id) if consent.document_id else None,
        "in_force": consent.in_force,
        "withdrawn_on": consent.withdrawn_on.isoformat() if consent.withdrawn_on else None,
    }


def external_reference_json(reference: ExternalReference) -> dict[str, Any]:
    return {
        "id": str(reference.id),
        "issuer": reference.issuer.value,
        "value": reference.value,
        "added_at": _iso(reference.added_at),
    }


def _track_json(
    definition: Definition, at: TrackState, status: CaseStatus, now: datetime
) -> dict[str, Any]:
    """Where the track stands, whom it waits on, and whether it is late: a closed case waits on
    nobody, a complete one only on an amendment of its papers (`Track.waiting_on`)."""
    track, state = definition.track(at.track), at.state
    target = track.state(state).target_days if track else None
    waiting = sorted(kind.value for kind in track.waiting_on(state, status)) if track else []
    timed = track.target_days(state, status) if track else None
    late = bool(timed and at.since + timedelta(days=timed) < now)
    return {
        "state": state,
        "since": _iso(at.since),
        "target_days": target,
        "overdue": late,
        "waiting_on": waiting,
    }


def _name_json(name: Any) -> dict[str, Any]:
    shown = {"script": name.script.value, "given": name.given, "family": name.family}
    if name.patronymic:
        shown["patronymic"] = name.patronymic
    return shown


def _birth_place(person: Person) -> dict[str, str | None] | None:
    if not person.birth_country:
        return None
    return {"country": person.birth_country, "locality": person.birth_locality}


def _birth_date(person: Person) -> dict[str, str] | None:
    if person.birth_date is None or person.birth_precision is None:
        return None
    return {"value": person.birth_date.isoformat(), "precision": person.birth_precision.value}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
