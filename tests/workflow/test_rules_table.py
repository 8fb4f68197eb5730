"""Every rule of the default workflow's table, as a parametrised test through the HTTP API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Api
from tests.workflow.helpers import record_handling, set_states, valid_data
from workflow.demo import AGENCIES, USERS
from workflow.rules.catalogue import BUILT_IN, read_file
from workflow.rules.definition import Definition, Track, Transition, conditions

DEFAULT = Definition.model_validate(read_file(BUILT_IN / "default.yaml"))
STEPS = [(track, t) for track in DEFAULT.tracks for t in track.transitions]
IDS = [f"{track.name}.{t.action}" for track, t in STEPS]
OFFICIALS = ["registrar", "judge", "lab", "guardianship", "citizenship"]
ACTORS = ["lawyer", *OFFICIALS, "auditor", "admin"]


def _satisfying(transition: Transition) -> dict[str, str]:
    """States of other tracks that meet every condition the transition requires."""
    chosen: dict[str, str] = {}
    for condition in conditions(transition.requires):
        chosen.setdefault(condition.track, condition.in_[0])
    return chosen


def _ready_case(
    api: Api, app: Any, track: Track, transition: Transition, state: str | None = None
) -> tuple[str, dict[str, Any]]:
    case = api.create_case()
    states = {**_satisfying(transition), track.name: state or transition.from_[0]}
    set_states(app, case["id"], states)
    record_handling(app, case["id"], OFFICIALS)
    return case["id"], valid_data(transition, api.person(case, "mother"))


def _expected_answer(username: str, transition: Transition) -> tuple[int, str | None]:
    role, agency = USERS[username]
    kinds = {(p.role, p.agency_kind) for p in transition.performed_by}
    if (role, AGENCIES[agency]) in kinds:
        return 200, None
    return (404, "not_found") if username in ("auditor", "admin") else (403, "not_permitted")


def test_only_the_named_role_and_agency_may_perform(
    api: Api, app: Any, subtests: pytest.Subtests
) -> None:
    """Each attempt on a case of its own, since the performer's succeeds."""
    for step, (track, transition) in zip(IDS, STEPS, strict=True):
        for username in ACTORS:
            with subtests.test(msg=step, step=step, username=username):
                case_id, data = _ready_case(api, app, track, transition)
                response = api.transition(
                    username,
                    case_id,
                    track.name,
                    transition.action,
                    data,
                    version=api.case_version("lawyer", case_id),
                )
                error = response.json.get("error") or {}
                assert (response.status_code, error.get("code")) == _expected_answer(
                    username, transition
                ), (username, response.json)
                if response.status_code == 200:
                    assert response.json["tracks"][track.name]["state"] == transition.to


def test_a_step_from_the_wrong_state_is_a_conflict(
    api: Api, app: Any, subtests: pytest.Subtests
) -> None:
    """Each step on a case of its own, put in a state the step does not leave."""
    for step, (track, transition) in zip(IDS, STEPS, strict=True):
        with subtests.test(msg=step, step=step):
            wrong = next(s for s in track.state_names if s not in transition.from_)
            case_id, data = _ready_case(api, app, track, transition, state=wrong)
            actor = _performer(transition)
            response = api.transition(actor, case_id, track.name, transition.action, data)
            assert response.status_code == 409
            assert response.json["error"]["code"] == "wrong_state"
            assert response.json["error"]["details"] == {
                "track": track.name,
                "state": wrong,
                "allowed_from": transition.from_,
            }


REQUIRING = [(track, t) for track, t in STEPS if t.requires is not None]


def test_a_missing_prerequisite_is_named(api: Api, app: Any, subtests: pytest.Subtests) -> None:
    """Each step on a case of its own, where no other track has moved."""
    for track, transition in REQUIRING:
        step = f"{track.name}.{transition.action}"
        with subtests.test(msg=step, step=step):
            case = api.create_case()
            set_states(app, case["id"], {track.name: transition.from_[0]})
            record_handling(app, case["id"], OFFICIALS)
            data = valid_data(transition, api.person(case, "mother"))
            response = api.transition(
                _performer(transition), case["id"], track.name, transition.action, data
            )
            assert response.status_code == 409
            assert response.json["error"]["code"] == "prerequisite_missing"
            named = str(response.json["error"]["details"]["missing"])
            for condition in conditions(transition.requires):
                assert condition.track in named


WITH_FIELDS = [(track, t) for track, t in STEPS if t.fields]


def test_each_table_the_subtests_walk_holds_steps() -> None:
    """The subtests here loop over these; an empty one would pass having checked nothing."""
    assert STEPS and REQUIRING and WITH_FIELDS


def test_missing_data_names_every_required_field(
    api: Api, app: Any, subtests: pytest.Subtests
) -> None:
    """Each step on a case of its own, ready for it but for the data."""
    for track, transition in WITH_FIELDS:
        step = f"{track.name}.{transition.action}"
        with subtests.test(msg=step, step=step):
            case_id, _data = _ready_case(api, app, track, transition)
            before = api.case_version("lawyer", case_id)
            response = api.transition(
                _performer(transition), case_id, track.name, transition.action, {}
            )
            assert (response.status_code, response.json["error"]["code"]) == (422, "invalid_input")
            fields = {item["field"] for item in response.json["error"]["details"]}
            required = {name for name, spec in transition.fields.items() if not spec.optional}
            assert fields == {f"data.{name}" for name in required}
            assert api.case_version("lawyer", case_id) == before


def test_dna_confirmation_below_the_policy_threshold_is_refused(api: Api, app: Any) -> None:
    track = DEFAULT.track("dna")
    assert track is not None
    confirm = track.transition("confirm")
    assert confirm is not None
    case_id, data = _ready_case(api, app, track, confirm)
    response = api.transition("lab", case_id, "dna", "confirm", {**data, "probability": 0.99})
    assert (response.status_code, response.json["error"]["code"]) == (422, "invalid_input")
    assert response.json["error"]["details"][0]["field"] == "data.probability"


def test_a_person_field_must_name_someone_on_the_case(api: Api, app: Any) -> None:
    other = api.create_case()
    case = api.create_case()
    response = api.transition(
        "lawyer",
        case["id"],
        "dna",
        "request",
        {"reference_person": api.person(other, "mother"), "relationship_tested": "maternity"},
    )
    assert (response.status_code, response.json["error"]["code"]) == (422, "invalid_input")
    assert response.json["error"]["details"][0]["problem"] == "not_a_person_on_this_case"


def test_filing_birth_registration_needs_the_child_particulars(api: Api) -> None:
    sparse = {"names": [{"script": "Latn", "given": "Aliya"}]}
    case = api.create_case(child=sparse)
    response = api.transition("lawyer", case["id"], "birth_registration", "file")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "prerequisite_missing"
    assert response.json["error"]["details"]["missing"] == [
        {"particulars": ["child.sex", "child.birth_date", "child.birth_place.country"]}
    ]


def _performer(transition: Transition) -> str:
    for username, (role, agency) in USERS.items():
        if any(
            p.role is role and p.agency_kind is AGENCIES[agency] for p in transition.performed_by
        ):
            return username
    raise AssertionError(f"no demo user performs {transition.action}")


def test_a_person_field_cannot_name_the_child(api: Api) -> None:
    case = api.create_case()
    response = api.transition(
        "lawyer",
        case["id"],
        "dna",
        "request",
        {"reference_person": case["child"]["id"], "relationship_tested": "maternity"},
    )
    assert (response.status_code, response.json["error"]["code"]) == (422, "invalid_input")
    assert response.json["error"]["details"][0]["field"] == "data.reference_person"


def test_evidence_must_name_a_document_of_the_case(api: Api) -> None:
    case = api.create_case()
    body = {
        "track": "parentage",
        "action": "file_petition",
        "data": {"grounds": "Records"},
        "evidence_ids": ["7f0e1c52-8a4a-4a53-9a57-0d5d3f7c6b1e"],
    }
    response = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/transitions",
        body,
        **{"If-Match": f'"{case["version"]}"'},
    )
    assert (response.status_code, response.json["error"]["code"]) == (422, "invalid_input")
    assert response.json["error"]["details"][0]["field"] == "evidence_ids.0"
