"""The lawyer's pages: the list of their cases, opening a case, and working it from its page —
steps, documents, consents and forms — each failure shown beside the field that caused it, with
nothing saved, and every view and step left in the audit trail."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.test import TestResponse

from tests.audit.helpers import events, outcome_of
from tests.factories import Api, sample_pdf
from tests.web.helpers import body, row_of, sign_in
from workflow import transactions
from workflow.models import TrackState

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
OTHER_PEOPLE = [
    {
        "relation": "father",
        "names": [{"script": "Cyrl", "given": "Марат", "family": "Садыков"}],
        "alive": False,
    }
]
OTHER_CHILD = {
    "names": [
        {"script": "Latn", "given": "Timur", "family": "Sadykov"},
        {"script": "Cyrl", "given": "Тимур", "family": "Садыков"},
        {"script": "Arab", "given": "تيمور", "family": "صادقوف"},
    ],
    "sex": "male",
    "birth_date": {"value": "2017-05-01", "precision": "month"},
    "birth_place": {"country": "IQ", "locality": "Mosul"},
}


def answer(response: TestResponse) -> Any:
    """The API's JSON answer."""
    assert response.json is not None, response.status_code
    return response.json


@pytest.fixture
def as_lawyer(client: FlaskClient, accounts: Any) -> tuple[FlaskClient, str]:
    """The lawyer's browser, signed in, and the CSRF token its forms carry."""
    return client, sign_in(client, "lawyer")


def search(client: FlaskClient, token: str, name: str) -> TestResponse:
    """Search my cases by name, as the list's search form does: posted, never in the address."""
    return client.post("/cases", data={"csrf_token": token, "q": name})


def field_id(name: str) -> str:
    """The id a page gives the field `name` (see the `field_id` filter)."""
    return "f-" + name.replace(".", "-").replace("_", "-")


def field_error(html: str, name: str, input_id: str | None = None) -> str:
    """The error shown beside the form field `name`, which points to it for screen readers."""
    fid = field_id(name)
    found = re.search(
        rf'<p class="field-error" id="{fid}-error">([^<]+)</p>\s*'
        rf'<(?:input|select|textarea)[^>]*\bid="{input_id or fid}"[^>]*'
        rf'aria-describedby="{fid}-error"',
        html,
    )
    assert found, f"no error beside {name}"
    return found.group(1)


def field_errors(html: str) -> list[str]:
    return re.findall(r'<p class="field-error" id="f-([^"]+)-error">', html)


def listed(html: str) -> list[str]:
    return re.findall(r">(HW-[A-Z0-9-]+)</a>", html)


def backdate(app: Flask, case_id: str, track: str, days: int) -> None:
    """Move the time a track entered its state `days` back, as if it had waited that long."""
    since = datetime.now(UTC) - timedelta(days=days)
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(
            update(TrackState)
            .where(TrackState.case_id == uuid.UUID(case_id), TrackState.track == track)
            .values(since=since)
        )


def case_total(api: Api) -> int:
    return int(answer(api.get("lawyer", "/api/v1/cases"))["total"])


def step_form(case: dict[str, Any], token: str, track: str, action: str, **data: str) -> Any:
    return {
        "csrf_token": token,
        "track": track,
        "action": action,
        "version": str(case["version"]),
        "last_step": "0",
        **{f"data.{name}": value for name, value in data.items()},
    }


def history(api: Api, case_id: str) -> list[tuple[str, str]]:
    rows = answer(api.get("lawyer", f"/api/v1/cases/{case_id}/history"))["history"]
    return [(row["track"], row["action"]) for row in rows]


# The list of my cases


def test_the_list_shows_my_cases_with_where_each_track_stands(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, _token = as_lawyer
    first, second = api.create_case(), api.create_case(child=OTHER_CHILD, people=OTHER_PEOPLE)
    api.step("lawyer", second["id"], "parentage", "file_petition", {"grounds": "No relative"})

    html = body(client.get("/cases"))

    assert sorted(listed(html)) == sorted([first["reference"], second["reference"]])
    assert "2 cases" in html
    row = row_of(html, second["reference"])
    assert "Parentage: petition filed" in row
    assert "DNA kinship: not started" in row and "Guardianship: required" in row
    assert "Sadykov" in row and "Aliya" not in row
    assert "Parentage: not started" in row_of(html, first["reference"])


def test_the_list_marks_overdue_cases_and_can_show_only_them(
    app: Flask, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, _token = as_lawyer
    late, on_time = api.create_case(), api.create_case(child=OTHER_CHILD, people=OTHER_PEOPLE)
    for case in (late, on_time):
        api.step("lawyer", case["id"], "parentage", "file_petition", {"grounds": "No relative"})
    backdate(app, late["id"], "parentage", 61)  # the target is 60 days
    backdate(app, on_time["id"], "parentage", 59)

    html = body(client.get("/cases"))

    assert '<li class="badge late">Parentage: petition filed — overdue</li>' in row_of(
        html, late["reference"]
    )
    assert "overdue" not in row_of(html, on_time["reference"])
    assert listed(body(client.get("/cases?overdue=1"))) == [late["reference"]]


@pytest.mark.parametrize("name", ["Нұрғ", "нұрғалиева", "عالية", "aliya", "NURGAL", "Әлия"])
def test_a_name_search_in_any_script_finds_the_child(
    api: Api, as_lawyer: tuple[FlaskClient, str], name: str
) -> None:
    client, token = as_lawyer
    wanted, other = api.create_case(), api.create_case(child=OTHER_CHILD, people=OTHER_PEOPLE)

    response = search(client, token, name)

    assert response.status_code == 200
    assert listed(body(response)) == [wanted["reference"]]
    assert other["reference"] not in body(response)


def test_a_search_that_matches_no_one_lists_nothing(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    api.create_case()

    html = body(search(client, token, "Тимур"))

    assert listed(html) == [] and "0 cases" in html


def test_a_name_searched_for_never_enters_an_address(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    """Browser history and proxy logs keep addresses: a child's name must not be in one."""
    client, token = as_lawyer
    for _ in range(26):
        api.create_case()

    html = body(client.post("/cases", data={"csrf_token": token, "q": "Aliya", "page": "2"}))

    assert re.search(r'<form method="post"[^>]*role="search"', html)
    assert len(listed(html)) == 1 and "Page 2 of 2" in html
    assert "Aliya" not in " ".join(re.findall(r'(?:href|action)="([^"]*)"', html))
    assert 'name="q" value="Aliya"' in html  # the next page is posted with the search


def test_a_search_needs_the_pages_csrf_token(api: Api, as_lawyer: tuple[FlaskClient, str]) -> None:
    client, _token = as_lawyer
    api.create_case()

    response = client.post("/cases", data={"q": "Aliya"})

    assert response.status_code == 400


def test_the_list_pages_through_many_cases(api: Api, as_lawyer: tuple[FlaskClient, str]) -> None:
    client, _token = as_lawyer
    created = {api.create_case()["reference"] for _ in range(26)}  # a page holds 25

    first, second = body(client.get("/cases")), body(client.get("/cases?page=2"))

    assert len(listed(first)) == 25 and len(listed(second)) == 1
    assert set(listed(first)) | set(listed(second)) == created
    assert '<button type="submit" name="page" value="2"' in first and "Page 1 of 2" in first


@pytest.mark.parametrize("page_number", ["0", "-1", "abc", "9" * 30])
def test_a_bad_page_number_is_a_clean_422_page(
    api: Api, as_lawyer: tuple[FlaskClient, str], page_number: str
) -> None:
    client, _token = as_lawyer
    api.create_case()

    response = client.get(f"/cases?page={page_number}")

    assert response.status_code == 422
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("other_lawyer", ["lawyer3", "lawyer2"])
def test_another_lawyers_case_is_neither_listed_nor_shown(
    api: Api, client: FlaskClient, other_lawyer: str
) -> None:
    theirs = api.create_case(other_lawyer, child=OTHER_CHILD, people=OTHER_PEOPLE)
    mine = api.create_case()
    token = sign_in(client, "lawyer")

    listing = body(client.get("/cases"))
    response = client.get(f"/cases/{theirs['id']}")

    assert listed(listing) == [mine["reference"]]
    assert response.status_code == 404
    assert "There is no such case." in body(response)  # as if it did not exist at all
    assert theirs["reference"] not in body(response) and "Sadykov" not in body(response)
    searched = body(search(client, token, "Sadykov"))
    assert listed(searched) == []


@pytest.mark.parametrize(
    "case_id", ["not-a-case", "5f0b2c1e-8d3a-4e6f-9b7c-1a2d3e4f5a6b", "x" * 5000, "HW-0000"]
)
def test_an_unknown_case_is_a_404_page(as_lawyer: tuple[FlaskClient, str], case_id: str) -> None:
    client, _token = as_lawyer

    response = client.get(f"/cases/{case_id}")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "That did not work" in body(response)
    assert "There is no such case." in body(response)


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


TOMORROW = (date.today() + timedelta(days=1)).isoformat()


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
            {"child.birth_date.value": TOMORROW},
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
        "born tomorrow",
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
        data={"csrf_token": token, **THREE_SCRIPTS, "child.birth_date.value": TOMORROW},
    )

    html = body(response)
    assert 'name="child.Cyrl.family" value="Нұрғалиева"' in html
    assert 'name="child.Arab.given" value="عالية"' in html
    assert f'name="child.birth_date.value" value="{TOMORROW}"' in html


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


# Steps


def test_a_step_with_a_missing_field_shows_the_error_beside_it_and_changes_nothing(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case = api.create_case()

    response = client.post(
        f"/cases/{case['id']}/steps",
        data=step_form(case, token, "parentage", "file_petition", grounds="  "),
    )

    assert response.status_code == 422
    html = body(response)
    assert field_error(html, "parentage-file_petition-data.grounds") == "Fill this in."
    assert field_errors(html) == ["parentage-file-petition-data-grounds"]  # and nowhere else
    assert "Some fields need attention" in html
    after = api.case("lawyer", case["id"])
    assert after["tracks"]["parentage"]["state"] == "not_started"
    assert after["version"] == case["version"]
    assert history(api, case["id"]) == []


def test_a_step_with_a_bad_choice_shows_the_error_beside_that_choice(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case = api.create_case()
    grandmother = api.person(case, "grandmother")
    document = answer(api.upload("lawyer", case["id"], "consent"))["id"]
    api.record_consent("lawyer", case["id"], grandmother)
    fresh = api.case("lawyer", case["id"])
    form = step_form(
        fresh, token, "dna", "request", reference_person=grandmother, relationship_tested="cousin"
    )

    response = client.post(f"/cases/{case['id']}/steps", data={**form, "evidence_ids": [document]})

    assert response.status_code == 422
    assert field_error(body(response), "dna-request-data.relationship_tested")
    assert api.case("lawyer", case["id"])["tracks"]["dna"]["state"] == "not_started"


def test_a_step_taken_on_an_out_of_date_page_is_refused_and_says_what_changed(
    app: Flask, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case = api.create_case()
    api.post("lawyer", f"/api/v1/cases/{case['id']}/assignments", {"username": "lawyer2"})
    drawn = api.case("lawyer", case["id"])  # the page the lawyer has open
    api.step("lawyer2", case["id"], "parentage", "file_petition", {"grounds": "No relative"})

    response = client.post(
        f"/cases/{case['id']}/steps",
        data=step_form(drawn, token, "birth_registration", "file"),
    )

    assert (response.status_code, outcome_of(app, response)) == (409, "stale_version")
    html = body(response)
    assert "Someone else changed this case while you had it open, so nothing was saved." in html
    assert "Parentage: File the petition (not started → petition filed), lawyer2" in html
    after = api.case("lawyer", case["id"])
    assert after["tracks"]["birth_registration"]["state"] == "not_started"
    assert history(api, case["id"]) == [("parentage", "file_petition")]


def test_a_step_redirects_to_the_case_whose_timeline_shows_it(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case = api.create_case()

    response = client.post(
        f"/cases/{case['id']}/steps",
        data={
            **step_form(case, token, "parentage", "file_petition", grounds="No living relative"),
            "note": "Filed at the district court",
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case['id']}"
    html = body(client.get(response.headers["Location"]))
    assert "Step taken: Parentage, File the petition." in html
    timeline = html.split('id="timeline-heading"')[1]
    assert "Parentage: File the petition" in timeline
    assert "(not started → petition filed)" in timeline
    assert "No living relative" in timeline and "Filed at the district court" in timeline
    assert "lawyer," in timeline
    after = api.case("lawyer", case["id"])
    assert after["tracks"]["parentage"]["state"] == "petition_filed"
    assert after["version"] == case["version"] + 1


def test_a_step_the_case_does_not_offer_is_refused(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case = api.create_case()

    responses = [
        client.post(f"/cases/{case['id']}/steps", data=step_form(case, token, track, action))
        for track, action in [
            ("birth_registration", "register"),  # the registry's step, and not yet
            ("citizenship", "file"),  # its prerequisites are missing
            ("no_such_track", "file"),
        ]
    ]

    assert [r.status_code for r in responses] == [403, 409, 422]
    for response in responses:  # the page says why, although the step has no form on it
        assert re.search(r'class="notice error" role="alert"><p>[^<]+</p>', body(response))
    assert all("Traceback" not in body(r) for r in responses)
    assert history(api, case["id"]) == []


def test_a_step_without_the_csrf_token_is_refused(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, _token = as_lawyer
    case = api.create_case()
    form = step_form(case, "", "parentage", "file_petition", grounds="No relative")
    del form["csrf_token"]

    response = client.post(f"/cases/{case['id']}/steps", data=form)

    assert response.status_code == 400
    assert history(api, case["id"]) == []


# Documents, consents, forms


def upload(client: FlaskClient, token: str, case_id: str, content: bytes, name: str) -> Any:
    return client.post(
        f"/cases/{case_id}/documents",
        data={"csrf_token": token, "kind": "consent", "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def documents(api: Api, case_id: str) -> list[dict[str, Any]]:
    return list(answer(api.get("lawyer", f"/api/v1/cases/{case_id}/documents"))["documents"])


def test_uploading_a_pdf_attaches_it_to_the_case(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case = api.create_case()
    pdf = sample_pdf("Consent of the grandmother")

    response = upload(client, token, case["id"], pdf, "Nurgalieva consent.pdf")

    assert response.status_code == 303
    (document,) = documents(api, case["id"])
    assert document["kind"] == "consent"
    html = body(client.get(f"/cases/{case['id']}"))
    assert "The document is uploaded." in html
    # Told apart from other consents by its short id, and the time it came.
    assert f'href="/documents/{document["id"]}">signed consent {document["id"][:8]}, ' in html
    assert "Nurgalieva consent.pdf" not in html  # the file's name may name the child
    download = client.get(f"/documents/{document['id']}")
    assert download.status_code == 200 and download.data == pdf
    assert download.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("content", "name", "status", "outcome"),
    [
        (b"Just some text pretending to be a scan\n", "scan.pdf", 415, "unsupported_media_type"),
        (b"%PDF-1.7\n" + b"not really a PDF" * 10, "scan.pdf", 422, "invalid_input"),
        (b"<script>alert(1)</script>", "scan.pdf", 415, "unsupported_media_type"),
        (b"", "empty.pdf", 422, "invalid_input"),  # no file at all
    ],
    ids=["text", "PDF header only", "HTML", "empty"],
)
def test_a_file_that_is_not_what_it_claims_is_refused_beside_the_file_field(
    app: Flask,
    api: Api,
    as_lawyer: tuple[FlaskClient, str],
    content: bytes,
    name: str,
    status: int,
    outcome: str,
) -> None:
    client, token = as_lawyer
    case = api.create_case()

    response = upload(client, token, case["id"], content, name)

    assert (response.status_code, outcome_of(app, response)) == (status, outcome)
    html = body(response)
    assert field_error(html, "file", input_id="file")
    assert "<script>alert(1)</script>" not in html
    assert documents(api, case["id"]) == []


def test_an_upload_without_a_file_asks_for_one(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case = api.create_case()

    response = client.post(
        f"/cases/{case['id']}/documents",
        data={"csrf_token": token, "kind": "consent"},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert field_error(body(response), "file", input_id="file") == "Fill this in."
    assert documents(api, case["id"]) == []


def consents(api: Api, case_id: str) -> list[dict[str, Any]]:
    return list(answer(api.get("lawyer", f"/api/v1/cases/{case_id}/consents"))["consents"])


def test_recording_a_consent(api: Api, as_lawyer: tuple[FlaskClient, str]) -> None:
    client, token = as_lawyer
    case = api.create_case()
    grandmother = api.person(case, "grandmother")

    response = client.post(
        f"/cases/{case['id']}/consents",
        data={
            "csrf_token": token,
            "person_id": grandmother,
            "purpose": "dna_testing",
            "given_on": "2026-01-15",
            "document_id": "",
        },
    )

    assert response.status_code == 303
    (consent,) = consents(api, case["id"])
    assert (consent["person_id"], consent["purpose"]) == (grandmother, "dna_testing")
    html = body(client.get(f"/cases/{case['id']}"))
    assert "The consent is recorded." in html
    assert "DNA testing: grandmother: \u2068Сәуле Нұрғалиева\u2069, 2026-01-15" in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"person_id": ""}, "person_id"),
        ({"person_id": "not-a-person"}, "person_id"),
        ({"purpose": "marriage"}, "purpose"),
        ({"given_on": ""}, "given_on"),
        ({"given_on": TOMORROW}, "given_on"),
    ],
    ids=["no person", "malformed person", "unknown purpose", "no date", "tomorrow"],
)
def test_a_consent_with_a_bad_field_shows_the_error_beside_it(
    api: Api, as_lawyer: tuple[FlaskClient, str], changes: dict[str, str], field: str
) -> None:
    client, token = as_lawyer
    case = api.create_case()
    form = {
        "csrf_token": token,
        "person_id": api.person(case, "grandmother"),
        "purpose": "dna_testing",
        "given_on": "2026-01-15",
        **changes,
    }

    response = client.post(f"/cases/{case['id']}/consents", data=form)

    assert response.status_code == 422
    assert field_error(body(response), field)
    assert consents(api, case["id"]) == []


def test_a_consent_of_someone_on_another_case_is_refused(
    app: Flask, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case, other = api.create_case(), api.create_case()

    response = client.post(
        f"/cases/{case['id']}/consents",
        data={
            "csrf_token": token,
            "person_id": api.person(other, "mother"),
            "purpose": "dna_testing",
            "given_on": "2026-01-15",
        },
    )

    assert (response.status_code, outcome_of(app, response)) == (422, "invalid_input")
    assert consents(api, case["id"]) == [] and consents(api, other["id"]) == []


def form_kinds(html: str, case_id: str) -> list[str]:
    return re.findall(rf'action="/cases/{case_id}/forms/([a-z-]+)"', html)


@pytest.mark.parametrize("variant", ["full", "redacted"])
def test_generating_a_form_downloads_a_signed_pdf(
    api: Api, as_lawyer: tuple[FlaskClient, str], variant: str
) -> None:
    client, token = as_lawyer
    case = api.create_case()
    kinds = form_kinds(body(client.get(f"/cases/{case['id']}")), case["id"])
    assert "birth-registration" in kinds and "case-summary" in kinds

    response = client.post(
        f"/cases/{case['id']}/forms/birth-registration",
        data={"csrf_token": token, "variant": variant},
    )

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment")
    code = response.headers["X-Verification-Code"]
    verified = client.get(f"/verify/{code}", headers={"Accept": "application/json"})
    assert verified.status_code == 200


def test_an_unknown_form_is_refused_cleanly(
    app: Flask, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case = api.create_case()

    response = client.post(
        f"/cases/{case['id']}/forms/love-letter", data={"csrf_token": token, "variant": "full"}
    )

    assert (response.status_code, outcome_of(app, response)) == (404, "not_found")
    assert response.mimetype == "text/html"


# The audit trail


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
