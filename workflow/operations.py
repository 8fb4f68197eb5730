"""The operations that change cases. Each checks, changes, flushes; none of them commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.access import case_facts
from workflow.db import utcnow
from workflow.engine import Step, check_step, initial_states
from workflow.errors import Conflict, InvalidInput, NotFound, NotPermitted, WrongState
from workflow.models import Assignment, Case, Person, PersonName, TrackState, TransitionRecord, User
from workflow.permissions import Caller, CaseFacts, can_edit_case, can_open_case, can_view_case
from workflow.references import looks_like_reference, new_reference
from workflow.rules.catalogue import definition_of
from workflow.rules.definition import unmet
from workflow.schemas import CaseIn, CasePatch, ChildIn, ChildPatch, NameIn, PersonIn, PersonPatch
from workflow.text import search_key
from workflow.vocabulary import CaseStatus, ClosureReason, Relation, Role

PERSON_FIELDS = ("sex", "citizenship", "alive", "whereabouts")


def find_case(db: Session, caller: Caller, case_id: str) -> tuple[Case, CaseFacts]:
    """The case by id or reference, if the caller may see it; otherwise, as if it did not exist."""
    case = _lookup(db, case_id)
    facts = case_facts(db, case) if case is not None else None
    if case is None or facts is None or not can_view_case(caller, facts):
        raise NotFound("There is no such case.")
    return case, facts


def open_case(db: Session, caller: Caller, payload: CaseIn, workflow_id: int) -> Case:
    """Open a case for a child; the lawyer who opens it is assigned to it."""
    if not can_open_case(caller):
        raise NotPermitted("Only NGO lawyers open cases.")
    case = Case(
        id=uuid.uuid4(), reference=new_reference(), workflow_id=workflow_id, opened_by_id=caller.id
    )
    db.add(case)
    db.flush()
    _add_person(case, payload.child, Relation.CHILD)
    for person in payload.people:
        _add_person(case, person, person.relation)
    states = initial_states(definition_of(case.workflow), [p.model_dump() for p in payload.people])
    now = utcnow()
    case.tracks = [TrackState(track=name, state=state, since=now) for name, state in states.items()]
    case.assignments = [Assignment(user_id=caller.id, assigned_by_id=caller.id)]
    db.flush()
    return case


def update_particulars(
    db: Session, caller: Caller, case: Case, facts: CaseFacts, patch: CasePatch
) -> None:
    """Change the child's particulars and the people's, or add people."""
    if not can_edit_case(caller, facts):
        raise NotPermitted("Only the lawyers working this case change its particulars.")
    if patch.child is not None:
        _apply_fields(case.child, patch.child)
    for change in patch.people:
        person = _person_for_patch(case, change)
        _apply_fields(person, change)
    case.updated_at = utcnow()
    db.flush()


def assign_lawyer(db: Session, caller: Caller, case: Case, facts: CaseFacts, username: str) -> User:
    """Add another lawyer of the caller's own NGO to the case."""
    if not can_edit_case(caller, facts):
        raise NotPermitted("Only the lawyers working this case assign others to it.")
    lawyer = db.scalar(select(User).filter_by(username=username))
    if lawyer is None or lawyer.role is not Role.LAWYER or lawyer.agency_id != caller.agency_id:
        raise InvalidInput(
            "Name an active lawyer of your own organisation.",
            [{"field": "username", "problem": "not_a_colleague"}],
        )
    if case.is_assigned(lawyer.id):
        raise Conflict("That lawyer already works this case.")
    case.assignments.append(Assignment(user_id=lawyer.id, assigned_by_id=caller.id))
    case.updated_at = utcnow()
    try:
        db.flush()
    except IntegrityError:
        raise Conflict("That lawyer already works this case.") from None
    return lawyer


def perform_transition(
    db: Session,
    caller: Caller,
    case: Case,
    facts: CaseFacts,
    track: str,
    action: str,
    data: dict[str, Any],
    note: str | None = None,
    evidence_ids: list[uuid.UUID] | None = None,
) -> TransitionRecord:
    """Take one step on a track: move its state, record it in the history, bump the version."""
    definition = definition_of(case.workflow)
    step = check_step(caller, case, definition, facts, track, action, data)
    now = utcnow()
    record = _record(case, caller, step, note, evidence_ids or [])
    track_state = next(t for t in case.tracks if t.track == step.track.name)
    track_state.state, track_state.since = step.transition.to, now
    record.at = case.updated_at = now
    if not unmet(definition.complete_when, case.track_states()):
        case.status = CaseStatus.COMPLETE
    db.add(record)
    db.flush()
    return record


def close_case(
    db: Session,
    caller: Caller,
    case: Case,
    facts: CaseFacts,
    reason: ClosureReason,
    note: str | None,
) -> None:
    """Close a case (withdrawn, transferred, child deceased); no steps are taken until reopened."""
    _ensure_editable(caller, facts)
    if case.status is CaseStatus.CLOSED:
        raise WrongState("The case is already closed.", {"status": case.status.value})
    _set_status(db, caller, case, CaseStatus.CLOSED, "close", {"reason": reason.value}, note)
    case.closure_reason = reason
    db.flush()


def reopen_case(
    db: Session, caller: Caller, case: Case, facts: CaseFacts, note: str | None
) -> None:
    """Reopen a closed case where it stood."""
    _ensure_editable(caller, facts)
    if case.status is not CaseStatus.CLOSED:
        raise WrongState("Only a closed case can be reopened.", {"status": case.status.value})
    definition = definition_of(case.workflow)
    status = (
        CaseStatus.OPEN
        if unmet(definition.complete_when, case.track_states())
        else (CaseStatus.COMPLETE)
    )
    _set_status(db, caller, case, status, "reopen", {}, note)
    case.closure_reason = None
    db.flush()


def _ensure_editable(caller: Caller, facts: CaseFacts) -> None:
    if not can_edit_case(caller, facts):
        raise NotPermitted("Only the lawyers working this case close or reopen it.")


def _set_status(
    db: Session,
    caller: Caller,
    case: Case,
    status: CaseStatus,
    action: str,
    data: dict[str, Any],
    note: str | None,
) -> None:
    """Change the case's status and record it in the history as a step on the `case` itself."""
    now = utcnow()
    db.add(
        TransitionRecord(
            case_id=case.id,
            track="case",
            action=action,
            from_state=case.status.value,
            to_state=status.value,
            actor_id=caller.id,
            agency_id=caller.agency_id,
            at=now,
            data=data,
            note=note,
            evidence_ids=[],
        )
    )
    case.status, case.updated_at = status, now


def _record(
    case: Case, caller: Caller, step: Step, note: str | None, evidence_ids: list[uuid.UUID]
) -> TransitionRecord:
    return TransitionRecord(
        case_id=case.id,
        track=step.track.name,
        action=step.transition.action,
        from_state=step.from_state,
        to_state=step.transition.to,
        actor_id=caller.id,
        agency_id=caller.agency_id,
        data=step.data,
        note=note,
        evidence_ids=[str(evidence_id) for evidence_id in evidence_ids],
    )


def _lookup(db: Session, case_id: str) -> Case | None:
    if looks_like_reference(case_id):
        return db.scalar(select(Case).filter_by(reference=case_id))
    try:
        return db.get(Case, uuid.UUID(case_id))
    except ValueError:
        return None


def _add_person(case: Case, payload: ChildIn | PersonIn, relation: Relation) -> Person:
    person = Person(id=uuid.uuid4(), case_id=case.id, relation=relation, position=len(case.people))
    case.people.append(person)
    _apply_fields(person, payload)
    return person


def _person_for_patch(case: Case, change: PersonPatch) -> Person:
    if change.id is None:
        if change.relation is None or change.names is None or change.relation is Relation.CHILD:
            raise InvalidInput(
                "Someone new needs a relation other than child, and names.",
                [{"field": "people", "problem": "incomplete_person"}],
            )
        return _add_person(
            case, PersonIn(relation=change.relation, names=change.names), change.relation
        )
    person = next((p for p in case.people if p.id == change.id and p.relation != "child"), None)
    if person is None:
        raise InvalidInput(
            "Name someone recorded on this case.",
            [{"field": "people.id", "problem": "not_a_person_on_this_case"}],
        )
    return person


def _apply_fields(person: Person, payload: ChildIn | ChildPatch | PersonIn | PersonPatch) -> None:
    given = payload.model_dump(exclude_unset=True, exclude={"id", "names"})
    if "relation" in given and given["relation"] is not None:
        person.relation = Relation(given["relation"])
    for field in (*PERSON_FIELDS, "languages", "residence"):
        if field in given:
            setattr(person, field, given[field])
    if "birth_date" in given:
        birth = getattr(payload, "birth_date", None)
        person.birth_date = birth.value if birth else None
        person.birth_precision = birth.precision if birth else None
    if "birth_place" in given:
        place = getattr(payload, "birth_place", None)
        person.birth_country = place.country if place else None
        person.birth_locality = place.locality if place else None
    if payload.names is not None:
        person.names = [_name(person, name, i) for i, name in enumerate(payload.names)]


def _name(person: Person, name: NameIn, position: int) -> PersonName:
    return PersonName(
        case_id=person.case_id,
        position=position,
        script=name.script,
        given=name.given,
        family=name.family,
        patronymic=name.patronymic,
        search_key=search_key(name.given, name.patronymic, name.family),
    )
