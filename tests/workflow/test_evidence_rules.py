"""Steps stand on evidence: documents of the right kind named in the step, consents in force."""

from __future__ import annotations

from typing import Any

from tests.factories import Api
from tests.workflow.helpers import set_states

REQUEST = {"relationship_tested": "maternity"}
DNA_CONSENT = {"consent": "dna_testing", "of": "reference_person"}
CONFIRM = {"report_number": "FL-2026-0932", "probability": 0.9999}


def _answer(response: Any) -> tuple[int, str]:
    return response.status_code, response.json["error"]["code"]


def _missing(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 409, response.json
    assert response.json["error"]["code"] == "prerequisite_missing"
    return list(response.json["error"]["details"]["missing"])


def _upload(api: Api, username: str, case_id: str, kind: str) -> str:
    response = api.upload(username, case_id, kind)
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def _request(api: Api, case: dict[str, Any], evidence: list[str]) -> Any:
    data = {**REQUEST, "reference_person": api.person(case, "mother")}
    return api.transition("lawyer", case["id"], "dna", "request", data, evidence_ids=evidence)


def test_a_dna_request_names_the_consent_document_and_needs_a_recorded_consent(api: Api) -> None:
    case = api.create_case()
    assert _missing(_request(api, case, [])) == [
        {"evidence": "consent"},
        DNA_CONSENT,
    ]
    letter = _upload(api, "lawyer", case["id"], "consent")
    assert _missing(_request(api, case, [letter])) == [DNA_CONSENT]

    mother = api.person(case, "mother")
    recorded = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/consents",
        {
            "person_id": mother,
            "purpose": "dna_testing",
            "given_on": "2026-08-20",
            "document_id": letter,
        },
    )
    assert recorded.status_code == 201, recorded.json
    assert recorded.json | {"in_force": True, "document_id": letter} == recorded.json

    moved = _request(api, case, [letter])
    assert moved.status_code == 200, moved.json
    assert moved.json["tracks"]["dna"]["state"] == "requested"
    history = api.get("lawyer", f"/api/v1/cases/{case['id']}/history").json["history"]
    assert history[-1]["evidence_ids"] == [letter]


def test_a_document_of_the_wrong_kind_does_not_stand_for_the_one_needed(api: Api) -> None:
    case = api.create_case()
    set_states_with_consent(api, case, {"dna": "samples_collected"})
    court_order = _upload(api, "lab", case["id"], "court_order")
    response = api.transition(
        "lab", case["id"], "dna", "confirm", CONFIRM, evidence_ids=[court_order]
    )
    assert _missing(response) == [{"evidence": "lab_report"}]

    report = _upload(api, "lab", case["id"], "lab_report")
    response = api.transition("lab", case["id"], "dna", "confirm", CONFIRM, evidence_ids=[report])
    assert response.status_code == 200, response.json
    assert response.json["tracks"]["dna"]["state"] == "confirmed"


def test_evidence_must_be_a_document_of_this_case(api: Api) -> None:
    case, other = api.create_case(), api.create_case()
    elsewhere = _upload(api, "lawyer", other["id"], "consent")
    response = _request(api, case, [elsewhere])
    assert response.status_code == 422
    assert response.json["error"]["details"] == [
        {"field": "evidence_ids.0", "problem": "no_such_document"}
    ]


def test_a_withdrawn_dna_consent_blocks_the_dna_steps_until_another_is_given(api: Api) -> None:
    case = api.create_case()
    set_states_with_consent(api, case, {"dna": "authorized"})
    consent = api.get("lawyer", f"/api/v1/cases/{case['id']}/consents").json["consents"][0]
    withdrawn = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/consents/{consent['id']}/withdraw",
        {"withdrawn_on": "2026-09-01"},
    )
    assert withdrawn.status_code == 200, withdrawn.json
    assert withdrawn.json["in_force"] is False

    collect = {"sample_ids": ["S-1"], "collected_on": "2026-09-02"}
    blocked = api.transition("lab", case["id"], "dna", "collect_samples", collect, evidence_ids=[])
    assert _missing(blocked) == [DNA_CONSENT]
    assert {"track": "dna", "action": "collect_samples"} in api.case("lab", case["id"])[
        "allowed_transitions"
    ]  # allowed by role and state; the consent is checked when the step is taken

    # Another relative's consent does not stand for the tested mother's.
    assert (
        api.record_consent("lawyer", case["id"], api.person(case, "grandmother")).status_code == 201
    )
    still = api.transition("lab", case["id"], "dna", "collect_samples", collect, evidence_ids=[])
    assert _missing(still) == [DNA_CONSENT]

    again = api.record_consent("lawyer", case["id"], api.person(case, "mother"))
    assert again.status_code == 201
    moved = api.transition("lab", case["id"], "dna", "collect_samples", collect, evidence_ids=[])
    assert moved.status_code == 200, moved.json


def test_consents_are_recorded_with_care(api: Api) -> None:
    case = api.create_case()
    url = f"/api/v1/cases/{case['id']}/consents"
    mother = api.person(case, "mother")
    lab_report = _upload(api, "lawyer", case["id"], "lab_report")
    child = api.case("lawyer", case["id"])["child"]
    bad = [
        (  # the child is not among the relatives whose consent is recorded here
            {"person_id": child["id"], "purpose": "dna_testing", "given_on": "2026-01-01"},
            "person_id",
        ),
        ({"person_id": mother, "purpose": "dna_testing", "given_on": "2999-01-01"}, "given_on"),
        ({"person_id": mother, "purpose": "mind_reading", "given_on": "2026-01-01"}, "purpose"),
        (
            {
                "person_id": mother,
                "purpose": "dna_testing",
                "given_on": "2026-01-01",
                "document_id": lab_report,
            },
            "document_id",
        ),
        ({"person_id": mother, "purpose": "dna_testing"}, "given_on"),
    ]
    for body, field in bad:
        response = api.post("lawyer", url, body)
        assert response.status_code == 422, (body, response.json)
        assert response.json["error"]["details"][0]["field"] == field

    given = api.record_consent("lawyer", case["id"], mother).json
    withdraw = f"{url}/{given['id']}/withdraw"
    assert _answer(api.post("lawyer", withdraw, {"withdrawn_on": "2025-01-01"})) == (
        422,
        "invalid_input",
    )
    assert api.post("lawyer", withdraw, {}).status_code == 200
    assert _answer(api.post("lawyer", withdraw, {})) == (409, "wrong_state")  # already withdrawn
    assert _answer(api.post("lawyer", f"{url}/not-an-id/withdraw", {})) == (404, "not_found")


def test_only_the_case_s_lawyers_record_consents(api: Api) -> None:
    case = api.create_case()
    body = {
        "person_id": api.person(case, "mother"),
        "purpose": "dna_testing",
        "given_on": "2026-01-01",
    }
    url = f"/api/v1/cases/{case['id']}/consents"
    for outsider in ("lawyer2", "lawyer3", "registrar", "auditor", "admin"):
        assert _answer(api.post(outsider, url, body)) == (404, "not_found"), outsider
        assert _answer(api.get(outsider, url)) == (404, "not_found"), outsider
    # nothing waits on the court yet
    assert _answer(api.post("judge", url, body)) == (404, "not_found")
    set_states_with_consent(api, case, {"dna": "requested"})
    assert api.get("judge", url).status_code == 200  # the court sees the consent it rules on
    assert _answer(api.post("judge", url, body)) == (403, "not_permitted")


def test_the_workflow_publishes_what_each_step_stands_on(api: Api) -> None:
    tracks = {t["name"]: t for t in api.get("lawyer", "/api/v1/workflow").json["tracks"]}
    steps = {t["action"]: t for t in tracks["dna"]["transitions"]}
    assert steps["request"]["evidence_kinds"] == ["consent"]
    assert steps["request"]["consents"] == ["dna_testing"]
    assert steps["collect_samples"]["consent_of"] == "reference_person"
    assert steps["confirm"]["evidence_kinds"] == ["lab_report"]
    assert steps["refuse"]["consents"] == []


def set_states_with_consent(api: Api, case: dict[str, Any], states: dict[str, str]) -> None:
    """Put tracks in the given states, with the mother's DNA consent recorded by the lawyer."""
    assert api.record_consent("lawyer", case["id"], api.person(case, "mother")).status_code == 201
    set_states(api.client.application, case["id"], states)
