"""Siblings' cases as the family tests, the case page's and the case summary's need them: opened
by a lawyer as each other's, and one of them held by another NGO."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from tests.factories import Api, sibling
from workflow import transactions
from workflow.models import Assignment, Case, User


def open_siblings(api: Api, count: int = 3, username: str = "lawyer") -> list[dict[str, Any]]:
    """The first child with her mother and grandmother; the others opened as her siblings."""
    first = api.create_case(username)
    shared = [
        {"person_id": api.person(first, relation), "relation": relation}
        for relation in ("mother", "grandmother")
    ]
    ids = [first["id"]]
    for number in range(1, count):
        body = {"child": sibling(number), "people": shared, "family_of": first["id"]}
        response = api.post(username, "/api/v1/cases", body)
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
    return [api.case(username, case_id) for case_id in ids]


def hand_over(app: Flask, case_id: str, username: str) -> None:
    """Let the user's NGO hold the case, the user alone assigned to it, as after a transfer
    between NGOs (which the API does not offer: a lawyer assigns only colleagues)."""
    key = uuid.UUID(case_id)
    with app.app_context(), transactions.unit_of_work() as session:
        user = session.scalars(select(User).filter_by(username=username)).one()
        session.execute(update(Case).where(Case.id == key).values(agency_id=user.agency_id))
        for assignment in session.scalars(select(Assignment).filter_by(case_id=key)):
            session.delete(assignment)
        session.add(Assignment(case_id=key, user_id=user.id, assigned_by_id=user.id))
