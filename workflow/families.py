"""Families: a case opened as a sibling's joins her family and shares her relatives, who are
then the same person (one row) on each sibling's case.

What is about a relative is recorded once and counts on every case she is on: her particulars
and whereabouts (one row), her consents (`workflow.evidence.consents`). Need-to-know stays per
case: seeing one sibling's case opens none of the others.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workflow.access import case_facts, visible_cases
from workflow.errors import InvalidInput, NotFound
from workflow.models import Case, CasePerson, Family, Person, PersonName
from workflow.permissions import Caller, CaseFacts, needs_to_know
from workflow.schemas import SharedPersonIn
from workflow.vocabulary import Relation


@dataclass(frozen=True)
class Joined:
    """What opening a case as a sibling's did: the family, and the relatives it shares."""

    family: Family
    sibling: Case
    shared: list[Person]


def family_of(db: Session, sibling: Case) -> Family:
    """The sibling's family, founded on first use."""
    if sibling.family_id is not None:
        family = db.get(Family, sibling.family_id)
        if family is not None:
            return family
    family = Family(id=uuid.uuid4())
    db.add(family)
    db.flush()
    sibling.family_id = family.id
    return family


def shared_relatives(sibling: Case, wanted: list[tuple[int, SharedPersonIn]]) -> list[Person]:
    """The sibling's relatives named by id (with their index among the request's `people`),
    each in the relation she has there."""
    relatives = {person.id: person for person in sibling.relatives}
    found = []
    for index, item in wanted:
        person = relatives.get(item.person_id)
        if person is None:
            raise _invalid(f"people.{index}.person_id", "not_a_relative_on_that_case")
        if person.relation is not item.relation:
            raise _invalid(f"people.{index}.relation", "not_her_relation_there")
        found.append(person)
    return found


def put_on_case(db: Session, case: Case, person: Person) -> None:
    """Put someone on the case, after everyone already on it."""
    people = list(case.people)
    db.add(CasePerson(case_id=case.id, person=person, position=len(people)))
    set_committed_value(case, "people", [*people, person])


def leave_case(db: Session, case: Case) -> None:
    """Take everyone off a case being erased: whoever is on no other case is erased with it; a
    relative shared with a sibling stays, her names indexed under a case she is still on."""
    for person in list(case.people):
        others = db.scalars(
            select(CasePerson.case_id).where(
                CasePerson.person_id == person.id, CasePerson.case_id != case.id
            )
        ).first()
        db.execute(delete(CasePerson).filter_by(case_id=case.id, person_id=person.id))
        if others is None:
            db.delete(person)
        elif person.case_id == case.id:
            _rehome(db, person, others)
    set_committed_value(case, "people", [])


def _rehome(db: Session, person: Person, case_id: uuid.UUID) -> None:
    person.case_id = case_id
    db.execute(update(PersonName).filter_by(person_id=person.id).values(case_id=case_id))


def family_cases(db: Session, caller: Caller, family_id: uuid.UUID) -> list[tuple[Case, CaseFacts]]:
    """The family's cases the caller may see (as finding each by its id would), oldest first."""
    cases = db.scalars(
        select(Case)
        .where(Case.family_id == family_id, visible_cases(db, caller, one_case=True))
        .order_by(Case.created_at, Case.id)
    ).all()
    seen = [(case, case_facts(db, case)) for case in cases]
    return [(case, facts) for case, facts in seen if needs_to_know(caller, facts)]


def find_family(
    db: Session, caller: Caller, family_id: str
) -> tuple[Family, list[tuple[Case, CaseFacts]]]:
    """The family and its cases the caller may see; one with none of them is missing."""
    try:
        key = uuid.UUID(family_id)
    except ValueError:
        raise NotFound("There is no such family.") from None
    cases = family_cases(db, caller, key)
    family = db.get(Family, key) if cases else None
    if family is None:
        raise NotFound("There is no such family.")
    return family, cases


def shared_relatives_on(
    db: Session, family_id: uuid.UUID, cases: list[Case]
) -> list[tuple[Person, set[uuid.UUID]]]:
    """The relatives the family's siblings share who are on one of these cases, each with
    which of these cases she is on."""
    shared = (
        select(CasePerson.person_id)
        .join(Case, Case.id == CasePerson.case_id)
        .where(Case.family_id == family_id)
        .group_by(CasePerson.person_id)
        .having(func.count() > 1)
    )
    rows = db.execute(
        select(CasePerson.person_id, CasePerson.case_id).where(
            CasePerson.case_id.in_([case.id for case in cases]), CasePerson.person_id.in_(shared)
        )
    ).all()
    on: dict[uuid.UUID, set[uuid.UUID]] = {}
    for person_id, case_id in rows:
        on.setdefault(person_id, set()).add(case_id)
    people = db.scalars(select(Person).where(Person.id.in_(on)).order_by(Person.position)).all()
    return [(person, on[person.id]) for person in people if person.relation is not Relation.CHILD]


def _invalid(field: str, problem: str) -> InvalidInput:
    return InvalidInput(
        "The request has invalid or missing fields.",
        [{"field": field, "problem": problem, "message": "Name a relative on the sibling's case."}],
    )
