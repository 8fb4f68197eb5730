"""A step, its history row and the version bump commit together or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from tests.factories import Api
from workflow.models import TransitionRecord


class InjectedFailure(RuntimeError):
    pass


@pytest.fixture
def failing_history() -> Iterator[None]:
    """Fail every flush right after the history row is written, inside the transaction."""

    def explode(*_args: Any) -> None:
        raise InjectedFailure("injected after the history insert")

    event.listen(TransitionRecord, "after_insert", explode)
    yield
    event.remove(TransitionRecord, "after_insert", explode)


def test_a_failure_after_the_history_insert_leaves_nothing(api: Api, request: Any) -> None:
    case = api.create_case()
    mother = api.person(case, "mother")
    request.getfixturevalue("failing_history")

    response = api.transition(
        "lawyer",
        case["id"],
        "dna",
        "request",
        {"reference_person": mother, "relationship_tested": "maternity"},
    )

    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"
    assert "injected" not in response.get_data(as_text=True)
    after = api.case("lawyer", case["id"])
    assert after["tracks"]["dna"]["state"] == "not_started"
    assert after["version"] == case["version"]
    assert api.get("lawyer", f"/api/v1/cases/{case['id']}/history").json["history"] == []


def test_a_failure_while_opening_a_case_leaves_no_half_case(api: Api, request: Any) -> None:
    from workflow.models import TrackState

    def explode(*_args: Any) -> None:
        raise InjectedFailure("injected after the tracks insert")

    event.listen(TrackState, "after_insert", explode)
    try:
        response = api.post(
            "lawyer", "/api/v1/cases", {"child": {"names": [{"script": "Latn", "given": "Aliya"}]}}
        )
    finally:
        event.remove(TrackState, "after_insert", explode)

    assert response.status_code == 500
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 0


def test_a_failure_at_commit_is_an_error_response_and_logs_no_personal_data(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy.orm import Session

    def explode(_session: Any) -> None:
        raise InjectedFailure("names: Әлия Нұрғалиева")

    api.token("lawyer")  # sign in before commits start failing
    event.listen(Session, "before_commit", explode)
    try:
        response = api.post(
            "lawyer",
            "/api/v1/cases",
            {"child": {"names": [{"script": "Cyrl", "given": "Әлия", "family": "Нұрғалиева"}]}},
        )
    finally:
        event.remove(Session, "before_commit", explode)
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"
    assert "Әлия" not in caplog.text and "InjectedFailure" in caplog.text
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 0
