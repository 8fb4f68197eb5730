"""The lists' own index: kept in step with every kind of change to a case, holding exactly what
need-to-know allows each user, and paged by cursor with a total counted up to a limit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.factories import Api
from tests.workflow.helpers import record_handling, set_states
from tests.workflow.test_need_to_know import STAGES, open_case_at
from workflow import paging, transactions
from workflow.access import caller_of, visible_cases, waiting_on
from workflow.listings import entries, gather
from workflow.models import Case, CaseListing, TrackState, User
from workflow.queries import overdue_clause
from workflow.retention import purge_case

EVERYONE = ["lawyer", "lawyer2", "lawyer3", "registrar", "judge", "lab", "guardianship", "auditor"]
OFFICIALS = ["registrar", "judge", "lab", "guardianship", "citizenship"]


def stored_rows(app: Any) -> list[tuple[Any, ...]]:
    with app.app_context():
        rows = transactions.session().execute(select(CaseListing)).scalars()
        return sorted(_row(row.__dict__) for row in rows)


def derived_rows(app: Any) -> list[tuple[Any, ...]]:
    """The rows a rebuild from the cases as they stand would write."""
    with app.app_context():
        session = transactions.session()
        ids = list(session.scalars(select(Case.id)))
        cases = gather(session.connection(), ids)
        return sorted(_row(row) for case in cases for row in entries(case))


def _row(values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        values[name] for name in ("case_id", "viewer", "updated_at", "waiting_since", "due")
    )


def ruled(app: Any, username: str, *, queue: bool = False, overdue: bool = False) -> set[str]:
    """The case ids need-to-know's own SQL rule lets the user see, as it stood before the index."""
    with app.app_context():
        session = transactions.session()
        user = session.scalar(select(User).filter_by(username=username))
        assert user is not None
        caller = caller_of(user)
        where = [visible_cases(session, caller)]
        if queue:
            where.append(waiting_on(session, caller.agency_kind))
        if overdue:
            late = overdue_clause(session, datetime.now(UTC))
            where.append(select(TrackState).where(TrackState.case_id == Case.id, late).exists())
        return {str(case_id) for case_id in session.scalars(select(Case.id).where(*where))}


def listed(api: Api, username: str, **query: str) -> set[str]:
    """Every case id of a list, page by page through its cursors."""
    found: list[str] = []
    cursor: str | None = None
    while True:
        given = {**query, "per_page": "2", **({"cursor": cursor} if cursor else {})}
        response = api.get(username, "/api/v1/cases", query_string=given)
        assert response.status_code == 200, response.json
        found += [case["id"] for case in response.json["cases"]]
        cursor = response.json["next_cursor"]
        if cursor is None:
            assert len(found) == len(set(found))  # no case twice across pages
            return set(found)


@pytest.fixture
def walked(api: Api, app: Any) -> dict[str, dict[str, Any]]:
    """A case at every stage, one closed and reopened, one closed, one purged, one handed over
    to a colleague, and two changed behind the operations' back as the test helpers do."""
    cases = {stage: open_case_at(api, stage) for stage in STAGES}
    for name in ("reopened", "closed", "purged"):
        cases[name] = open_case_at(api, "dna_authorized")
        _lawyer_action(api, cases[name], "close", {"reason": "transferred"})
    _lawyer_action(api, cases["reopened"], "reopen", {})
    api.post("lawyer", f"/api/v1/cases/{cases['fresh']['id']}/assignments", {"username": "lawyer2"})
    with app.app_context(), transactions.unit_of_work() as session:
        purged = session.get(Case, uuid.UUID(cases["purged"]["id"]))
        assert purged is not None
        purge_case(session, purged)
    cases["set"] = api.create_case()
    set_states(app, cases["set"]["id"], {"birth_registration": "filed"}, days_ago=40)
    record_handling(app, cases["set"]["id"], ["judge"])
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(
            update(TrackState)
            .where(TrackState.case_id == uuid.UUID(cases["birth_filed"]["id"]))
            .values(since=datetime.now(UTC) - timedelta(days=90))
        )
    return cases


def _lawyer_action(api: Api, case: dict[str, Any], action: str, body: dict[str, str]) -> None:
    version = api.case_version("lawyer", case["id"])
    response = api.post(
        "lawyer", f"/api/v1/cases/{case['id']}/{action}", body, **{"If-Match": f'"{version}"'}
    )
    assert response.status_code == 200, response.json


def test_the_index_is_what_a_rebuild_from_the_cases_would_make(
    app: Any, walked: dict[str, dict[str, Any]]
) -> None:
    assert stored_rows(app) == derived_rows(app)
    purged = uuid.UUID(walked["purged"]["id"])
    assert all(row[0] != purged for row in stored_rows(app))


def test_every_list_holds_exactly_what_need_to_know_allows(
    app: Any, api: Api, walked: dict[str, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    for username in EVERYONE:
        with subtests.test(msg=username, username=username):
            assert listed(api, username) == ruled(app, username)
            assert listed(api, username, overdue="true") == ruled(app, username, overdue=True)
    for username in OFFICIALS:
        with subtests.test(msg=f"{username}'s queue", username=username):
            assert listed(api, username, queue="agency") == ruled(app, username, queue=True)


def test_a_total_past_the_limit_says_at_least(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(4):
        api.create_case()
    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    page = api.get("lawyer", "/api/v1/cases?per_page=2").json
    assert (page["total"], page["total_exact"], len(page["cases"])) == (3, False, 2)
    monkeypatch.setattr(paging, "COUNT_LIMIT", 4)
    page = api.get("lawyer", "/api/v1/cases?per_page=2").json
    assert (page["total"], page["total_exact"]) == (4, True)


def test_a_cursor_goes_on_after_the_last_case_shown_even_as_the_list_changes(
    api: Api, app: Any
) -> None:
    oldest, middle, newest = (api.create_case() for _ in range(3))
    first = api.get("lawyer", "/api/v1/cases?per_page=1").json
    assert [case["id"] for case in first["cases"]] == [newest["id"]]
    api.create_case()  # a new case heads the list; the next page still follows the one shown
    second = api.get("lawyer", f"/api/v1/cases?per_page=2&cursor={first['next_cursor']}").json
    assert [case["id"] for case in second["cases"]] == [middle["id"], oldest["id"]]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["x", "bm90IGpzb24", "WyJub3QgYSBkYXRlIiwgIngiXQ", "a" * 200])
def test_a_cursor_not_given_by_the_list_is_refused(api: Api, cursor: str) -> None:
    response = api.get("lawyer", "/api/v1/cases", query_string={"cursor": cursor})
    assert response.status_code == 422
    assert [detail["field"] for detail in response.json["error"]["details"]] == ["cursor"]


def test_the_overdue_list_shows_the_longest_overdue_first(api: Api, app: Any) -> None:
    late, later, on_time = (api.create_case() for _ in range(3))
    set_states(app, late["id"], {"birth_registration": "under_review"}, days_ago=33)
    set_states(app, later["id"], {"birth_registration": "under_review"}, days_ago=45)
    set_states(app, on_time["id"], {"birth_registration": "under_review"}, days_ago=3)
    overdue = api.get("lawyer", "/api/v1/cases?overdue=true").json["cases"]
    assert [case["id"] for case in overdue] == [later["id"], late["id"]]


def test_a_name_search_shows_each_case_once_the_newest_first_page_by_page(api: Api) -> None:
    # The child, the mother and the grandmother all bear the name searched for.
    created = [api.create_case()["id"] for _ in range(5)]
    found: list[str] = []
    cursor = None
    while True:
        given = {"q": "Нұрғалиева", "per_page": "2", **({"cursor": cursor} if cursor else {})}
        page = api.get("lawyer", "/api/v1/cases", query_string=given).json
        found += [case["id"] for case in page["cases"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert found == created[::-1]
    assert page["total"] == 5 and page["total_exact"] is True
