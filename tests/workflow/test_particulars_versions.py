"""A case opened on the workflow version before the case target and amendments keeps working
once the new version is loaded."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.factories import Api
from tests.workflow.helpers import set_states
from workflow import transactions
from workflow.rules import catalogue


def _before_amendments(body: dict[str, Any]) -> dict[str, Any]:
    """The default workflow as it stood before: no case target, no particulars, no amendments."""
    older = copy.deepcopy(body)
    older["version"] = body["version"] - 1
    older.pop("target_days")
    birth = next(t for t in older["tracks"] if t["name"] == "birth_registration")
    birth["states"] = [s for s in birth["states"] if not s.get("counts_as")]
    birth["transitions"] = [t for t in birth["transitions"] if not t.get("leaves_final")]
    birth["transitions"] = [t for t in birth["transitions"] if t.get("particulars") != "apply"]
    birth["transitions"] = [t for t in birth["transitions"] if t.get("particulars") != "refuse"]
    for transition in birth["transitions"]:
        if transition.pop("particulars", None):
            transition.pop("fields")
    return _unwidened(older)


def _unwidened(node: Any) -> Any:
    """Requirements as written before: `registered` alone, without its stand-in."""
    if isinstance(node, list):
        return [_unwidened(item) for item in node]
    if not isinstance(node, dict):
        return node
    kept = {key: _unwidened(value) for key, value in node.items()}
    if "track" in node and isinstance(node.get("in"), list):
        kept["in"] = [state for state in node["in"] if state != "amendment_filed"]
    return kept


@pytest.fixture
def built_in_definitions(built_in_definitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only the older version loaded at first: the test loads the new one itself."""
    default = next(body for body in built_in_definitions if body["name"] == "default")
    return [_before_amendments(default)]


@pytest.fixture
def newer() -> dict[str, Any]:
    """The shipped default workflow, with the case target and amendments."""
    return catalogue.read_file(catalogue.BUILT_IN / "default.yaml")


def test_a_case_opened_on_the_older_version_keeps_working(
    api: Api, app: Any, newer: dict[str, Any]
) -> None:
    old = api.create_case()
    with app.app_context(), transactions.unit_of_work() as session:
        catalogue.register(session, copy.deepcopy(newer))
    new = api.create_case()
    assert old["workflow"]["version"] == newer["version"] - 1
    assert new["workflow"]["version"] == newer["version"]
    assert (old["due_on"], old["overdue"]) == (None, False)
    assert new["due_on"] is not None

    set_states(app, old["id"], {"dna": "confirmed"})
    api.step("lawyer", old["id"], "birth_registration", "file")
    api.step("registrar", old["id"], "birth_registration", "take_review")
    done = api.step(
        "registrar",
        old["id"],
        "birth_registration",
        "register",
        {"certificate_number": "B-1", "registered_on": "2026-10-01"},
    )
    assert done["tracks"]["birth_registration"]["state"] == "registered"
    # The older version has no amendments: the step is unknown to it, and nothing is offered.
    assert {"track": "birth_registration", "action": "file_amendment"} not in done[
        "allowed_transitions"
    ]
    refused = api.transition(
        "lawyer",
        old["id"],
        "birth_registration",
        "file_amendment",
        {"birth_date": "2015-03-14", "birth_date_basis": "court_ruling"},
    )
    assert refused.status_code == 422
