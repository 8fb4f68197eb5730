"""External references on a case: add, list and remove them, each noting the trail by issuer,
never by value (a camp or UNHCR number leads to the child as surely as a name)."""

from __future__ import annotations

from audit import recorder as audit
from workflow import external_references, transactions
from workflow.access import current_caller
from workflow.models import ExternalReference
from workflow.schemas import ReferenceIn
from workflow.services.cases import find_visible_case


def add(case_id: str, command: ReferenceIn) -> ExternalReference:
    """Add an identifier the child is known by elsewhere to a case the caller works."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, case_id)
    reference = external_references.add_reference(
        session, caller, case, facts, command.issuer, command.value
    )
    audit.note(detail={"reference": str(reference.id), "issuer": reference.issuer.value})
    return reference


def listed(case_id: str) -> list[ExternalReference]:
    """The case's references, for a caller whose work on it rests on them."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, case_id)
    shown = external_references.case_references(session, caller, case, facts)
    audit.note(detail={"references": len(shown)})
    return shown


def remove(case_id: str, reference_id: str) -> ExternalReference:
    """Remove one of the case's references; the trail names its issuer."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, case_id)
    reference = external_references.remove_reference(session, caller, case, facts, reference_id)
    audit.note(detail={"reference": str(reference.id), "issuer": reference.issuer.value})
    return reference
