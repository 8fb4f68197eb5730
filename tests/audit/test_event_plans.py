"""The auditor's lists read the trail through its indexes, on SQLite and on PostgreSQL: a page of
one actor's, action's, outcome's or case's events comes out of an index in order and stops at
its end, however many events match (one busy user's were all read and sorted for each page);
and a case's events are found by index, never by reading the whole trail. How the plans are
judged is `tests.workflow.test_list_plans`'s."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import Api
from tests.web.helpers import sign_in
from tests.workflow.test_list_plans import problems

TRAIL = frozenset({"audit_events"})
FILTERS = [
    {"actor": "lawyer"},
    {"action": "case.read"},
    {"outcome": "success"},
    {"actor": "lawyer", "outcome": "success"},
    {"actor": "lawyer", "cursor": "2"},
]


@pytest.fixture
def trail(api: Api) -> dict[str, Any]:
    """A case read and refused a few times over: events of several actors and outcomes."""
    case = api.create_case()
    for reader in ("lawyer", "lawyer", "registrar", "judge"):
        api.get(reader, f"/api/v1/cases/{case['id']}")
    return case


@pytest.mark.parametrize("query", FILTERS, ids=lambda query: "&".join(query))
def test_a_filtered_page_of_events_reads_in_order_through_an_index(
    app: Any, api: Api, trail: dict[str, Any], query: dict[str, str]
) -> None:
    api.token("auditor")

    def listing() -> None:
        response = api.get("auditor", "/api/v1/audit/events", query_string=query)
        assert response.status_code == 200, response.json
        assert response.json["events"]

    assert problems(app, listing, TRAIL, paged=TRAIL) == []


def test_the_access_log_newest_first_reads_in_order_through_an_index(
    app: Any, client: FlaskClient, trail: dict[str, Any]
) -> None:
    sign_in(client, "auditor")

    def newest_first() -> None:
        response = client.get("/audit?actor=lawyer&outcome=success")
        assert response.status_code == 200

    assert problems(app, newest_first, TRAIL, paged=TRAIL) == []


def test_a_cases_accesses_are_found_by_index(app: Any, api: Api, trail: dict[str, Any]) -> None:
    api.token("auditor")

    def accesses() -> None:
        response = api.get("auditor", f"/api/v1/audit/cases/{trail['reference']}/accesses")
        assert response.status_code == 200, response.json
        assert response.json["events"]

    assert problems(app, accesses, TRAIL) == []
