"""The Kazakhstan definition runs on the engine with no code of its own: the guardianship
authority decides guardianship, the court establishes kinship on the DNA report before the birth
is registered, the registry assigns a checked IIN, and foreign records travel translated."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.audit.helpers import events
from tests.factories import Api
from tests.forms.helpers import FORMS, generate, issued, logical_text
from tests.workflow.helpers import set_states
from tests.workflow.kazakhstan import IIN, steps_after_kinship, walk_to_kinship
from workflow import transactions
from workflow.rules import catalogue
from workflow.rules.catalogue import BUILT_IN, read_file


@pytest.fixture
def kazakhstan(app: Any) -> Any:
    app.config["WORKFLOW"] = "kazakhstan"
    return app


def petition(api: Api, case_id: str, evidence: list[str]) -> Any:
    data = {"grounds": "The DNA report confirms the grandmother's kinship."}
    return api.transition(
        "lawyer", case_id, "parentage", "file_petition", data, evidence_ids=evidence
    )


def test_a_case_walks_to_completion_on_the_kazakhstan_procedure(
    kazakhstan: Any, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    case = api.create_case()
    assert case["workflow"] == {"name": "kazakhstan", "version": 1}
    assert case["tracks"]["guardianship"]["state"] == "required"  # the mother is abroad
    original, translation = walk_to_kinship(api, case)
    assert petition(api, case["id"], [original, translation]).status_code == 200
    for username, track, action, data in steps_after_kinship(api, case):
        api.step(username, case["id"], track, action, data)
    finished = api.case("lawyer", case["id"])
    assert finished["status"] == "complete"
    assert finished["tracks"]["guardianship"]["state"] == "granted"
    # The IIN is kept as the step's data is, and never written to the logs or the trail.
    assert IIN not in caplog.text
    assert all(IIN not in str(event) for event in events(kazakhstan))


def test_the_court_establishes_kinship_only_on_a_confirmed_dna_report(
    kazakhstan: Any, api: Api
) -> None:
    case = api.create_case()
    response = petition(api, case["id"], [])
    assert response.status_code == 409
    assert response.json["error"]["details"]["missing"] == [
        {"track": "dna", "in": ["confirmed"], "actual": "not_started"}
    ]


def test_the_registry_registers_only_after_the_court_established_kinship(
    kazakhstan: Any, api: Api
) -> None:
    case = api.create_case()
    walk_to_kinship(api, case)
    api.step("lawyer", case["id"], "birth_registration", "file", {})
    api.step("registrar", case["id"], "birth_registration", "take_review", {})
    data = {"certificate_number": "I-1", "registered_on": "2026-10-20", "iin": IIN}
    response = api.transition("registrar", case["id"], "birth_registration", "register", data)
    assert response.status_code == 409
    missing = response.json["error"]["details"]["missing"]
    assert {"track": "parentage", "in": ["established"], "actual": "not_started"} in missing


def test_guardianship_is_decided_by_the_authority_with_no_court_hearing(
    kazakhstan: Any, api: Api
) -> None:
    case = api.create_case()
    granny = api.person(case, "grandmother")
    api.step(
        "lawyer",
        case["id"],
        "guardianship",
        "apply",
        {"proposed_guardian": granny, "relationship": "grandmother"},
    )
    data = {"decision_number": "ОО-1", "guardian": granny}
    # No court step waits on the case: the court does not even see it.
    assert api.transition("judge", case["id"], "guardianship", "grant", data).status_code == 404
    granted = api.step("guardianship", case["id"], "guardianship", "grant", data)
    assert granted["tracks"]["guardianship"]["state"] == "granted"


@pytest.mark.parametrize(
    ("iin", "problem"),
    [
        ("190515500128", "check digit"),  # one digit off
        ("19051550012", "twelve digits"),
        ("1905155001299", "twelve digits"),
        ("١٩٠٥١٥٥٠٠١٢٩", "twelve digits"),  # the same number in Arabic-Indic digits
        ("19051550012９", "twelve digits"),  # a full-width nine
        ("190515 00129", "twelve digits"),
        ("191315500121", "date of birth"),  # month 13
        ("190515900129", "date of birth"),  # no century 9
        ("9" * 5000, "twelve digits"),
        (190515500129, "string"),
    ],
)
def test_an_iin_is_checked_and_never_echoed(
    kazakhstan: Any, api: Api, iin: Any, problem: str
) -> None:
    case = api.create_case()
    set_states(
        kazakhstan, case["id"], {"parentage": "established", "birth_registration": "under_review"}
    )
    data = {"certificate_number": "I-1", "registered_on": "2026-10-20", "iin": iin}
    response = api.transition("registrar", case["id"], "birth_registration", "register", data)
    assert response.status_code == 422, response.json
    assert response.json["error"]["details"][0]["field"] == "data.iin"
    assert str(iin)[:12] not in response.get_data(as_text=True)
    assert (
        api.case("registrar", case["id"])["tracks"]["birth_registration"]["state"] == "under_review"
    )


def test_its_forms_generate_and_never_print_the_iin_as_a_public_fact(
    kazakhstan: Any, api: Api
) -> None:
    case = api.create_case()
    original, translation = walk_to_kinship(api, case)
    petition(api, case["id"], [original, translation])
    for username, track, action, data in steps_after_kinship(api, case):
        api.step(username, case["id"], track, action, data)
    for form in FORMS:
        text = logical_text(issued(generate(api, case["id"], form)))
        assert IIN not in text
    application = logical_text(issued(generate(api, case["id"], "citizenship-application")))
    assert "I-АЛ 0048213" in application  # the certificate number is printed as on the default
    assert "2-1187/2026" in application  # and the court's kinship ruling


def test_a_case_opened_on_version_1_keeps_working_after_version_2_is_loaded(
    kazakhstan: Any, api: Api, tmp_path: Path
) -> None:
    old = api.create_case()
    body = yaml.safe_load((BUILT_IN / "kazakhstan.yaml").read_text(encoding="utf-8"))
    body["version"] = 2
    guardianship = next(t for t in body["tracks"] if t["name"] == "guardianship")
    guardianship["transitions"] = [t for t in guardianship["transitions"] if t["action"] != "deny"]
    path = tmp_path / "kazakhstan-2.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    with kazakhstan.app_context(), transactions.unit_of_work() as session:
        catalogue.register(session, read_file(path))
    new = api.create_case()
    assert (old["workflow"]["version"], new["workflow"]["version"]) == (1, 2)
    granny = api.person(old, "grandmother")
    apply = {"proposed_guardian": granny, "relationship": "grandmother"}
    for case in (old, new):
        api.step(
            "lawyer",
            case["id"],
            "guardianship",
            "apply",
            {**apply, "proposed_guardian": api.person(case, "grandmother")},
        )
    refusal = {"reason": "The home visit found no room for the child."}
    assert (
        api.transition("guardianship", old["id"], "guardianship", "deny", refusal).status_code
        == 200
    )
    assert (
        api.transition("guardianship", new["id"], "guardianship", "deny", refusal).status_code
        == 422
    )
    original, translation = walk_to_kinship(api, old)
    assert petition(api, old["id"], [original, translation]).status_code == 200
    for username, track, action, data in steps_after_kinship(api, old):
        if (track, action) == ("guardianship", "apply"):
            data = apply
        api.step(username, old["id"], track, action, data)
    assert api.case("lawyer", old["id"])["status"] == "complete"
