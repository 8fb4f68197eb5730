"""Who performs each step of the default workflow, and from which states to which, written out
by hand: a YAML edit that hands a step to the wrong agency, or moves it, turns these tests red.

The other rule tests read the same YAML the engine reads, so they would follow such an edit.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Api
from tests.workflow.default_steps import STEPS
from tests.workflow.helpers import record_handling, set_states, valid_data
from workflow import transactions
from workflow.rules import catalogue

OFFICIALS = ["registrar", "judge", "lab", "guardianship", "citizenship"]


def _loaded(app: Any) -> dict[tuple[str, str], tuple[set[tuple[str, str]], set[str], str]]:
    """The default definition as new cases open on it, reduced to the table's shape."""
    with app.app_context():
        record = catalogue.latest(transactions.session(), "default")
        assert record is not None
        definition = catalogue.definition_of(record)
    return {
        (track.name, step.action): (
            {(p.role.value, p.agency_kind.value) for p in step.performed_by},
            set(step.from_),
            step.to,
        )
        for track in definition.tracks
        for step in track.transitions
    }


def test_the_loaded_default_workflow_is_exactly_the_table(app: Any) -> None:
    loaded = _loaded(app)
    assert sorted(loaded) == sorted(STEPS)
    for step, expected in STEPS.items():
        assert loaded[step] == expected, step


# (track, action, who tries it): a representative step tried by someone it does not belong to
WRONG_PERFORMERS = [
    ("dna", "authorize", "lab"),  # the court's ruling, not the lab's
    ("dna", "confirm", "judge"),  # the lab's report, not the court's
    ("dna", "request", "judge"),  # the lawyer's application, not the court's
    ("parentage", "establish", "lawyer"),  # a court ruling, never the NGO's
    ("birth_registration", "register", "citizenship"),
    ("birth_registration", "take_review", "lawyer"),
    ("guardianship", "grant", "guardianship"),  # the court appoints, the authority assesses
    ("guardianship", "assess_suitable", "judge"),
    ("guardianship", "waive", "lawyer"),  # the lawyer may require a guardian, never waive one
    ("citizenship", "grant", "registrar"),
    ("identity_document", "issue", "registrar"),
    ("identity_document", "apply", "citizenship"),
]
RIGHT_PERFORMERS = {
    ("dna", "authorize"): "judge",
    ("dna", "confirm"): "lab",
    ("dna", "request"): "lawyer",
    ("parentage", "establish"): "judge",
    ("birth_registration", "register"): "registrar",
    ("birth_registration", "take_review"): "registrar",
    ("guardianship", "grant"): "judge",
    ("guardianship", "assess_suitable"): "guardianship",
    ("guardianship", "waive"): "guardianship",
    ("citizenship", "grant"): "citizenship",
    ("identity_document", "issue"): "citizenship",
    ("identity_document", "apply"): "lawyer",
}
# The states of other tracks each step needs before it may be taken.
PREREQUISITES = {
    ("birth_registration", "register"): {"dna": "confirmed"},
    ("identity_document", "apply"): {"citizenship": "granted"},
}


def _ready_case(api: Api, app: Any, track: str, action: str) -> tuple[str, dict[str, Any]]:
    """A case whose track waits in the step's first from-state, seen by every agency."""
    case = api.create_case()
    start = sorted(STEPS[track, action][1])[0]
    set_states(app, case["id"], {**PREREQUISITES.get((track, action), {}), track: start})
    record_handling(app, case["id"], OFFICIALS)
    with app.app_context():
        record = catalogue.latest(transactions.session(), "default")
        assert record is not None
        rules = catalogue.definition_of(record).track(track)
    step = rules.transition(action) if rules else None
    assert step is not None
    return case["id"], valid_data(step, api.person(case, "mother"))


@pytest.mark.parametrize(
    ("track", "action", "username"),
    WRONG_PERFORMERS,
    ids=[f"{t}.{a}" for t, a, _ in WRONG_PERFORMERS],
)
def test_a_wrong_performer_is_not_permitted_and_the_right_one_is(
    api: Api, app: Any, track: str, action: str, username: str
) -> None:
    case_id, data = _ready_case(api, app, track, action)
    before = api.case("lawyer", case_id)

    refused = api.transition(
        username, case_id, track, action, data, version=before["version"], evidence_ids=[]
    )

    assert (refused.status_code, refused.json["error"]["code"]) == (403, "not_permitted")
    assert api.case("lawyer", case_id) == before
    taken = api.transition(RIGHT_PERFORMERS[track, action], case_id, track, action, data)
    assert taken.status_code == 200, taken.json
    assert taken.json["tracks"][track]["state"] == STEPS[track, action][2]
