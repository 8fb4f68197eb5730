"""Changing a case's particulars through its form: what was recorded comes back filled in, a
change is saved whole or not at all, and a stale form saves nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.audit.helpers import outcome_of
from tests.factories import Api
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_lawyer_pages import field_error


def the_form(client: FlaskClient, case: dict[str, Any]) -> tuple[dict[str, str], str]:
    """Every field of the particulars form as the page fills it, and its CSRF token."""
    html = client.get(f"/cases/{case['id']}/particulars").get_data(as_text=True)
    fields = dict(
        re.findall(r'<input type="(?:text|date|hidden)"[^>]*name="([^"]+)" value="([^"]*)"', html)
    )
    fields |= {
        name: (re.search(r'<option value="([^"]*)" selected', options) or [None, ""])[1]
        for name, options in re.findall(
            r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S
        )
    }
    fields |= dict(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', html))
    fields.pop("csrf_token", None)
    return fields, csrf_token(html)


def save(
    client: FlaskClient, case: dict[str, Any], token: str, fields: dict[str, str]
) -> TestResponse:
    return client.post(f"/cases/{case['id']}/particulars", data={**fields, "csrf_token": token})


def test_the_form_comes_filled_with_what_the_case_records(api: Api, client: FlaskClient) -> None:
    case = api.create_case()
    sign_in(client, "lawyer")
    fields, _token = the_form(client, case)
    child = case["child"]
    for name in child["names"]:
        assert fields[f"child.{name['script']}.given"] == name["given"]
    mother = next(p for p in case["people"] if p["relation"] == "mother")
    slot = next(
        k.split(".")[1] for k, v in fields.items() if k.endswith(".id") and v == mother["id"]
    )
    assert fields[f"people.{slot}.relation"] == "mother"
    assert fields["version"] == str(case["version"])


def test_a_change_is_saved_and_a_field_left_empty_is_cleared(api: Api, client: FlaskClient) -> None:
    case = api.create_case()
    token = sign_in(client, "lawyer")
    fields, token = the_form(client, case)
    fields |= {
        "child.sex": "female",
        "child.birth_place.country": "IQ",
        "child.birth_place.locality": "",
    }
    fields |= {"child.Cyrl.given": "Айгерім"}

    response = save(client, case, token, fields)

    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{case['id']}"
    after = api.case("lawyer", case["id"])
    assert after["child"]["sex"] == "female"
    assert after["child"]["birth_place"] == {"country": "IQ", "locality": None}
    assert {"script": "Cyrl", "given": "Айгерім", "family": "Нұрғалиева"} in [
        {k: v for k, v in n.items() if k in ("script", "given", "family")}
        for n in after["child"]["names"]
    ]
    assert after["version"] == case["version"] + 1
    assert "The particulars are saved." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_a_relative_can_be_added_in_the_empty_slot(api: Api, client: FlaskClient) -> None:
    case = api.create_case()
    sign_in(client, "lawyer")
    fields, token = the_form(client, case)
    new_slot = len(case["people"])
    fields |= {f"people.{new_slot}.relation": "aunt", f"people.{new_slot}.Latn.given": "Saule"}

    assert save(client, case, token, fields).status_code == 303

    people = api.case("lawyer", case["id"])["people"]
    assert len(people) == len(case["people"]) + 1
    assert any(p["relation"] == "aunt" and p["names"][0]["given"] == "Saule" for p in people)


def test_a_bad_change_saves_nothing_and_says_why_beside_the_field(
    api: Api, client: FlaskClient
) -> None:
    case = api.create_case()
    sign_in(client, "lawyer")
    fields, token = the_form(client, case)
    fields |= {"child.sex": "female", "child.birth_date.value": "2999-01-01"}

    response = save(client, case, token, fields)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "child.birth_date.value") == "The date must not be in the future."
    assert 'value="2999-01-01"' in html  # what was typed is kept
    after = api.case("lawyer", case["id"])
    assert after["child"]["sex"] == case["child"]["sex"] and after["version"] == case["version"]


def test_a_stale_form_saves_nothing_and_shows_the_case_as_it_is(
    app: Any, api: Api, client: FlaskClient
) -> None:
    case = api.create_case()
    sign_in(client, "lawyer")
    fields, token = the_form(client, case)
    api.request_dna(case)  # someone else acts first
    fields |= {"child.sex": "female"}

    response = save(client, case, token, fields)

    assert (response.status_code, outcome_of(app, response)) == (409, "stale_version")
    assert "Someone else changed this case while you had it open" in response.get_data(as_text=True)
    assert api.case("lawyer", case["id"])["child"]["sex"] == case["child"]["sex"]


@pytest.mark.parametrize(
    ("username", "status"), [("registrar", 404), ("lawyer3", 404), ("judge", 404)]
)
def test_only_the_case_s_lawyers_reach_its_particulars_form(
    api: Api, client: FlaskClient, username: str, status: int
) -> None:
    case = api.create_case()
    sign_in(client, username)
    assert client.get(f"/cases/{case['id']}/particulars").status_code == status


def test_an_official_who_sees_the_case_may_not_change_it(api: Api, client: FlaskClient) -> None:
    case = api.create_case()
    api.request_dna(case)  # the case now waits on the court
    sign_in(client, "judge")
    response = client.get(f"/cases/{case['id']}/particulars")
    assert response.status_code == 403
    assert "Only the case&#39;s lawyers change it." in response.get_data(as_text=True)
