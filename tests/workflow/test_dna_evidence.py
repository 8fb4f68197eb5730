"""DNA evidence as real cases bring it: thresholds that depend on the relationship tested, a
result obtained abroad that the court accepts or replaces by a test here."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.factories import Api

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def _error(response: Any) -> tuple[int, str, list[dict[str, Any]]]:
    body = response.json["error"]
    return response.status_code, body["code"], body["details"]


def _to_samples_collected(api: Api, case: dict[str, Any], person: str, relationship: str) -> None:
    data = {"reference_person": person, "relationship_tested": relationship}
    api.step("lawyer", case["id"], "dna", "request", data)
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "R-1"})
    samples = {"sample_ids": ["C-1"], "reference_sample": "M-1", "collected_on": YESTERDAY}
    api.step("lab", case["id"], "dna", "collect_samples", samples)


def _confirm(api: Api, case_id: str, probability: float) -> Any:
    data = {"report_number": "FL-1", "probability": probability}
    return api.transition("lab", case_id, "dna", "confirm", data)


def test_a_grandmaternity_result_of_0_995_is_accepted(api: Api) -> None:
    case = api.create_case()
    _to_samples_collected(api, case, api.person(case, "grandmother"), "grandmaternity")
    confirmed = _confirm(api, case["id"], 0.995)
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["tracks"]["dna"]["state"] == "confirmed"


def test_a_maternity_result_of_0_995_is_refused_naming_threshold_and_relationship(
    api: Api,
) -> None:
    case = api.create_case()
    _to_samples_collected(api, case, api.person(case, "mother"), "maternity")
    before = api.case_version("lawyer", case["id"])
    status, code, details = _error(_confirm(api, case["id"], 0.995))
    assert (status, code) == (422, "invalid_input")
    assert details[0] | {"threshold": 0.999, "relationship": "maternity"} == details[0]
    assert details[0]["field"] == "data.probability"
    assert "0.995" not in str(details)  # the result itself is never echoed
    assert api.case_version("lawyer", case["id"]) == before
    assert _confirm(api, case["id"], 0.9995).status_code == 200
