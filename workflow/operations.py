"""The operations that change cases. Each checks, changes, flushes; none of them commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from workflow import families, particulars, samples, tallies
from workflow.access import (
    case_lookup,
    case_named,
    facts_of,
    loaded_tracks,
    lookup_parameters,
)
from workflow.db import utcnow
from workflow.duplicates.keys import child_digests
from workflow.engine import check_step, initial_states
from workflow.errors import InvalidInput, NotFound, NotPermitted, WrongState
from workflow.evidence.consents import step_evidence
from workflow.models import (
    Assignment,
    Case,
    CaseHandler,
    CasePerson,
    CaseRoute,
    NameKey,
    Person,
    PersonName,
    TrackState,
    TransitionRecord,
)
from workflow.permissions import (
    Caller,
    CaseFacts,
    can_edit_case,
    can_open_case,
    can_view_case,
    needs_to_know,
)
from workflow.references import looks_like_reference, new_reference
from workflow.reminders.queue import note_moves
from workflow.rules import care
from workflow.rules.catalogue import definition_of
from workflow.rules.definition import Definition, unmet
from workflow.schemas import (
    CaseIn,
    CasePatch,
    ChildIn,
    ChildPatch,
    CloseIn,
    NameIn,
    PersonIn,
    PersonPatch,
    ReopenIn,
    TransitionIn,
)
from workflow.sealing import name_tokens
from workflow.vocabulary import CaseStatus, Relation, Role

PERSON_FIELDS = ("sex", "citizenship", "alive", "whereabouts")


def find_case(
    db: Session, caller: Caller, case_id: str, *, break_glass: bool = False
) -> tuple[Case, CaseFacts]:
    """The case by id or reference, if the caller may see it; otherwise, as if it did not exist.

    Only reading the case and its history passes `break_glass`, letting a live grant count.
    """
    # The visibility filter is part of the lookup, so a hidden case costs what a missing one does;
    # the case's tracks and need-to-know facts come in the same query.
    key = _case_key(case_id)
    row = None
    if key is not None:
        by_reference, value = key
        lookup = case_lookup(db, caller, by_reference=by_reference, break_glass=break_glass)
        row = db.execute(lookup, lookup_parameters(caller, value)).first()
    if row is None:
        raise NotFound("There is no such case.")
    case, *listed, tracks = row
    loaded_tracks(db, case, tracks)
    allowed = can_view_case if break_glass else needs_to_know
    if not allowed(caller, facts := facts_of(case, tuple(listed))):
        raise NotFound("There is no such case.")
    _load_people(db, case)
    return case, facts


# Built once: every case read asks it, the names joined to their people.
CASE_PEOPLE = (
    select(Person)
    .join(CasePerson, CasePerson.person_id == Person.id)
    .where(CasePerson.case_id == bindparam("case"))
    .order_by(CasePerson.position)
    .options(joinedload(Person.names))
)


def _load_people(db: Session, case: Case) -> None:
    """The case's people and their names, in one query, and only once the caller may read
    them: a case refused costs what a missing one does, and nobody's names are unsealed."""
    people = db.scalars(CASE_PEOPLE, {"case": case.id}).unique().all()
    set_committed_value(case, "people", list(people))


def find_any_case(db: Session, case_id: str) -> Case:
    """The case by id or reference whoever may see it, for breaking the glass; purged, missing."""
    case = _lookup(db, case_id, Case.purged_at.is_(None))
    if case is None:
        raise NotFound("There is no such case.")
    return case


def open_case(db: Session, caller: Caller, payload: CaseIn, workflow_id: int) -> Case:
    """Open a case for a child; the lawyer who opens it is assigned to it. Opened as a
    sibling's (`family_of`), it joins her family and shares the relatives named by id."""
    if not can_open_case(caller):
        raise NotPermitted("Only NGO lawyers open cases.")
    joined = _join_family(db, caller, payload)
    # One moment for the opening and the tracks' start: the first stay of each runs from it.
    now = utcnow()
    case = Case(
        id=uuid.uuid4(),
        reference=new_reference(),
        workflow_id=workflow_id,
        opened_by_id=caller.id,
        agency_id=caller.agency_id,
        created_at=now,
        updated_at=now,
    )
    case.family_id = joined.family.id if joined else None
    db.add(case)
    db.flush()
    _add_person(db, case, payload.child, Relation.CHILD)
    for person in payload.new_people:
        _add_person(db, case, person, person.relation)
    for relative in joined.shared if joined else []:
        families.put_on_case(db, case, relative)
    states = initial_states(
        definition_of(case.workflow), [care.facts_of(p) for p in case.relatives]
    )
    case.tracks = [TrackState(track=name, state=state, since=now) for name, state in states.items()]
    case.assignments = [Assignment(user_id=caller.id, assigned_by_id=caller.id)]
    db.flush()
    tallies.note_change(db, tallies.NOWHERE, tallies.standing(case))
    note_moves(db, case, [(name, None, state) for name, state in states.items()], caller.id)
    return case


def _join_family(db: Session, caller: Caller, payload: CaseIn) -> families.Joined | None:
    """The sibling's family, and her relatives the new case shares; a sibling's case the caller
    may not see is missing."""
    if payload.family_of is None:
        return None
    sibling, _facts = find_case(db, caller, str(payload.family_of))
    shared = families.shared_relatives(sibling, payload.shared_people)
    return families.Joined(families.family_of(db, sibling), sibling, shared)


def update_particulars(
    db: Session, caller: Caller, case: Case, facts: CaseFacts, patch: CasePatch
) -> None:
    """Change the child's particulars and the people's, or add people."""
    _ensure_case_lawyer(caller, facts, "change its particulars")
    if patch.child is not None:
        _apply_fields(case.child, patch.child)
    if patch.registered is not None:
        given = patch.registered.model_dump(exclude_none=True)
        particulars.set_before_registration(db, caller, case, definition_of(case.workflow), given)
    for change in patch.people:
        person = _person_for_patch(db, case, change)
        _apply_fields(person, change)
    case.updated_at = utcnow()
    db.flush()


def perform_transition(
    db: Session, caller: Caller, case: Case, facts: CaseFacts, command: TransitionIn
) -> TransitionRecord:
    """Take one step on a track: move its state, record it in the history, bump the version."""
    definition = definition_of(case.workflow)
    evidence = step_evidence(db, caller, case, facts)
    step = check_step(caller, case, definition, facts, command, evidence)
    particulars.follow_step(db, caller, case, step.transition, step.data)
    samples.keep_sample(db, caller, case, step, evidence.named)
    before = tallies.standing(case)
    track_state = next(t for t in case.tracks if t.track == step.track.name)
    record = _history(
        db,
        case,
        caller,
        step.track.name,
        step.transition.action,
        (step.from_state, step.transition.to),
        step.data,
        command.note,
        [str(document_id) for document_id in dict.fromkeys(command.evidence_ids)],
    )
    track_state.state, track_state.since = step.transition.to, record.at
    case.status = status_from_tracks(definition, case)
    if case.status is CaseStatus.COMPLETE and case.completed_at is None:
        case.completed_at = record.at
    # The version check comes first: a second official racing on the step must fail as stale,
    # not on the unique route row the first one is about to commit.
    db.flush()
    if caller.role is Role.OFFICIAL and facts.routed_to(caller.agency_kind) is None:
        db.add(
            CaseRoute(case_id=case.id, agency_kind=caller.agency_kind, agency_id=caller.agency_id)
        )
    _note_handler(db, caller, case, facts, step.track.name)
    db.flush()
    tallies.note_step(db, case, record, before)
    note_moves(db, case, [(step.track.name, step.from_state, step.transition.to)], caller.id)
    return record


def close_case(db: Session, caller: Caller, case: Case, facts: CaseFacts, command: CloseIn) -> None:
    """Close a case (withdrawn, transferred, child deceased); no steps are taken until reopened."""
    _ensure_case_lawyer(caller, facts, "close it")
    if case.status is CaseStatus.CLOSED:
        raise WrongState("The case is already closed.", {"status": case.status.value})
    before = tallies.standing(case)
    record = _history(
        db,
        case,
        caller,
        "case",
        "close",
        (case.status, CaseStatus.CLOSED),
        {"reason": command.reason.value},
        command.note,
    )
    case.status, case.closure_reason = CaseStatus.CLOSED, command.reason
    db.flush()
    _note_handler(db, caller, case, facts, "case")
    tallies.note_step(db, case, record, before)


def reopen_case(
    db: Session, caller: Caller, case: Case, facts: CaseFacts, command: ReopenIn
) -> None:
    """Reopen a closed case where it stood."""
    _ensure_case_lawyer(caller, facts, "reopen it")
    if case.status is not CaseStatus.CLOSED:
        raise WrongState("Only a closed case can be reopened.", {"status": case.status.value})
    status = status_from_tracks(definition_of(case.workflow), case)
    before = tallies.standing(case)
    record = _history(db, case, caller, "case", "reopen", (case.status, status), {}, command.note)
    case.status, case.closure_reason = status, None
    db.flush()
    _note_handler(db, caller, case, facts, "case")
    tallies.note_step(db, case, record, before)
    note_moves(db, case, [(t.track, None, t.state) for t in case.tracks], caller.id)


def status_from_tracks(definition: Definition, case: Case) -> CaseStatus:
    """Complete once the definition's completion rule holds, otherwise open."""
    complete = not unmet(definition.complete_when, case.track_states())
    return CaseStatus.COMPLETE if complete else CaseStatus.OPEN


def _ensure_case_lawyer(caller: Caller, facts: CaseFacts, doing: str) -> None:
    if not can_edit_case(caller, facts):
        raise NotPermitted(f"Only the lawyers working this case {doing}.")


def _history(
    db: Session,
    case: Case,
    caller: Caller,
    track: str,
    action: str,
    move: tuple[str, str],
    data: dict[str, Any],
    note: str | None,
    evidence_ids: list[str] | None = None,
) -> TransitionRecord:
    """Append a history row and bump the case's version, both at one moment."""
    now = utcnow()
    record = TransitionRecord(
        case_id=case.id,
        track=track,
        action=action,
        from_state=str(move[0]),
        to_state=str(move[1]),
        actor_id=caller.id,
        agency_id=caller.agency_id,
        at=now,
        data=data,
        note=note,
        evidence_ids=evidence_ids or [],
    )
    db.add(record)
    case.updated_at = now
    return record


def _note_handler(db: Session, caller: Caller, case: Case, facts: CaseFacts, track: str) -> None:
    """The caller's agency has taken a step on the case on this track: noted with its first
    there. Called once the version check's flush has passed, so that an agency racing another
    on a step fails as stale, not on the row the other is about to commit."""
    if (track, caller.agency_id) not in facts.steps_taken:
        db.add(CaseHandler(case_id=case.id, agency_id=caller.agency_id, track=track))


def _lookup(db: Session, case_id: str, where: ColumnElement[bool]) -> Case | None:
    key = _case_key(case_id)
    if key is None:
        return None
    by_reference, value = key
    return db.scalar(select(Case).where(case_named(by_reference, value), where))


def _case_key(case_id: str) -> tuple[bool, str | uuid.UUID] | None:
    """Whether the case is named by its reference, and the reference or id; None if neither."""
    if looks_like_reference(case_id):
        return True, case_id
    try:
        return False, uuid.UUID(case_id)
    except ValueError:
        return None


def _add_person(db: Session, case: Case, payload: ChildIn | PersonIn, relation: Relation) -> Person:
    person = Person(id=uuid.uuid4(), case_id=case.id, relation=relation, position=len(case.people))
    _apply_fields(person, payload)
    families.put_on_case(db, case, person)
    return person


def _person_for_patch(db: Session, case: Case, change: PersonPatch) -> Person:
    if change.id is None:
        if change.relation is None or change.names is None:
            raise InvalidInput(
                "Someone new needs a relation and names.",
                [{"field": "people", "problem": "incomplete_person"}],
            )
        return _add_person(
            db, case, PersonIn(relation=change.relation, names=change.names), change.relation
        )
    person = next(
        (p for p in case.people if p.id == change.id and p.relation is not Relation.CHILD), None
    )
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
        if person.relation is Relation.CHILD:
            digests = child_digests(payload.names)
            person.name_keys = [NameKey(case_id=person.case_id, digest=d) for d in digests]


def _name(person: Person, name: NameIn, position: int) -> PersonName:
    return PersonName(
        case_id=person.case_id,
        position=position,
        script=name.script,
        given=name.given,
        family=name.family,
        patronymic=name.patronymic,
        search_key=name_tokens(name.given, name.patronymic, name.family),
    )
