"""The whole case has a target (about four months from return to papers): its due date and an
overdue flag in the case, its lists and the overdue filter."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import Api
from tests.workflow.helpers import set_states
from workflow import transactions
from workflow.models import Case

TARGET_DAYS = 120


def opened_days_ago(app: Any, case_id: str, days: int) -> None:
    """Move the case's opening back, as if the child had come home `days` ago."""
    with app.app_context(), transactions.unit_of_work() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        case.created_at = datetime.now(UTC) - timedelta(days=days)


def _references(response: Any) -> list[str]:
    assert response.status_code == 200, response.json
    return [case["reference"] for case in response.json["cases"]]


def test_a_case_past_its_target_is_overdue(api: Api, app: Any) -> None:
    late, on_time = api.create_case(), api.create_case()
    opened_days_ago(app, late["id"], TARGET_DAYS + 1)
    opened_days_ago(app, on_time["id"], TARGET_DAYS - 1)
    shown = api.case("lawyer", late["id"])
    assert shown["overdue"] is True
    due = datetime.now(UTC).date() - timedelta(days=1)
    assert shown["due_on"] == due.isoformat()
    assert api.case("lawyer", on_time["id"])["overdue"] is False
    assert _references(api.get("lawyer", "/api/v1/cases?overdue=true")) == [late["reference"]]
    assert _references(api.get("lawyer", "/api/v1/cases?overdue=false")) == [on_time["reference"]]
    listed = api.get("lawyer", "/api/v1/cases").json["cases"]
    assert {c["reference"]: c["overdue"] for c in listed} == {
        late["reference"]: True,
        on_time["reference"]: False,
    }


def test_a_complete_case_is_never_overdue(api: Api, app: Any) -> None:
    case = api.create_case()
    opened_days_ago(app, case["id"], TARGET_DAYS * 2)
    states = {
        "dna": "confirmed",
        "birth_registration": "registered",
        "citizenship": "granted",
        "identity_document": "applied",
        "guardianship": "not_required",
    }
    set_states(app, case["id"], states)
    api.step("citizenship", case["id"], "identity_document", "issue", _issued())
    shown = api.case("lawyer", case["id"])
    assert (shown["status"], shown["overdue"]) == ("complete", False)
    assert _references(api.get("lawyer", "/api/v1/cases?overdue=true")) == []


def _issued() -> dict[str, str]:
    expires = (datetime.now(UTC).date() + timedelta(days=3650)).isoformat()
    return {"document_number": "N-1", "expires_on": expires}


def test_the_workflow_says_the_target(api: Api) -> None:
    body = api.get("lawyer", "/api/v1/workflow").json
    assert body["target_days"] == TARGET_DAYS
    birth = next(t for t in body["tracks"] if t["name"] == "birth_registration")
    amend = next(t for t in birth["transitions"] if t["action"] == "file_amendment")
    assert (amend["leaves_final"], amend["particulars"]) == (True, "propose")
    citizenship = next(t for t in body["tracks"] if t["name"] == "citizenship")
    file = next(t for t in citizenship["transitions"] if t["action"] == "file")
    assert file["requires"]["all_of"][0] == {
        "track": "birth_registration",
        "in": ["registered", "amendment_filed"],
    }
