"""What the case page's forms do (`web/views/steps.py`): take a step, upload a document, record a
consent, generate a form; each failure shown beside the field that caused it, with nothing
saved."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.audit.helpers import outcome_of
from tests.factories import Api, sample_pdf
from tests.web.helpers import DAY_AFTER_TOMORROW, answer, body, field_error, field_errors, step_form


def history(api: Api, case_id: str) -> list[tuple[str, str]]:
    rows = answer(api.get("lawyer", f"/api/v1/cases/{case_id}/history"))["history"]
    return [(row["track"], row["action"]) for row in rows]


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
    assert "DNA testing: grandmother: \u2068Сәуле Нұрғалиева\u2069, Jan 15, 2026" in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"person_id": ""}, "person_id"),
        ({"person_id": "not-a-person"}, "person_id"),
        ({"purpose": "marriage"}, "purpose"),
        ({"given_on": ""}, "given_on"),
        ({"given_on": DAY_AFTER_TOMORROW}, "given_on"),
    ],
    ids=["no person", "malformed person", "unknown purpose", "no date", "the day after tomorrow"],
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
