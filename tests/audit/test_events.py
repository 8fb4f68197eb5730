"""Every endpoint leaves the event an auditor expects: who, what, which case, and the outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.audit.helpers import events, last_event
from tests.factories import Api

Call = Callable[[Api, dict[str, Any]], Any]


def _versioned(api: Api, username: str, case: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'"{api.case_version(username, case["id"])}"'}


ENDPOINTS: list[tuple[str, Call, str, str, bool]] = [
    # (name, call, expected action, expected outcome, names the case)
    ("me", lambda api, case: api.get("lawyer", "/api/v1/me"), "auth.me", "success", False),
    (
        "workflow",
        lambda api, case: api.get("lawyer", "/api/v1/workflow"),
        "workflow.read",
        "success",
        False,
    ),
    (
        "create",
        lambda api, case: api.post(
            "lawyer", "/api/v1/cases", {"child": {"names": [{"script": "Latn", "given": "A"}]}}
        ),
        "case.create",
        "success",
        True,
    ),
    ("list", lambda api, case: api.get("lawyer", "/api/v1/cases"), "case.list", "success", False),
    (
        "read",
        lambda api, case: api.get("lawyer", f"/api/v1/cases/{case['id']}"),
        "case.read",
        "success",
        True,
    ),
    (
        "read denied",
        lambda api, case: api.get("lawyer3", f"/api/v1/cases/{case['id']}"),
        "case.read",
        "not_found",
        False,
    ),
    (
        "patch",
        lambda api, case: api.patch(
            "lawyer",
            f"/api/v1/cases/{case['id']}",
            {"child": {"sex": "female"}},
            **_versioned(api, "lawyer", case),
        ),
        "case.update",
        "success",
        True,
    ),
    (
        "patch stale",
        lambda api, case: api.patch(
            "lawyer",
            f"/api/v1/cases/{case['id']}",
            {"child": {"sex": "male"}},
            **{"If-Match": '"0"'},
        ),
        "case.update",
        "stale_version",
        True,
    ),
    (
        "transition",
        lambda api, case: api.transition(
            "lawyer", case["id"], "parentage", "file_petition", {"grounds": "Records"}
        ),
        "case.transition",
        "success",
        True,
    ),
    (
        "transition refused",
        lambda api, case: api.transition(
            "lawyer", case["id"], "dna", "authorize", {"ruling_number": "1"}
        ),
        "case.transition",
        "not_permitted",
        True,
    ),
    (
        "history",
        lambda api, case: api.get("lawyer", f"/api/v1/cases/{case['id']}/history"),
        "case.history",
        "success",
        True,
    ),
    (
        "assign",
        lambda api, case: api.post(
            "lawyer", f"/api/v1/cases/{case['id']}/assignments", {"username": "lawyer2"}
        ),
        "case.assign",
        "success",
        True,
    ),
    (
        "close",
        lambda api, case: api.post(
            "lawyer",
            f"/api/v1/cases/{case['id']}/close",
            {"reason": "withdrawn"},
            **_versioned(api, "lawyer", case),
        ),
        "case.close",
        "success",
        True,
    ),
    (
        "logout",
        lambda api, case: api.post("lawyer", "/api/v1/auth/logout"),
        "auth.logout",
        "success",
        False,
    ),
    (
        "failed login",
        lambda api, case: api.client.post(
            "/api/v1/auth/login", json={"username": "lawyer", "password": "wrong"}
        ),
        "auth.login",
        "not_authenticated",
        False,
    ),
    (
        "bad token",
        lambda api, case: api.client.get(
            f"/api/v1/cases/{case['id']}", headers={"Authorization": "Bearer x.y.z"}
        ),
        "case.read",
        "not_authenticated",
        False,
    ),
    (
        "auditor query",
        lambda api, case: api.get("auditor", "/api/v1/audit/events"),
        "audit.query",
        "success",
        False,
    ),
    (
        "auditor export",
        lambda api, case: api.get("auditor", "/api/v1/audit/export?format=csv"),
        "audit.export",
        "success",
        False,
    ),
    (
        "lawyer at the trail",
        lambda api, case: api.get("lawyer", "/api/v1/audit/events"),
        "audit.query",
        "not_permitted",
        False,
    ),
]


# The one status each call answers: the contract's for its error code, else its success.
STATUS = {
    "me": 200,
    "workflow": 200,
    "create": 201,
    "list": 200,
    "read": 200,
    "read denied": 404,
    "patch": 200,
    "patch stale": 409,
    "transition": 200,
    "transition refused": 403,
    "history": 200,
    "assign": 201,
    "close": 200,
    "logout": 204,
    "failed login": 401,
    "bad token": 401,
    "auditor query": 200,
    "auditor export": 200,
    "lawyer at the trail": 403,
}


@pytest.mark.parametrize(
    ("name", "call", "action", "outcome", "names_case"),
    ENDPOINTS,
    ids=[row[0] for row in ENDPOINTS],
)
def test_each_endpoint_leaves_its_event(
    app: Any, api: Api, name: str, call: Call, action: str, outcome: str, names_case: bool
) -> None:
    case = api.create_case()
    for username in ("lawyer", "lawyer3", "auditor"):
        api.token(username)  # sign in first, so the last event is the call's own
    before = len(events(app))

    response = call(api, case)

    error = response.json.get("error") if response.is_json else None
    answered = error["code"] if error else "success"
    assert (response.status_code, answered) == (STATUS[name], outcome)
    event = last_event(app)
    assert event.seq > before
    assert (event.action, event.outcome) == (action, outcome)
    assert event.request_id and event.client_address == "127.0.0.1"
    if names_case:
        assert event.case_reference is not None
    if name == "read denied":
        assert event.username == "lawyer3" and event.object_id == case["id"]
        assert event.case_reference is None  # a denial does not confirm what the case is


def test_a_login_names_who_signed_in(app: Any, api: Api) -> None:
    api.token("judge")
    event = last_event(app)
    assert (event.username, event.role, event.agency_kind) == ("judge", "official", "court")


def test_a_list_records_which_cases_were_returned_but_not_the_search(app: Any, api: Api) -> None:
    case = api.create_case()
    api.get("lawyer", "/api/v1/cases", query_string={"q": "Әлия", "per_page": 5})
    event = last_event(app)
    assert event.detail == {
        "returned": [case["reference"]],
        "total": 1,
        "filters": ["per_page", "q"],
    }


def test_purpose_is_kept_when_given_as_a_code(app: Any, api: Api) -> None:
    case = api.create_case()
    api.client.get(
        f"/api/v1/cases/{case['id']}",
        headers=api.headers("lawyer", **{"X-Purpose": "court_hearing"}),
    )
    assert last_event(app).purpose == "court_hearing"
    api.client.get(
        f"/api/v1/cases/{case['id']}",
        headers=api.headers("lawyer", **{"X-Purpose": "Meeting Әлия's aunt"}),
    )
    assert last_event(app).purpose is None  # free text could name someone


def test_the_request_id_is_echoed_and_recorded(app: Any, api: Api) -> None:
    response = api.client.get(
        "/api/v1/me", headers=api.headers("lawyer", **{"X-Request-Id": "req-42"})
    )
    assert response.headers["X-Request-Id"] == "req-42"
    assert last_event(app).request_id == "req-42"


def test_health_and_public_keys_leave_no_event(app: Any, api: Api) -> None:
    api.token("lawyer")
    before = len(events(app))
    api.client.get("/healthz")
    api.client.get("/.well-known/jwks.json")
    api.client.get("/api/v1/openapi.json")
    assert len(events(app)) == before


def test_command_line_admin_actions_are_recorded(app: Any, runner: Any) -> None:
    runner.invoke(args=["agencies", "create", "Law Centre", "--kind", "ngo"])
    runner.invoke(
        args=[
            "users",
            "create",
            "aigerim",
            "--role",
            "lawyer",
            "--agency",
            "Law Centre",
            "--password",
            "a long enough passphrase",
        ]
    )
    actions = [(e.action, e.object_type, e.object_id, e.request_id) for e in events(app)]
    assert [a[:2] for a in actions] == [
        ("admin.agency_create", "agency"),
        ("admin.user_create", "user"),
    ]
    assert actions[1][2:] == ("aigerim", "cli")
