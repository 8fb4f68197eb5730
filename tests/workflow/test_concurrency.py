"""Two officials approve the same step at the same moment: exactly one of them succeeds."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from tests.factories import Api
from tests.workflow.helpers import set_states
from workflow import transactions
from workflow.identity.operations import create_user
from workflow.models import Agency, User

ROUNDS = 8


def _second_registrar(app: Any, password: str) -> None:
    with app.app_context(), transactions.unit_of_work() as session:
        registrar = session.scalar(select(User).filter_by(username="registrar"))
        assert registrar is not None
        agency = session.get(Agency, registrar.agency_id)
        assert agency is not None
        create_user(session, "registrar2", password, registrar.role, agency)


def _race(app: Any, api: Api, case_id: str, version: int) -> list[tuple[int, str | None]]:
    """Send the same take_review from two registrars in two threads, released together; return
    each answer's status and error code."""
    barrier = threading.Barrier(2)
    answers: list[tuple[int, str | None]] = []

    def approve(username: str) -> None:
        client = app.test_client()
        headers = api.headers(username, **{"If-Match": f'"{version}"'})
        barrier.wait(timeout=10)
        response = client.post(
            f"/api/v1/cases/{case_id}/transitions",
            headers=headers,
            json={"track": "birth_registration", "action": "take_review"},
        )
        error = (response.json or {}).get("error") or {}
        answers.append((response.status_code, error.get("code")))

    threads = [threading.Thread(target=approve, args=(u,)) for u in ("registrar", "registrar2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(answers, key=lambda answer: answer[0])


def test_concurrent_approvals_of_one_step_let_exactly_one_through(app: Any, api: Api) -> None:
    _second_registrar(app, api.password)
    for _ in range(ROUNDS):
        case = api.create_case()
        set_states(app, case["id"], {"birth_registration": "filed"})
        version = api.case_version("registrar", case["id"])
        api.token("registrar2")  # sign in before the race, not during it

        assert _race(app, api, case["id"], version) == [(200, None), (409, "stale_version")]

        after = api.case("lawyer", case["id"])
        assert after["tracks"]["birth_registration"]["state"] == "under_review"
        assert after["version"] == version + 1
        history = api.get("lawyer", f"/api/v1/cases/{case['id']}/history").json["history"]
        assert [h["action"] for h in history] == ["take_review"]
