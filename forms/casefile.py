"""What a form is made from: the case, its steps, its consents and the siblings' cases the
issuer may see, read once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import particulars
from workflow.families import family_cases
from workflow.models import Agency, Case, Consent, Person, RegisteredParticulars, TransitionRecord
from workflow.permissions import Caller
from workflow.rules.catalogue import definition_of
from workflow.vocabulary import AgencyKind, Relation

# Which step names the person a form means, for the people a case does not hold by relation.
NAMED_BY_STEP = {
    "reference_person": ("dna", "reference_person"),
    "proposed_guardian": ("guardianship", "proposed_guardian"),
}


@dataclass(frozen=True)
class CaseFile:
    case: Case
    history: list[TransitionRecord]
    consents: list[Consent]
    agency_kinds: dict[uuid.UUID, AgencyKind]
    policy: dict[str, str]  # the workflow's policy fields, e.g. what a certificate records
    siblings: list[str]  # the references of the family's other cases the issuer may see
    registered: RegisteredParticulars | None = None  # the particulars as registered, in force

    def person(self, who: str) -> Person | None:
        """The child, a parent, or the person a step named (the relative tested, the guardian)."""
        if who in NAMED_BY_STEP:
            named = self.person_by_id(self.step_value(*NAMED_BY_STEP[who]))
            # Before the petition names one, a relative recorded as proposed guardian is shown.
            if named or who != "proposed_guardian":
                return named
        relation = Relation(who)
        return next((p for p in self.case.people if p.relation is relation), None)

    def person_by_id(self, value: Any) -> Person | None:
        return next((p for p in self.case.people if str(p.id) == str(value)), None)

    def step_value(self, track: str, field: str) -> Any:
        """The latest value a step on the track recorded for the field, or None."""
        for record in reversed(self.history):
            if record.track == track and record.data and field in record.data:
                return record.data[field]
        return None


def read_case_file(session: Session, case: Case, issuer: Caller) -> CaseFile:
    history = session.scalars(
        select(TransitionRecord).filter_by(case_id=case.id).order_by(TransitionRecord.id)
    ).all()
    consents = session.scalars(
        select(Consent).filter_by(case_id=case.id).order_by(Consent.given_on, Consent.recorded_at)
    ).all()
    agencies = {record.agency_id for record in history}
    kinds = session.execute(select(Agency.id, Agency.kind).where(Agency.id.in_(agencies)))
    policy = dict(definition_of(case.workflow).policy)
    agency_kinds = {row.id: row.kind for row in kinds}
    siblings = _siblings(session, case, issuer)
    registered = particulars.current(session, case)
    return CaseFile(case, list(history), list(consents), agency_kinds, policy, siblings, registered)


def _siblings(session: Session, case: Case, issuer: Caller) -> list[str]:
    if case.family_id is None:
        return []
    seen = family_cases(session, issuer, case.family_id)
    return [sibling.reference for sibling, _facts in seen if sibling.id != case.id]
