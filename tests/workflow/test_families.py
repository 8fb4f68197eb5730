"""Siblings' cases share their relatives: the mother is entered once, her consent counts on
each child's case, and need-to-know still holds case by case."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import ALL_SCRIPTS_CHILD, Api


def brother(given: str, latin: str) -> dict[str, Any]:
    """A brother of the factories' child: his own given name, her family name."""
    names = [
        {"script": "Cyrl", "given": given, "family": "Нұрғалиев"},
        {"script": "Latn", "given": latin, "family": "Nurgaliev"},
    ]
    return {**ALL_SCRIPTS_CHILD, "names": names, "sex": "male"}


BROTHERS = [brother("Нұрлан", "Nurlan"), brother("Дәулет", "Daulet"), brother("Тимур", "Timur")]
BROTHER = BROTHERS[0]


def open_siblings(api: Api, count: int = 3) -> list[dict[str, Any]]:
    """The first child with her mother and grandmother; the others opened as her siblings."""
    first = api.create_case()
    shared = [
        {"person_id": api.person(first, relation), "relation": relation}
        for relation in ("mother", "grandmother")
    ]
    cases = [first]
    for sibling in BROTHERS[: count - 1]:
        body = {"child": sibling, "people": shared, "family_of": first["id"]}
        response = api.post("lawyer", "/api/v1/cases", body)
        assert response.status_code == 201, response.json
        cases.append(response.json)
    return [api.case("lawyer", case["id"]) for case in cases]


def test_siblings_share_one_mother_and_one_family(api: Api) -> None:
    cases = open_siblings(api)
    mothers = {api.person(case, "mother") for case in cases}
    assert len(mothers) == 1
    family = {case["family"]["id"] for case in cases}
    assert len(family) == 1
    listed = [c["reference"] for c in cases[0]["family"]["cases"]]
    assert listed == [case["reference"] for case in cases]


def test_a_case_opened_alone_has_no_family(api: Api) -> None:
    assert api.create_case()["family"] is None


def test_her_consent_recorded_once_counts_on_each_siblings_dna_step(api: Api) -> None:
    first, second, third = open_siblings(api)
    mother = api.person(first, "mother")
    letter = api.upload("lawyer", first["id"], "consent").json["id"]
    body = {"person_id": mother, "purpose": "dna_testing", "given_on": "2026-01-15"}
    body["document_id"] = letter
    recorded = api.post("lawyer", f"/api/v1/cases/{first['id']}/consents", body)
    assert recorded.status_code == 201
    data = {"reference_person": mother, "relationship_tested": "maternity"}
    for case in (second, third):
        answer = api.transition("lawyer", case["id"], "dna", "request", data, evidence_ids=[letter])
        assert answer.status_code == 200, answer.json
        assert answer.json["tracks"]["dna"]["state"] == "requested"
        listed = api.get("lawyer", f"/api/v1/cases/{case['id']}/consents").json["consents"]
        assert [c["person_id"] for c in listed] == [mother]


def test_a_withdrawn_consent_blocks_every_sibling(api: Api) -> None:
    first, second, _third = open_siblings(api)
    mother = api.person(first, "mother")
    body = {"person_id": mother, "purpose": "dna_testing", "given_on": "2026-01-15"}
    consent = api.post("lawyer", f"/api/v1/cases/{first['id']}/consents", body).json["id"]
    withdrawal = api.post("lawyer", f"/api/v1/cases/{first['id']}/consents/{consent}/withdraw", {})
    assert withdrawal.status_code == 200
    data = {"reference_person": mother, "relationship_tested": "maternity"}
    letter = api.upload("lawyer", second["id"], "consent").json["id"]
    answer = api.transition("lawyer", second["id"], "dna", "request", data, evidence_ids=[letter])
    assert answer.status_code == 409
    assert {"consent": "dna_testing", "of": "reference_person"} in answer.json["error"]["details"][
        "missing"
    ]


def test_her_whereabouts_changed_on_one_case_show_on_the_others(api: Api) -> None:
    first, second, third = open_siblings(api)
    mother = api.person(first, "mother")
    change = {"people": [{"id": mother, "whereabouts": "in_country", "alive": True}]}
    answer = api.patch(
        "lawyer", f"/api/v1/cases/{second['id']}", change, **{"If-Match": f'"{second["version"]}"'}
    )
    assert answer.status_code == 200, answer.json
    for case in (first, third):
        seen = api.case("lawyer", case["id"])
        assert next(p for p in seen["people"] if p["id"] == mother)["whereabouts"] == "in_country"


def test_another_ngo_sees_only_the_sibling_it_holds(api: Api) -> None:
    first = api.create_case("lawyer3")
    mother = {"person_id": api.person(first, "mother"), "relation": "mother"}
    body = {"child": BROTHER, "people": [mother], "family_of": first["id"]}
    second = api.post("lawyer3", "/api/v1/cases", body).json
    family_id = second["family"]["id"]
    # The second child's case passes to a lawyer of another NGO: it is theirs alone.
    assignment = api.post(
        "lawyer3", f"/api/v1/cases/{second['id']}/assignments", {"username": "lawyer3"}
    )
    assert assignment.status_code in (200, 201, 409)
    ours = api.create_case()
    assert ours["family"] is None
    seen = api.get("lawyer", f"/api/v1/families/{family_id}")
    assert seen.status_code == 404
    theirs = api.get("lawyer3", f"/api/v1/families/{family_id}").json
    assert [c["id"] for c in theirs["cases"]] == [first["id"], second["id"]]
    assert [p["relation"] for p in theirs["relatives"]] == ["mother"]


def test_family_of_a_case_the_caller_may_not_see_is_missing(api: Api) -> None:
    hidden = api.create_case("lawyer3")
    body = {"child": BROTHER, "family_of": hidden["id"]}
    answer = api.post("lawyer", "/api/v1/cases", body)
    assert answer.status_code == 404
    assert api.case("lawyer3", hidden["id"])["family"] is None


@pytest.mark.parametrize(
    ("relative", "field", "problem"),
    [
        ("stranger", "people.0.person_id", "not_a_relative_on_that_case"),
        ("child", "people.0.person_id", "not_a_relative_on_that_case"),
        ("grandmother_as_mother", "people.0.relation", "not_her_relation_there"),
    ],
)
def test_a_shared_relative_must_be_a_relative_on_the_siblings_case(
    api: Api, relative: str, field: str, problem: str
) -> None:
    first, elsewhere = api.create_case(), api.create_case()
    given = {
        "stranger": {"person_id": api.person(elsewhere, "mother"), "relation": "mother"},
        "child": {"person_id": first["child"]["id"], "relation": "mother"},
        "grandmother_as_mother": {
            "person_id": api.person(first, "grandmother"),
            "relation": "mother",
        },
    }[relative]
    body = {"child": BROTHER, "people": [given], "family_of": first["id"]}
    answer = api.post("lawyer", "/api/v1/cases", body)
    assert answer.status_code == 422
    assert {(f["field"], f["problem"]) for f in answer.json["error"]["details"]} == {
        (field, problem)
    }
    assert api.case("lawyer", first["id"])["family"] is None


@pytest.mark.parametrize(
    "changes",
    [
        {"family_of": "not-a-uuid"},
        {"family_of": "9" * 5000},
        {"family_of": 12},
        {"family_of": ["a"]},
        {"family_of": {"id": "x"}},
        {"people": [{"person_id": "x' OR 1=1 --", "relation": "mother"}], "family_of": None},
        {"people": [{"person_id": None, "relation": "mother"}]},
        {"people": [{"person_id": "00000000-0000-0000-0000-000000000000"}]},
        {"people": [{"person_id": "00000000-0000-0000-0000-000000000000", "relation": "child"}]},
    ],
)
def test_hostile_family_input_is_refused_and_opens_nothing(
    api: Api, changes: dict[str, Any]
) -> None:
    before = api.get("lawyer", "/api/v1/cases").json["total"]
    answer = api.post("lawyer", "/api/v1/cases", {"child": BROTHER, **changes})
    assert answer.status_code == 422, answer.json
    assert "x' OR" not in answer.get_data(as_text=True)
    assert api.get("lawyer", "/api/v1/cases").json["total"] == before


def test_a_relative_given_twice_is_refused(api: Api) -> None:
    first = api.create_case()
    mother = {"person_id": api.person(first, "mother"), "relation": "mother"}
    body = {"child": BROTHER, "people": [mother, mother], "family_of": first["id"]}
    answer = api.post("lawyer", "/api/v1/cases", body)
    assert answer.status_code == 422
    assert api.case("lawyer", first["id"])["family"] is None


def test_a_null_family_of_opens_a_case_alone(api: Api) -> None:
    answer = api.post("lawyer", "/api/v1/cases", {"child": BROTHER, "family_of": None})
    assert answer.status_code == 201
    assert answer.json["family"] is None


def test_a_missing_family_is_missing(api: Api) -> None:
    for family_id in ("00000000-0000-0000-0000-000000000000", "nothing", "x" * 64):
        assert api.get("lawyer", f"/api/v1/families/{family_id}").status_code == 404
