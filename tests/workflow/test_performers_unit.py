"""Every step of the default workflow tried by every kind of user, on in-memory cases: the engine
lets exactly the performers of the hand-written table take it, and refuses everyone else as not
permitted. No HTTP, no database; the HTTP tests only check that this is wired in.

A step is tried from each state it leaves from, on a case that has everything else the step needs
(the other tracks done, consents, evidence, valid data), so that a permitted performer gets the
step whole and a refusal can only be about who is asking."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from tests.workflow.default_steps import STEPS
from tests.workflow.helpers import valid_data
from tests.workflow.memory import a_case
from workflow.engine import Evidence, allowed_steps, check_step
from workflow.errors import NotPermitted
from workflow.models import Case
from workflow.permissions import Caller, CaseFacts
from workflow.rules import catalogue
from workflow.rules.definition import Definition, Track, Transition
from workflow.schemas import TransitionIn
from workflow.vocabulary import AgencyKind, ConsentPurpose, Role

DEFAULT = Definition.model_validate(catalogue.read_file(catalogue.BUILT_IN / "default.yaml"))
# Every other track where the steps that wait on it need it to be.
DONE = {
    "dna": "confirmed",
    "parentage": "established",
    "birth_registration": "registered",
    "guardianship": "not_required",
    "citizenship": "granted",
    "identity_document": "not_started",
}


@dataclass(frozen=True)
class Actor:
    """A kind of user, and whether the case is theirs: for a lawyer, assigned to it."""

    role: Role
    kind: AgencyKind
    on_case: bool = True

    def caller(self) -> Caller:
        return Caller(
            id=uuid.uuid4(), role=self.role, agency_id=uuid.uuid4(), agency_kind=self.kind
        )

    def facts(self, caller: Caller) -> CaseFacts:
        """The case waits on the caller's kind of agency, which has handled it before; and the
        caller is assigned to it if it is theirs."""
        return CaseFacts(
            agency=caller.agency_id,
            assigned=frozenset({caller.id}) if self.on_case else frozenset(),
            waiting_on=frozenset({caller.agency_kind}),
            handled_by=frozenset({caller.agency_id}),
        )

    def performs(self, step: tuple[str, str]) -> bool:
        """The table names the actor's role and kind of agency for the step, on a case of theirs."""
        return self.on_case and (self.role.value, self.kind.value) in STEPS[step][0]


ACTORS = {
    "assigned lawyer": Actor(Role.LAWYER, AgencyKind.NGO),
    # a colleague at the same NGO works the case: the NGO handled it, the case waits on NGOs
    "unassigned lawyer": Actor(Role.LAWYER, AgencyKind.NGO, on_case=False),
    **{f"{kind.value} official": Actor(Role.OFFICIAL, kind) for kind in AgencyKind},
    "auditor": Actor(Role.AUDITOR, AgencyKind.OMBUDSMAN),
    "admin": Actor(Role.ADMIN, AgencyKind.OPERATOR),
}
TRANSITIONS = [(track, step) for track in DEFAULT.tracks for step in track.transitions]


def ready_case(track: Track, from_state: str) -> Case:
    """A case whose track waits in `from_state`, every other track where the steps need it."""
    return a_case({**DONE, track.name: from_state})


def everything_for(case: Case, track: Track, step: Transition) -> tuple[TransitionIn, Evidence]:
    """The step's command with valid data naming the mother, and the documents and consents it
    stands on."""
    mother = case.relatives[0].id
    documents = {uuid.uuid4(): kind for kind in step.evidence_kinds}
    command = TransitionIn(
        track=track.name,
        action=step.action,
        data=valid_data(step, str(mother)),
        evidence_ids=list(documents),
    )
    evidence = Evidence(
        documents=documents,
        consents=frozenset((mother, purpose) for purpose in ConsentPurpose),
        named={(track.name, step.consent_of): mother} if step.consent_of else {},
        # What the track's earlier steps recorded (a result from abroad that a court accepts).
        earlier={
            (track.name, name): value
            for earlier in track.transitions
            for name, value in valid_data(earlier, str(mother)).items()
        },
    )
    return command, evidence


def test_the_table_names_every_step_of_the_default_workflow_and_no_other() -> None:
    assert sorted((track.name, step.action) for track, step in TRANSITIONS) == sorted(STEPS)


@pytest.mark.parametrize("actor", ACTORS, ids=str)
@pytest.mark.parametrize(
    ("track", "step"), TRANSITIONS, ids=[f"{t.name}.{s.action}" for t, s in TRANSITIONS]
)
def test_only_the_tables_performers_may_take_a_step(
    track: Track, step: Transition, actor: str
) -> None:
    who = ACTORS[actor]
    expected = who.performs((track.name, step.action))
    _performers, from_states, to = STEPS[track.name, step.action]
    for from_state in sorted(from_states):
        case, caller = ready_case(track, from_state), who.caller()
        facts = who.facts(caller)
        command, evidence = everything_for(case, track, step)
        offered = {"track": track.name, "action": step.action} in allowed_steps(
            caller, case, DEFAULT, facts
        )
        assert offered is expected, from_state
        if expected:
            taken = check_step(caller, case, DEFAULT, facts, command, evidence)
            assert (taken.from_state, taken.transition.to) == (from_state, to)
        else:
            with pytest.raises(NotPermitted):
                check_step(caller, case, DEFAULT, facts, command, evidence)
