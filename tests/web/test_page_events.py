"""What the lawyer's pages leave in the audit trail: every view and step an event, as the API
call it stands for would leave, a refusal named by its outcome, and never a name searched for or
a value typed."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.audit.helpers import events
from tests.factories import Api
from tests.web.helpers import OTHER_CHILD, OTHER_PEOPLE, answer, search, step_form


def test_viewing_a_case_page_leaves_a_case_read_event(
    app: Flask, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, _token = as_lawyer
    case = api.create_case()

    assert client.get(f"/cases/{case['id']}").status_code == 200

    event = events(app)[-1]
    assert (event.action, event.outcome) == ("case.read", "success")
    assert (event.username, event.case_reference) == ("lawyer", case["reference"])


def test_the_case_list_leaves_an_event_naming_the_cases_shown(
    app: Flask, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case = api.create_case()
    api.create_case(child=OTHER_CHILD, people=OTHER_PEOPLE)

    search(client, token, "Aliya")

    event = events(app)[-1]
    assert (event.action, event.username, event.outcome) == ("case.list", "lawyer", "success")
    assert event.detail["returned"] == [case["reference"]]
    assert "Aliya" not in str(event.detail)  # what was searched for is a name: never logged


def test_a_step_taken_on_the_page_leaves_a_case_transition_event(
    app: Flask, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case = api.create_case()

    client.post(
        f"/cases/{case['id']}/steps",
        data=step_form(case, token, "parentage", "file_petition", grounds="No relative"),
    )

    (event,) = [e for e in events(app) if e.action == "case.transition"]
    assert (event.outcome, event.case_reference, event.username) == (
        "success",
        case["reference"],
        "lawyer",
    )


def test_the_auditor_sees_the_web_pages_events_through_the_api(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, _token = as_lawyer
    case = api.create_case()
    client.get(f"/cases/{case['id']}")

    response = api.get("auditor", "/api/v1/audit/events", query_string={"action": "case.read"})

    assert response.status_code == 200
    found = [
        e
        for e in answer(response)["events"]
        if e["case_reference"] == case["reference"] and e["actor"] == "lawyer"
    ]
    assert found and found[-1]["outcome"] == "success"


@pytest.mark.parametrize(
    ("refusal", "status", "outcome"),
    [("missing field", 422, "invalid_input"), ("stale page", 409, "stale_version")],
)
def test_a_refused_step_leaves_an_event_naming_the_refusal(
    app: Flask,
    api: Api,
    as_lawyer: tuple[FlaskClient, str],
    refusal: str,
    status: int,
    outcome: str,
) -> None:
    client, token = as_lawyer
    case = api.create_case()
    form = step_form(case, token, "parentage", "file_petition", grounds="No relative")
    if refusal == "missing field":
        form["data.grounds"] = ""
    else:
        api.step("lawyer", case["id"], "birth_registration", "file")

    response = client.post(f"/cases/{case['id']}/steps", data=form)

    assert response.status_code == status
    (event,) = [e for e in events(app) if e.action == "case.transition" and e.outcome != "success"]
    assert event.outcome == outcome
    assert (event.case_reference, event.username) == (case["reference"], "lawyer")
    assert "No relative" not in str(event.detail)
