"""The particulars forms (`web/views/particulars.py`). Opening a case: names in three scripts,
and each bad particular refused beside its field with no case opened. Changing a case's
particulars: what was recorded comes back filled in, a change is saved whole or not at all, and a
stale form saves nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.audit.helpers import outcome_of
from tests.factories import Api
from tests.web.helpers import (
    DAY_AFTER_TOMORROW,
    answer,
    body,
    csrf_token,
    field_error,
    field_id,
    listed,
    sign_in,
)

ARABIC_NAME = '<bdi dir="rtl" lang="ar" class="name">عالية  نورغالييفا</bdi>'
THREE_SCRIPTS = {
    "child.Latn.given": "Aliya",
    "child.Latn.family": "Nurgalieva",
    "child.Cyrl.given": "Әлия",
    "child.Cyrl.family": "Нұрғалиева",
    "child.Arab.given": "عالية",
    "child.Arab.family": "نورغالييفا",
    "child.sex": "female",
    "child.birth_date.value": "2016-01-01",
    "child.birth_date.precision": "year",
    "child.birth_place.country": "SY",
    "child.birth_place.locality": "Raqqa",
    "child.languages": "kk, ar",
    "child.residence": "With her grandmother, Almaty region",
    "people.0.relation": "mother",
    "people.0.alive": "yes",
    "people.0.whereabouts": "detained_abroad",
    "people.0.citizenship": "KZ",
    "people.0.Cyrl.given": "Гүлнар",
    "people.0.Cyrl.family": "Нұрғалиева",
}


def case_total(api: Api) -> int:
    return int(answer(api.get("lawyer", "/api/v1/cases"))["total"])


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


# Opening a case


def test_opening_a_case_with_names_in_three_scripts(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    form_page = client.get("/cases/new")
    assert form_page.status_code == 200

    response = client.post("/cases/new", data={"csrf_token": token, **THREE_SCRIPTS})

    assert response.status_code == 303
    case_id = response.headers["Location"].removeprefix("/cases/")
    case = api.case("lawyer", case_id)
    assert {n["script"]: (n.get("given"), n.get("family")) for n in case["child"]["names"]} == {
        "Latn": ("Aliya", "Nurgalieva"),
        "Cyrl": ("Әлия", "Нұрғалиева"),
        "Arab": ("عالية", "نورغالييفا"),
    }
    assert case["child"]["birth_date"] == {"value": "2016-01-01", "precision": "year"}
    assert case["child"]["birth_place"] == {"country": "SY", "locality": "Raqqa"}
    (mother,) = case["people"]
    assert (mother["relation"], mother["alive"], mother["citizenship"]) == ("mother", True, "KZ")
    assert case["assigned_to_me"] is True
    shown = body(client.get(response.headers["Location"]))
    assert f"Case {case['reference']} is open." in shown
    assert ARABIC_NAME in shown
    assert "2016 (year known)" in shown
    assert case["reference"] in listed(body(client.get("/cases")))


def test_a_relative_written_in_a_later_slot_is_kept(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    form = {
        "csrf_token": token,
        "child.Latn.given": "Aliya",
        "people.2.relation": "grandmother",
        "people.2.alive": "no",
        "people.2.Arab.given": "فاطمة",
    }

    response = client.post("/cases/new", data=form)

    assert response.status_code == 303
    case = api.case("lawyer", response.headers["Location"].removeprefix("/cases/"))
    (grandmother,) = case["people"]
    assert grandmother["relation"] == "grandmother" and grandmother["alive"] is False
    assert [(n["script"], n["given"]) for n in grandmother["names"]] == [("Arab", "فاطمة")]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {
                "child.Latn.given": "",
                "child.Latn.family": "",
                "child.Cyrl.given": " ",
                "child.Cyrl.family": "",
                "child.Arab.given": "",
                "child.Arab.family": "",
            },
            "child.names",
            "Give at least a given or a family name, in any script.",
        ),
        (
            {"child.Cyrl.given": "", "child.Cyrl.family": "", "child.Cyrl.patronymic": "Ивановна"},
            "child.Cyrl",
            "Give at least a given or a family name.",
        ),
        (
            {"child.birth_date.value": DAY_AFTER_TOMORROW},
            "child.birth_date.value",
            "The date must not be in the future.",
        ),
        (
            {"child.birth_date.value": "30/04/2016"},
            "child.birth_date.value",
            "Enter a date as year-month-day, for example 2016-04-30.",
        ),
        (
            {"child.birth_date.precision": "roughly"},
            "child.birth_date.precision",
            "Choose one of the options.",
        ),
        (
            {"child.birth_place.country": "K1"},
            "child.birth_place.country",
            "Choose a country from the list.",
        ),
        (
            {"child.birth_place.country": "ZZ"},
            "child.birth_place.country",
            "Choose a country from the list.",
        ),
        ({"child.Latn.given": "A" * 10_000}, "child.Latn.given", "This is too long."),
        ({"child.Arab.family": "ب" * 10_000}, "child.Arab.family", "This is too long."),
        ({"child.sex": "unknown-sex"}, "child.sex", "Choose one of the options."),
        ({"people.0.citizenship": "K1"}, "people.0.citizenship", "Choose a country from the list."),
        (
            {"people.1.Latn.given": "Saule"},
            "people.1.relation",
            "Choose how this person is related to the child, or clear their fields.",
        ),
        (
            {"people.0.Cyrl.given": "", "people.0.Cyrl.family": ""},
            "people.0.names",
            "Give at least a given or a family name, in any script.",
        ),
        ({"people.0.relation": "child"}, "people.0.relation", None),
        (
            {"people.0.whereabouts": "on the moon"},
            "people.0.whereabouts",
            "Choose one of the options.",
        ),
    ],
    ids=[
        "no names",
        "patronymic alone",
        "born the day after tomorrow",
        "date not ISO",
        "unknown precision",
        "country with a digit",
        "unknown country",
        "10 kB Latin name",
        "10 kB Arabic name",
        "unknown sex",
        "relative's citizenship",
        "relative without a relation",
        "relative without names",
        "relative who is the child",
        "unknown whereabouts",
    ],
)
def test_a_case_with_bad_particulars_is_not_opened_and_the_error_is_beside_its_field(
    api: Api,
    as_lawyer: tuple[FlaskClient, str],
    changes: dict[str, str],
    field: str,
    message: str | None,
) -> None:
    client, token = as_lawyer

    response = client.post("/cases/new", data={"csrf_token": token, **THREE_SCRIPTS, **changes})

    assert response.status_code == 422
    html = body(response)
    assert "The case was not opened: some fields need attention." in html
    if field.endswith((".Cyrl", ".names")):  # names as a whole: shown inside their group
        group = field_id(field.rsplit(".", 1)[0] + ".names")
        names = html.split(f'<fieldset id="{group}">', 1)[1].split("</fieldset>", 1)[0]
        assert f'<p class="field-error" id="{field_id(field)}-error">{message}</p>' in names
    elif message is None:
        assert field_error(html, field)
    else:
        assert field_error(html, field) == message
    assert case_total(api) == 0
    assert "Traceback" not in html


def test_a_rejected_form_keeps_what_the_lawyer_typed(as_lawyer: tuple[FlaskClient, str]) -> None:
    client, token = as_lawyer

    response = client.post(
        "/cases/new",
        data={"csrf_token": token, **THREE_SCRIPTS, "child.birth_date.value": DAY_AFTER_TOMORROW},
    )

    html = body(response)
    assert 'name="child.Cyrl.family" value="Нұрғалиева"' in html
    assert 'name="child.Arab.given" value="عالية"' in html
    assert f'name="child.birth_date.value" value="{DAY_AFTER_TOMORROW}"' in html


def test_only_lawyers_open_cases(api: Api, client: FlaskClient) -> None:
    token = sign_in(client, "registrar")

    shown = client.get("/cases/new")
    posted = client.post("/cases/new", data={"csrf_token": token, **THREE_SCRIPTS})

    assert shown.status_code == 403 and posted.status_code == 403
    assert "Only lawyers open cases." in body(posted)
    assert case_total(api) == 0


def test_opening_a_case_needs_the_pages_csrf_token(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, _token = as_lawyer

    response = client.post("/cases/new", data={"csrf_token": "forged", **THREE_SCRIPTS})

    assert response.status_code == 400
    assert case_total(api) == 0


# Changing its particulars


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
