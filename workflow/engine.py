"""The engine: decide whether a transition may happen to a case, and what it needs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from workflow import kinship
from workflow.errors import InvalidInput, NotPermitted, PrerequisiteMissing, WrongState, invalid
from workflow.models import Case
from workflow.permissions import Caller, CaseFacts, can_perform, may_act_on, performs
from workflow.rules.care import consent_note, consent_waived, ensure_one_of, matches, may_consent
from workflow.rules.checks import CASE_CHECKS
from workflow.rules.definition import Definition, Track, Transition, unmet
from workflow.rules.fields import data_model
from workflow.rules.translations import untranslated
from workflow.schemas import TransitionIn
from workflow.text import as_uuid
from workflow.vocabulary import CaseStatus, ConsentPurpose, EvidenceKind, Relation


@dataclass(frozen=True)
class Evidence:
    """What a step can stand on: the case's documents the caller may name, and consents in force."""

    documents: Mapping[uuid.UUID, EvidenceKind] = field(default_factory=dict)
    consents: frozenset[tuple[uuid.UUID, ConsentPurpose]] = frozenset()  # (person, purpose)
    named: Mapping[tuple[str, str], uuid.UUID] = field(default_factory=dict)  # (track, field)
    earlier: Mapping[tuple[str, str], Any] = field(default_factory=dict)  # every field's latest
    samples: Mapping[uuid.UUID, str] = field(default_factory=dict)  # person -> reference sample
    languages: Mapping[uuid.UUID, str | None] = field(default_factory=dict)  # of each document
    originals: Mapping[uuid.UUID, uuid.UUID | None] = field(default_factory=dict)  # translated


@dataclass(frozen=True)
class Step:
    """A transition that passed every check, with its validated data."""

    track: Track
    transition: Transition
    from_state: str
    data: dict[str, Any]


def check_step(
    caller: Caller,
    case: Case,
    definition: Definition,
    facts: CaseFacts,
    command: TransitionIn,
    evidence: Evidence,
) -> Step:
    """Check permission, state, evidence named, prerequisites (other tracks, particulars, evidence
    and consents) and data, in that order, for one transition."""
    track, transition = _resolve(definition, command.track, command.action)
    if not can_perform(caller, facts, transition):
        raise NotPermitted("You may not perform this step on this case.")
    _ensure_open(case, transition)
    states = case.track_states()
    _ensure_state(track, transition, states[track.name])
    _ensure_known_documents(command, evidence)
    _ensure_translated(transition, command, evidence)
    unmet_evidence = _unmet_evidence(case, track, transition, command, evidence)
    _ensure_prerequisites(case, transition, states, unmet_evidence)
    data = _validated_data(case, transition, command.data)
    ensure_one_of(transition, data)
    kinship.ensure_threshold(track, transition, data, evidence.earlier)
    data = kinship.keep_or_find_sample(track, transition, data, evidence.named, evidence.samples)
    return Step(track, transition, states[track.name], {**data, **consent_note(case, transition)})


def allowed_steps(
    caller: Caller, case: Case, definition: Definition, facts: CaseFacts
) -> list[dict[str, str]]:
    """The transitions the caller could perform now, data aside (`can_perform` of each, its
    case-wide part asked once)."""
    if case.status is CaseStatus.CLOSED or not may_act_on(caller, facts):
        return []
    states = case.track_states()
    # Worked out once for each status, kind of caller and tracks' states: it is the
    # definition's alone, and every read of a case asks it.
    key = (case.status, caller.role, caller.agency_kind, *map(states.get, definition.track_names))
    steps = definition.remembered(
        ("allowed", *key),
        lambda: [
            {"track": track.name, "action": transition.action}
            for track in definition.tracks
            for transition in track.leaving(states.get(track.name))
            if transition.taken_on(case.status)
            and performs(caller, transition)
            and not unmet(transition.requires, states)
        ],
    )
    return [dict(step) for step in steps]


def initial_states(definition: Definition, people: list[dict[str, Any]]) -> dict[str, str]:
    """Each track's first state, from the initial rules and the facts about the people."""
    return {track.name: _initial_state(track, people) for track in definition.tracks}


def _initial_state(track: Track, people: list[dict[str, Any]]) -> str:
    for rule in track.initial_when:
        if any(matches(rule.any_person, person) for person in people):
            return rule.state
    return track.initial


def _resolve(definition: Definition, track_name: str, action: str) -> tuple[Track, Transition]:
    track = definition.track(track_name)
    if track is None:
        raise InvalidInput("There is no such track.", [{"field": "track", "problem": "unknown"}])
    transition = track.transition(action)
    if transition is None:
        raise InvalidInput(
            "The track has no such action.", [{"field": "action", "problem": "unknown"}]
        )
    return track, transition


def _ensure_open(case: Case, transition: Transition) -> None:
    if not transition.taken_on(case.status):
        raise WrongState(
            f"The case is {case.status.value}; no more steps can be taken on it.",
            {"status": case.status.value},
        )


def _ensure_state(track: Track, transition: Transition, state: str) -> None:
    # A final state is left only by a step the definition declares so (an amendment).
    final = state in track.state_names and track.state(state).final
    if state not in transition.from_ or (final and not transition.leaves_final):
        raise WrongState(
            f"The {track.name} track is {state}; {transition.action} needs it to be one of "
            f"{', '.join(transition.from_)}.",
            {"track": track.name, "state": state, "allowed_from": transition.from_},
        )


def _ensure_prerequisites(
    case: Case, transition: Transition, states: dict[str, str], evidence: list[dict[str, Any]]
) -> None:
    missing: list[dict[str, Any]] = [*unmet(transition.requires, states), *evidence]
    particulars = [item for check in transition.case_checks for item in CASE_CHECKS[check](case)]
    if particulars:
        missing.append({"particulars": particulars})
    if missing:
        raise PrerequisiteMissing(
            "This step is waiting on other steps or particulars.", {"missing": missing}
        )


def _ensure_known_documents(command: TransitionIn, evidence: Evidence) -> None:
    unknown = [
        {"field": f"evidence_ids.{index}", "problem": "no_such_document"}
        for index, document_id in enumerate(command.evidence_ids)
        if document_id not in evidence.documents
    ]
    if unknown:
        raise InvalidInput("Name documents attached to this case.", unknown)


def _ensure_translated(transition: Transition, command: TransitionIn, evidence: Evidence) -> None:
    if not transition.evidence_translated_into:
        return
    problems = untranslated(
        command.evidence_ids,
        evidence.languages,
        evidence.originals,
        transition.evidence_translated_into,
    )
    if problems:
        raise InvalidInput("Name a translation beside each foreign-language document.", problems)


def _unmet_evidence(
    case: Case, track: Track, transition: Transition, command: TransitionIn, evidence: Evidence
) -> list[dict[str, Any]]:
    """The documents (by kind) and the consents (by purpose) the step needs and lacks."""
    kinds = {evidence.documents[document_id] for document_id in command.evidence_ids}
    if consent_waived(case, transition):  # nobody alive and reachable could give one
        kinds.add(EvidenceKind.CONSENT)
    missing: list[dict[str, Any]] = [
        {"evidence": kind.value} for kind in transition.evidence_kinds if kind not in kinds
    ]
    if consent_waived(case, transition):
        return missing
    field_name = transition.consent_of
    if kinship.is_relatives(track, field_name):
        return [*missing, *_relatives_consents(case, track, transition, command, evidence)]
    if field_name in transition.fields:  # the step names the person itself
        person = as_uuid(command.data.get(field_name))
        if person not in {relative.id for relative in case.relatives}:
            return missing  # no relative of this case named: the data check says so next
    elif field_name:
        person = evidence.named.get((track.name, field_name))
    for purpose in transition.consents:
        given = {p for p, given_for in evidence.consents if given_for is purpose}
        if not (person in given if field_name else given):
            missing.append({"consent": purpose.value, **({"of": field_name} if field_name else {})})
    return missing


def _relatives_consents(
    case: Case, track: Track, transition: Transition, command: TransitionIn, evidence: Evidence
) -> list[dict[str, Any]]:
    """The consents each relative named (here, or by the track's latest step) lacks; one not on
    the case is for the data check to name."""
    field_name = transition.consent_of or ""
    named = kinship.value_of(track, field_name, command.data, evidence.earlier)
    people = kinship.people_in(named)
    if not people or not set(people) <= {relative.id for relative in case.relatives}:
        unnamed = [{"consent": p.value, "of": field_name} for p in transition.consents]
        return [] if field_name in transition.fields else unnamed
    # Under `consent_when`, only a relative who matches it (alive and reachable) is asked: one
    # tested abroad who has since died cannot consent, and the court weighs the result without.
    asked = {p.id for p in case.relatives if may_consent(transition, p)}
    return [
        {"consent": purpose.value, "of": f"{field_name}.{index}"}
        for purpose in transition.consents
        for index, person in enumerate(people)
        if person in asked and (person, purpose) not in evidence.consents
    ]


def _validated_data(case: Case, transition: Transition, data: dict[str, Any]) -> dict[str, Any]:
    try:
        validated = data_model(transition).model_validate(data)
    except ValidationError as error:
        raise invalid(error, ("data",)) from None
    # A person field names a relative or guardian, never the child.
    people = {person.id for person in case.people if person.relation is not Relation.CHILD}
    for name, spec in transition.fields.items():
        value = getattr(validated, name)
        if spec.kind == "person" and isinstance(value, uuid.UUID) and value not in people:
            raise _not_on_case(f"data.{name}")
        for index, relative in enumerate(value if spec.kind == "relatives" and value else []):
            if relative.person not in people:
                raise _not_on_case(f"data.{name}.{index}.person")
    return validated.model_dump(mode="json", exclude_none=True)


def _not_on_case(field_name: str) -> InvalidInput:
    return InvalidInput(
        "The request has invalid or missing fields.",
        [
            {
                "field": field_name,
                "problem": "not_a_person_on_this_case",
                "message": "Name a relative or guardian recorded on this case.",
            }
        ],
    )
