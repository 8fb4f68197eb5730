"""Assignments follow the NGO: a lawyer works a case only while assigned to it and in the NGO
that holds it; moving to another NGO ends the old one's assignments; a lawyer of the case takes
a colleague or themselves off it, but never its last lawyer."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.audit.helpers import events
from tests.factories import Api
from tests.workflow.test_listings import derived_rows, stored_rows
from tests.workflow.test_need_to_know import assert_error, listed
from workflow import transactions
from workflow.models import Agency, User

OTHER_NGO = "Safe Return Lawyers"  # lawyer3's


def assignments(case: dict[str, Any], username: str = "") -> str:
    return f"/api/v1/cases/{case['id']}/assignments" + (f"/{username}" if username else "")


def delete(api: Api, who: str, path: str) -> Any:
    return api.client.delete(path, headers=api.headers(who))


def move(api: Api, runner: Any, username: str, agency: str) -> Any:
    result = runner.invoke(args=["users", "update", username, "--agency", agency])
    assert result.exit_code == 0, result.output
    api._tokens.pop(username, None)  # the move ended their sessions: sign in again
    return result


@pytest.fixture
def shared(api: Api) -> dict[str, Any]:
    """A case of the lawyer's that lawyer2 works too."""
    case = api.create_case()
    assert api.post("lawyer", assignments(case), {"username": "lawyer2"}).status_code == 201
    return case


# --- moving to another NGO ---------------------------------------------------------------------


def test_a_lawyer_moved_to_another_ngo_loses_its_cases(
    api: Api, app: Any, runner: Any, shared: dict[str, Any]
) -> None:
    path = f"/api/v1/cases/{shared['id']}"
    assert api.get("lawyer2", path).status_code == 200
    assert listed(api, "lawyer2") == ({shared["id"]}, 1)

    result = move(api, runner, "lawyer2", OTHER_NGO)

    assert f"no longer assigned to {shared['reference']}" in result.output
    assert_error(api.get("lawyer2", path), 404, "not_found")
    assert listed(api, "lawyer2") == (set(), 0)
    refused = api.post("lawyer2", assignments(shared), {"username": "lawyer3"})
    assert_error(refused, 404, "not_found")
    assert_error(api.get("lawyer3", path), 404, "not_found")
    assert api.case("lawyer", shared["id"])["assigned_to_me"] is True
    assert stored_rows(app) == derived_rows(app)
    (ended,) = [e for e in events(app) if e.action == "case.unassign"]
    assert (ended.case_reference, ended.object_id) == (shared["reference"], "lawyer2")
    assert ended.detail == {"reason": "agency_changed", "lawyers_left": 1}
    (update,) = [e for e in events(app) if e.action == "admin.user_update"]
    assert update.detail["assignments_ended"] == 1


def test_moving_back_does_not_bring_the_cases_back(
    api: Api, runner: Any, shared: dict[str, Any]
) -> None:
    move(api, runner, "lawyer2", OTHER_NGO)
    move(api, runner, "lawyer2", "Hope Legal Aid")  # where it started
    assert_error(api.get("lawyer2", f"/api/v1/cases/{shared['id']}"), 404, "not_found")


def test_a_lawyer_moved_takes_along_only_what_the_new_ngo_assigns(
    api: Api, runner: Any, shared: dict[str, Any]
) -> None:
    move(api, runner, "lawyer2", OTHER_NGO)
    theirs = api.create_case("lawyer3")
    assert api.post("lawyer3", assignments(theirs), {"username": "lawyer2"}).status_code == 201
    assert api.get("lawyer2", f"/api/v1/cases/{theirs['id']}").status_code == 200
    assert_error(api.get("lawyer2", f"/api/v1/cases/{shared['id']}"), 404, "not_found")


# --- unassigning -------------------------------------------------------------------------------


def test_a_lawyer_takes_a_colleague_off_the_case(
    api: Api, app: Any, shared: dict[str, Any]
) -> None:
    response = delete(api, "lawyer", assignments(shared, "lawyer2"))

    assert response.status_code == 200, response.json
    assert response.json == {"case_id": shared["id"], "username": "lawyer2"}
    assert_error(api.get("lawyer2", f"/api/v1/cases/{shared['id']}"), 404, "not_found")
    assert listed(api, "lawyer2") == (set(), 0)
    assert stored_rows(app) == derived_rows(app)
    event = [e for e in events(app) if e.action == "case.unassign"][-1]
    assert event.outcome == "success" and event.case_reference == shared["reference"]
    assert event.detail["unassigned"] == "lawyer2"


def test_a_lawyer_takes_themselves_off_the_case(api: Api, shared: dict[str, Any]) -> None:
    assert delete(api, "lawyer2", assignments(shared, "lawyer2")).status_code == 200
    assert_error(api.get("lawyer2", f"/api/v1/cases/{shared['id']}"), 404, "not_found")
    assert api.get("lawyer", f"/api/v1/cases/{shared['id']}").status_code == 200


def test_the_last_lawyer_of_a_case_stays(api: Api, shared: dict[str, Any]) -> None:
    assert delete(api, "lawyer", assignments(shared, "lawyer2")).status_code == 200

    refused = delete(api, "lawyer", assignments(shared, "lawyer"))

    assert_error(refused, 409, "conflict")
    assert refused.json["error"]["details"] == {"problem": "last_lawyer"}
    assert api.case("lawyer", shared["id"])["assigned_to_me"] is True


@pytest.mark.parametrize(
    "username",
    ["nobody", "lawyer3", "judge", "auditor", "Лоуер", "lawyer2\u0301", "..", "l" * 64],
    ids=[
        "unknown",
        "another NGO's lawyer",
        "an official",
        "an auditor",
        "cyrillic",
        "combining mark",
        "dot-dot",
        "longest",
    ],
)
def test_a_name_not_on_the_case_is_not_found_whoever_it_names(
    api: Api, shared: dict[str, Any], username: str
) -> None:
    response = delete(api, "lawyer", assignments(shared, quote(username, safe="")))
    assert_error(response, 404, "not_found")
    assert response.json["error"]["message"] == "That lawyer does not work this case."
    assert api.get("lawyer2", f"/api/v1/cases/{shared['id']}").status_code == 200


@pytest.mark.parametrize(
    "suffix", ["l" * 500, "..%2F..%2Fetc%2Fpasswd", "../lawyer2", "%00lawyer2", "lawyer2%0A"]
)
def test_a_hostile_name_changes_nothing_and_breaks_nothing(
    api: Api, shared: dict[str, Any], suffix: str
) -> None:
    response = delete(api, "lawyer", f"{assignments(shared)}/{suffix}")
    assert response.status_code in (404, 405, 422), response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert "Traceback" not in response.get_data(as_text=True)
    assert api.get("lawyer2", f"/api/v1/cases/{shared['id']}").status_code == 200


@pytest.mark.parametrize(("who", "status"), [("lawyer3", 404), ("judge", 404), ("auditor", 404)])
def test_only_a_lawyer_of_the_case_unassigns(
    api: Api, shared: dict[str, Any], who: str, status: int
) -> None:
    assert delete(api, who, assignments(shared, "lawyer2")).status_code == status
    assert api.get("lawyer2", f"/api/v1/cases/{shared['id']}").status_code == 200


def test_an_assignment_that_outlived_a_move_opens_nothing(
    api: Api, app: Any, shared: dict[str, Any]
) -> None:
    """Moved behind the operations' back, the assignment and its listing row stay; need-to-know
    still refuses the case to a lawyer outside the NGO that holds it, in lists and reads."""
    with app.app_context(), transactions.unit_of_work() as session:
        moved = session.scalar(select(User).filter_by(username="lawyer2"))
        other = session.scalar(select(Agency).filter_by(name=OTHER_NGO))
        assert moved is not None and other is not None
        moved.agency = other
    assert_error(api.get("lawyer2", f"/api/v1/cases/{shared['id']}"), 404, "not_found")
    assert listed(api, "lawyer2") == (set(), 0)
    refused = api.post("lawyer2", assignments(shared), {"username": "lawyer3"})
    assert_error(refused, 404, "not_found")
