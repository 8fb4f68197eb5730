"""The engine on in-memory cases: which step is refused, with which error, naming what is missing;
and where each track starts. No HTTP, no database."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import pytest
import yaml

from tests.workflow.memory import a_case, attempt_step, caller_for, facts_for
from workflow.engine import Evidence, allowed_steps, initial_states
from workflow.errors import InvalidInput, NotPermitted, PrerequisiteMissing, WrongState
from workflow.models import Case
from workflow.rules.definition import Definition
from workflow.vocabulary import (
    CaseStatus,
    ConsentPurpose,
    EvidenceKind,
    Relation,
    Whereabouts,
)

LAWYER = {"role": "lawyer", "agency_kind": "ngo"}
JUDGE = {"role": "official", "agency_kind": "court"}
LAB = {"role": "official", "agency_kind": "forensic_lab"}
REGISTRAR = {"role": "official", "agency_kind": "civil_registry"}
DNA_TESTING, DATA_SHARING = ConsentPurpose.DNA_TESTING, ConsentPurpose.DATA_SHARING

# A small workflow with one step of each kind the engine tells apart.
WORKFLOW = Definition.model_validate(
    yaml.safe_load("""
name: unit
version: 1
title: A small workflow for unit tests
complete_when: {track: birth, in: [registered]}
tracks:
  - name: dna
    title: DNA
    initial: draft
    states: [{name: draft}, {name: requested}, {name: authorized}, {name: confirmed}]
    transitions:
      - action: request
        from: [draft]
        to: requested
        performed_by: [{role: lawyer, agency_kind: ngo}]
        fields: {tested_relative: {kind: person}}
        consents: [dna_testing]
        consent_of: tested_relative
      - action: authorize
        from: [requested]
        to: authorized
        performed_by: [{role: official, agency_kind: court}]
        fields: {ruling_number: {kind: text, max_length: 20}}
        consents: [dna_testing]
        consent_of: tested_relative
      - action: withdraw
        from: [requested, authorized]
        to: draft
        performed_by: [{role: lawyer, agency_kind: ngo}]
      - action: confirm
        from: [authorized]
        to: confirmed
        performed_by: [{role: official, agency_kind: forensic_lab}]
        evidence_kinds: [lab_report]
        fields: {probability: {kind: number, optional: true}}
  - name: birth
    title: Birth registration
    initial: pending
    states: [{name: pending}, {name: registered, final: true}]
    transitions:
      - action: register
        from: [pending]
        to: registered
        performed_by: [{role: official, agency_kind: civil_registry}]
        requires: {track: dna, in: [confirmed]}
        consents: [data_sharing]
        case_checks: [child_particulars_complete]
  - name: guardianship
    title: Guardianship
    initial: not_required
    initial_when:
      - {state: required, any_person: {relation: [mother], alive: false}}
      - {state: required, any_person: {relation: [father], whereabouts: [detained_abroad]}}
    states: [{name: not_required}, {name: required}]
    transitions:
      - action: require
        from: [not_required]
        to: required
        performed_by: [{role: lawyer, agency_kind: ngo}, {role: official, agency_kind: court}]
""")
)


def mother_of(case: Case) -> uuid.UUID:
    return case.relatives[0].id


attempt = partial(attempt_step, WORKFLOW)


def refusal(error_type: type[Exception], *args: Any, **kwargs: Any) -> Any:
    with pytest.raises(error_type) as caught:
        attempt(*args, **kwargs)
    return caught.value


START = {"dna": "draft", "birth": "pending", "guardianship": "not_required"}


# --- a step that passes ----------------------------------------------------------------------


def test_a_lawyer_requests_dna_for_a_mother_who_consented() -> None:
    case = a_case(START)
    consents = frozenset({(mother_of(case), DNA_TESTING)})
    data = {"tested_relative": str(mother_of(case))}
    step = attempt(LAWYER, case, "dna", "request", data, Evidence(consents=consents))
    assert (step.track.name, step.transition.action, step.from_state) == ("dna", "request", "draft")
    assert step.data == {"tested_relative": str(mother_of(case))}


def test_the_lab_confirms_with_its_report_and_optional_data_left_out() -> None:
    case = a_case({**START, "dna": "authorized"})
    report = uuid.uuid4()
    evidence = Evidence(documents={report: EvidenceKind.LAB_REPORT})
    step = attempt(LAB, case, "dna", "confirm", {}, evidence, [report])
    assert step.data == {}
    assert step.transition.to == "confirmed"


# --- the order of refusals, and what each says ----------------------------------------------------


def test_an_unknown_track_is_bad_input() -> None:
    error = refusal(InvalidInput, LAWYER, a_case(START), "adoption", "request")
    assert error.message == "There is no such track."
    assert error.details == [{"field": "track", "problem": "unknown"}]


def test_an_unknown_action_is_bad_input() -> None:
    error = refusal(InvalidInput, LAWYER, a_case(START), "dna", "skip")
    assert error.message == "The track has no such action."
    assert error.details == [{"field": "action", "problem": "unknown"}]


def test_a_step_of_another_role_is_not_permitted_before_anything_else_is_said() -> None:
    closed = a_case({**START, "dna": "confirmed"}, CaseStatus.CLOSED)
    error = refusal(NotPermitted, JUDGE, closed, "dna", "request")
    assert error.message == "You may not perform this step on this case."


@pytest.mark.parametrize("status", [CaseStatus.CLOSED, CaseStatus.COMPLETE])
def test_no_step_is_taken_on_a_case_that_is_not_open(status: CaseStatus) -> None:
    error = refusal(WrongState, LAWYER, a_case(START, status), "dna", "request")
    assert error.message == f"The case is {status.value}; no more steps can be taken on it."
    assert error.details == {"status": status.value}


def test_a_step_from_the_wrong_state_names_the_state_and_where_it_must_be() -> None:
    error = refusal(WrongState, JUDGE, a_case(START), "dna", "authorize", {"ruling_number": "1"})
    assert error.message == "The dna track is draft; authorize needs it to be one of requested."
    assert error.details == {"track": "dna", "state": "draft", "allowed_from": ["requested"]}


def test_a_step_that_leaves_from_several_states_names_them_all() -> None:
    error = refusal(WrongState, LAWYER, a_case(START), "dna", "withdraw")
    assert error.message == (
        "The dna track is draft; withdraw needs it to be one of requested, authorized."
    )


def test_naming_a_document_not_on_the_case_is_bad_input() -> None:
    case = a_case({**START, "dna": "authorized"})
    report, stranger = uuid.uuid4(), uuid.uuid4()
    evidence = Evidence(documents={report: EvidenceKind.LAB_REPORT})
    error = refusal(InvalidInput, LAB, case, "dna", "confirm", {}, evidence, [report, stranger])
    assert error.message == "Name documents attached to this case."
    assert error.details == [{"field": "evidence_ids.1", "problem": "no_such_document"}]


def test_a_confirmation_without_a_lab_report_waits_on_the_report() -> None:
    case = a_case({**START, "dna": "authorized"})
    other = uuid.uuid4()
    evidence = Evidence(documents={other: EvidenceKind.OTHER})
    error = refusal(PrerequisiteMissing, LAB, case, "dna", "confirm", {}, evidence, [other])
    assert error.message == "This step is waiting on other steps or particulars."
    assert error.details == {"missing": [{"evidence": "lab_report"}]}


def test_a_registration_names_the_track_the_consent_and_the_particulars_it_waits_on() -> None:
    case = a_case({**START, "dna": "requested"}, complete=False)
    error = refusal(PrerequisiteMissing, REGISTRAR, case, "birth", "register")
    assert error.details == {
        "missing": [
            {"track": "dna", "in": ["confirmed"], "actual": "requested"},
            {"consent": "data_sharing"},
            {
                "particulars": [
                    "child.names",
                    "child.sex",
                    "child.birth_date",
                    "child.birth_place.country",
                ]
            },
        ]
    }


def test_a_registration_stands_on_anyones_data_sharing_consent() -> None:
    case = a_case({**START, "dna": "confirmed"})
    consents = frozenset({(uuid.uuid4(), DATA_SHARING)})
    step = attempt(REGISTRAR, case, "birth", "register", {}, Evidence(consents=consents))
    assert step.from_state == "pending"


def test_a_consent_for_another_purpose_does_not_count() -> None:
    case = a_case({**START, "dna": "confirmed"})
    consents = frozenset({(mother_of(case), DNA_TESTING)})
    evidence = Evidence(consents=consents)
    error = refusal(PrerequisiteMissing, REGISTRAR, case, "birth", "register", {}, evidence)
    assert error.details == {"missing": [{"consent": "data_sharing"}]}


# --- whose consent: the person the step names, or the one the track named before ----------------


def test_a_dna_request_needs_the_consent_of_the_relative_it_names() -> None:
    case = a_case(START)
    someone_else = uuid.uuid4()
    evidence = Evidence(consents=frozenset({(someone_else, DNA_TESTING)}))
    data = {"tested_relative": str(mother_of(case))}
    error = refusal(PrerequisiteMissing, LAWYER, case, "dna", "request", data, evidence)
    assert error.details == {"missing": [{"consent": "dna_testing", "of": "tested_relative"}]}


@pytest.mark.parametrize("named", ["child", "stranger", "not-a-uuid", 42])
def test_a_dna_request_naming_no_relative_of_the_case_is_bad_data(named: Any) -> None:
    case = a_case(START)
    value = {"child": str(case.child.id), "stranger": str(uuid.uuid4())}.get(named, named)
    evidence = Evidence(consents=frozenset({(mother_of(case), DNA_TESTING)}))
    error = refusal(
        InvalidInput, LAWYER, case, "dna", "request", {"tested_relative": value}, evidence
    )
    assert error.details[0]["field"] == "data.tested_relative"


def test_a_dna_request_naming_the_child_is_refused_as_not_a_person_on_the_case() -> None:
    case = a_case(START)
    consents = frozenset({(case.child.id, DNA_TESTING), (mother_of(case), DNA_TESTING)})
    data = {"tested_relative": str(case.child.id)}
    error = refusal(InvalidInput, LAWYER, case, "dna", "request", data, Evidence(consents=consents))
    assert error.message == "The request has invalid or missing fields."
    assert error.details == [
        {
            "field": "data.tested_relative",
            "problem": "not_a_person_on_this_case",
            "message": "Name a relative or guardian recorded on this case.",
        }
    ]


def test_the_judge_needs_the_consent_of_the_relative_the_request_named() -> None:
    case = a_case({**START, "dna": "requested"})
    mother, other = mother_of(case), uuid.uuid4()
    named = {("dna", "tested_relative"): mother}
    data = {"ruling_number": "2-1187/2026"}
    given = Evidence(consents=frozenset({(mother, DNA_TESTING)}), named=named)
    assert attempt(JUDGE, case, "dna", "authorize", data, given).data == data
    elsewhere = Evidence(consents=frozenset({(other, DNA_TESTING)}), named=named)
    error = refusal(PrerequisiteMissing, JUDGE, case, "dna", "authorize", data, elsewhere)
    assert error.details == {"missing": [{"consent": "dna_testing", "of": "tested_relative"}]}


def test_step_data_is_validated_and_named_by_its_field() -> None:
    case = a_case({**START, "dna": "requested"})
    named = {("dna", "tested_relative"): mother_of(case)}
    evidence = Evidence(consents=frozenset({(mother_of(case), DNA_TESTING)}), named=named)
    data = {"ruling_number": "x" * 21}
    error = refusal(InvalidInput, JUDGE, case, "dna", "authorize", data, evidence)
    assert [item["field"] for item in error.details] == ["data.ruling_number"]


# --- the steps a user is offered ---------------------------------------------------------------


def test_each_user_is_offered_only_their_own_steps_that_could_go_now() -> None:
    case = a_case(START)
    lawyer, judge = caller_for(LAWYER), caller_for(JUDGE)
    assert allowed_steps(lawyer, case, WORKFLOW, facts_for(lawyer)) == [
        {"track": "dna", "action": "request"},
        {"track": "guardianship", "action": "require"},
    ]
    assert allowed_steps(judge, case, WORKFLOW, facts_for(judge)) == [
        {"track": "guardianship", "action": "require"}
    ]


def test_a_step_waiting_on_another_track_is_not_offered() -> None:
    registrar = caller_for(REGISTRAR)
    waiting = a_case({**START, "dna": "authorized"})
    ready = a_case({**START, "dna": "confirmed"})
    assert allowed_steps(registrar, waiting, WORKFLOW, facts_for(registrar)) == []
    assert allowed_steps(registrar, ready, WORKFLOW, facts_for(registrar)) == [
        {"track": "birth", "action": "register"}
    ]


def test_nothing_is_offered_on_a_closed_case() -> None:
    lawyer = caller_for(LAWYER)
    case = a_case(START, CaseStatus.CLOSED)
    assert allowed_steps(lawyer, case, WORKFLOW, facts_for(lawyer)) == []


# --- where each track starts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("people", "guardianship"),
    [
        ([], "not_required"),
        ([{"relation": "mother", "alive": True}], "not_required"),
        ([{"relation": "mother"}], "not_required"),
        ([{"relation": "mother", "alive": False}], "required"),
        ([{"relation": "aunt", "alive": False}], "not_required"),
        ([{"relation": "father", "whereabouts": "detained_abroad"}], "required"),
        ([{"relation": "father", "whereabouts": "in_country"}], "not_required"),
        ([{"relation": "father"}], "not_required"),
        ([{"relation": "mother", "whereabouts": "detained_abroad", "alive": False}], "required"),
        ([{"relation": "aunt"}, {"relation": "mother", "alive": False}], "required"),
    ],
)
def test_guardianship_starts_required_when_a_parent_is_dead_or_detained(
    people: list[dict[str, Any]], guardianship: str
) -> None:
    people = [
        {**p, "whereabouts": Whereabouts(p["whereabouts"])} if "whereabouts" in p else p
        for p in people
    ]
    people = [{**p, "relation": Relation(p["relation"])} for p in people]
    assert initial_states(WORKFLOW, people) == {**START, "guardianship": guardianship}
