"""Opening, changing, assigning, closing and reopening a case."""

from __future__ import annotations

from typing import Any

from tests.factories import Api


def _versioned(api: Api, username: str, case_id: str) -> dict[str, str]:
    return {"If-Match": f'"{api.case_version(username, case_id)}"'}


def test_opening_a_case_assigns_the_lawyer_and_starts_every_track(api: Api) -> None:
    case = api.create_case()
    assert case["assigned_to_me"] is True
    assert case["version"] >= 1 and case["reference"].startswith("HW-")
    assert {name: t["state"] for name, t in case["tracks"].items()} == {
        "dna": "not_started",
        "parentage": "not_started",
        "birth_registration": "not_started",
        "guardianship": "required",
        "citizenship": "not_started",
        "identity_document": "not_started",
    }
    assert case["child"]["names"][0] == {"script": "Cyrl", "given": "Әлия", "family": "Нұрғалиева"}
    assert case["child"]["birth_date"] == {"value": "2016-01-01", "precision": "year"}


def test_only_lawyers_open_cases(api: Api) -> None:
    for username in ("registrar", "judge", "auditor", "admin"):
        response = api.post(
            username, "/api/v1/cases", {"child": {"names": [{"script": "Latn", "given": "A"}]}}
        )
        assert (response.status_code, response.json["error"]["code"]) == (403, "not_permitted")


def test_patch_changes_particulars_and_bumps_the_version(api: Api) -> None:
    case = api.create_case()
    body = {
        "child": {"sex": "male", "birth_place": {"country": "IQ", "locality": "Mosul"}},
        "people": [
            {"relation": "aunt", "names": [{"script": "Arab", "given": "فاطمة"}]},
            {"id": api.person(case, "mother"), "whereabouts": "in_country"},
        ],
    }
    response = api.patch(
        "lawyer", f"/api/v1/cases/{case['id']}", body, **_versioned(api, "lawyer", case["id"])
    )
    assert response.status_code == 200
    after = response.json
    assert after["version"] == case["version"] + 1
    assert response.headers["ETag"] == f'"{after["version"]}"'
    assert after["child"]["sex"] == "male" and after["child"]["birth_place"]["country"] == "IQ"
    assert after["child"]["names"] == case["child"]["names"]
    mother = next(p for p in after["people"] if p["relation"] == "mother")
    assert mother["whereabouts"] == "in_country"
    assert any(p["relation"] == "aunt" for p in after["people"])


def test_patch_without_if_match_is_428_and_with_a_stale_version_409(api: Api) -> None:
    case = api.create_case()
    path = f"/api/v1/cases/{case['id']}"
    assert api.patch("lawyer", path, {"child": {"sex": "male"}}).status_code == 428
    stale = {"If-Match": f'"{case["version"] - 1}"'}
    response = api.patch("lawyer", path, {"child": {"sex": "male"}}, **stale)
    assert response.status_code == 409 and response.json["error"]["code"] == "stale_version"
    assert api.case("lawyer", case["id"])["child"]["sex"] == "female"


def test_a_colleague_assigned_to_the_case_can_work_it(api: Api) -> None:
    case = api.create_case()
    assert api.get("lawyer2", f"/api/v1/cases/{case['id']}").status_code == 404
    response = api.post(
        "lawyer", f"/api/v1/cases/{case['id']}/assignments", {"username": "lawyer2"}
    )
    assert response.status_code == 201
    assert api.case("lawyer2", case["id"])["assigned_to_me"] is True
    again = api.post("lawyer", f"/api/v1/cases/{case['id']}/assignments", {"username": "lawyer2"})
    assert (again.status_code, again.json["error"]["code"]) == (409, "conflict")


def test_a_closed_case_takes_no_steps_until_reopened(api: Api) -> None:
    case = api.create_case()
    path = f"/api/v1/cases/{case['id']}"
    closed = api.post(
        "lawyer",
        f"{path}/close",
        {"reason": "transferred", "note": "To KG"},
        **_versioned(api, "lawyer", case["id"]),
    )
    assert closed.status_code == 200
    assert (closed.json["status"], closed.json["closure_reason"]) == ("closed", "transferred")
    assert closed.json["allowed_transitions"] == []
    step = api.transition("lawyer", case["id"], "parentage", "file_petition", {"grounds": "x"})
    assert (step.status_code, step.json["error"]["code"]) == (409, "wrong_state")
    assert step.json["error"]["details"] == {"status": "closed"}

    reopened = api.post("lawyer", f"{path}/reopen", {}, **_versioned(api, "lawyer", case["id"]))
    assert reopened.status_code == 200 and reopened.json["status"] == "open"
    history = api.get("lawyer", f"{path}/history").json["history"]
    assert [(h["track"], h["action"], h["from"], h["to"]) for h in history] == [
        ("case", "close", "open", "closed"),
        ("case", "reopen", "closed", "open"),
    ]


def test_closing_needs_a_known_reason_and_the_case_lawyer(api: Api, app: Any) -> None:
    case = api.create_case()
    path = f"/api/v1/cases/{case['id']}/close"
    bad = api.post("lawyer", path, {"reason": "bored"}, **_versioned(api, "lawyer", case["id"]))
    assert (bad.status_code, bad.json["error"]["code"]) == (422, "invalid_input")
    assert bad.json["error"]["details"][0]["field"] == "reason"
    from tests.workflow.helpers import set_states

    set_states(app, case["id"], {"dna": "requested"})
    as_judge = api.post(
        "judge", path, {"reason": "withdrawn"}, **_versioned(api, "judge", case["id"])
    )
    assert (as_judge.status_code, as_judge.json["error"]["code"]) == (403, "not_permitted")


def test_a_relative_cannot_be_turned_into_a_second_child(api: Api) -> None:
    case = api.create_case()
    body = {"people": [{"id": api.person(case, "mother"), "relation": "child"}]}
    response = api.patch(
        "lawyer", f"/api/v1/cases/{case['id']}", body, **_versioned(api, "lawyer", case["id"])
    )
    assert (response.status_code, response.json["error"]["code"]) == (422, "invalid_input")
    assert response.json["error"]["details"][0]["field"] == "people.0.relation"
    assert api.person(api.case("lawyer", case["id"]), "mother")


def test_a_closed_case_is_never_overdue(api: Api, app: Any) -> None:
    from tests.workflow.helpers import set_states

    case = api.create_case()
    set_states(app, case["id"], {"dna": "requested"}, days_ago=40)
    assert api.get("lawyer", "/api/v1/cases?overdue=true").json["total"] == 1
    api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/close",
        {"reason": "withdrawn"},
        **_versioned(api, "lawyer", case["id"]),
    )
    assert api.get("lawyer", "/api/v1/cases?overdue=true").json["total"] == 0
    assert api.case("lawyer", case["id"])["tracks"]["dna"]["overdue"] is False
