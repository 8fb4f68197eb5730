"""Test helpers that use Homeward the way its users do: over HTTP, with real tokens."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient
from reportlab.pdfgen.canvas import Canvas
from werkzeug.test import TestResponse

from workflow.identity.keys import SigningKey
from workflow.identity.tokens import key_ring

ALL_SCRIPTS_CHILD: dict[str, Any] = {
    "names": [
        {"script": "Cyrl", "given": "Әлия", "family": "Нұрғалиева"},
        {"script": "Arab", "given": "عالية", "family": "نورغالييفا"},
        {"script": "Latn", "given": "Aliya", "family": "Nurgalieva"},
    ],
    "sex": "female",
    "birth_date": {"value": "2016-01-01", "precision": "year"},
    "birth_place": {"country": "SY", "locality": "Raqqa"},
    "languages": ["kk", "ar"],
    "residence": "With her grandmother, Almaty region",
}
MOTHER_ABROAD: dict[str, Any] = {
    "relation": "mother",
    "names": [{"script": "Cyrl", "given": "Гүлнар", "family": "Нұрғалиева"}],
    "alive": True,
    "whereabouts": "detained_abroad",
    "citizenship": "KZ",
}
GRANDMOTHER: dict[str, Any] = {
    "relation": "grandmother",
    "names": [{"script": "Cyrl", "given": "Сәуле", "family": "Нұрғалиева"}],
    "alive": True,
    "whereabouts": "in_country",
    "citizenship": "KZ",
}


# Her brothers and sisters: other children of the same mother, each with a given name, a sex and a
# birth year of its own, the family name as it is written for a boy or a girl.
SIBLINGS: tuple[tuple[dict[str, str], str, str], ...] = (
    ({"Cyrl": "Ерлан", "Arab": "يرلان", "Latn": "Yerlan"}, "male", "2014-01-01"),
    ({"Cyrl": "Зарина", "Arab": "زارينا", "Latn": "Zarina"}, "female", "2018-01-01"),
    ({"Cyrl": "Тимур", "Arab": "تيمور", "Latn": "Timur"}, "male", "2019-01-01"),
    ({"Cyrl": "Данияр", "Arab": "دانيار", "Latn": "Daniyar"}, "male", "2020-01-01"),
)
FAMILY_NAMES: dict[str, dict[str, str]] = {
    "female": {"Cyrl": "Нұрғалиева", "Arab": "نورغالييفا", "Latn": "Nurgalieva"},
    "male": {"Cyrl": "Нұрғалиев", "Arab": "نورغالييف", "Latn": "Nurgaliev"},
}


def sibling(number: int = 1) -> dict[str, Any]:
    """The first child's brother or sister (1 to 4): the same family, another child."""
    given, sex, born = SIBLINGS[number - 1]
    names = [
        {"script": script, "given": given[script], "family": FAMILY_NAMES[sex][script]}
        for script in ("Cyrl", "Arab", "Latn")
    ]
    birth_date = {"value": born, "precision": "year"}
    return {**ALL_SCRIPTS_CHILD, "names": names, "sex": sex, "birth_date": birth_date}


def sample_pdf(text: str = "Homeward test document") -> bytes:
    """A real one-page PDF with a line of text, as a scanner or a word processor would make."""
    out = io.BytesIO()
    canvas = Canvas(out, invariant=True)
    canvas.drawString(72, 720, text)
    canvas.save()
    return out.getvalue()


class Api:
    """Sign in as demo users and call the API; remembers each user's token."""

    def __init__(self, client: FlaskClient, password: str) -> None:
        self.client = client
        self.password = password
        self._tokens: dict[str, str] = {}
        self._workflow: dict[tuple[str, str], dict[str, Any]] = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            response = self.client.post(
                "/api/v1/auth/login", json={"username": username, "password": self.password}
            )
            assert response.status_code == 200, response.json
            self._tokens[username] = response.json["access_token"]
        return self._tokens[username]

    def headers(self, username: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}", **extra}

    def get(self, username: str, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, headers=self.headers(username), **kwargs)

    def post(self, username: str, path: str, body: Any = None, **headers: str) -> TestResponse:
        return self.client.post(path, json=body, headers=self.headers(username, **headers))

    def patch(self, username: str, path: str, body: Any, **headers: str) -> TestResponse:
        return self.client.patch(path, json=body, headers=self.headers(username, **headers))

    def create_case(self, username: str = "lawyer", **overrides: Any) -> dict[str, Any]:
        """Open a case with a child named in three scripts, the mother abroad, a grandmother."""
        # The same child each time: opened again knowingly, as if confirmed distinct.
        body = {"child": ALL_SCRIPTS_CHILD, "people": [MOTHER_ABROAD, GRANDMOTHER]}
        body = {**body, "confirm_distinct": True, **overrides}
        response = self.post(username, "/api/v1/cases", body)
        assert response.status_code == 201, response.json
        return dict(response.json)

    def case(self, username: str, case_id: str) -> dict[str, Any]:
        response = self.get(username, f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.json
        return dict(response.json)

    def person(self, case: dict[str, Any], relation: str) -> str:
        return next(p["id"] for p in case["people"] if p["relation"] == relation)

    def transition(
        self,
        username: str,
        case_id: str,
        track: str,
        action: str,
        data: dict[str, Any] | None = None,
        version: int | None = None,
        evidence_ids: list[str] | None = None,
    ) -> TestResponse:
        """Take one step, sending If-Match with the version the user sees now unless given, and
        the evidence the step needs (uploaded, and consents recorded, as the user) unless given.
        """
        if evidence_ids is None:
            evidence_ids = self.provide_evidence(username, case_id, track, action, data)
        if version is None:
            version = self.case_version(username, case_id)
        body = {"track": track, "action": action, "data": data or {}, "evidence_ids": evidence_ids}
        return self.post(
            username, f"/api/v1/cases/{case_id}/transitions", body, **{"If-Match": f'"{version}"'}
        )

    def step(
        self,
        username: str,
        case_id: str,
        track: str,
        action: str,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Take one step that must succeed; return the updated case."""
        response = self.transition(username, case_id, track, action, data)
        assert response.status_code == 200, (track, action, response.json)
        return dict(response.json)

    def request_dna(self, case: dict[str, Any], username: str = "lawyer") -> dict[str, Any]:
        """The lawyer's first step on most cases: a maternity test against the mother."""
        data = {"reference_person": self.person(case, "mother"), "relationship_tested": "maternity"}
        return self.step(username, case["id"], "dna", "request", data)

    def upload(
        self,
        username: str,
        case_id: str,
        kind: str,
        content: bytes | None = None,
        filename: str = "scan.pdf",
    ) -> TestResponse:
        """Upload a document to the case as a browser would, in a multipart form."""
        return self.client.post(
            f"/api/v1/cases/{case_id}/documents",
            data={
                "kind": kind,
                "file": (io.BytesIO(sample_pdf() if content is None else content), filename),
            },
            headers=self.headers(username),
            content_type="multipart/form-data",
        )

    def record_consent(
        self, username: str, case_id: str, person_id: str, purpose: str = "dna_testing"
    ) -> TestResponse:
        return self.post(
            username,
            f"/api/v1/cases/{case_id}/consents",
            {"person_id": person_id, "purpose": purpose, "given_on": "2026-01-15"},
        )

    def provide_evidence(
        self,
        username: str,
        case_id: str,
        track: str,
        action: str,
        data: dict[str, Any] | None = None,
    ) -> list[str]:
        """Upload a document of each kind the step needs and record the consents it needs, as
        the user taking the step; whatever the user may not do is left for the step to refuse."""
        needs = self.workflow_transition(username, track, action)
        evidence = []
        for kind in needs.get("evidence_kinds", []):
            response = self.upload(username, case_id, kind)
            if response.status_code == 201:
                evidence.append(response.json["id"])
        if needs.get("consents"):
            consents = self.get(username, f"/api/v1/cases/{case_id}/consents").json or {}
            in_force = {
                (c["person_id"], c["purpose"])
                for c in consents.get("consents", [])
                if c["in_force"]
            }
            for recorder in (username, "lawyer"):  # the lawyers' to record; the case's first one
                people = (self.get(recorder, f"/api/v1/cases/{case_id}").json or {}).get("people")
                if not people:
                    continue
                # The person the step names (the relative tested), else the first relative.
                person = (data or {}).get(needs.get("consent_of") or "") or people[0]["id"]
                recorded = [
                    self.record_consent(recorder, case_id, person, purpose).status_code
                    for purpose in needs["consents"]
                    if (person, purpose) not in in_force
                ]
                if all(status == 201 for status in recorded):
                    break
        return evidence

    def workflow_transition(self, username: str, track: str, action: str) -> dict[str, Any]:
        """The transition as GET /api/v1/workflow publishes it (empty when there is none)."""
        if not self._workflow:
            workflow = self.get(username, "/api/v1/workflow").json
            for each in workflow.get("tracks", []) if workflow else []:
                for transition in each["transitions"]:
                    self._workflow[each["name"], transition["action"]] = transition
        return self._workflow.get((track, action), {})

    def case_version(self, username: str, case_id: str) -> int:
        """The version the user can see; officials who cannot see the case get 0."""
        response = self.get(username, f"/api/v1/cases/{case_id}")
        return int(response.json["version"]) if response.status_code == 200 else 0


def current_signing_key(app: Any) -> SigningKey:
    """The key Homeward signs tokens with now."""
    with app.app_context():
        return key_ring().current


def can_sign_in(client: FlaskClient, password: str, username: str = "lawyer") -> bool:
    """Whether the API lets this user in with this password."""
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/login", json=body).status_code == 200
