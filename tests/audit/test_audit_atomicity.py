"""The change and its audit event commit together or not at all; denials are kept alone."""

from __future__ import annotations

from typing import Any

import pytest

import audit.recorder
from tests.audit.helpers import events
from tests.factories import Api


def test_a_failed_audit_write_undoes_the_change(
    app: Any, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = api.create_case()
    before = len(events(app))

    def failing_append(*_args: Any, **fields: Any) -> None:
        raise RuntimeError("the trail is unavailable")

    monkeypatch.setattr(audit.recorder, "append", failing_append)
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
    assert [e.action for e in events(app)[before:]] == ["case.read"]  # only the check above


def test_a_refused_change_is_recorded_without_the_change(app: Any, api: Api) -> None:
    case = api.create_case()
    response = api.transition("judge", case["id"], "dna", "authorize", {"ruling_number": "1"})
    assert response.status_code == 404
    event = events(app)[-1]
    assert (event.username, event.action, event.outcome) == (
        "judge",
        "case.transition",
        "not_found",
    )
    assert api.case("lawyer", case["id"])["tracks"]["dna"]["state"] == "not_started"
