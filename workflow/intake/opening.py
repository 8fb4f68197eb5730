"""Opening a family group's cases: the one place that says how the siblings of a manifest become
cases, so joining them as one family (the mother shared, entered once) changes this alone."""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflow import operations
from workflow.external_references import new_reference
from workflow.intake.rows import IntakeRow
from workflow.models import Case
from workflow.permissions import Caller


def open_family_group(
    db: Session, caller: Caller, workflow_id: int, group: list[IntakeRow]
) -> list[Case]:
    """Open the cases of one family group's validated rows, in the manifest's order, with
    their external references. Each case is opened on its own, its mother in its `people`."""
    cases = []
    for row in group:
        if row.case is None:
            raise ValueError("only validated rows are opened")
        case = operations.open_case(db, caller, row.case, workflow_id)
        db.add_all(new_reference(r.issuer, r.value, case.id, caller.id) for r in row.references)
        cases.append(case)
    db.flush()
    return cases
