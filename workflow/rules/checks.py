"""Named checks on a case's particulars that a transition can demand, by name, from the data."""

from __future__ import annotations

from collections.abc import Callable

from workflow.models import Case


def child_particulars_complete(case: Case) -> list[str]:
    """The child's particulars a birth registration cannot do without."""
    child = case.child
    missing = []
    if not any(name.given or name.family for name in child.names):
        missing.append("child.names")
    if child.sex is None:
        missing.append("child.sex")
    if child.birth_date is None:
        missing.append("child.birth_date")
    if child.birth_country is None:
        missing.append("child.birth_place.country")
    return missing


CASE_CHECKS: dict[str, Callable[[Case], list[str]]] = {
    "child_particulars_complete": child_particulars_complete,
}
