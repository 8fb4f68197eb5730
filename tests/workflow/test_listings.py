"""The lists' own index: kept in step with every kind of change to a case."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.factories import Api
from tests.workflow.helpers import record_handling, set_states
from tests.workflow.test_need_to_know import STAGES, open_case_at
from workflow import transactions
from workflow.listings import entries, gather
from workflow.models import Case, CaseListing, TrackState
from workflow.retention import purge_case


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
