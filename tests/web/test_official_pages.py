"""An agency official's pages: the queue of cases waiting on their agency, oldest first, and the
case page showing only what the agency needs and only the agency's own steps."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.audit.helpers import events, outcome_of
from tests.factories import Api
from tests.web.helpers import backdate, body, csrf_token, listed, row_of, sign_in

RESIDENCE = "With her grandmother, Almaty region"  # tests.factories.ALL_SCRIPTS_CHILD's
RULING = "RN-2026-0417"
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def filed_at_the_registry(api: Api, **overrides: Any) -> dict[str, Any]:
    """A case whose birth registration the lawyer has filed: it waits on the civil registry."""
    case = api.create_case(**overrides)
    return api.step("lawyer", case["id"], "birth_registration", "file")


def parentage_established(api: Api) -> dict[str, Any]:
    """A case the court has ruled on (so that the birth can be registered), then filed."""
    case = api.create_case()
    api.step("lawyer", case["id"], "parentage", "file_petition", {"grounds": "No relative"})
    parent = {"ruling_number": RULING, "parent": api.person(case, "mother")}
    api.step("judge", case["id"], "parentage", "establish", parent)
    return api.step("lawyer", case["id"], "birth_registration", "file")


def offered_steps(html: str) -> list[str]:
    return re.findall(r'<form method="post" class="panel" id="step-([a-z_]+-[a-z_]+)"', html)


def version_on(html: str, step: str) -> dict[str, str]:
    """The hidden fields of a step's form: the version and last step the page was drawn at."""
    form = html.split(f'id="step-{step}"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'name="(version|last_step)" value="(\d+)"', form))
    assert set(fields) == {"version", "last_step"}
    return fields


def take_step(
    client: FlaskClient, case_id: str, track: str, action: str, **data: str
) -> TestResponse:
    html = body(client.get(f"/cases/{case_id}"))
    form = {
        "csrf_token": csrf_token(html),
        "track": track,
        "action": action,
        **version_on(html, f"{track}-{action}"),
        **{f"data.{name}": value for name, value in data.items()},
    }
    return client.post(f"/cases/{case_id}/steps", data=form)


def state(api: Api, case_id: str, track: str) -> str:
    return str(api.case("lawyer", case_id)["tracks"][track]["state"])


# The case page


def test_the_registrar_sees_the_case_but_not_where_the_child_lives(
    app: Flask, api: Api, client: FlaskClient
) -> None:
    case = filed_at_the_registry(api)
    lawyers = app.test_client()
    sign_in(lawyers, "lawyer")
    sign_in(client, "registrar")

    response = client.get(f"/cases/{case['id']}")

    assert response.status_code == 200
    html = body(response)
    assert case["reference"] in html and "Aliya" in html and "Нұрғалиева" in html
    assert RESIDENCE not in html and "Where the child lives" not in html
    assert RESIDENCE in body(lawyers.get(f"/cases/{case['id']}"))  # the lawyer does see it


def test_the_registrar_is_offered_only_the_registrys_steps(api: Api, client: FlaskClient) -> None:
    case = filed_at_the_registry(api)
    sign_in(client, "registrar")

    html = body(client.get(f"/cases/{case['id']}"))

    assert offered_steps(html) == ["birth_registration-take_review"]
    assert 'id="consent"' not in html and "/forms/" not in html


def test_the_registrar_takes_the_case_for_review_then_registers_the_birth(
    api: Api, client: FlaskClient
) -> None:
    case = parentage_established(api)
    sign_in(client, "registrar")

    taken = take_step(client, case["id"], "birth_registration", "take_review")

    assert taken.status_code == 303
    assert state(api, case["id"], "birth_registration") == "under_review"
    html = body(client.get(taken.headers["Location"]))
    assert "Step taken: Birth registration, Take for review." in html
    assert sorted(offered_steps(html)) == [
        "birth_registration-register",
        "birth_registration-reject",
        "birth_registration-request_info",
    ]

    registered = take_step(
        client,
        case["id"],
        "birth_registration",
        "register",
        certificate_number="I-ВС 0042117",
        registered_on=YESTERDAY,
    )

    assert registered.status_code == 303
    assert state(api, case["id"], "birth_registration") == "registered"
    timeline = body(client.get(f"/cases/{case['id']}")).split('id="timeline-heading"')[1]
    assert "Birth registration: Register" in timeline
    assert "I-ВС 0042117" in timeline and "registrar," in timeline


def test_registering_without_a_certificate_number_shows_the_error_beside_it(
    api: Api, client: FlaskClient
) -> None:
    case = parentage_established(api)
    sign_in(client, "registrar")
    take_step(client, case["id"], "birth_registration", "take_review")

    response = take_step(
        client, case["id"], "birth_registration", "register", registered_on=YESTERDAY
    )

    assert response.status_code == 422
    assert re.search(
        r'<p class="field-error" id="f-(birth-registration-register-data-certificate-number)'
        r'-error">Fill this in.</p>\s*<input[^>]*id="f-\1"[^>]*aria-describedby="f-\1-error"',
        body(response),
    )
    assert state(api, case["id"], "birth_registration") == "under_review"


def test_registering_is_not_offered_until_kinship_is_proven(
    app: Flask, api: Api, client: FlaskClient
) -> None:
    case = filed_at_the_registry(api)  # no DNA result and no court ruling
    sign_in(client, "registrar")
    take_step(client, case["id"], "birth_registration", "take_review")
    html = body(client.get(f"/cases/{case['id']}"))
    assert "birth_registration-register" not in offered_steps(html)
    form = {
        "csrf_token": csrf_token(html),
        "track": "birth_registration",
        "action": "register",
        **version_on(html, "birth_registration-reject"),
        "data.certificate_number": "I-ВС 0042117",
        "data.registered_on": YESTERDAY,
    }

    response = client.post(f"/cases/{case['id']}/steps", data=form)  # a form made by hand

    assert (response.status_code, outcome_of(app, response)) == (409, "prerequisite_missing")
    assert state(api, case["id"], "birth_registration") == "under_review"


@pytest.mark.parametrize(
    ("track", "action", "data"),
    [
        ("parentage", "establish", {"ruling_number": "RN-1"}),
        ("guardianship", "waive", {"reason": "The mother came home"}),
        ("dna", "authorize", {"ruling_number": "RN-1"}),
        ("birth_registration", "file", {}),
    ],
)
def test_the_registrar_cannot_take_another_agencys_or_the_lawyers_steps(
    app: Flask, api: Api, client: FlaskClient, track: str, action: str, data: dict[str, str]
) -> None:
    case = api.create_case()
    api.step("lawyer", case["id"], "parentage", "file_petition", {"grounds": "No relative"})
    case = api.step("lawyer", case["id"], "birth_registration", "file")
    before = {name: t["state"] for name, t in case["tracks"].items()}
    token = sign_in(client, "registrar")
    html = body(client.get(f"/cases/{case['id']}"))
    form = {
        "csrf_token": token,
        "track": track,
        "action": action,
        **version_on(html, "birth_registration-take_review"),
        **{f"data.{name}": value for name, value in data.items()},
    }

    response = client.post(f"/cases/{case['id']}/steps", data=form)

    assert (response.status_code, outcome_of(app, response)) == (403, "not_permitted")
    after = api.case("lawyer", case["id"])
    assert {name: t["state"] for name, t in after["tracks"].items()} == before
    assert after["version"] == case["version"]


def test_the_registrar_sees_other_agencies_steps_but_not_what_they_recorded(
    app: Flask, api: Api, client: FlaskClient
) -> None:
    case = parentage_established(api)
    lawyers = app.test_client()
    sign_in(lawyers, "lawyer")
    sign_in(client, "registrar")

    timeline = body(client.get(f"/cases/{case['id']}")).split('id="timeline-heading"')[1]

    assert "Parentage: Establish" in timeline
    assert RULING not in timeline and "No relative" not in timeline
    assert RULING in body(lawyers.get(f"/cases/{case['id']}"))


@pytest.mark.parametrize("official", ["lab", "citizenship", "judge"])
def test_an_official_of_an_agency_the_case_does_not_wait_on_gets_a_404_page(
    api: Api, client: FlaskClient, official: str
) -> None:
    case = filed_at_the_registry(api)
    sign_in(client, official)

    response = client.get(f"/cases/{case['id']}")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = body(response)
    assert "That did not work" in html
    assert case["reference"] not in html and "Aliya" not in html
    assert case["reference"] not in body(client.get("/queue"))


def test_the_case_leaves_the_registrars_sight_once_no_longer_its_business(
    api: Api, client: FlaskClient
) -> None:
    """A case the registry never acted on and no longer waits on is not the registrar's."""
    case = api.create_case()
    sign_in(client, "registrar")

    assert client.get(f"/cases/{case['id']}").status_code == 404


# The queue


def test_the_queue_lists_the_cases_waiting_on_the_agency_oldest_first(
    app: Flask, api: Api, client: FlaskClient
) -> None:
    waiting_two_days = filed_at_the_registry(api)
    waiting_ten_days = filed_at_the_registry(api)  # opened later, but waiting longer
    not_filed = api.create_case()
    backdate(app, waiting_two_days["id"], "birth_registration", 2)
    backdate(app, waiting_ten_days["id"], "birth_registration", 10)  # the target is 5 days
    sign_in(client, "registrar")

    response = client.get("/queue")

    assert response.status_code == 200
    html = body(response)
    assert listed(html) == [waiting_ten_days["reference"], waiting_two_days["reference"]]
    assert not_filed["reference"] not in html
    late = row_of(html, waiting_ten_days["reference"])
    assert '<li class="badge late">Birth registration: filed — overdue</li>' in late
    assert "overdue" not in row_of(html, waiting_two_days["reference"])
    assert "2 cases wait on your agency." in html


def test_the_oldest_waiting_case_heads_the_first_page_of_a_long_queue(
    app: Flask, api: Api, client: FlaskClient
) -> None:
    """The queue is ordered by how long each case has waited, across pages, not only within
    the page: a case touched lately but waiting longest must not fall to a later page."""
    for _ in range(25):
        filed_at_the_registry(api)
    longest = filed_at_the_registry(api)  # the most recently changed case of all
    backdate(app, longest["id"], "birth_registration", 20)
    sign_in(client, "registrar")

    first_page = body(client.get("/queue"))

    assert "26 cases wait on your agency." in first_page
    assert listed(first_page)[0] == longest["reference"]


def test_the_queue_shows_only_the_tracks_waiting_on_the_agency(
    api: Api, client: FlaskClient
) -> None:
    case = api.create_case()
    api.step("lawyer", case["id"], "parentage", "file_petition", {"grounds": "No relative"})
    api.step("lawyer", case["id"], "birth_registration", "file")
    sign_in(client, "judge")

    html = body(client.get("/queue"))

    row = row_of(html, case["reference"])
    assert "Parentage: petition filed" in row
    assert "Birth registration" not in row


def test_the_queue_is_for_officials(client: FlaskClient, accounts: Any) -> None:
    sign_in(client, "lawyer")

    response = client.get("/queue")

    assert response.status_code == 403
    assert "The queue is for agency officials." in body(response)


# The audit trail


def test_the_officials_page_views_and_steps_are_audited(
    app: Flask, api: Api, client: FlaskClient
) -> None:
    case = filed_at_the_registry(api)
    sign_in(client, "registrar")

    client.get("/queue")
    take_step(client, case["id"], "birth_registration", "take_review")

    trail = [e for e in events(app) if e.username == "registrar"]
    listing = next(e for e in trail if e.action == "case.list")
    assert listing.detail["returned"] == [case["reference"]]
    read = next(e for e in trail if e.action == "case.read")
    assert (read.case_reference, read.outcome) == (case["reference"], "success")
    (step,) = [e for e in trail if e.action == "case.transition"]
    assert (step.case_reference, step.outcome) == (case["reference"], "success")
    assert (step.role, step.agency_kind) == ("official", "civil_registry")


def test_a_refused_look_at_a_case_is_audited(app: Flask, api: Api, client: FlaskClient) -> None:
    case = filed_at_the_registry(api)
    sign_in(client, "lab")

    client.get(f"/cases/{case['id']}")

    event = events(app)[-1]
    assert (event.action, event.username, event.outcome) == ("case.read", "lab", "not_found")
    assert event.object_id == case["id"]


def test_a_case_the_registry_has_finished_with_is_listed_as_recently_handled(
    api: Api, client: FlaskClient
) -> None:
    case = parentage_established(api)
    sign_in(client, "registrar")
    take_step(client, case["id"], "birth_registration", "take_review")
    waiting = body(client.get("/queue"))
    assert listed(waiting) == [case["reference"]]
    assert "Nothing yet: cases your agency has acted on" in waiting

    take_step(
        client,
        case["id"],
        "birth_registration",
        "register",
        certificate_number="I-ВС 0042118",
        registered_on=YESTERDAY,
    )
    html = body(client.get("/queue"))

    handled = html.split('id="handled-heading"')[1]
    assert listed(html.split('id="handled-heading"')[0]) == []
    assert f">{case['reference']}</a>" in handled
    # The row tells what the case waits for now: no longer the registry.
    assert "Guardianship: required (guardianship authority" in handled
    assert "Birth registration" not in handled
