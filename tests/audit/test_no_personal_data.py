"""No event carries a name, an identifier of the child, a token, a password or a search."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.factories import Api
from workflow import transactions

SECRETS = [
    "Әлия",
    "Нұрғалиева",
    "عالية",
    "Aliya",
    "Гүлнар",
    "Сәуле",
    "Raqqa",
    "grandmother, Almaty",
    "160304650123",
    "Camp records of Zhanar",
    PASSWORD,
    "2016-01-01",
]


def test_a_whole_case_leaves_no_personal_data_in_the_trail(app: Any, api: Api) -> None:
    case = api.create_case()
    api.step(
        "lawyer", case["id"], "parentage", "file_petition", {"grounds": "Camp records of Zhanar"}
    )
    api.get("lawyer", "/api/v1/cases", query_string={"q": "Әлия"})
    api.get("lawyer", "/api/v1/cases", query_string={"q": "Aliya"})
    api.get("lawyer", f"/api/v1/cases/{case['id']}/history")
    api.client.post("/api/v1/auth/login", json={"username": "Нұрғалиева", "password": PASSWORD})
    tokens = [api.token(u) for u in ("lawyer", "auditor")]
    api.get("auditor", "/api/v1/audit/export?format=jsonl")

    with app.app_context():
        table = AuditEvent.__table__
        rows = transactions.session().execute(select(table)).mappings().all()
    dumped = "\n".join(str(dict(row)) for row in rows)
    assert len(rows) >= 10
    for secret in [*SECRETS, *tokens]:
        assert secret not in dumped, secret
