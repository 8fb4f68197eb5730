"""External references: the case's lawyers add, list, find cases by and remove them; nobody
else sees them, and the database and the trail never hold a value readably."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from tests.factories import Api
from workflow import transactions
from workflow.models import ExternalReference

UNHCR = {"issuer": "unhcr", "value": "KZ-2019/000451"}


def references_path(case: dict[str, Any]) -> str:
    return f"/api/v1/cases/{case['id']}/references"


def add(api: Api, case: dict[str, Any], body: dict[str, Any], who: str = "lawyer") -> Any:
    return api.post(who, references_path(case), body)


def test_a_lawyer_adds_lists_and_removes_a_reference(api: Api) -> None:
    case = api.create_case()
    added = add(api, case, UNHCR)
    assert added.status_code == 201, added.json
    assert added.json["issuer"] == "unhcr" and added.json["value"] == UNHCR["value"]
    listed = api.get("lawyer", references_path(case)).json["references"]
    assert [(r["issuer"], r["value"]) for r in listed] == [("unhcr", UNHCR["value"])]
    removed = api.client.delete(
        f"{references_path(case)}/{added.json['id']}", headers=api.headers("lawyer")
    )
    assert removed.status_code == 200
    assert api.get("lawyer", references_path(case)).json["references"] == []


def test_a_colleague_on_the_case_finds_it_by_the_value_however_spaced(api: Api) -> None:
    case, other = api.create_case(), api.create_case()
    add(api, case, {"issuer": "icrc", "value": "ICRC-SY 77 120"})
    found = api.get("lawyer", "/api/v1/cases?reference=icrcsy-77120").json
    assert [c["id"] for c in found["cases"]] == [case["id"]]
    assert other["id"] not in {c["id"] for c in found["cases"]}


@pytest.mark.parametrize("who", ["lawyer2", "lawyer3", "registrar", "judge", "auditor", "admin"])
def test_nobody_else_finds_a_case_by_its_reference(api: Api, who: str) -> None:
    add(api, api.create_case(), UNHCR)
    found = api.get(who, "/api/v1/cases?reference=KZ-2019/000451")
    assert found.status_code == 200
    assert found.json["cases"] == [] and found.json["total"] == 0


def test_an_official_who_sees_the_case_is_refused_its_references(api: Api) -> None:
    case = api.create_case()
    add(api, case, UNHCR)
    api.request_dna(case)  # the case now waits on the court
    api.case("judge", case["id"])  # the judge sees the case…
    refused = api.get("judge", references_path(case))
    assert refused.status_code == 403  # …but not where the child is known elsewhere
    assert UNHCR["value"] not in refused.get_data(as_text=True)
    assert UNHCR["value"] not in api.get("judge", f"/api/v1/cases/{case['id']}").get_data(
        as_text=True
    )


def test_a_lawyer_not_on_the_case_cannot_add_or_remove(api: Api) -> None:
    case = api.create_case()
    added = add(api, case, UNHCR).json
    assert add(api, case, UNHCR, who="lawyer3").status_code == 404
    gone = api.client.delete(
        f"{references_path(case)}/{added['id']}", headers=api.headers("lawyer3")
    )
    assert gone.status_code == 404
    assert len(api.get("lawyer", references_path(case)).json["references"]) == 1


def test_a_reference_of_another_case_is_missing_here(api: Api) -> None:
    first, second = api.create_case(), api.create_case()
    added = add(api, first, UNHCR).json
    answer = api.client.delete(
        f"{references_path(second)}/{added['id']}", headers=api.headers("lawyer")
    )
    assert answer.status_code == 404
    assert len(api.get("lawyer", references_path(first)).json["references"]) == 1


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        '=HYPERLINK("http://x")',
        "+7 777",
        "@SUM(A1)",
        "-1",
        "<script>alert(1)</script>",
        "A\x00B",
        "A\nB",
        "x" * 65,
        "\ud800",
        "'; DROP TABLE cases; --",
    ],
)
def test_a_hostile_value_is_refused_without_being_echoed(api: Api, value: str) -> None:
    case = api.create_case()
    answer = add(api, case, {"issuer": "camp", "value": value})
    assert answer.status_code == 422
    assert answer.json["error"]["details"][0]["field"] == "value"
    if len(value) > 2:
        assert value not in answer.get_data(as_text=True)


@pytest.mark.parametrize("value", ["الهول-4471", "Лагерь Рож 12", "AH/2019/77#3"])
def test_values_in_any_script_are_kept_as_typed(api: Api, value: str) -> None:
    case = api.create_case()
    assert add(api, case, {"issuer": "camp", "value": value}).status_code == 201
    assert api.get("lawyer", references_path(case)).json["references"][0]["value"] == value


def test_an_unknown_issuer_is_refused(api: Api) -> None:
    answer = add(api, api.create_case(), {"issuer": "interpol", "value": "123"})
    assert answer.status_code == 422


def test_values_are_sealed_at_rest_and_absent_from_the_trail(app: Flask, api: Api) -> None:
    case = api.create_case()
    add(api, case, UNHCR)
    with app.app_context():
        session = transactions.session()
        stored = session.execute(text("SELECT value, value_token FROM external_references")).one()
        trail = session.execute(text("SELECT action, detail FROM audit_events")).all()
        assert session.query(ExternalReference).one().value == UNHCR["value"]
    assert "451" not in stored.value and "451" not in stored.value_token
    added = [detail for action, detail in trail if action == "case.reference_add"]
    assert len(added) == 1 and "unhcr" in str(added[0])
    assert all("000451" not in str(detail) for _action, detail in trail)
