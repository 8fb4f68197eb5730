"""Cases at two steps, the people who may not see them, what a case looks like to its own
lawyer, and signed-in browsers: shared by the route matrix and the write refusals."""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from tests.audit.helpers import outcome_of
from tests.factories import ALL_SCRIPTS_CHILD, GRANDMOTHER, MOTHER_ABROAD, Api, sample_pdf
from tests.web.helpers import sign_in
from workflow import transactions
from workflow.db import Base

OFFICIALS = ("registrar", "judge", "lab", "guardianship", "citizenship")
# Nobody but the lawyer who opened it may see a case no step has reached yet.
STRANGERS_TO_A_FRESH_CASE = ("lawyer2", "lawyer3", *OFFICIALS, "auditor", "admin")
# Once a court authorised its DNA test, the court and the laboratories see it too.
STRANGERS_TO_AN_AUTHORIZED_CASE = (
    "lawyer2",
    "lawyer3",
    "registrar",
    "guardianship",
    "citizenship",
    "auditor",
    "admin",
)
EVERYONE = ("lawyer", "lawyer2", "lawyer3", *OFFICIALS, "auditor", "admin")
# What must never reach someone who may not see the case: every name in every script, where the
# child was born and where she lives now.
PERSONAL_DATA = tuple(
    {
        part
        for person in (ALL_SCRIPTS_CHILD, MOTHER_ABROAD, GRANDMOTHER)
        for name in person["names"]
        for part in (name["given"], name["family"])
    }
    | {ALL_SCRIPTS_CHILD["residence"], ALL_SCRIPTS_CHILD["birth_place"]["locality"]}
)
MOTHER = "<the mother's id>"  # stands for the hidden case's mother in a body
VERSION = "<the case's version>"  # stands for the hidden case's version in a page's form
CONSENT = {"person_id": MOTHER, "purpose": "dna_testing", "given_on": "2026-01-15"}
REASON = "The guardian called the hotline and asked where the DNA test stands."  # break-glass
SCAN = sample_pdf()
HIDDEN = (404, "not_found")
NOT_THEIRS = (403, "not_permitted")
CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]*(")')


@dataclass(frozen=True)
class HiddenCase:
    """A case of the lawyer's with a document and a consent, and who may not see it."""

    id: str
    reference: str
    version: int
    mother: str
    document: str
    consent: str
    strangers: tuple[str, ...]
    family: str


@dataclass(frozen=True)
class Call:
    """How to call one endpoint: the body (JSON, or a page's form), If-Match, a file, and whom
    to ask when it is not everyone who may not see the case."""

    body: dict[str, Any] | None = None
    if_match: bool = False
    upload: bool = False
    refused: tuple[str, ...] | None = None


@dataclass
class Asker:
    """Sends one request as a user, to the API with a token or to a page from a browser."""

    api: Api
    pages: dict[str, Any] = field(default_factory=dict)

    def send(self, who: str, method: str, path: str, call: Call, case: HiddenCase) -> TestResponse:
        body = {key: filled(value, case) for key, value in (call.body or {}).items()}
        if path.startswith("/api/"):
            return self._to_api(who, method, path, call, body, case)
        browser, token = self.pages[who]
        if method == "POST":
            body["csrf_token"] = token
        if call.upload:
            body["file"] = (io.BytesIO(SCAN), "scan.pdf")
        return browser.open(path, method=method, data=body if method == "POST" else None)

    def query(self, who: str, method: str, address: str, named: dict[str, str]) -> TestResponse:
        """Name the case in a query string, or type it in the case list's search box."""
        path = address.format(case=named["case"])
        if path.startswith("/api/"):
            return self.api.client.open(path, method=method, headers=self.api.headers(who))
        browser, token = self.pages[who]
        form = {"csrf_token": token, "q": named["case"]} if method == "POST" else None
        return browser.open(path, method=method, data=form, follow_redirects=True)

    def _to_api(
        self, who: str, method: str, path: str, call: Call, body: dict[str, Any], case: HiddenCase
    ) -> TestResponse:
        headers = self.api.headers(who)
        if call.if_match:
            headers["If-Match"] = f'"{case.version}"'
        if call.upload:
            body["file"] = (io.BytesIO(SCAN), "scan.pdf")
            return self.api.client.open(path, method=method, data=body, headers=headers)
        json = body if call.body is not None else None
        return self.api.client.open(path, method=method, json=json, headers=headers)


def filled(value: Any, case: HiddenCase) -> Any:
    """The body's value, with the hidden case's mother or version put for what stands for them."""
    if not isinstance(value, str):
        return value
    return {MOTHER: case.mother, VERSION: str(case.version)}.get(value, value)


def fresh_case(api: Api) -> HiddenCase:
    """A case just opened, with a scanned consent of the mother's recorded and nothing more."""
    case = api.create_case()
    mother = api.person(case, "mother")
    document = api.upload("lawyer", case["id"], "consent").json["id"]
    consent = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/consents",
        {"person_id": mother, "purpose": "dna_testing", "given_on": "2026-01-15"},
    ).json["id"]
    return _hidden(api, case["id"], mother, document, consent, STRANGERS_TO_A_FRESH_CASE)


def authorized_case(api: Api) -> HiddenCase:
    """A case whose DNA test the court authorised: it now waits on the laboratories."""
    case = api.create_case()
    api.request_dna(case)
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "2-1187/2026"})
    document = api.get("lawyer", f"/api/v1/cases/{case['id']}/documents").json["documents"][0]
    consent = api.get("lawyer", f"/api/v1/cases/{case['id']}/consents").json["consents"][0]
    mother = api.person(case, "mother")
    return _hidden(
        api, case["id"], mother, document["id"], consent["id"], STRANGERS_TO_AN_AUTHORIZED_CASE
    )


def _hidden(
    api: Api, case_id: str, mother: str, document: str, consent: str, strangers: tuple[str, ...]
) -> HiddenCase:
    # A sibling's case, opened as hers, puts the case in a family that is hidden with it.
    brother = {"names": [{"script": "Cyrl", "given": "Нұрлан", "family": "Нұрғалиев"}]}
    # Each hidden case gets its brother: opened again knowingly, as the factories' child is.
    sibling = {"child": {**brother, "sex": "male"}, "family_of": case_id, "confirm_distinct": True}
    assert api.post("lawyer", "/api/v1/cases", sibling).status_code == 201
    case = api.case("lawyer", case_id)
    return HiddenCase(
        case_id,
        case["reference"],
        case["version"],
        mother,
        document,
        consent,
        strangers,
        case["family"]["id"],
    )


def as_its_lawyer_sees_it(api: Api, case_id: str) -> dict[str, Any]:
    """The case, its version, history, documents and consents: what a refusal must not change."""
    return {
        part: api.get("lawyer", f"/api/v1/cases/{case_id}{part}").json
        for part in ("", "/history", "/documents", "/consents")
    }


def stored_rows(app: Flask, case_id: str) -> dict[str, list[str]]:
    """Every row the database keeps about the case, in every table but the trail's (which a
    refusal joins): the case, its people, steps, documents, consents, forms, grants."""
    key = uuid.UUID(case_id)
    with app.app_context():
        session = transactions.session()
        return {
            table.name: sorted(
                repr(row) for row in session.execute(select(table).where(column == key))
            )
            for table in Base.metadata.sorted_tables
            if not table.name.startswith("audit")
            and (column := table.c.id if table.name == "cases" else table.c.get("case_id"))
            is not None
        }


def browsers(app: Flask, usernames: tuple[str, ...]) -> dict[str, tuple[FlaskClient, str]]:
    """A browser signed in through the sign-in page for each user, with its CSRF token."""
    signed_in = {}
    for username in usernames:
        browser = app.test_client()
        signed_in[username] = (browser, sign_in(browser, username))
    return signed_in


def without_tokens(html: str) -> str:
    """The page without what differs from one request to the next: its forms' CSRF values."""
    return CSRF_VALUE.sub(r"\1\2", html)


def names_nobody(text: str, case: HiddenCase) -> bool:
    """Neither a name, a place of the family's, nor the case's reference appears in the text."""
    return not any(secret in text for secret in (*PERSONAL_DATA, case.reference))


def answer_of(app: Flask, response: TestResponse) -> tuple[int, str | None]:
    """The status and the error code: the API's JSON, or the refusal a page left in the trail."""
    if response.mimetype == "application/json":
        return response.status_code, (response.json or {}).get("error", {}).get("code")
    assert response.mimetype == "text/html", response.mimetype
    return response.status_code, outcome_of(app, response)
