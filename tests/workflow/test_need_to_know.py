"""Need-to-know: lawyers see the cases they work, officials what concerns their agency, auditors and
admins no case content; an invisible case is indistinguishable from one that does not exist."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD
from tests.factories import ALL_SCRIPTS_CHILD, Api
from tests.workflow.hostile import Unchanged
from workflow import transactions
from workflow.identity.operations import create_user
from workflow.models import Agency
from workflow.permissions import (
    Caller,
    CaseFacts,
    can_edit_case,
    can_open_case,
    can_perform,
    can_view_case,
)
from workflow.rules.definition import Transition
from workflow.vocabulary import AgencyKind, Role

RESIDENCE = ALL_SCRIPTS_CHILD["residence"]
USERS = [
    "lawyer",
    "lawyer2",
    "lawyer3",
    "registrar",
    "judge",
    "lab",
    "guardianship",
    "citizenship",
    "auditor",
    "admin",
]
OFFICIALS = ["registrar", "judge", "lab", "guardianship", "citizenship"]

# Each stage is a case of the lawyer's walked this far; values naming a relation stand for the
# id of that person on the case.
STAGES: dict[str, list[tuple[str, str, str, dict[str, str]]]] = {
    "fresh": [],
    "dna_requested": [
        (
            "lawyer",
            "dna",
            "request",
            {"reference_person": "mother", "relationship_tested": "maternity"},
        )
    ],
    "dna_authorized": [
        (
            "lawyer",
            "dna",
            "request",
            {"reference_person": "mother", "relationship_tested": "maternity"},
        ),
        ("judge", "dna", "authorize", {"ruling_number": "2-1187/2026"}),
    ],
    "birth_filed": [("lawyer", "birth_registration", "file", {})],
    "guardianship_filed": [
        (
            "lawyer",
            "guardianship",
            "file_petition",
            {"proposed_guardian": "grandmother", "relationship": "maternal grandmother"},
        )
    ],
}
# Who may see each stage, beside the lawyer who opened it.
CONCERNED = {
    "fresh": set(),
    "dna_requested": {"judge"},
    "dna_authorized": {"judge", "lab"},
    "birth_filed": {"registrar"},
    "guardianship_filed": {"guardianship"},
}
# Whose agency each stage waits on now.
WAITING_ON = {
    "fresh": set(),
    "dna_requested": {"judge"},
    "dna_authorized": {"lab"},
    "birth_filed": {"registrar"},
    "guardianship_filed": {"guardianship"},
}


def open_case_at(api: Api, stage: str) -> dict[str, Any]:
    """A new case of the lawyer's, walked to one of STAGES; as the lawyer sees it."""
    case = api.create_case()
    people = {relation: api.person(case, relation) for relation in ("mother", "grandmother")}
    for username, track, action, data in STAGES[stage]:
        filled = {key: people.get(value, value) for key, value in data.items()}
        api.step(username, case["id"], track, action, filled)
    return api.case("lawyer", case["id"])


@pytest.fixture
def cases(api: Api) -> dict[str, dict[str, Any]]:
    """One case at every stage."""
    return {stage: open_case_at(api, stage) for stage in STAGES}


def visible_to(username: str) -> set[str]:
    if username == "lawyer":
        return set(STAGES)
    return {stage for stage, users in CONCERNED.items() if username in users}


def listed(api: Api, username: str, query: str = "") -> tuple[set[str], int]:
    response = api.get(username, f"/api/v1/cases?{query}")
    assert response.status_code == 200, response.json
    return {case["id"] for case in response.json["cases"]}, response.json["total"]


def ids(cases: dict[str, dict[str, Any]], stages: set[str]) -> set[str]:
    return {cases[stage]["id"] for stage in stages}


def as_seen_by_lawyer(api: Api, case_id: str) -> tuple[dict[str, Any], list[Any]]:
    """The case and its history: what a refused request must leave as it was."""
    history = api.get("lawyer", f"/api/v1/cases/{case_id}/history").json["history"]
    return api.case("lawyer", case_id), history


def attempt(api: Api, username: str, case: dict[str, Any], track: str, action: str) -> TestResponse:
    return api.transition(username, case["id"], track, action, {}, version=case["version"])


def assert_error(response: TestResponse, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.json["error"]["code"] == code
    assert {"code", "message", "details"} <= response.json["error"].keys()


def test_each_user_lists_and_opens_only_the_cases_that_concern_them(
    api: Api, cases: dict[str, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    for username in USERS:
        with subtests.test(msg=username, username=username):
            expected = ids(cases, visible_to(username))
            assert listed(api, username) == (expected, len(expected))
            for stage, case in cases.items():
                for path in (f"/api/v1/cases/{case['id']}", f"/api/v1/cases/{case['id']}/history"):
                    status = api.get(username, path).status_code
                    assert status == (200 if case["id"] in expected else 404), (stage, path)


SEARCHES = [
    ("q=Aliya", set(STAGES)),
    (urlencode({"q": "Нұрғалиева"}), set(STAGES)),
    (urlencode({"q": "عالية"}), set(STAGES)),
    ("track=dna&state=requested", {"dna_requested"}),
    ("track=birth_registration&state=filed", {"birth_filed"}),
    ("state=not_started", set(STAGES)),
    ("overdue=false", set(STAGES)),
]


def test_searching_and_filtering_reveal_no_more_than_the_list(
    api: Api, cases: dict[str, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    for username in USERS:
        with subtests.test(msg=username, username=username):
            visible = visible_to(username)
            for query, matching in SEARCHES:
                expected = ids(cases, visible & matching)
                assert listed(api, username, query) == (expected, len(expected)), query


def test_an_agency_queue_holds_only_the_cases_waiting_on_that_agency(
    api: Api, cases: dict[str, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    for username in OFFICIALS:
        with subtests.test(msg=username, username=username):
            waiting = {stage for stage, users in WAITING_ON.items() if username in users}
            expected = ids(cases, waiting)
            assert listed(api, username, "queue=agency") == (expected, len(expected))


def test_only_officials_have_an_agency_queue(
    api: Api, cases: dict[str, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    for username in ["lawyer", "lawyer2", "auditor", "admin"]:
        with subtests.test(msg=username, username=username):
            response = api.get(username, "/api/v1/cases?queue=agency")
            assert_error(response, 422, "invalid_input")
            assert [d["field"] for d in response.json["error"]["details"]] == ["queue"]


def test_officials_see_a_case_only_once_a_step_concerns_their_agency(api: Api) -> None:
    case = api.create_case()
    case_id = case["id"]

    def seeing() -> set[str]:
        return {u for u in OFFICIALS if api.get(u, f"/api/v1/cases/{case_id}").status_code == 200}

    assert seeing() == set()
    api.step(
        "lawyer",
        case_id,
        "dna",
        "request",
        {"reference_person": api.person(case, "mother"), "relationship_tested": "maternity"},
    )
    assert seeing() == {"judge"}
    api.step("judge", case_id, "dna", "authorize", {"ruling_number": "2-1187/2026"})
    assert seeing() == {"judge", "lab"}  # the court handled it, so it still sees it
    assert listed(api, "judge", "queue=agency") == (set(), 0)
    api.step("lawyer", case_id, "birth_registration", "file", {})
    assert seeing() == {"judge", "lab", "registrar"}
    api.step(
        "lab",
        case_id,
        "dna",
        "collect_samples",
        {"sample_ids": ["S-1"], "collected_on": (date.today() - timedelta(days=1)).isoformat()},
    )
    assert seeing() == {"judge", "lab", "registrar"}  # the lab still waits to confirm


@pytest.mark.parametrize(
    ("stage", "seeing"),
    [
        ("dna_requested", set()),  # nothing waits on the court any more
        ("dna_authorized", {"judge"}),  # the court handled it; the lab waits no more
        ("birth_filed", set()),
        ("guardianship_filed", set()),
    ],
)
def test_a_closed_case_is_seen_only_by_the_agencies_that_handled_it(
    api: Api, stage: str, seeing: set[str]
) -> None:
    case = open_case_at(api, stage)
    closed = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/close",
        {"reason": "transferred"},
        **{"If-Match": f'"{case["version"]}"'},
    )
    assert closed.status_code == 200, closed.json
    for username in OFFICIALS:
        expected = username in seeing
        status = api.get(username, f"/api/v1/cases/{case['id']}").status_code
        assert status == (200 if expected else 404), username
        assert listed(api, username)[0] == ({case["id"]} if expected else set()), username
        assert listed(api, username, "queue=agency") == (set(), 0), username


@pytest.fixture
def other_judge(app: Any, accounts: dict[str, uuid.UUID]) -> str:
    """A judge of a second court, which never handles the cases below."""
    with app.app_context(), transactions.unit_of_work() as session:
        court = Agency(name="Astana City Court", kind=AgencyKind.COURT)
        session.add(court)
        create_user(session, "judge_astana", PASSWORD, Role.OFFICIAL, court)
    return "judge_astana"


def test_a_case_handled_by_one_court_is_not_shown_to_another(api: Api, other_judge: str) -> None:
    case = open_case_at(api, "dna_authorized")
    assert api.get("judge", f"/api/v1/cases/{case['id']}").status_code == 200
    assert api.get(other_judge, f"/api/v1/cases/{case['id']}").status_code == 404
    assert api.get(other_judge, f"/api/v1/cases/{case['id']}/history").status_code == 404
    assert listed(api, other_judge) == (set(), 0)


def test_auditors_and_admins_see_no_case_content(
    api: Api, cases: dict[str, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    for username in ["auditor", "admin"]:
        with subtests.test(msg=username, username=username):
            for query in ("", "q=Aliya", "track=dna", "overdue=false"):
                response = api.get(username, f"/api/v1/cases?{query}")
                assert response.json["cases"] == [] and response.json["total"] == 0
                assert "Aliya" not in response.get_data(as_text=True)
            for case in cases.values():
                for suffix in ("", "/history"):
                    response = api.get(username, f"/api/v1/cases/{case['id']}{suffix}")
                    assert_error(response, 404, "not_found")
                assert api.get(username, f"/api/v1/cases/{case['reference']}").status_code == 404


def test_only_lawyers_open_cases(api: Api, subtests: pytest.Subtests) -> None:
    for username in ["registrar", "judge", "auditor", "admin"]:
        with subtests.test(msg=username, username=username):
            response = api.post(username, "/api/v1/cases", {"child": ALL_SCRIPTS_CHILD})
            assert_error(response, 403, "not_permitted")
            assert "Aliya" not in response.get_data(as_text=True)


def _hidden_requests(case: dict[str, Any]) -> dict[str, tuple[str, str, Any, dict[str, str]]]:
    """Every request on one case, as (method, path suffix, body, headers)."""
    version = {"If-Match": f'"{case["version"]}"'}
    patch = {"child": {"residence": "Elsewhere"}}
    step = {"track": "dna", "action": "authorize", "data": {"ruling_number": "2-1/2026"}}
    return {
        "get": ("GET", "", None, {}),
        "patch": ("PATCH", "", patch, version),
        "patch without If-Match": ("PATCH", "", patch, {}),
        "patch with a stale If-Match": ("PATCH", "", patch, {"If-Match": '"999"'}),
        "transition": ("POST", "/transitions", step, version),
        "transition without If-Match": ("POST", "/transitions", step, {}),
        "transition with bad data": ("POST", "/transitions", {**step, "data": {}}, version),
        "history": ("GET", "/history", None, {}),
        "assignment": ("POST", "/assignments", {"username": "lawyer2"}, {}),
        "close": ("POST", "/close", {"reason": "withdrawn"}, version),
        "reopen": ("POST", "/reopen", {}, version),
    }


def _request(api: Api, username: str, case_id: str, request: tuple[Any, ...]) -> TestResponse:
    method, suffix, body, headers = request
    return api.client.open(
        f"/api/v1/cases/{case_id}{suffix}",
        method=method,
        json=body,
        headers=api.headers(username, **headers),
    )


def _answer(response: TestResponse) -> tuple[int, str | None, bytes]:
    return response.status_code, response.headers.get("Content-Type"), response.get_data()


NOT_SEEING_A_DNA_REQUEST = [
    "lawyer2",
    "lawyer3",
    "registrar",
    "lab",
    "guardianship",
    "citizenship",
    "auditor",
    "admin",
]


def test_an_invisible_case_answers_exactly_as_a_missing_one(
    api: Api, subtests: pytest.Subtests
) -> None:
    case = open_case_at(api, "dna_requested")  # visible to the lawyer and the court only
    unchanged = Unchanged(lambda: as_seen_by_lawyer(api, case["id"]))
    for username in NOT_SEEING_A_DNA_REQUEST:
        for name, request in _hidden_requests(case).items():
            with subtests.test(msg=username, username=username, request=name), unchanged.around():
                hidden = _request(api, username, case["id"], request)
                assert_error(hidden, 404, "not_found")
                elsewhere = _request(api, username, str(uuid.uuid4()), request)
                assert _answer(hidden) == _answer(elsewhere)
                by_reference = _request(api, username, case["reference"], request)
                missing_reference = _request(api, username, "HW-0000-0000-0000", request)
                assert _answer(by_reference) == _answer(missing_reference) == _answer(hidden)
        with subtests.test(msg=username, username=username, request="lawyer2 still cannot see"):
            assert api.get("lawyer2", f"/api/v1/cases/{case['id']}").status_code == 404


def test_a_colleague_sees_a_case_only_once_assigned(api: Api) -> None:
    case = open_case_at(api, "fresh")
    path = f"/api/v1/cases/{case['id']}"
    assert api.get("lawyer2", path).status_code == 404
    assert listed(api, "lawyer2", "q=Aliya") == (set(), 0)

    response = api.post("lawyer", f"{path}/assignments", {"username": "lawyer2"})

    assert response.status_code == 201
    assert response.json == {"case_id": case["id"], "username": "lawyer2"}
    seen = api.case("lawyer2", case["id"])
    assert seen["assigned_to_me"] is True and seen["child"]["residence"] == RESIDENCE
    assert listed(api, "lawyer2", "q=Aliya") == ({case["id"]}, 1)
    assert api.get("lawyer2", f"{path}/history").status_code == 200
    changed = api.patch(
        "lawyer2", path, {"child": {"sex": "female"}}, **{"If-Match": f'"{seen["version"]}"'}
    )
    assert changed.status_code == 200
    assert api.get("lawyer3", path).status_code == 404


NOT_ASSIGNABLE = [
    ("lawyer3", 422, "invalid_input"),  # another NGO
    ("judge", 422, "invalid_input"),
    ("auditor", 422, "invalid_input"),
    ("admin", 422, "invalid_input"),
    ("nobody", 422, "invalid_input"),
    ("LAWYER2", 422, "invalid_input"),
    ("lawyer", 409, "conflict"),  # already works the case
]


def test_only_a_colleague_of_the_same_ngo_can_be_assigned(
    api: Api, subtests: pytest.Subtests
) -> None:
    case = open_case_at(api, "fresh")
    path = f"/api/v1/cases/{case['id']}"
    unchanged = Unchanged(lambda: as_seen_by_lawyer(api, case["id"]))
    for username, status, code in NOT_ASSIGNABLE:
        with subtests.test(msg=username, username=username), unchanged.around():
            response = api.post("lawyer", f"{path}/assignments", {"username": username})
            assert_error(response, status, code)
            if status == 422:
                assert [d["field"] for d in response.json["error"]["details"]] == ["username"]
            assert api.get("lawyer3", path).status_code == 404
            assert listed(api, "lawyer3") == (set(), 0)


def test_a_colleague_cannot_be_assigned_twice(api: Api) -> None:
    case = open_case_at(api, "fresh")
    path = f"/api/v1/cases/{case['id']}/assignments"
    assert api.post("lawyer", path, {"username": "lawyer2"}).status_code == 201
    assert_error(api.post("lawyer2", path, {"username": "lawyer2"}), 409, "conflict")
    assert_error(api.post("lawyer", path, {"username": "lawyer2"}), 409, "conflict")


ASSIGNING = [
    ("lawyer", "fresh", 201, None),
    ("lawyer2", "fresh", 404, "not_found"),
    ("lawyer3", "fresh", 404, "not_found"),
    ("judge", "dna_requested", 403, "not_permitted"),
    ("registrar", "birth_filed", 403, "not_permitted"),
    ("guardianship", "guardianship_filed", 403, "not_permitted"),
    ("auditor", "fresh", 404, "not_found"),
    ("admin", "fresh", 404, "not_found"),
]


def test_only_the_lawyers_working_a_case_assign_colleagues(
    api: Api, subtests: pytest.Subtests
) -> None:
    """Each attempt on a case of its own, since the lawyer's succeeds."""
    for username, stage, status, code in ASSIGNING:
        with subtests.test(msg=f"{username}-{stage}", username=username, stage=stage):
            case = open_case_at(api, stage)
            response = api.post(
                username, f"/api/v1/cases/{case['id']}/assignments", {"username": "lawyer2"}
            )
            assert response.status_code == status
            if code:
                assert_error(response, status, code)
                assert api.get("lawyer2", f"/api/v1/cases/{case['id']}").status_code == 404


CHANGING = [
    ("lawyer", "fresh", 200),
    ("lawyer2", "fresh", 404),
    ("lawyer3", "fresh", 404),
    ("judge", "dna_requested", 403),
    ("judge", "dna_authorized", 403),
    ("lab", "dna_authorized", 403),
    ("registrar", "birth_filed", 403),
    ("guardianship", "guardianship_filed", 403),
    ("auditor", "fresh", 404),
    ("admin", "fresh", 404),
]


def test_only_the_lawyers_working_a_case_change_its_particulars(
    api: Api, subtests: pytest.Subtests
) -> None:
    """Each attempt on a case of its own, since the lawyer's succeeds."""
    for username, stage, status in CHANGING:
        with subtests.test(msg=f"{username}-{stage}", username=username, stage=stage):
            case = open_case_at(api, stage)
            before = as_seen_by_lawyer(api, case["id"])
            response = api.patch(
                username,
                f"/api/v1/cases/{case['id']}",
                {"child": {"residence": "With an aunt, Shymkent"}},
                **{"If-Match": f'"{case["version"]}"'},
            )
            assert response.status_code == status, response.json
            if status == 200:
                shown = api.case("lawyer", case["id"])["child"]["residence"]
                assert shown == "With an aunt, Shymkent"
            else:
                assert_error(response, status, {403: "not_permitted", 404: "not_found"}[status])
                assert as_seen_by_lawyer(api, case["id"]) == before


FOREIGN_STEPS = [
    ("registrar", "birth_filed", "dna", "request"),  # a lawyer's step
    ("registrar", "birth_filed", "parentage", "establish"),  # the court's
    ("judge", "dna_requested", "birth_registration", "take_review"),
    ("judge", "dna_requested", "dna", "collect_samples"),
    ("judge", "dna_requested", "guardianship", "assess_suitable"),
    ("judge", "dna_requested", "dna", "request"),
    ("judge", "dna_authorized", "dna", "confirm"),
    ("lab", "dna_authorized", "dna", "authorize"),
    ("lab", "dna_authorized", "citizenship", "grant"),
    ("guardianship", "guardianship_filed", "guardianship", "schedule_hearing"),
    ("guardianship", "guardianship_filed", "guardianship", "file_petition"),
    ("lawyer", "dna_requested", "dna", "authorize"),
    ("lawyer", "dna_requested", "dna", "refuse"),
    ("lawyer", "dna_authorized", "dna", "collect_samples"),
    ("lawyer", "birth_filed", "birth_registration", "take_review"),
    ("lawyer", "guardianship_filed", "guardianship", "assess_suitable"),
    ("lawyer", "fresh", "birth_registration", "register"),
]


def _step_id(username: str, stage: str, track: str, action: str) -> str:
    return f"{username}-{stage}-{track}-{action}"


def test_nobody_takes_a_step_that_belongs_to_another_agency(
    api: Api, subtests: pytest.Subtests
) -> None:
    """Each attempt on a case of its own, since a step needs evidence uploaded first."""
    for username, stage, track, action in FOREIGN_STEPS:
        variant = _step_id(username, stage, track, action)
        with subtests.test(msg=variant, username=username, stage=stage, step=f"{track}.{action}"):
            case = open_case_at(api, stage)
            assert api.get(username, f"/api/v1/cases/{case['id']}").status_code == 200
            before = as_seen_by_lawyer(api, case["id"])
            assert_error(attempt(api, username, case, track, action), 403, "not_permitted")
            assert as_seen_by_lawyer(api, case["id"]) == before


UNSEEN_STEPS = [
    ("lab", "dna_requested", "dna", "collect_samples"),
    ("registrar", "fresh", "birth_registration", "take_review"),
    ("judge", "fresh", "dna", "authorize"),
    ("guardianship", "fresh", "guardianship", "waive"),
    ("citizenship", "birth_filed", "citizenship", "take_review"),
    ("lawyer2", "fresh", "dna", "request"),
    ("lawyer3", "fresh", "parentage", "file_petition"),
]


def test_a_step_on_a_case_one_cannot_see_is_not_found_not_forbidden(
    api: Api, subtests: pytest.Subtests
) -> None:
    """Each attempt on a case of its own, since a step needs evidence uploaded first."""
    for username, stage, track, action in UNSEEN_STEPS:
        variant = _step_id(username, stage, track, action)
        with subtests.test(msg=variant, username=username, stage=stage, step=f"{track}.{action}"):
            case = open_case_at(api, stage)
            before = as_seen_by_lawyer(api, case["id"])
            assert_error(attempt(api, username, case, track, action), 404, "not_found")
            assert as_seen_by_lawyer(api, case["id"]) == before


OFFERED = [
    ("judge", "dna_requested", [("dna", "authorize"), ("dna", "refuse")]),
    ("judge", "dna_authorized", []),
    ("lab", "dna_authorized", [("dna", "collect_samples")]),
    ("registrar", "birth_filed", [("birth_registration", "take_review")]),
    (
        "guardianship",
        "guardianship_filed",
        [("guardianship", "assess_suitable"), ("guardianship", "assess_unsuitable")],
    ),
]


def test_an_official_is_offered_only_their_agencys_steps(
    api: Api, cases: dict[str, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    for username, stage, allowed in OFFERED:
        with subtests.test(msg=f"{username}-{stage}", username=username, stage=stage):
            offered = api.case(username, cases[stage]["id"])["allowed_transitions"]
            assert [(step["track"], step["action"]) for step in offered] == allowed


SEEING_RESIDENCE = [
    ("lawyer", "fresh", True),
    ("guardianship", "guardianship_filed", True),
    ("judge", "dna_requested", False),
    ("judge", "dna_authorized", False),
    ("lab", "dna_authorized", False),
    ("registrar", "birth_filed", False),
]


def test_the_childs_residence_is_shown_only_to_lawyers_and_the_guardianship_authority(
    api: Api, cases: dict[str, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    for username, stage, sees_residence in SEEING_RESIDENCE:
        with subtests.test(msg=f"{username}-{stage}", username=username, stage=stage):
            case = cases[stage]
            response = api.get(username, f"/api/v1/cases/{case['id']}")
            assert response.status_code == 200
            child = response.json["child"]
            if sees_residence:
                assert child["residence"] == RESIDENCE
            else:
                assert "residence" not in child
                for path in (
                    f"/api/v1/cases/{case['id']}",
                    f"/api/v1/cases/{case['id']}/history",
                    "/api/v1/cases",
                ):
                    shown = api.get(username, path)
                    text = shown.get_data(as_text=True) + json.dumps(shown.json, ensure_ascii=False)
                    assert RESIDENCE not in text, path


# The pure predicates, as a table.
NGO, OTHER_NGO, COURT, OTHER_COURT, REGISTRY, OMBUDSMAN, OPERATOR = (uuid.uuid4() for _ in range(7))
LAWYER = Caller(uuid.uuid4(), Role.LAWYER, NGO, AgencyKind.NGO)
LAWYER2 = Caller(uuid.uuid4(), Role.LAWYER, NGO, AgencyKind.NGO)
LAWYER3 = Caller(uuid.uuid4(), Role.LAWYER, OTHER_NGO, AgencyKind.NGO)
JUDGE = Caller(uuid.uuid4(), Role.OFFICIAL, COURT, AgencyKind.COURT)
OTHER_JUDGE = Caller(uuid.uuid4(), Role.OFFICIAL, OTHER_COURT, AgencyKind.COURT)
REGISTRAR = Caller(uuid.uuid4(), Role.OFFICIAL, REGISTRY, AgencyKind.CIVIL_REGISTRY)
AUDITOR = Caller(uuid.uuid4(), Role.AUDITOR, OMBUDSMAN, AgencyKind.OMBUDSMAN)
ADMIN = Caller(uuid.uuid4(), Role.ADMIN, OPERATOR, AgencyKind.OPERATOR)
MISFILED = Caller(uuid.uuid4(), Role.LAWYER, COURT, AgencyKind.COURT)  # a lawyer in a court

# The lawyer, assigned to a case of the NGO, after moving to another NGO.
MOVED = Caller(LAWYER.id, Role.LAWYER, OTHER_NGO, AgencyKind.NGO)

ASSIGNED = CaseFacts(agency=NGO, assigned=frozenset({LAWYER.id}))
WAITS_ON_COURT = CaseFacts(
    agency=NGO, assigned=frozenset({LAWYER.id}), waiting_on=frozenset({AgencyKind.COURT})
)
HANDLED_BY_COURT = CaseFacts(
    agency=NGO, assigned=frozenset({LAWYER.id}), handled_by=frozenset({COURT})
)
EVERYONE = CaseFacts(
    agency=NGO,
    assigned=frozenset({c.id for c in (LAWYER, JUDGE, REGISTRAR, AUDITOR, ADMIN)}),
    waiting_on=frozenset(AgencyKind),
    handled_by=frozenset({COURT, REGISTRY, OMBUDSMAN, OPERATOR}),
)

AUTHORIZE = Transition.model_validate(
    {
        "action": "authorize",
        "from": ["requested"],
        "to": "authorized",
        "performed_by": [{"role": "official", "agency_kind": "court"}],
    }
)
REQUEST = Transition.model_validate(
    {
        "action": "request",
        "from": ["not_started"],
        "to": "requested",
        "performed_by": [{"role": "lawyer", "agency_kind": "ngo"}],
    }
)


@pytest.mark.parametrize(
    ("caller", "facts", "expected"),
    [
        (LAWYER, ASSIGNED, True),
        (LAWYER2, ASSIGNED, False),
        (LAWYER3, ASSIGNED, False),
        (MOVED, ASSIGNED, False),
        (LAWYER2, WAITS_ON_COURT, False),
        (JUDGE, ASSIGNED, False),
        (JUDGE, WAITS_ON_COURT, True),
        (OTHER_JUDGE, HANDLED_BY_COURT, False),
        (JUDGE, HANDLED_BY_COURT, True),
        (REGISTRAR, WAITS_ON_COURT, False),
        (REGISTRAR, HANDLED_BY_COURT, False),
        (REGISTRAR, CaseFacts(assigned=frozenset({REGISTRAR.id})), False),
        (AUDITOR, EVERYONE, False),
        (ADMIN, EVERYONE, False),
        (MISFILED, WAITS_ON_COURT, False),
    ],
)
def test_who_may_view_a_case(caller: Caller, facts: CaseFacts, expected: bool) -> None:
    assert can_view_case(caller, facts) is expected


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        (LAWYER, True),
        (LAWYER3, True),
        (JUDGE, False),
        (REGISTRAR, False),
        (AUDITOR, False),
        (ADMIN, False),
        (MISFILED, False),
    ],
)
def test_who_may_open_a_case(caller: Caller, expected: bool) -> None:
    assert can_open_case(caller) is expected


@pytest.mark.parametrize(
    ("caller", "facts", "expected"),
    [
        (LAWYER, ASSIGNED, True),
        (LAWYER2, ASSIGNED, False),
        (LAWYER3, ASSIGNED, False),
        (MOVED, ASSIGNED, False),
        (JUDGE, WAITS_ON_COURT, False),
        (JUDGE, EVERYONE, False),
        (REGISTRAR, EVERYONE, False),
        (AUDITOR, EVERYONE, False),
        (ADMIN, EVERYONE, False),
    ],
)
def test_who_may_change_particulars_and_assign(
    caller: Caller, facts: CaseFacts, expected: bool
) -> None:
    assert can_edit_case(caller, facts) is expected


@pytest.mark.parametrize(
    ("caller", "facts", "transition", "expected"),
    [
        (JUDGE, WAITS_ON_COURT, AUTHORIZE, True),
        (JUDGE, HANDLED_BY_COURT, AUTHORIZE, True),
        (JUDGE, ASSIGNED, AUTHORIZE, False),  # cannot see it
        (OTHER_JUDGE, HANDLED_BY_COURT, AUTHORIZE, False),
        (OTHER_JUDGE, WAITS_ON_COURT, AUTHORIZE, True),
        (REGISTRAR, EVERYONE, AUTHORIZE, False),  # sees it, but a court's step
        (LAWYER, WAITS_ON_COURT, AUTHORIZE, False),
        (MISFILED, WAITS_ON_COURT, AUTHORIZE, False),
        (AUDITOR, EVERYONE, AUTHORIZE, False),
        (ADMIN, EVERYONE, AUTHORIZE, False),
        (LAWYER, ASSIGNED, REQUEST, True),
        (LAWYER2, ASSIGNED, REQUEST, False),
        (LAWYER3, ASSIGNED, REQUEST, False),
        (MOVED, ASSIGNED, REQUEST, False),
        (JUDGE, EVERYONE, REQUEST, False),
    ],
)
def test_who_may_take_a_step(
    caller: Caller, facts: CaseFacts, transition: Transition, expected: bool
) -> None:
    assert can_perform(caller, facts, transition) is expected


def test_the_first_court_to_act_takes_the_case_from_the_others(api: Any, app: Any) -> None:
    """Every court sees a step waiting on courts; once one acts, the others lose the case."""
    with app.app_context(), transactions.unit_of_work() as session:
        astana = Agency(name="Astana City Court", kind=AgencyKind.COURT)
        session.add(astana)
        create_user(session, "judge_astana", PASSWORD, Role.OFFICIAL, astana)
    case = api.create_case()
    api.request_dna(case)
    for judge in ("judge", "judge_astana"):
        assert api.get(judge, "/api/v1/cases?queue=agency").json["total"] == 1

    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "2-1/2026"})
    api.step(
        "lab",
        case["id"],
        "dna",
        "collect_samples",
        {"sample_ids": ["S-1"], "collected_on": "2026-09-01"},
    )
    api.step("lab", case["id"], "dna", "exclude", {"report_number": "R-1"})
    api.request_dna(case)

    assert api.get("judge_astana", f"/api/v1/cases/{case['id']}").status_code == 404
    assert api.get("judge_astana", "/api/v1/cases").json["total"] == 0
    refused = api.transition(
        "judge_astana",
        case["id"],
        "dna",
        "authorize",
        {"ruling_number": "2-2/2026"},
        version=case["version"] + 5,
    )
    assert refused.status_code == 404
    assert api.case("judge", case["id"])["allowed_transitions"][0] == {
        "track": "dna",
        "action": "authorize",
    }


def test_a_step_s_data_is_shown_only_to_lawyers_and_the_agency_that_took_it(
    api: Any, app: Any
) -> None:
    from tests.workflow.helpers import set_states

    case = api.create_case()
    set_states(app, case["id"], {"dna": "samples_collected"})
    api.step("lab", case["id"], "dna", "confirm", {"report_number": "FL-9", "probability": 0.9999})
    api.step("lawyer", case["id"], "birth_registration", "file", {})
    path = f"/api/v1/cases/{case['id']}/history"
    by_user = {
        u: next(h for h in api.get(u, path).json["history"] if h["action"] == "confirm")
        for u in ("lawyer", "lab", "registrar")
    }
    assert by_user["lawyer"]["data"]["probability"] == 0.9999
    assert by_user["lab"]["data"]["report_number"] == "FL-9"
    assert by_user["registrar"]["data"] is None
    assert by_user["registrar"]["to"] == "confirmed"  # the state itself is not secret


def test_an_agency_deciding_a_track_sees_the_data_of_its_steps_and_no_other_agency_does(
    api: Any,
) -> None:
    case = api.create_case()
    api.request_dna(case)  # the lawyer names the relative to test and the relationship
    path = f"/api/v1/cases/{case['id']}/history"

    def request_as_seen_by(username: str) -> dict[str, Any]:
        history = api.get(username, path).json["history"]
        return next(h for h in history if h["action"] == "request")

    mother = api.person(case, "mother")
    assert request_as_seen_by("judge")["data"]["reference_person"] == mother  # the court decides
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "2-7/2026"})
    assert request_as_seen_by("lab")["data"]["relationship_tested"] == "maternity"  # it tests
    # The registry takes no step of the DNA track, so it sees that the step was taken, not what.
    api.step("lawyer", case["id"], "birth_registration", "file", {})
    registry = request_as_seen_by("registrar")
    assert registry["data"] is None and registry["to"] == "requested"
