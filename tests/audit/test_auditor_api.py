"""The auditor's questions through the API: who looked at this case, and was it allowed?"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.audit.helpers import events
from tests.factories import Api


def test_who_looked_at_this_child_s_case(api: Api) -> None:
    case = api.create_case()
    api.get("lawyer", f"/api/v1/cases/{case['id']}")
    api.get("lawyer3", f"/api/v1/cases/{case['id']}")  # another NGO: refused
    api.get("registrar", f"/api/v1/cases/{case['reference']}")  # not waiting on the registry

    answer = api.get("auditor", f"/api/v1/audit/cases/{case['reference']}/accesses").json
    seen = [(e["actor"], e["action"], e["outcome"]) for e in answer["events"]]
    assert seen == [
        ("lawyer", "case.create", "success"),
        ("lawyer", "case.read", "success"),
        ("lawyer3", "case.read", "not_found"),
        ("registrar", "case.read", "not_found"),
    ]
    by_id = api.get("auditor", f"/api/v1/audit/cases/{case['id']}/accesses").json
    # The auditor's own first query is in the trail too, naming the case by its reference.
    assert by_id["events"][:-1] == answer["events"]
    assert by_id["events"][-1]["action"] == "audit.case_accesses"


@pytest.mark.parametrize("username", ["lawyer", "registrar", "admin"])
def test_only_auditors_read_the_trail(api: Api, username: str) -> None:
    for path in (
        "/api/v1/audit/events",
        "/api/v1/audit/verify",
        "/api/v1/audit/export",
        "/api/v1/audit/report",
        "/api/v1/audit/checkpoints",
    ):
        assert api.get(username, path).status_code == 403


def test_auditors_see_no_case_content(api: Api) -> None:
    case = api.create_case()
    assert api.get("auditor", f"/api/v1/cases/{case['id']}").status_code == 404


def test_filters_and_cursor_pages(api: Api) -> None:
    case = api.create_case()
    for _ in range(3):
        api.get("lawyer", f"/api/v1/cases/{case['id']}")
    api.client.post("/api/v1/auth/login", json={"username": "judge", "password": "nope"})

    reads = api.get("auditor", "/api/v1/audit/events?actor=lawyer&action=case.read").json
    assert [e["action"] for e in reads["events"]] == ["case.read"] * 3
    failed = api.get("auditor", "/api/v1/audit/events?outcome=not_authenticated").json["events"]
    assert len(failed) == 1 and failed[0]["actor"] is None

    first = api.get("auditor", "/api/v1/audit/events?limit=2").json
    second = api.get("auditor", f"/api/v1/audit/events?limit=2&cursor={first['next_cursor']}").json
    assert [e["seq"] for e in first["events"]] == [1, 2]
    assert [e["seq"] for e in second["events"]] == [3, 4]

    future = api.get("auditor", "/api/v1/audit/events?since=2999-01-01T00:00:00").json
    assert future == {"events": [], "next_cursor": None}


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=501",
        "cursor=-1",
        "since=yesterday",
        "action=DROP TABLE",
        "colour=blue",
        "actor=%00",
    ],
)
def test_bad_filters_are_named(api: Api, query: str) -> None:
    response = api.get("auditor", f"/api/v1/audit/events?{query}")
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == query.split("=")[0]


def test_exports_as_csv_and_json_lines(api: Api) -> None:
    api.create_case()
    lines = api.get("auditor", "/api/v1/audit/export?format=jsonl")
    assert lines.headers["Content-Disposition"] == "attachment; filename=audit.jsonl"
    rows = [json.loads(line) for line in lines.get_data(as_text=True).splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    table = api.get("auditor", "/api/v1/audit/export?format=csv")
    assert table.mimetype == "text/csv"
    parsed = list(csv.DictReader(io.StringIO(table.get_data(as_text=True))))
    assert parsed[0]["action"] == "auth.login" and parsed[0]["hash"] == rows[0]["hash"]


def test_a_csv_cell_never_runs_as_a_formula(api: Api) -> None:
    api.client.get("/api/v1/me", headers=api.headers("lawyer", **{"X-Request-Id": "-2-3"}))
    table = api.get("auditor", "/api/v1/audit/export?format=csv").get_data(as_text=True)
    assert ",'-2-3," in table and ",-2-3," not in table


def test_the_report_flags_denials_sprees_and_late_hours(app: Any, api: Api) -> None:
    app.config.update(BURST_CASES=2, WORKING_HOURS="0-0")  # every hour is outside
    cases = [api.create_case() for _ in range(3)]
    for case in cases:
        api.get("lawyer", f"/api/v1/cases/{case['id']}")
    api.get("lawyer3", f"/api/v1/cases/{cases[0]['id']}")

    report = api.get("auditor", "/api/v1/audit/report").json
    denied = report["outside_need_to_know"]
    assert [(e["actor"], e["object_id"]) for e in denied] == [("lawyer3", cases[0]["id"])]
    assert report["reading_sprees"] == [
        {"actor": "lawyer", "distinct_cases": 3, "window_minutes": 10}
    ]
    assert len(report["outside_working_hours"]) == len(
        [e for e in events(app) if e.actor_id is not None and e.seq < len(events(app))]
    )


def test_verify_reports_an_intact_trail_in_the_contract_shape(api: Api) -> None:
    api.create_case()
    result = api.get("auditor", "/api/v1/audit/verify").json
    assert result["ok"] is True and result["first_broken"] is None
    assert result["events"] == result["head"]["seq"] >= 3
    assert len(result["head"]["hash"]) == 64


def test_checkpoints_are_signed_and_listed(api: Api) -> None:
    api.create_case()
    made = api.post("auditor", "/api/v1/audit/checkpoints")
    assert made.status_code == 201
    listed = api.get("auditor", "/api/v1/audit/checkpoints").json
    assert listed["checkpoints"] == [made.json]
    assert len(listed["public_key"]) == 44  # 32 raw bytes in base64
    assert api.get("auditor", "/api/v1/audit/verify").json["last_checkpoint"] == made.json
