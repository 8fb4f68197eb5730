"""A child's case walked from opening to complete, through the HTTP API, by the right people."""

from __future__ import annotations

from typing import Any

from tests.factories import Api

DNA = [
    ("judge", "dna", "authorize", {"ruling_number": "2-1187/2026"}),
    ("lab", "dna", "collect_samples", {"sample_ids": ["S-1", "S-2"], "collected_on": "2026-09-02"}),
    ("lab", "dna", "confirm", {"report_number": "FL-0932", "probability": 0.9999}),
]
BIRTH = [
    ("lawyer", "birth_registration", "file", {}),
    ("registrar", "birth_registration", "take_review", {}),
    (
        "registrar",
        "birth_registration",
        "register",
        {"certificate_number": "I-АЛ 0048213", "registered_on": "2026-10-01"},
    ),
]
CITIZENSHIP = [
    ("lawyer", "citizenship", "file", {}),
    ("citizenship", "citizenship", "take_review", {}),
    (
        "citizenship",
        "citizenship",
        "grant",
        {"identifier_kind": "personal_identification_number", "identifier": "160304650123"},
    ),
    ("lawyer", "identity_document", "apply", {}),
    (
        "citizenship",
        "identity_document",
        "issue",
        {"document_number": "N12345678", "expires_on": "2036-10-01"},
    ),
]


def _walk(api: Api, case_id: str, steps: list[tuple[str, str, str, dict[str, Any]]]) -> dict:
    case: dict[str, Any] = {}
    for username, track, action, data in steps:
        case = api.step(username, case_id, track, action, data)
        assert case["tracks"][track]["state"] == _expected_state(track, action)
    return case


def _expected_state(track: str, action: str) -> str:
    return {
        ("dna", "authorize"): "authorized",
        ("dna", "collect_samples"): "samples_collected",
        ("dna", "confirm"): "confirmed",
        ("birth_registration", "file"): "filed",
        ("birth_registration", "take_review"): "under_review",
        ("birth_registration", "register"): "registered",
        ("citizenship", "file"): "filed",
        ("citizenship", "take_review"): "under_review",
        ("citizenship", "grant"): "granted",
        ("identity_document", "apply"): "applied",
        ("identity_document", "issue"): "issued",
        ("guardianship", "file_petition"): "petition_filed",
        ("guardianship", "assess_suitable"): "assessed",
        ("guardianship", "schedule_hearing"): "hearing_scheduled",
        ("guardianship", "grant"): "granted",
        ("parentage", "file_petition"): "petition_filed",
        ("parentage", "establish"): "established",
    }[(track, action)]


def test_default_workflow_walks_to_complete(api: Api) -> None:
    case = api.create_case()
    case_id, mother, granny = (
        case["id"],
        api.person(case, "mother"),
        api.person(case, "grandmother"),
    )
    assert case["status"] == "open"
    assert case["tracks"]["guardianship"]["state"] == "required"  # the mother is abroad
    api.step(
        "lawyer",
        case_id,
        "dna",
        "request",
        {"reference_person": mother, "relationship_tested": "maternity"},
    )
    _walk(api, case_id, DNA + BIRTH)
    _walk(
        api,
        case_id,
        [
            (
                "lawyer",
                "guardianship",
                "file_petition",
                {"proposed_guardian": granny, "relationship": "maternal grandmother"},
            ),
            ("guardianship", "guardianship", "assess_suitable", {"report_reference": "GA-311"}),
            ("judge", "guardianship", "schedule_hearing", {"hearing_date": "2026-12-10"}),
            (
                "judge",
                "guardianship",
                "grant",
                {"order_number": "2-3021/2026", "order_type": "permanent", "guardian": granny},
            ),
        ],
    )
    final = _walk(api, case_id, CITIZENSHIP)
    assert final["status"] == "complete"
    assert final["allowed_transitions"] == []

    history = api.get("lawyer", f"/api/v1/cases/{case_id}/history").json["history"]
    assert len(history) == 16
    assert [h["by"] for h in history[:3]] == ["lawyer", "judge", "lab"]
    assert history[-1] == history[-1] | {
        "track": "identity_document",
        "from": "applied",
        "to": "issued",
        "by": "citizenship",
    }


def test_parentage_route_when_no_relative_can_be_tested(api: Api) -> None:
    mother = {
        "relation": "mother",
        "names": [{"script": "Latn", "given": "Galiya"}],
        "alive": False,
        "whereabouts": "deceased",
    }
    father = {
        "relation": "father",
        "names": [{"script": "Latn", "given": "Arman"}],
        "alive": True,
        "whereabouts": "in_country",
    }
    case = api.create_case(people=[mother, father])
    assert case["tracks"]["guardianship"]["state"] == "not_required"  # the father is home
    case_id = case["id"]
    api.step("lawyer", case_id, "parentage", "file_petition", {"grounds": "Camp records"})
    api.step(
        "judge",
        case_id,
        "parentage",
        "establish",
        {"ruling_number": "2-77/2026", "parent": api.person(case, "father")},
    )
    _walk(api, case_id, BIRTH)
    final = _walk(api, case_id, CITIZENSHIP)
    assert final["status"] == "complete"


def test_each_step_offers_the_next_to_the_right_agency(api: Api) -> None:
    case = api.create_case()
    case_id = case["id"]
    assert {"track": "dna", "action": "request"} in case["allowed_transitions"]
    api.step(
        "lawyer",
        case_id,
        "dna",
        "request",
        {"reference_person": api.person(case, "mother"), "relationship_tested": "maternity"},
    )
    judge_view = api.case("judge", case_id)
    assert judge_view["allowed_transitions"] == [
        {"track": "dna", "action": "authorize"},
        {"track": "dna", "action": "refuse"},
    ]
    assert judge_view["tracks"]["dna"]["waiting_on"] == ["court"]
