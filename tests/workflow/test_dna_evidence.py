"""DNA evidence as real cases bring it: thresholds that depend on the relationship tested, a
result obtained abroad that the court accepts or replaces by a test here."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.factories import Api
from workflow import transactions
from workflow.models import Case
from workflow.rules import catalogue
from workflow.rules.catalogue import BUILT_IN

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


def _foreign(api: Api, case: dict[str, Any], probability: float, *tested: str) -> dict[str, Any]:
    """A foreign laboratory's result for the relatives given (relation, relationship pairs)."""
    relatives = [
        {"person": api.person(case, relation), "relationship": relationship}
        for relation, relationship in zip(tested[::2], tested[1::2], strict=True)
    ]
    return {
        "laboratory": "Laboratoire national de police scientifique",
        "laboratory_country": "FR",
        "tested_on": "2025-11-03",
        "relatives_tested": relatives,
        "report_number": "LNPS-2025-8841",
        "probability": probability,
    }


def _record_foreign(api: Api, case: dict[str, Any], data: dict[str, Any]) -> Any:
    return api.transition("lawyer", case["id"], "dna", "record_foreign_result", data)


def _consent_of_each(api: Api, case: dict[str, Any], *relations: str) -> None:
    for relation in relations:
        response = api.record_consent("lawyer", case["id"], api.person(case, relation))
        assert response.status_code == 201, response.json


def _accept(api: Api, case_id: str) -> Any:
    body = {"ruling_number": "2-1187/2026"}
    return api.transition("judge", case_id, "dna", "accept_foreign_result", body, evidence_ids=[])


def test_the_workflow_publishes_each_threshold_and_the_sample_kept(api: Api) -> None:
    """A laboratory or a court reads the bar a result must reach before it is refused."""
    confirm = api.workflow_transition("lab", "dna", "confirm")
    accept = api.workflow_transition("judge", "dna", "accept_foreign_result")
    collect = api.workflow_transition("lab", "dna", "collect_samples")

    assert confirm["threshold"]["value"] == "probability"
    assert confirm["threshold"]["by"] == "relationship_tested"
    assert confirm["threshold"]["minimum"]["maternity"] == 0.999
    assert accept["threshold"]["by"] == "relatives_tested"
    assert accept["threshold"]["minimum"]["grandmaternity"] == 0.99
    assert collect["keeps_sample"] == {
        "sample": "reference_sample",
        "of": "reference_person",
        "taken_on": "collected_on",
    }
    assert (collect["threshold"], confirm["keeps_sample"]) == (None, None)


def test_a_foreign_result_recorded_and_accepted_confirms_kinship(api: Api) -> None:
    case = api.create_case()
    data = _foreign(api, case, 0.9995, "mother", "maternity", "grandmother", "grandmaternity")
    recorded = _record_foreign(api, case, data)
    assert recorded.status_code == 200, recorded.json
    assert recorded.json["tracks"]["dna"]["state"] == "foreign_result_recorded"
    # The court's acceptance uses both relatives' DNA here: each must have consented.
    status, code, details = _error(_accept(api, case["id"]))
    assert (status, code) == (409, "prerequisite_missing")
    assert details["missing"] == [
        {"consent": "dna_testing", "of": "relatives_tested.0"},
        {"consent": "dna_testing", "of": "relatives_tested.1"},
    ]
    # The court reads the foreign report it is asked to accept: evidence of a dna step.
    history = api.get("lawyer", f"/api/v1/cases/{case['id']}/history").json["history"]
    document = next(h for h in history if h["action"] == "record_foreign_result")["evidence_ids"][0]
    assert api.get("judge", f"/api/v1/documents/{document}").status_code == 200
    _consent_of_each(api, case, "mother", "grandmother")
    accepted = _accept(api, case["id"])
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["tracks"]["dna"]["state"] == "confirmed"
    history = api.get("lawyer", f"/api/v1/cases/{case['id']}/history").json["history"]
    foreign = next(h for h in history if h["action"] == "record_foreign_result")
    assert foreign["data"]["laboratory_country"] == "FR"
    assert len(foreign["data"]["relatives_tested"]) == 2


def test_the_strictest_relationship_tested_sets_the_foreign_threshold(api: Api) -> None:
    both = api.create_case()
    _record_foreign(
        api,
        both,
        _foreign(api, both, 0.995, "mother", "maternity", "grandmother", "grandmaternity"),
    )
    _consent_of_each(api, both, "mother", "grandmother")
    status, code, details = _error(_accept(api, both["id"]))
    assert (status, code, details[0]["problem"]) == (422, "invalid_input", "below_threshold")
    assert (details[0]["threshold"], details[0]["relationship"]) == (0.999, "maternity")
    assert api.case("lawyer", both["id"])["tracks"]["dna"]["state"] == "foreign_result_recorded"

    grandmother = api.create_case()
    _record_foreign(
        api, grandmother, _foreign(api, grandmother, 0.995, "grandmother", "grandmaternity")
    )
    _consent_of_each(api, grandmother, "grandmother")
    assert _accept(api, grandmother["id"]).status_code == 200


def test_the_court_orders_a_new_test_here_instead(api: Api) -> None:
    case = api.create_case()
    _record_foreign(api, case, _foreign(api, case, 0.97, "mother", "maternity"))
    mother = api.person(case, "mother")
    order = {
        "ruling_number": "2-1188/2026",
        "reference_person": mother,
        "relationship_tested": "maternity",
    }
    ordered = api.step("judge", case["id"], "dna", "order_new_test", order)
    assert ordered["tracks"]["dna"]["state"] == "authorized"
    samples = {"sample_ids": ["C-9"], "reference_sample": "M-9", "collected_on": YESTERDAY}
    api.step("lab", case["id"], "dna", "collect_samples", samples)
    assert _confirm(api, case["id"], 0.995).status_code == 422  # maternity, as the court ordered
    confirmed = _confirm(api, case["id"], 0.9999)
    assert confirmed.json["tracks"]["dna"]["state"] == "confirmed"


def _version_2() -> dict[str, Any]:
    """The default workflow as it was before thresholds, foreign results and kept samples."""
    body = dict(yaml.safe_load((BUILT_IN / "default.yaml").read_text(encoding="utf-8")))
    body["version"] = 2
    dna = body["tracks"][0]
    dna["states"] = [s for s in dna["states"] if s["name"] != "foreign_result_recorded"]
    foreign = {"record_foreign_result", "accept_foreign_result", "order_new_test"}
    dna["transitions"] = [t for t in dna["transitions"] if t["action"] not in foreign]
    for transition in dna["transitions"]:
        transition.pop("threshold", None)
        transition.pop("keeps_sample", None)
        transition["fields"].pop("reference_sample", None)
        if "probability" in transition["fields"]:
            transition["fields"]["probability"] = {"kind": "number", "minimum": 0.999, "maximum": 1}
    return body


def _open_on_version_2(app: Any, api: Api, tmp_path: Path) -> dict[str, Any]:
    """A case opened while version 2 was the newest: loaded then, kept since."""
    path = tmp_path / "default-v2.yaml"
    path.write_text(yaml.safe_dump(_version_2(), allow_unicode=True), encoding="utf-8")
    case = api.create_case()
    with app.app_context(), transactions.unit_of_work() as session:
        record = catalogue.register(session, catalogue.read_file(path))
        stored = session.get(Case, uuid.UUID(case["id"]))
        assert stored is not None
        stored.workflow_id = record.id
    return api.case("lawyer", case["id"])


def test_a_case_opened_on_version_2_keeps_its_rules_after_version_3(
    app: Any, api: Api, tmp_path: Path
) -> None:
    old = _open_on_version_2(app, api, tmp_path)
    assert old["workflow"] == {"name": "default", "version": 2}
    allowed = old["allowed_transitions"]
    assert {"track": "dna", "action": "record_foreign_result"} not in allowed
    new = api.create_case()
    assert {"track": "dna", "action": "record_foreign_result"} in new["allowed_transitions"]

    grandmother = api.person(old, "grandmother")
    api.step(
        "lawyer",
        old["id"],
        "dna",
        "request",
        {"reference_person": grandmother, "relationship_tested": "grandmaternity"},
    )
    api.step("judge", old["id"], "dna", "authorize", {"ruling_number": "R-2"})
    # Version 2 keeps no reference sample: the child's and hers go in one list, as before.
    api.step(
        "lab",
        old["id"],
        "dna",
        "collect_samples",
        {"sample_ids": ["C-1", "G-1"], "collected_on": YESTERDAY},
    )
    assert _confirm(api, old["id"], 0.995).status_code == 422  # 0.999 for all, as version 2 had it
    assert _confirm(api, old["id"], 0.9995).json["tracks"]["dna"]["state"] == "confirmed"


def _dna_step(body: dict[str, Any], action: str) -> dict[str, Any]:
    return next(t for t in body["tracks"][0]["transitions"] if t["action"] == action)


def _drop_a_minimum(body: dict[str, Any]) -> None:
    del _dna_step(body, "confirm")["threshold"]["minimum"]["avuncular"]


def _threshold_of_nothing(body: dict[str, Any]) -> None:
    _dna_step(body, "confirm")["threshold"]["value"] = "astrology"


def _threshold_by_a_text(body: dict[str, Any]) -> None:
    _dna_step(body, "confirm")["threshold"]["by"] = "report_number"


def _minimum_over_one(body: dict[str, Any]) -> None:
    _dna_step(body, "confirm")["threshold"]["minimum"]["maternity"] = 1.5


def _sample_required(body: dict[str, Any]) -> None:
    _dna_step(body, "collect_samples")["fields"]["reference_sample"]["optional"] = False


def _relatives_without_options(body: dict[str, Any]) -> None:
    del _dna_step(body, "record_foreign_result")["fields"]["relatives_tested"]["options"]


@pytest.mark.parametrize(
    ("breakage", "named"),
    [
        (_drop_a_minimum, "avuncular"),
        (_threshold_of_nothing, "astrology"),
        (_threshold_by_a_text, "report_number"),
        (_minimum_over_one, "less than or equal to 1"),
        (_sample_required, "keeps_sample"),
        (_relatives_without_options, "relatives field"),
    ],
)
def test_a_broken_threshold_sample_or_relatives_field_is_refused_on_load(
    tmp_path: Path, breakage: Any, named: str
) -> None:
    body = dict(yaml.safe_load((BUILT_IN / "default.yaml").read_text(encoding="utf-8")))
    breakage(body)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    with pytest.raises(catalogue.DefinitionError, match=named):
        catalogue.read_file(path)
