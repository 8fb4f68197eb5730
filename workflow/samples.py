"""Reference samples: a relative's DNA sample, held once for her at person level and counted on
every case she is on, so that a sibling's test takes only the child's sample.

Only the sample shows on another case (its id, when and by which laboratory it was taken),
never the case it was taken on: a sibling's case may be one the viewer may not see.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import kinship
from workflow.engine import Step
from workflow.models import Agency, Case, ReferenceSample
from workflow.permissions import Caller


@dataclass(frozen=True)
class HeldSample:
    """A reference sample as a case shows it: whose, which, when, by which laboratory."""

    person_id: uuid.UUID
    sample_id: str
    collected_on: date
    laboratory: str


def held_samples(session: Session, case: Case) -> list[HeldSample]:
    """The latest reference sample of each person on the case, wherever it was taken."""
    rows = session.execute(
        select(ReferenceSample, Agency.name)
        .join(Agency, Agency.id == ReferenceSample.agency_id)
        .where(ReferenceSample.person_id.in_([person.id for person in case.relatives]))
        .order_by(ReferenceSample.recorded_at, ReferenceSample.id)
    ).all()
    latest = {
        sample.person_id: HeldSample(sample.person_id, sample.sample_id, sample.collected_on, name)
        for sample, name in rows
    }
    return list(latest.values())


def keep_sample(
    session: Session,
    caller: Caller,
    case: Case,
    step: Step,
    named: Mapping[tuple[str, str], uuid.UUID],
) -> None:
    """Keep the reference sample the step took, unless it is the one already held."""
    kept = step.transition.keeps_sample
    person = kinship.sample_person(step.track, step.transition, step.data, named)
    taken = step.data.get(kept.sample) if kept else None
    if kept is None or person is None or taken is None:
        return
    held = {sample.person_id: sample.sample_id for sample in held_samples(session, case)}
    if held.get(person) == taken:
        return
    session.add(
        ReferenceSample(
            person_id=person,
            sample_id=taken,
            collected_on=date.fromisoformat(step.data[kept.taken_on]),
            agency_id=caller.agency_id,
            case_id=case.id,
        )
    )
