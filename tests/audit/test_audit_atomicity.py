"""The change and its audit event commit together or not at all; denials are kept alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

import workflow.http.trail
from tests.audit.helpers import events
from tests.factories import Api
from workflow import transactions
from workflow.models import LoginThrottle, TransitionRecord


def test_a_failed_audit_write_undoes_the_change(
    app: Any, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = api.create_case()
    before = len(events(app))

    def failing_append(*_args: Any, **fields: Any) -> None:
        raise RuntimeError("the trail is unavailable")

    monkeypatch.setattr(workflow.http.trail, "append", failing_append)
    response = api.transition(
        "lawyer",
        case["id"],
        "parentage",
        "file_petition",
        {"grounds": "Records"},
        version=case["version"],
    )
    monkeypatch.undo()

    assert response.status_code == 500
    after = api.case("lawyer", case["id"])
    assert after["tracks"]["parentage"]["state"] == "not_started"
    assert after["version"] == case["version"]
    # The step's form (the workflow read first) and the check above are reads, whose events are
    # written apart from any change; of the failed step, nothing.
    assert [e.action for e in events(app)[before:]] == ["workflow.read", "case.read"]


def test_a_refused_change_is_recorded_without_the_change(app: Any, api: Api) -> None:
    case = api.create_case()
    response = api.transition("judge", case["id"], "dna", "authorize", {"ruling_number": "1"})
    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")
    event = events(app)[-1]
    assert (event.username, event.action, event.outcome) == (
        "judge",
        "case.transition",
        "not_found",
    )
    assert api.case("lawyer", case["id"])["tracks"]["dna"]["state"] == "not_started"


class InjectedFailure(RuntimeError):
    pass


@pytest.fixture
def commit_fails_once() -> Iterator[list[int]]:
    """The next commit of any session fails, as a lost connection or a full disk would make it;
    the ones after it succeed. Yields the number of commits refused so far."""
    refused: list[int] = []

    def explode(_session: Session) -> None:
        if not refused:
            refused.append(1)
            raise InjectedFailure("the commit failed")

    event.listen(Session, "before_commit", explode)
    yield refused
    event.remove(Session, "before_commit", explode)


def _file_petition(api: Api, case: dict[str, Any]) -> Any:
    return api.transition(
        "lawyer",
        case["id"],
        "parentage",
        "file_petition",
        {"grounds": "Records"},
        version=case["version"],
        evidence_ids=[],
    )


def _trail_since(app: Any, before: int) -> list[tuple[Any, ...]]:
    return [
        (e.username, e.action, e.case_reference, e.outcome, e.detail) for e in events(app)[before:]
    ]


def test_a_failed_commit_keeps_the_refused_request_s_event_alone(
    app: Any, api: Api, request: pytest.FixtureRequest
) -> None:
    case = api.create_case()
    api.token("lawyer")  # signed in before commits start failing
    before = len(events(app))
    refused = request.getfixturevalue("commit_fails_once")

    response = _file_petition(api, case)

    assert refused == [1]
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"
    assert _trail_since(app, before) == [
        ("lawyer", "case.transition", case["reference"], "internal_error", {})
    ]
    after = api.case("lawyer", case["id"])
    assert after["tracks"]["parentage"]["state"] == "not_started"
    assert after["version"] == case["version"]
    assert api.get("lawyer", f"/api/v1/cases/{case['id']}/history").json["history"] == []


def test_a_failure_in_the_view_keeps_the_refused_request_s_event_alone(app: Any, api: Api) -> None:
    case = api.create_case()
    api.token("lawyer")
    before = len(events(app))

    def explode(*_args: Any) -> None:
        raise InjectedFailure("injected after the history insert")

    event.listen(TransitionRecord, "after_insert", explode)
    try:
        response = _file_petition(api, case)
    finally:
        event.remove(TransitionRecord, "after_insert", explode)

    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"
    assert _trail_since(app, before) == [
        ("lawyer", "case.transition", case["reference"], "internal_error", {})
    ]
    assert api.case("lawyer", case["id"])["tracks"]["parentage"]["state"] == "not_started"


def test_a_failed_sign_in_whose_commit_fails_is_still_counted_and_recorded(
    app: Any, api: Api, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue("commit_fails_once")

    response = api.client.post(
        "/api/v1/auth/login", json={"username": "lawyer", "password": "not the password"}
    )

    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"
    assert _trail_since(app, 0) == [(None, "auth.login", None, "internal_error", {})]
    with app.app_context():
        counted = dict(
            transactions.session().execute(select(LoginThrottle.key, LoginThrottle.count)).all()
        )
    assert counted == {"account:lawyer": 1, "address:127.0.0.1": 1, "pair:lawyer|127.0.0.1": 1}
