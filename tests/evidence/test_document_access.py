"""Need-to-know for documents: lawyers read their cases' documents; an official reads what their
agency uploaded and the evidence of the tracks their kind of agency works; nobody else learns
that a document exists."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.evidence.helpers import document_rows
from tests.factories import Api, sample_pdf


@pytest.fixture
def dna_confirmed(api: Api) -> dict[str, str]:
    """A case whose DNA test the lawyer requested on a signed consent, the court authorised and
    the lab confirmed with its report; beside them, the child's identity record, never named as
    evidence. The case id and the document ids, by kind."""
    case = api.create_case()
    case_id = case["id"]
    identity = api.upload("lawyer", case_id, "identity_record", sample_pdf("Camp record"))
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    mother = api.person(case, "mother")
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("lawyer", "request", {"reference_person": mother, "relationship_tested": "maternity"}),
        ("judge", "authorize", {"ruling_number": "2-1187/2026"}),
        ("lab", "collect_samples", {"sample_ids": ["S-1"], "collected_on": yesterday}),
        ("lab", "confirm", {"report_number": "LR-2026-7", "probability": 0.9999}),
    ]
    for username, action, data in steps:  # each uploads the evidence its step needs
        api.step(username, case_id, "dna", action, data)
    documents = api.get("lawyer", f"/api/v1/cases/{case_id}/documents").json["documents"]
    by_kind = {document["kind"]: document["id"] for document in documents}
    assert by_kind.keys() == {"identity_record", "consent", "lab_report"}
    assert by_kind["identity_record"] == identity.json["id"]
    return {"case": case_id, **by_kind}


def listed_kinds(api: Api, username: str, case_id: str) -> set[str]:
    response = api.get(username, f"/api/v1/cases/{case_id}/documents")
    assert response.status_code == 200, response.json
    return {document["kind"] for document in response.json["documents"]}


def fetch(api: Api, username: str, document_id: str) -> TestResponse:
    return api.get(username, f"/api/v1/documents/{document_id}")


def answer(response: TestResponse) -> tuple[int, str | None, bytes]:
    return response.status_code, response.headers.get("Content-Type"), response.get_data()


def assert_hidden(api: Api, username: str, document_id: str) -> None:
    """Not served, and answered exactly as a document that does not exist."""
    hidden = fetch(api, username, document_id)
    assert hidden.status_code == 404
    assert hidden.json["error"]["code"] == "not_found"
    assert answer(hidden) == answer(fetch(api, username, str(uuid.uuid4())))


KINDS = {"identity_record", "consent", "lab_report"}


@pytest.mark.parametrize(
    ("username", "readable"),
    [
        ("lawyer", KINDS),
        ("judge", {"consent", "lab_report"}),  # the evidence of the DNA track, which it works
        ("lab", {"consent", "lab_report"}),  # the consent it worked from, the report it wrote
    ],
)
def test_each_reads_the_documents_their_part_of_the_case_needs(
    api: Api, dna_confirmed: dict[str, str], username: str, readable: set[str]
) -> None:
    case_id = dna_confirmed["case"]
    assert listed_kinds(api, username, case_id) == readable
    for kind in KINDS:
        if kind in readable:
            response = fetch(api, username, dna_confirmed[kind])
            assert response.status_code == 200, kind
            assert response.get_data().startswith(b"%PDF-")
        else:
            assert_hidden(api, username, dna_confirmed[kind])


def test_the_court_reads_the_consent_a_step_names_as_evidence_and_no_other(api: Api) -> None:
    case = api.create_case()
    named, unnamed = (
        api.upload("lawyer", case["id"], "consent", sample_pdf(text)).json["id"]
        for text in ("Signed consent", "Earlier draft of the consent")
    )
    api.record_consent("lawyer", case["id"], api.person(case, "mother"))
    data = {"reference_person": api.person(case, "mother"), "relationship_tested": "maternity"}
    assert_hidden(api, "judge", named)  # the case does not concern the court yet

    response = api.transition("lawyer", case["id"], "dna", "request", data, evidence_ids=[named])

    assert response.status_code == 200, response.json
    documents = api.get("judge", f"/api/v1/cases/{case['id']}/documents").json["documents"]
    assert [document["id"] for document in documents] == [named]
    assert fetch(api, "judge", named).get_data() == sample_pdf("Signed consent")
    assert_hidden(api, "judge", unnamed)


def test_the_civil_registry_never_reads_the_dna_evidence(
    api: Api, dna_confirmed: dict[str, str]
) -> None:
    case_id = dna_confirmed["case"]
    api.step("lawyer", case_id, "birth_registration", "file")
    api.step("registrar", case_id, "birth_registration", "take_review")
    assert api.get("registrar", f"/api/v1/cases/{case_id}").status_code == 200

    assert listed_kinds(api, "registrar", case_id) == set()
    for kind in KINDS:
        assert_hidden(api, "registrar", dna_confirmed[kind])
    own = api.upload("registrar", case_id, "identity_record", sample_pdf("Registry extract"))
    assert own.status_code == 201, own.json
    assert listed_kinds(api, "registrar", case_id) == {"identity_record"}
    assert fetch(api, "registrar", own.json["id"]).status_code == 200
    assert fetch(api, "lawyer", own.json["id"]).status_code == 200


@pytest.mark.parametrize(
    "username",
    ["lawyer2", "lawyer3", "citizenship", "guardianship", "auditor", "admin"],
    ids=[
        "colleague not assigned",
        "lawyer of another NGO",
        "citizenship service",
        "guardianship authority",
        "auditor",
        "admin",
    ],
)
def test_those_the_case_does_not_concern_learn_nothing_of_its_documents(
    app: Any, api: Api, dna_confirmed: dict[str, str], username: str
) -> None:
    case_id = dna_confirmed["case"]
    before = len(document_rows(app))

    listing = api.get(username, f"/api/v1/cases/{case_id}/documents")
    upload = api.upload(username, case_id, "other")

    for response in (listing, upload):
        assert response.status_code == 404, response.json
        assert response.json["error"]["code"] == "not_found"
    assert answer(listing) == answer(api.get(username, f"/api/v1/cases/{uuid.uuid4()}/documents"))
    for kind in KINDS:
        assert_hidden(api, username, dna_confirmed[kind])
    assert len(document_rows(app)) == before


def test_a_colleague_reads_the_documents_once_assigned(
    api: Api, dna_confirmed: dict[str, str]
) -> None:
    case_id = dna_confirmed["case"]
    assigned = api.post("lawyer", f"/api/v1/cases/{case_id}/assignments", {"username": "lawyer2"})
    assert assigned.status_code == 201
    assert listed_kinds(api, "lawyer2", case_id) == KINDS
    assert fetch(api, "lawyer2", dna_confirmed["lab_report"]).status_code == 200
