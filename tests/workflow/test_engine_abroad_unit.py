"""The engine on evidence from abroad and care without parents, on in-memory cases: translations
beside foreign documents, each living relative's consent, the threshold of the relationship
tested, a reference sample found held, exactly one carer, and a final state left by a step
declared to. No HTTP, no database."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import pytest
import yaml

from tests.workflow.memory import a_case, attempt_step
from workflow.engine import Evidence
from workflow.errors import HomewardError, InvalidInput, PrerequisiteMissing, WrongState
from workflow.models import Case, Person
from workflow.rules.care import CONSENT_NOT_REQUIRED
from workflow.rules.definition import Definition
from workflow.vocabulary import ConsentPurpose, EvidenceKind, Relation

LAWYER = {"role": "lawyer", "agency_kind": "ngo"}
JUDGE = {"role": "official", "agency_kind": "court"}
LAB = {"role": "official", "agency_kind": "forensic_lab"}
GUARDIANSHIP = {"role": "official", "agency_kind": "guardianship_authority"}
DNA_TESTING = ConsentPurpose.DNA_TESTING

WORKFLOW = Definition.model_validate(
    yaml.safe_load("""
name: abroad
version: 1
title: Evidence from abroad, for unit tests
complete_when: {track: dna, in: [confirmed]}
tracks:
  - name: dna
    title: DNA
    initial: not_started
    states:
      - {name: not_started}
      - {name: collected}
      - {name: foreign_result_recorded}
      - {name: confirmed, final: true}
      - {name: amended}
    transitions:
      - action: record_foreign_result
        from: [not_started]
        to: foreign_result_recorded
        performed_by: [{role: lawyer, agency_kind: ngo}]
        fields:
          relatives_tested: {kind: relatives, options: [maternity, grandmaternity]}
          probability: {kind: number, minimum: 0, maximum: 1}
        evidence_kinds: [foreign_lab_report]
        evidence_translated_into: [kk, ru]
      - action: accept_foreign_result
        from: [foreign_result_recorded]
        to: confirmed
        performed_by: [{role: official, agency_kind: court}]
        evidence_kinds: [consent]
        consents: [dna_testing]
        consent_of: relatives_tested
        consent_when: {relation: [mother, grandmother], alive: true}
        threshold:
          value: probability
          by: relatives_tested
          minimum: {maternity: 0.999, grandmaternity: 0.99}
      - action: collect
        from: [not_started]
        to: collected
        performed_by: [{role: official, agency_kind: forensic_lab}]
        fields:
          reference_person: {kind: person}
          reference_sample: {kind: text, optional: true}
          collected_on: {kind: date}
        keeps_sample: {sample: reference_sample, of: reference_person, taken_on: collected_on}
      - action: amend
        from: [confirmed]
        to: amended
        leaves_final: true
        performed_by: [{role: lawyer, agency_kind: ngo}]
  - name: care
    title: Care
    initial: open
    states: [{name: open}, {name: placed}]
    transitions:
      - action: place
        from: [open]
        to: placed
        performed_by: [{role: official, agency_kind: guardianship_authority}]
        fields:
          guardian: {kind: person, optional: true}
          institution: {kind: text, optional: true, max_length: 200}
        one_of: [guardian, institution]
""")
)
START = {"dna": "not_started", "care": "open"}
RECORDED = {**START, "dna": "foreign_result_recorded"}


def a_family(states: dict[str, str], *, mother_alive: bool = True) -> Case:
    """The child, a mother (alive or not) and a grandmother who has died."""
    case = a_case(states)
    case.people[1].alive = mother_alive
    case.people.append(Person(id=uuid.uuid4(), relation=Relation.GRANDMOTHER, alive=False))
    return case


def mother(case: Case) -> uuid.UUID:
    return case.people[1].id


def grandmother(case: Case) -> uuid.UUID:
    return case.people[2].id


attempt = partial(attempt_step, WORKFLOW)


def problems(error: pytest.ExceptionInfo[HomewardError]) -> Any:
    details = error.value.details
    return details["missing"] if isinstance(details, dict) else details


# --- a foreign report and its translation ---------------------------------------------------------


def results_for(case: Case) -> dict[str, Any]:
    return {
        "relatives_tested": [{"person": str(mother(case)), "relationship": "maternity"}],
        "probability": 0.9995,
    }


def reports(*languages: str, translated: bool = False) -> Evidence:
    """Foreign reports in these languages, and beside the first its translation into Kazakh."""
    documents = {uuid.uuid4(): language for language in languages}
    originals: dict[uuid.UUID, uuid.UUID | None] = {}
    if translated:
        translation, original = uuid.uuid4(), next(iter(documents))
        documents[translation], originals[translation] = "kk", original
    return Evidence(
        documents={document: EvidenceKind.FOREIGN_LAB_REPORT for document in documents},
        languages=documents,
        originals=originals,
    )


def test_a_foreign_report_in_neither_language_is_refused_naming_its_place() -> None:
    case = a_family(START)
    with pytest.raises(InvalidInput) as refused:
        attempt(
            LAWYER, case, "dna", "record_foreign_result", results_for(case), reports("ru", "ar")
        )
    assert refused.value.message == "Name a translation beside each foreign-language document."
    assert [(p["field"], p["problem"]) for p in problems(refused)] == [
        ("evidence_ids.1", "translation_missing")
    ]


def test_a_foreign_report_with_its_translation_beside_it_is_recorded() -> None:
    case = a_family(START)
    step = attempt(
        LAWYER,
        case,
        "dna",
        "record_foreign_result",
        results_for(case),
        reports("ar", translated=True),
    )
    assert step.data == results_for(case)


def test_a_relative_not_on_the_case_is_refused_by_her_place_in_the_list() -> None:
    case = a_family(START)
    data = results_for(case)
    stranger = {"person": str(uuid.uuid4()), "relationship": "grandmaternity"}
    data["relatives_tested"] = [*data["relatives_tested"], stranger]
    with pytest.raises(InvalidInput) as refused:
        attempt(LAWYER, case, "dna", "record_foreign_result", data, reports("ru"))
    assert [(p["field"], p["problem"]) for p in problems(refused)] == [
        ("data.relatives_tested.1.person", "not_a_person_on_this_case")
    ]


# --- the court's acceptance: consents and the threshold -------------------------------------------


def recorded(case: Case, probability: float, *consents: uuid.UUID) -> Evidence:
    """What the lawyer recorded (the mother and the grandmother tested), and the consents given."""
    relatives = [
        {"person": str(mother(case)), "relationship": "maternity"},
        {"person": str(grandmother(case)), "relationship": "grandmaternity"},
    ]
    return Evidence(
        documents={uuid.uuid4(): EvidenceKind.CONSENT} if consents else {},
        consents=frozenset((person, DNA_TESTING) for person in consents),
        earlier={("dna", "relatives_tested"): relatives, ("dna", "probability"): probability},
    )


def test_the_court_waits_on_the_consent_of_the_living_relative_only() -> None:
    case = a_family(RECORDED)
    with pytest.raises(PrerequisiteMissing) as waiting:
        attempt(JUDGE, case, "dna", "accept_foreign_result", {}, recorded(case, 0.9995))
    assert problems(waiting) == [
        {"evidence": "consent"},
        {"consent": "dna_testing", "of": "relatives_tested.0"},
    ]


def test_the_court_accepts_with_the_living_relatives_consent() -> None:
    case = a_family(RECORDED)
    evidence = recorded(case, 0.9995, mother(case))
    step = attempt(JUDGE, case, "dna", "accept_foreign_result", {}, evidence)
    assert (step.from_state, step.data) == ("foreign_result_recorded", {})


def test_with_nobody_alive_to_consent_the_court_accepts_and_the_history_says_why() -> None:
    case = a_family(RECORDED, mother_alive=False)
    step = attempt(JUDGE, case, "dna", "accept_foreign_result", {}, recorded(case, 0.9995))
    assert CONSENT_NOT_REQUIRED in step.data


def test_a_result_under_the_strictest_relationships_threshold_is_refused() -> None:
    case = a_family(RECORDED)
    evidence = recorded(case, 0.995, mother(case))  # enough for a grandmother, not a mother
    with pytest.raises(InvalidInput) as refused:
        attempt(JUDGE, case, "dna", "accept_foreign_result", {}, evidence)
    [problem] = problems(refused)
    assert (problem["problem"], problem["threshold"], problem["relationship"]) == (
        "below_threshold",
        0.999,
        "maternity",
    )


# --- a reference sample, one carer, a final state -------------------------------------------------


def test_the_lab_finds_the_reference_sample_already_held_for_the_person() -> None:
    case = a_family(START)
    data = {"reference_person": str(mother(case)), "collected_on": "2026-11-30"}
    held = Evidence(samples={mother(case): "KZ-REF-0042"})
    step = attempt(LAB, case, "dna", "collect", data, held)
    assert step.data["reference_sample"] == "KZ-REF-0042"


def test_a_placement_names_exactly_one_carer() -> None:
    case = a_family(START)
    both = {"guardian": str(mother(case)), "institution": "Children's home no. 3"}
    with pytest.raises(InvalidInput) as refused:
        attempt(GUARDIANSHIP, case, "care", "place", both)
    assert {p["problem"] for p in problems(refused)} == {"name_exactly_one"}
    step = attempt(GUARDIANSHIP, case, "care", "place", {"institution": "Children's home no. 3"})
    assert step.data == {"institution": "Children's home no. 3"}


def test_a_step_declared_to_leave_a_final_state_leaves_it() -> None:
    # One that is not declared so cannot be loaded (`Definition` refuses it), so the engine's own
    # refusal of it is never reached by a workflow that loads.
    case = a_family({**START, "dna": "confirmed"})
    assert attempt(LAWYER, case, "dna", "amend").from_state == "confirmed"
    with pytest.raises(WrongState):
        attempt(LAWYER, case, "dna", "record_foreign_result")
