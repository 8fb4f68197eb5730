"""Families: the siblings' cases and the relatives they share, as the caller may see them."""

from __future__ import annotations

import uuid

from audit import recorder as audit
from workflow import families, transactions
from workflow.access import current_caller
from workflow.models import Case, Person
from workflow.permissions import CaseFacts

Seen = tuple[uuid.UUID, list[tuple[Case, CaseFacts]], list[tuple[Person, set[uuid.UUID]]]]


def visible_family(family_id: str) -> Seen:
    """The family's cases the caller may see and the relatives shared on them; a family with
    none the caller may see is missing. The trail keeps which cases were shown."""
    session, caller = transactions.session(), current_caller()
    family, cases = families.find_family(session, caller, family_id)
    relatives = families.shared_relatives_on(session, family.id, [case for case, _f in cases])
    audit.note(detail={"family": str(family.id), "returned": [c.reference for c, _f in cases]})
    return family.id, cases, relatives
