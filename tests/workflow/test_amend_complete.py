"""Papers are corrected after they are issued: a case whose papers are all done still takes an
amendment of its registered birth, and nothing else."""

from __future__ import annotations

from typing import Any

from tests.factories import Api
from tests.workflow.helpers import set_states
from tests.workflow.test_registered_particulars import CORRECTED, ESTIMATED
from tests.workflow.test_walkthrough import BIRTH, CITIZENSHIP, _walk

GUARDIANSHIP_GRANTED = {"dna": "confirmed", "guardianship": "granted"}
APPROVE = {"amendment_number": "A-9"}


def completed_case(api: Api, app: Any) -> dict[str, Any]:
    """A case walked to complete, its birth registered with the estimated particulars."""
    case = api.create_case()
    set_states(app, case["id"], GUARDIANSHIP_GRANTED)
    api.step("lawyer", case["id"], "birth_registration", "file", ESTIMATED)
    _walk(api, case["id"], BIRTH[1:] + CITIZENSHIP)
    done = api.case("lawyer", case["id"])
    assert done["status"] == "complete"
    return done


def test_a_complete_case_takes_an_amendment_of_the_registered_birth(api: Api, app: Any) -> None:
    case = completed_case(api, app)
    assert case["allowed_transitions"] == [
        {"track": "birth_registration", "action": "file_amendment"}
    ]

    # The ruling that corrects the date is evidence a complete case still takes.
    file_amendment(api, case)
    queue = api.get("registrar", f"/api/v1/cases/{case['id']}").json
    assert queue["allowed_transitions"] == [
        {"track": "birth_registration", "action": "approve_amendment"},
        {"track": "birth_registration", "action": "refuse_amendment"},
    ]
    done = api.step("registrar", case["id"], "birth_registration", "approve_amendment", APPROVE)

    assert done["status"] == "complete"
    assert done["registered_particulars"]["current"]["birth_date"] == "2015-03-14"
    assert [v["birth_date"] for v in done["registered_particulars"]["earlier"]] == ["2016-01-01"]


def file_amendment(api: Api, case: dict[str, Any]) -> None:
    """The lawyer files a correction of the birth date, on a court's ruling."""
    ruling = api.upload("lawyer", case["id"], "court_order")
    assert ruling.status_code == 201, ruling.json
    filed = api.transition(
        "lawyer",
        case["id"],
        "birth_registration",
        "file_amendment",
        CORRECTED,
        evidence_ids=[ruling.json["id"]],
    )
    assert filed.status_code == 200, filed.json


def queue_of(api: Api, username: str) -> list[str]:
    response = api.get(username, "/api/v1/cases?queue=agency")
    assert response.status_code == 200, response.json
    return [case["reference"] for case in response.json["cases"]]


def test_an_amendment_of_a_complete_case_waits_in_the_registry_queue(api: Api, app: Any) -> None:
    case = completed_case(api, app)
    assert case["reference"] not in queue_of(api, "registrar")

    file_amendment(api, case)

    assert case["reference"] in queue_of(api, "registrar")
    assert case["reference"] not in queue_of(api, "judge")
    birth = api.case("lawyer", case["id"])["tracks"]["birth_registration"]
    assert (birth["waiting_on"], birth["overdue"]) == (["civil_registry"], False)
    done = api.step("registrar", case["id"], "birth_registration", "approve_amendment", APPROVE)
    assert case["reference"] not in queue_of(api, "registrar")
    assert done["tracks"]["birth_registration"]["waiting_on"] == []


def test_an_amendment_past_its_target_is_overdue_though_the_case_is_complete(
    api: Api, app: Any
) -> None:
    case = completed_case(api, app)
    file_amendment(api, case)
    set_states(app, case["id"], {"birth_registration": "amendment_filed"}, days_ago=31)

    overdue = api.get("registrar", "/api/v1/cases?queue=agency&overdue=true").json["cases"]

    assert [listed["reference"] for listed in overdue] == [case["reference"]]
    shown = api.case("registrar", case["id"])
    assert shown["tracks"]["birth_registration"]["overdue"] is True
    assert shown["overdue"] is False  # the whole case's target ended with the case


def test_a_closed_case_takes_no_evidence(api: Api) -> None:
    case = api.create_case()
    version = api.case_version("lawyer", case["id"])
    closed = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/close",
        {"reason": "withdrawn"},
        **{"If-Match": f'"{version}"'},
    )
    assert closed.status_code == 200, closed.json

    refused = api.upload("lawyer", case["id"], "court_order")

    assert (refused.status_code, refused.json["error"]["code"]) == (409, "wrong_state")


def test_a_complete_case_takes_no_other_step(api: Api, app: Any) -> None:
    case = completed_case(api, app)
    set_states(app, case["id"], {"parentage": "not_started"})

    refused = api.transition(
        "lawyer", case["id"], "parentage", "file_petition", {"grounds": "Camp records"}
    )

    assert (refused.status_code, refused.json["error"]["code"]) == (409, "wrong_state")
    assert refused.json["error"]["details"] == {"status": "complete"}
