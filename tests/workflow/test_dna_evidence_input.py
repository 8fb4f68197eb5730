"""Hostile input to the foreign DNA result and the reference sample: every new field refused when
oversized, malformed or naming someone not on the case, never echoed and never written; Unicode
kept as written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import Api
from tests.siblings import open_siblings
from tests.workflow.hostile import LONG, NOBODY, SECRET, SECRET_CYRILLIC, assert_error, observe
from tests.workflow.test_dna_evidence import YESTERDAY
from workflow import transactions
from workflow.models import ReferenceSample

ACTION = "record_foreign_result"


def _valid(api: Api, case: dict[str, Any]) -> dict[str, Any]:
    return {
        "laboratory": "International Commission on Missing Persons",
        "laboratory_country": "NL",
        "tested_on": "2025-06-30",
        "relatives_tested": [{"person": api.person(case, "mother"), "relationship": "maternity"}],
        "report_number": "ICMP-2025-114",
        "probability": 0.99991,
    }


def _relatives(api: Api, case: dict[str, Any], *items: Any) -> list[Any]:
    people = {"mother": api.person(case, "mother"), "child": case["child"]["id"]}
    return [people.get(item, item) if isinstance(item, str) else item for item in items]


HOSTILE: list[tuple[str, Any, str]] = [
    ("laboratory", LONG, "data.laboratory"),
    ("laboratory", "", "data.laboratory"),
    ("laboratory", ["Lab"], "data.laboratory"),
    ("laboratory_country", "iq", "data.laboratory_country"),
    ("laboratory_country", "IRQ", "data.laboratory_country"),
    ("laboratory_country", "ZZ", "data.laboratory_country"),
    ("laboratory_country", f"<script>{SECRET}</script>", "data.laboratory_country"),
    ("laboratory_country", 42, "data.laboratory_country"),
    ("tested_on", "2999-01-01", "data.tested_on"),
    ("tested_on", "2025-13-45", "data.tested_on"),
    ("relatives_tested", [], "data.relatives_tested"),
    ("relatives_tested", SECRET, "data.relatives_tested"),
    (
        "relatives_tested",
        [{"person": NOBODY, "relationship": "maternity"}],
        "data.relatives_tested.0.person",
    ),
    (
        "relatives_tested",
        [{"person": "child", "relationship": "maternity"}],
        "data.relatives_tested.0.person",
    ),
    (
        "relatives_tested",
        [{"person": "mother", "relationship": "cousin"}],
        "data.relatives_tested.0.relationship",
    ),
    (
        "relatives_tested",
        [{"person": "mother", "relationship": "maternity", "name": SECRET}],
        "data.relatives_tested.0.name",
    ),
    (
        "relatives_tested",
        [{"person": "mother", "relationship": "maternity"}] * 2,
        "data.relatives_tested",
    ),
    (
        "relatives_tested",
        [{"person": NOBODY, "relationship": "avuncular"}] * 11,
        "data.relatives_tested",
    ),
    ("report_number", LONG, "data.report_number"),
    ("report_number", f"R-1\u0000{SECRET_CYRILLIC}", "data.report_number"),
    ("probability", 1.5, "data.probability"),
    ("probability", -0.1, "data.probability"),
    ("probability", "NaN", "data.probability"),
    ("probability", SECRET, "data.probability"),
]


@pytest.mark.parametrize(("field", "value", "named"), HOSTILE)
def test_a_hostile_foreign_result_is_refused_unechoed_and_unwritten(
    api: Api, field: str, value: Any, named: str
) -> None:
    case = api.create_case()
    if field == "relatives_tested" and isinstance(value, list):
        value = [{**item, "person": _relatives(api, case, item["person"])[0]} for item in value]
    before = observe(api, case["id"])
    response = api.transition(
        "lawyer", case["id"], "dna", ACTION, {**_valid(api, case), field: value}
    )
    assert_error(response, 422, named)
    assert observe(api, case["id"]) == before


def test_a_foreign_result_in_other_scripts_is_kept_as_written(api: Api) -> None:
    case = api.create_case()
    data = {
        **_valid(api, case),
        "laboratory": "مختبر بغداد للأدلة الجنائية",
        "report_number": "ЛАБ-77/2025",
    }
    data["laboratory_country"] = "IQ"
    moved = api.transition("lawyer", case["id"], "dna", ACTION, data)
    assert moved.status_code == 200, moved.json
    history = api.get("lawyer", f"/api/v1/cases/{case['id']}/history").json["history"]
    kept = next(h["data"] for h in history if h["action"] == ACTION)
    assert (kept["laboratory"], kept["report_number"]) == (data["laboratory"], "ЛАБ-77/2025")


def test_a_hostile_report_is_refused_and_another_cases_report_cannot_be_named(api: Api) -> None:
    case, other = api.create_case(), api.create_case()
    page = b"<html><script>alert(1)</script></html>"
    refused = api.upload("lawyer", case["id"], "foreign_lab_report", page, "report.pdf")
    assert refused.status_code in (415, 422), refused.json
    elsewhere = api.upload("lawyer", other["id"], "foreign_lab_report").json["id"]
    response = api.transition(
        "lawyer", case["id"], "dna", ACTION, _valid(api, case), evidence_ids=[elsewhere]
    )
    assert_error(response, 422, "evidence_ids.0")
    missing = api.transition(
        "lawyer", case["id"], "dna", ACTION, _valid(api, case), evidence_ids=[]
    )
    assert missing.json["error"]["details"]["missing"] == [{"evidence": "foreign_lab_report"}]


def _authorized(api: Api, case: dict[str, Any]) -> None:
    api.request_dna(case)
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "R-5"})


def _samples(app: Any) -> list[tuple[str, str]]:
    with app.app_context(), transactions.unit_of_work() as session:
        rows = session.execute(select(ReferenceSample.person_id, ReferenceSample.sample_id)).all()
        return [(str(person), sample) for person, sample in rows]


def test_the_mothers_sample_taken_on_one_siblings_case_counts_on_the_others(
    api: Api, app: Any
) -> None:
    first, second = open_siblings(api, 2)
    for case in (first, second):
        _authorized(api, case)
    taken = {"sample_ids": ["C-1"], "reference_sample": "M-77", "collected_on": YESTERDAY}
    api.step("lab", first["id"], "dna", "collect_samples", taken)
    only_child = {"sample_ids": ["C-2"], "collected_on": YESTERDAY}
    api.step("lab", second["id"], "dna", "collect_samples", only_child)

    history = api.get("lab", f"/api/v1/cases/{second['id']}/history").json["history"]
    step = next(h["data"] for h in history if h["action"] == "collect_samples")
    assert (step["sample_ids"], step["reference_sample"]) == (["C-2"], "M-77")
    assert _samples(app) == [(api.person(first, "mother"), "M-77")]  # stored once, for her
    # Each child's kinship still comes from the report that names the child: nothing is copied.
    assert api.case("lab", second["id"])["tracks"]["dna"]["state"] == "samples_collected"


def test_without_a_reference_sample_none_is_kept_and_none_is_invented(api: Api, app: Any) -> None:
    case = api.create_case()
    _authorized(api, case)
    both = {"sample_ids": ["C-1", "M-1"], "collected_on": YESTERDAY}  # in one list, as before
    api.step("lab", case["id"], "dna", "collect_samples", both)
    history = api.get("lab", f"/api/v1/cases/{case['id']}/history").json["history"]
    step = next(h["data"] for h in history if h["action"] == "collect_samples")
    assert "reference_sample" not in step
    assert _samples(app) == []


@pytest.mark.parametrize("value", [LONG, "", f"M-1\u0000{SECRET}", ["M-1"]])
def test_a_hostile_reference_sample_is_refused(api: Api, app: Any, value: Any) -> None:
    case = api.create_case()
    _authorized(api, case)
    data = {"sample_ids": ["C-1"], "reference_sample": value, "collected_on": YESTERDAY}
    assert_error(api.transition("lab", case["id"], "dna", "collect_samples", data), 422)
    assert _samples(app) == []
