"""What a step's form tells its user beyond the fields: the threshold the result must reach for
the relationship tested, and a reference sample already held, so that only the child's is taken.
A held sample shows which it is, when and by which laboratory, never the case it was taken on."""

from __future__ import annotations

import uuid

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from workflow import kinship
from workflow.engine import Evidence
from workflow.evidence.consents import step_evidence
from workflow.models import Case
from workflow.permissions import Caller, CaseFacts
from workflow.rules.definition import Definition, Track, Transition
from workflow.samples import HeldSample, held_samples
from workflow.web.filters import day
from workflow.web.labels import label

StepId = tuple[str, str]  # (track, action)


def step_notes(
    session: Session,
    caller: Caller,
    case: Case,
    facts: CaseFacts,
    definition: Definition,
    steps: list[StepId],
) -> dict[StepId, list[str]]:
    """The notes of each step the page offers, read from the case only when one needs them."""
    wanted = [(t, t.transition(a)) for t, a in ((definition.track(n), a) for n, a in steps) if t]
    if not any(tr and (tr.threshold or tr.keeps_sample) for _t, tr in wanted):
        return {}
    evidence = step_evidence(session, caller, case, facts)
    held = {sample.person_id: sample for sample in held_samples(session, case)}
    notes: dict[StepId, list[str]] = {}
    for track, transition in wanted:
        if transition is not None:
            shown = [
                _threshold(track, transition, evidence),
                _held(track, transition, evidence, held),
            ]
            notes[track.name, transition.action] = [note for note in shown if note]
    return notes


def _threshold(track: Track, transition: Transition, evidence: Evidence) -> str | None:
    if transition.threshold is None:
        return None
    by = kinship.value_of(track, transition.threshold.by, {}, evidence.earlier)
    minimum, relationship = kinship.required_minimum(
        transition.threshold, kinship.relationships(by)
    )
    return str(
        _(
            "A result proves kinship from %(minimum)s for %(relationship)s.",
            minimum=minimum,
            relationship=label("choice", relationship),
        )
    )


def _held(
    track: Track, transition: Transition, evidence: Evidence, held: dict[uuid.UUID, HeldSample]
) -> str | None:
    kept = transition.keeps_sample
    person = evidence.named.get((track.name, kept.of)) if kept else None
    sample = held.get(person) if person else None
    if sample is None:
        return None
    return str(
        _(
            "A reference sample of this relative is already held: %(sample)s, taken on %(date)s by "
            "%(laboratory)s. Take only the child's sample and leave the reference sample empty.",
            sample=sample.sample_id,
            date=day(sample.collected_on),
            laboratory=sample.laboratory,
        )
    )
