"""The child's particulars as registered: set with their bases by the lawyer, corrected after
registration only by an amendment the civil registry approves or refuses; earlier values kept."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.audit.helpers import event_of
from tests.factories import Api
from tests.forms.helpers import generate, issued, logical_text
from tests.workflow.helpers import set_states
from workflow.rules import catalogue
from workflow.rules.definition import Definition

ESTIMATED = {
    "given_name": "Әлия",
    "family_name": "Нұрғалиева",
    "name_basis": "documents",
    "name_basis_reference": "Camp list 17/2019",
    "birth_date": "2016-01-01",
    "birth_date_basis": "age_assessment",
    "birth_date_basis_reference": "Assessment AE-2026-114",
}
CORRECTED = {
    "birth_date": "2015-03-14",
    "birth_date_basis": "court_ruling",
    "birth_date_basis_reference": "Ruling 2-1187/2026",
}
REGISTER = {"certificate_number": "B-77", "registered_on": "2026-10-01"}


def registered_case(api: Api, app: Any) -> dict[str, Any]:
    """A case whose birth is registered with the estimated particulars."""
    case = api.create_case()
    set_states(app, case["id"], {"dna": "confirmed"})
    api.step("lawyer", case["id"], "birth_registration", "file", ESTIMATED)
    api.step("registrar", case["id"], "birth_registration", "take_review")
    api.step("registrar", case["id"], "birth_registration", "register", REGISTER)
    return case


def test_a_registrar_corrects_a_registered_birth_date(api: Api, app: Any) -> None:
    case = registered_case(api, app)
    filed = api.step("lawyer", case["id"], "birth_registration", "file_amendment", CORRECTED)
    assert filed["tracks"]["birth_registration"]["state"] == "amendment_filed"
    waiting = filed["registered_particulars"]
    assert waiting["current"]["birth_date"] == "2016-01-01"
    assert waiting["proposed"]["birth_date"] == "2015-03-14"
    assert waiting["proposed"]["given_name"] == "Әлия"  # what the amendment leaves stands

    done = api.step(
        "registrar",
        case["id"],
        "birth_registration",
        "approve_amendment",
        {"amendment_number": "A-9"},
    )
    assert done["tracks"]["birth_registration"]["state"] == "registered"
    shown = done["registered_particulars"]
    assert shown["current"]["birth_date"] == "2015-03-14"
    assert shown["current"]["birth_date_basis"] == "court_ruling"
    assert shown["proposed"] is None
    assert [v["birth_date"] for v in shown["earlier"]] == ["2016-01-01"]
    assert shown["earlier"][0]["standing"] == "superseded"
    # The registrar who decided reads the earlier values too.
    as_registrar = api.case("registrar", case["id"])["registered_particulars"]
    assert as_registrar["earlier"][0]["birth_date_basis_reference"] == "Assessment AE-2026-114"


def test_the_history_keeps_the_earlier_and_the_corrected_values(api: Api, app: Any) -> None:
    case = registered_case(api, app)
    api.step("lawyer", case["id"], "birth_registration", "file_amendment", CORRECTED)
    api.step(
        "registrar",
        case["id"],
        "birth_registration",
        "approve_amendment",
        {"amendment_number": "A-9"},
    )
    steps = api.get("lawyer", f"/api/v1/cases/{case['id']}/history").json["history"]
    births = [s for s in steps if s["track"] == "birth_registration"]
    assert [s["action"] for s in births][-2:] == ["file_amendment", "approve_amendment"]
    assert births[0]["data"]["birth_date"] == "2016-01-01"
    assert births[-2]["data"]["birth_date"] == "2015-03-14"


def test_a_refused_amendment_leaves_the_registration_as_it_was(api: Api, app: Any) -> None:
    case = registered_case(api, app)
    api.step("lawyer", case["id"], "birth_registration", "file_amendment", CORRECTED)
    done = api.step(
        "registrar", case["id"], "birth_registration", "refuse_amendment", {"reason": "No ruling"}
    )
    assert done["tracks"]["birth_registration"]["state"] == "registered"
    shown = done["registered_particulars"]
    assert shown["current"]["birth_date"] == "2016-01-01"
    assert [(v["standing"], v["birth_date"]) for v in shown["earlier"]] == [
        ("refused", "2015-03-14")
    ]


def test_citizenship_can_be_filed_while_an_amendment_is_under_way(api: Api, app: Any) -> None:
    case = registered_case(api, app)
    set_states(app, case["id"], {"dna": "confirmed", "guardianship": "not_required"})
    api.step("lawyer", case["id"], "birth_registration", "file_amendment", CORRECTED)
    filed = api.step("lawyer", case["id"], "citizenship", "file")
    assert filed["tracks"]["citizenship"]["state"] == "filed"


def test_a_final_state_is_left_only_by_a_declared_step(api: Api, app: Any) -> None:
    case = registered_case(api, app)
    refused = api.transition("registrar", case["id"], "birth_registration", "take_review")
    assert refused.status_code == 409
    not_open = api.transition("lawyer", case["id"], "birth_registration", "file", ESTIMATED)
    assert not_open.status_code == 409


def test_only_the_civil_registry_decides_an_amendment(api: Api, app: Any) -> None:
    case = registered_case(api, app)
    api.step("lawyer", case["id"], "birth_registration", "file_amendment", CORRECTED)
    by_lawyer = api.transition(
        "lawyer", case["id"], "birth_registration", "approve_amendment", {"amendment_number": "A"}
    )
    assert by_lawyer.status_code == 403
    current = api.case("lawyer", case["id"])["registered_particulars"]["current"]
    assert current["birth_date"] == "2016-01-01"


def test_an_amendment_that_corrects_nothing_is_refused(api: Api, app: Any) -> None:
    case = registered_case(api, app)
    response = api.transition("lawyer", case["id"], "birth_registration", "file_amendment", {})
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["problem"] == "nothing_to_amend"


def test_a_registered_date_must_name_its_basis(api: Api, app: Any) -> None:
    case = api.create_case()
    response = api.transition(
        "lawyer", case["id"], "birth_registration", "file", {"birth_date": "2016-01-01"}
    )
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "data.birth_date_basis"


def _patch(api: Api, case_id: str, registered: dict[str, Any]) -> Any:
    version = api.case_version("lawyer", case_id)
    body = {"registered": registered}
    return api.patch("lawyer", f"/api/v1/cases/{case_id}", body, **{"If-Match": f'"{version}"'})


def test_the_lawyer_sets_the_particulars_before_registration(api: Api) -> None:
    case = api.create_case()
    response = _patch(api, case["id"], ESTIMATED)
    assert response.status_code == 200, response.json
    assert response.json["registered_particulars"]["current"]["family_name"] == "Нұрғалиева"
    again = _patch(api, case["id"], {"given_name": "Aliya", "name_basis": "court_ruling"})
    shown = again.json["registered_particulars"]
    assert (shown["current"]["given_name"], shown["current"]["birth_date"]) == (
        "Aliya",
        "2016-01-01",
    )
    assert shown["earlier"][0]["given_name"] == "Әлия"
    # The names the child is known by are another matter, left as they were.
    assert again.json["child"]["names"] == case["child"]["names"]


def test_setting_nothing_or_the_same_values_overtakes_no_form(
    api: Api, client: FlaskClient
) -> None:
    case = api.create_case()
    _patch(api, case["id"], ESTIMATED)
    code = generate(api, case["id"], "birth-registration").headers["X-Verification-Code"]

    empty = _patch(api, case["id"], {})
    same = _patch(api, case["id"], ESTIMATED)

    assert (empty.status_code, empty.json["error"]["code"]) == (422, "invalid_input")
    assert same.status_code == 200
    assert same.json["registered_particulars"]["earlier"] == []
    verified = client.get(f"/verify/{code}", headers={"Accept": "application/json"}).json
    assert verified["superseded_at"] is None


def test_once_registered_only_an_amendment_changes_them(api: Api, app: Any) -> None:
    case = registered_case(api, app)
    response = _patch(api, case["id"], {"given_name": "Other", "name_basis": "documents"})
    assert response.status_code == 409
    assert (
        api.case("lawyer", case["id"])["registered_particulars"]["current"]["given_name"] == "Әлия"
    )


def test_officials_whose_work_does_not_rest_on_them_do_not_see_them(api: Api, app: Any) -> None:
    case = api.create_case()
    api.request_dna(case)
    _patch(api, case["id"], ESTIMATED)
    assert "registered_particulars" not in api.case("judge", case["id"])
    set_states(app, case["id"], {"dna": "confirmed"})
    api.step("lawyer", case["id"], "birth_registration", "file")
    assert api.case("registrar", case["id"])["registered_particulars"]["current"]


def test_the_re_issued_form_shows_the_corrected_date(
    api: Api, app: Any, client: FlaskClient
) -> None:
    case = registered_case(api, app)
    first = generate(api, case["id"], "birth-registration")
    assert "2016-01-01" in logical_text(issued(first))
    code = first.headers["X-Verification-Code"]
    assert (
        client.get(f"/verify/{code}", headers={"Accept": "application/json"}).json["superseded_at"]
        is None
    )

    api.step("lawyer", case["id"], "birth_registration", "file_amendment", CORRECTED)
    api.step(
        "registrar",
        case["id"],
        "birth_registration",
        "approve_amendment",
        {"amendment_number": "A-9"},
    )
    again = logical_text(issued(generate(api, case["id"], "birth-registration")))
    assert "2015-03-14" in again and "Ruling 2-1187/2026" in again
    old = client.get(f"/verify/{code}", headers={"Accept": "application/json"}).json
    assert old["genuine"] is True and old["superseded_at"] is not None
    assert "Superseded on" in client.get(f"/verify/{code}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", "x" * 101),
        ("given_name", ""),
        ("given_name", "Әлия\u0000"),
        ("given_name", ["Әлия"]),
        ("family_name", {"$gt": ""}),
        ("patronymic", "a\x1b[31mb"),
        ("name_basis", "astrology"),
        ("name_basis", "DOCUMENTS"),
        ("name_basis_reference", "r" * 10_000),
        ("birth_date", "2999-01-01"),
        ("birth_date", "14.03.2015"),
        ("birth_date", "2015-02-30"),
        ("birth_date_basis", None),
        ("birth_date_basis_reference", 12),
        ("father", "not-a-uuid"),
        ("father", "00000000-0000-0000-0000-000000000000"),
    ],
)
def test_hostile_amendment_data_is_refused_and_not_echoed(
    api: Api, app: Any, field: str, value: Any
) -> None:
    case = registered_case(api, app)
    data = {**CORRECTED, field: value}
    response = api.transition("lawyer", case["id"], "birth_registration", "file_amendment", data)
    assert response.status_code == 422
    if isinstance(value, str) and len(value) > 20:
        assert value[:50] not in response.get_data(as_text=True)  # never echoed back
    assert api.case("lawyer", case["id"])["tracks"]["birth_registration"]["state"] == "registered"


@pytest.mark.parametrize(
    "registered",
    [
        {"given_name": "Ж" * 101, "name_basis": "documents"},
        {"given_name": "\u0007bell", "name_basis": "documents"},
        {"birth_date": "2016-13-01", "birth_date_basis": "documents"},
        {"name_basis": "<script>"},
        {"unknown": "x"},
        {"given_name": "Aliya"},  # a name without what it rests on
    ],
)
def test_hostile_particulars_are_refused(api: Api, registered: dict[str, Any]) -> None:
    case = api.create_case()
    response = _patch(api, case["id"], registered)
    assert response.status_code == 422
    assert "registered_particulars" not in response.json
    assert api.case("lawyer", case["id"])["registered_particulars"]["current"] is None


def test_unicode_particulars_are_kept_exactly(api: Api) -> None:
    case = api.create_case()
    arabic = {"given_name": "عالية", "family_name": "نورغالييفا", "name_basis": "documents"}
    response = _patch(api, case["id"], arabic)
    assert response.status_code == 200
    current = response.json["registered_particulars"]["current"]
    assert (current["given_name"], current["family_name"]) == ("عالية", "نورغالييفا")


def test_setting_them_is_in_the_trail_by_field_never_by_value(api: Api, app: Any) -> None:
    case = api.create_case()
    response = _patch(api, case["id"], ESTIMATED)
    assert response.status_code == 200
    event = event_of(app, response)
    assert event.action == "case.update"
    assert event.detail["registered_particulars"] == sorted(ESTIMATED)
    assert "Нұрғалиева" not in str(event.detail) and "AE-2026-114" not in str(event.detail)


def _default_body() -> dict[str, Any]:
    return catalogue.read_file(catalogue.BUILT_IN / "default.yaml")


def test_a_step_out_of_a_final_state_must_be_declared() -> None:
    body = _default_body()
    birth = next(t for t in body["tracks"] if t["name"] == "birth_registration")
    amend = next(t for t in birth["transitions"] if t["action"] == "file_amendment")
    amend["leaves_final"] = False
    with pytest.raises(ValueError, match="leaves a final state"):
        Definition.model_validate(body)


def test_a_step_that_sets_particulars_must_carry_some() -> None:
    body = _default_body()
    birth = next(t for t in body["tracks"] if t["name"] == "birth_registration")
    review = next(t for t in birth["transitions"] if t["action"] == "take_review")
    review["particulars"] = "propose"
    with pytest.raises(ValueError, match="sets particulars"):
        Definition.model_validate(body)
