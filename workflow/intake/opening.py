"""Opening a family group's cases: the one place that says how the siblings of a manifest become
cases. The group's first case is opened with the mother; each sibling joins its family
(`family_of`) and shares her by id, so she is one person on all their cases."""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflow import operations
from workflow.external_references import new_reference
from workflow.intake.rows import IntakeRow
from workflow.models import Case
from workflow.permissions import Caller
from workflow.schemas import CaseIn, PersonIn, SharedPersonIn


def open_family_group(
    db: Session, caller: Caller, workflow_id: int, group: list[IntakeRow]
) -> list[Case]:
    """Open the cases of one family group's validated rows, in the manifest's order, with
    their external references; the siblings share the first case's relatives."""
    cases: list[Case] = []
    for row in group:
        if row.case is None:
            raise ValueError("only validated rows are opened")
        command = as_sibling(row.case, cases[0]) if cases else row.case
        case = operations.open_case(db, caller, command, workflow_id)
        db.add_all(new_reference(r.issuer, r.value, case.id, caller.id) for r in row.references)
        cases.append(case)
    db.flush()
    return cases


def as_sibling(command: CaseIn, first: Case) -> CaseIn:
    """The case opened as the first case's sibling: a relative already on it is shared by id,
    not entered again; one who is not (a relation it lacks) is entered new."""
    recorded = {person.relation: person.id for person in first.relatives}
    people: list[PersonIn | SharedPersonIn] = [
        SharedPersonIn(person_id=recorded[person.relation], relation=person.relation)
        if person.relation in recorded
        else person
        for person in command.new_people
    ]
    return command.model_copy(update={"people": people, "family_of": first.id})
