"""Cases at two steps, the people who may not see them, what a case looks like to its own
lawyer, and signed-in browsers: shared by the route matrix and the write refusals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from audit.models import AuditEvent
from tests.factories import ALL_SCRIPTS_CHILD, GRANDMOTHER, MOTHER_ABROAD, Api
from tests.web.helpers import sign_in
from workflow import db

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
    case = api.case("lawyer", case_id)
    return HiddenCase(
        case_id, case["reference"], case["version"], mother, document, consent, strangers
    )


def as_its_lawyer_sees_it(api: Api, case_id: str) -> dict[str, Any]:
    """The case, its version, history, documents and consents: what a refusal must not change."""
    return {
        part: api.get("lawyer", f"/api/v1/cases/{case_id}{part}").json
        for part in ("", "/history", "/documents", "/consents")
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


def last_outcome(app: Flask) -> str:
    """The outcome the trail recorded for the latest request: a page's refusal code."""
    with app.app_context():
        outcome = db.session().scalar(
            select(AuditEvent.outcome).order_by(AuditEvent.seq.desc()).limit(1)
        )
    assert outcome is not None
    return outcome
