"""Break-glass: a lawyer or an official may read a case outside need-to-know by stating why; the
access lasts a short time, opens the case and its history only, and the auditors review it."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from tests.factories import ALL_SCRIPTS_CHILD, Api
from workflow import transactions
from workflow.models import BreakGlassGrant, Case
from workflow.permissions import (
    Caller,
    CaseFacts,
    can_attach_document,
    can_edit_case,
    can_issue_form,
    can_perform,
    can_read_document,
    can_record_consent,
    can_view_case,
)
from workflow.retention import purge_case
from workflow.rules.definition import Transition
from workflow.vocabulary import AgencyKind, Role

REASON = "The child's guardian called the hotline; checking the DNA step before replying."


def _break(api: Api, username: str, case: str, reason: str = REASON) -> Any:
    return api.post(username, f"/api/v1/cases/{case}/break-glass", {"reason": reason})


def _grant_rows(app: Any, case_id: str) -> list[BreakGlassGrant]:
    with app.app_context():
        session = transactions.session()
        rows = list(session.scalars(select(BreakGlassGrant).filter_by(case_id=uuid.UUID(case_id))))
        session.expunge_all()
        return rows


def _expire_grants(app: Any, case_id: str) -> None:
    """Move every grant on the case into the past, as the clock would."""
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(
            update(BreakGlassGrant)
            .where(BreakGlassGrant.case_id == uuid.UUID(case_id))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def _every_event(api: Api) -> list[dict[str, Any]]:
    lines = api.get("auditor", "/api/v1/audit/export?format=jsonl").get_data(as_text=True)
    return [json.loads(line) for line in lines.splitlines()]


@pytest.mark.parametrize("username", ["lawyer3", "registrar"])
def test_a_stated_reason_opens_the_case_and_its_history_to_that_user_only(
    api: Api, username: str
) -> None:
    case = api.create_case()
    assert api.get(username, f"/api/v1/cases/{case['id']}").status_code == 404

    granted = _break(api, username, case["reference"])

    assert granted.status_code == 201
    assert granted.json["case_id"] == case["id"]
    assert granted.json["reference"] == case["reference"]
    expires = datetime.fromisoformat(granted.json["expires_at"])
    assert timedelta(minutes=29) < expires - datetime.now(UTC) <= timedelta(minutes=30)
    read = api.get(username, f"/api/v1/cases/{case['id']}")
    assert read.status_code == 200 and read.json["child_names"] == case["child_names"]
    assert read.json["allowed_transitions"] == []  # reading only: no step is offered
    by_reference = api.get(username, f"/api/v1/cases/{case['reference']}/history")
    assert by_reference.status_code == 200
    assert [step["action"] for step in by_reference.json["history"]] == []
    assert api.get("lawyer2", f"/api/v1/cases/{case['id']}").status_code == 404


def test_a_reader_through_the_glass_sees_neither_where_the_child_lives_nor_step_data(
    api: Api,
) -> None:
    case = api.create_case()
    api.request_dna(case)
    assert "residence" in api.case("lawyer", case["id"])["child"]  # the case's own lawyer does
    _break(api, "lawyer3", case["id"])

    read = api.get("lawyer3", f"/api/v1/cases/{case['id']}").json
    history = api.get("lawyer3", f"/api/v1/cases/{case['id']}/history").json["history"]

    assert "residence" not in read["child"]
    assert ALL_SCRIPTS_CHILD["residence"] not in str(read)
    assert [step["action"] for step in history] == ["request"]
    assert history[0]["data"] is None and history[0]["note"] is None


def test_a_granted_case_appears_in_no_list_or_queue(api: Api) -> None:
    case = api.create_case()
    assert _break(api, "lawyer3", case["id"]).status_code == 201
    assert _break(api, "registrar", case["id"]).status_code == 201

    assert api.get("lawyer3", "/api/v1/cases").json["total"] == 0
    assert api.get("registrar", "/api/v1/cases").json["total"] == 0
    assert api.get("registrar", "/api/v1/cases?queue=agency").json["total"] == 0


def test_the_grant_opens_nothing_but_reading_the_case_and_its_history(api: Api) -> None:
    """Everything else answers 404, as before the grant: outside the two reads the holder is
    still outside need-to-know, and a hidden case looks missing, so nothing more is confirmed."""
    case = api.create_case()
    api.request_dna(case)
    mother = api.person(case, "mother")
    assert _break(api, "lawyer3", case["id"]).status_code == 201
    version = {"If-Match": f'"{api.case_version("lawyer3", case["id"])}"'}
    path = f"/api/v1/cases/{case['id']}"

    refused = {
        "transition": api.post(
            "lawyer3",
            f"{path}/transitions",
            {"track": "dna", "action": "cancel", "data": {}, "evidence_ids": []},
            **version,
        ),
        "particulars": api.patch("lawyer3", path, {"child": {"sex": "male"}}, **version),
        "close": api.post("lawyer3", f"{path}/close", {"reason": "withdrawn"}, **version),
        "assign": api.post("lawyer3", f"{path}/assignments", {"username": "lawyer3"}),
        "upload": api.upload("lawyer3", case["id"], "identity_record"),
        "documents": api.get("lawyer3", f"{path}/documents"),
        "consents": api.get("lawyer3", f"{path}/consents"),
        "consent": api.record_consent("lawyer3", case["id"], mother),
        "form": api.post("lawyer3", f"{path}/forms/case-summary"),
    }

    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(refused, 404)
    assert api.case("lawyer", case["id"])["version"] == int(version["If-Match"].strip('"'))


def test_the_grant_expires_and_the_case_is_missing_again(api: Api, app: Any) -> None:
    case = api.create_case()
    assert _break(api, "lawyer3", case["id"]).status_code == 201
    assert api.get("lawyer3", f"/api/v1/cases/{case['id']}").status_code == 200

    _expire_grants(app, case["id"])

    assert api.get("lawyer3", f"/api/v1/cases/{case['id']}").status_code == 404
    assert api.get("lawyer3", f"/api/v1/cases/{case['id']}/history").status_code == 404
    assert _break(api, "lawyer3", case["id"]).status_code == 201  # a new reason, a new grant


def test_the_grant_lasts_as_long_as_the_setting_says(api: Api, app: Any) -> None:
    app.config["BREAK_GLASS_MINUTES"] = 1
    case = api.create_case()
    expires = datetime.fromisoformat(_break(api, "judge", case["id"]).json["expires_at"])
    assert timedelta(seconds=50) < expires - datetime.now(UTC) <= timedelta(minutes=1)


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_auditors_and_admins_may_not_break_the_glass(api: Api, app: Any, username: str) -> None:
    case = api.create_case()
    response = _break(api, username, case["id"])
    assert response.status_code == 403 and response.json["error"]["code"] == "not_permitted"
    assert api.get(username, f"/api/v1/cases/{case['id']}").status_code == 404
    assert _grant_rows(app, case["id"]) == []


def test_a_caller_who_already_sees_the_case_has_nothing_to_break(api: Api, app: Any) -> None:
    case = api.create_case()
    seen = _break(api, "lawyer", case["id"])
    assert (seen.status_code, seen.json["error"]["code"]) == (409, "conflict")
    assert _break(api, "lawyer3", case["id"]).status_code == 201
    again = _break(api, "lawyer3", case["id"])
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"
    assert len(_grant_rows(app, case["id"])) == 1


@pytest.mark.parametrize(
    "name", ["HW-2222-3333-4444", "5f0b2c1e-8d3a-4e6f-9b7c-1a2d3e4f5a6b", "not-a-case"]
)
def test_a_case_that_does_not_exist_cannot_be_opened(api: Api, name: str) -> None:
    response = _break(api, "lawyer3", name)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_a_closed_case_may_be_opened(api: Api) -> None:
    case = api.create_case()
    closed = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/close",
        {"reason": "transferred"},
        **{"If-Match": f'"{case["version"]}"'},
    )
    assert closed.status_code == 200
    assert _break(api, "lawyer3", case["id"]).status_code == 201
    assert api.case("lawyer3", case["id"])["status"] == "closed"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"reason": "just looking"}, "string_too_short"),
        ({"reason": " " * 30 + "short" + "\n" * 10}, "value_error"),  # short once trimmed
        ({"reason": "Checking a call\u0000 from the guardian's office"}, "value_error"),
        ({"reason": "x" * 2001}, "string_too_long"),
        ({"reason": 12345678901234567890}, "string_type"),
        ({}, "missing"),
    ],
)
def test_a_reason_must_be_stated_in_plain_words(
    api: Api, app: Any, body: dict[str, Any], problem: str
) -> None:
    case = api.create_case()
    response = api.post("lawyer3", f"/api/v1/cases/{case['id']}/break-glass", body)
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "reason"
    assert response.json["error"]["details"][0]["problem"] == problem
    if isinstance(body.get("reason"), str):
        assert body["reason"].strip() not in response.get_data(as_text=True)
    assert _grant_rows(app, case["id"]) == []


def test_an_oversized_body_is_refused_before_anything_is_read(api: Api) -> None:
    case = api.create_case()
    response = _break(api, "lawyer3", case["id"], "Checking the file " * 20_000)
    assert response.status_code == 413 and "Checking" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "reason",
    [
        "Ребёнок Әлия: опекун звонил, проверяю шаг ДНК",
        "طلب الوصي مراجعة الملف بشكل عاجل اليوم",
        "<script>alert(1)</script> '; DROP TABLE cases; --",
        "Guardian\u202e called\tthe hotline\nabout this case",
    ],
)
def test_any_script_and_hostile_text_is_kept_as_text(api: Api, reason: str) -> None:
    case = api.create_case()
    response = _break(api, "lawyer3", case["id"], reason)
    assert response.status_code == 201
    assert reason not in response.get_data(as_text=True)
    report = api.get("auditor", "/api/v1/audit/report").json
    assert [grant["reason"] for grant in report["break_glass"]] == [reason]


def test_the_trail_marks_the_grant_and_every_read_made_under_it(api: Api) -> None:
    case = api.create_case()
    api.get("lawyer", f"/api/v1/cases/{case['id']}")
    grant = _break(api, "lawyer3", case["reference"]).json
    api.get("lawyer3", f"/api/v1/cases/{case['id']}")
    api.get("lawyer3", f"/api/v1/cases/{case['reference']}/history")
    api.get("lawyer3", f"/api/v1/cases/{case['id']}/documents")  # refused: not under the grant

    events = [e for e in _every_event(api) if e["case_reference"] == case["reference"]]
    marked = [(e["actor"], e["action"]) for e in events if "break_glass" in e["detail"]]
    assert marked == [
        ("lawyer3", "case.break_glass"),
        ("lawyer3", "case.read"),
        ("lawyer3", "case.history"),
    ]
    created = events[[e["action"] for e in events].index("case.break_glass")]
    grant_id = created["detail"]["break_glass"]
    assert created["detail"] == {"break_glass": grant_id, "expires_at": grant["expires_at"]}
    assert {e["detail"]["break_glass"] for e in events if "break_glass" in e["detail"]} == {
        grant_id
    }


def test_the_auditors_report_lists_each_grant_its_reason_and_its_reads(api: Api) -> None:
    case = api.create_case()
    grant = _break(api, "registrar", case["id"]).json
    api.get("registrar", f"/api/v1/cases/{case['id']}")
    api.get("registrar", f"/api/v1/cases/{case['id']}/history")

    [listed] = api.get("auditor", "/api/v1/audit/report").json["break_glass"]

    assert listed["actor"] == "registrar"
    assert listed["case_reference"] == case["reference"]
    assert listed["reason"] == REASON
    assert datetime.fromisoformat(listed["expires_at"]) == datetime.fromisoformat(
        grant["expires_at"]
    )
    assert datetime.fromisoformat(listed["granted_at"]) < datetime.fromisoformat(
        listed["expires_at"]
    )
    assert [(e["action"], e["outcome"]) for e in listed["accesses"]] == [
        ("case.read", "success"),
        ("case.history", "success"),
    ]
    assert "child_names" not in json.dumps(listed)  # the auditor sees who and why, not the case


def test_the_reason_is_sealed_at_rest_and_never_in_the_trail_or_the_logs(
    api: Api, app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    case = api.create_case()
    assert _break(api, "lawyer3", case["id"]).status_code == 201
    api.get("lawyer3", f"/api/v1/cases/{case['id']}")
    again = _break(api, "lawyer3", case["id"], REASON + " again")
    assert (again.status_code, again.json["error"]["code"]) == (409, "conflict")

    assert all(REASON not in json.dumps(e, ensure_ascii=False) for e in _every_event(api))
    assert REASON not in caplog.text
    with app.app_context():
        stored = (
            transactions.session()
            .execute(text("SELECT reason FROM break_glass_grants"))
            .scalar_one()
        )
    assert REASON.encode() not in (stored if isinstance(stored, bytes) else stored.encode())


def test_purging_a_case_erases_its_grants(api: Api, app: Any) -> None:
    case = api.create_case()
    assert _break(api, "lawyer3", case["id"]).status_code == 201
    assert _break(api, "judge", case["id"]).status_code == 201

    with app.app_context(), transactions.unit_of_work() as session:
        stored = session.get(Case, uuid.UUID(case["id"]))
        assert stored is not None
        purge_case(session, stored)

    assert _grant_rows(app, case["id"]) == []
    assert api.get("lawyer3", f"/api/v1/cases/{case['id']}").status_code == 404
    assert _break(api, "registrar", case["id"]).status_code == 404


NGO, COURT, OMBUDSMAN = (uuid.uuid4() for _ in range(3))
LAWYER3 = Caller(uuid.uuid4(), Role.LAWYER, NGO, AgencyKind.NGO)
JUDGE = Caller(uuid.uuid4(), Role.OFFICIAL, COURT, AgencyKind.COURT)
AUDITOR = Caller(uuid.uuid4(), Role.AUDITOR, OMBUDSMAN, AgencyKind.OMBUDSMAN)
ANYONE = Transition.model_validate(
    {
        "action": "authorize",
        "from": ["requested"],
        "to": "authorized",
        "performed_by": [
            {"role": "lawyer", "agency_kind": "ngo"},
            {"role": "official", "agency_kind": "court"},
        ],
    }
)


@pytest.mark.parametrize("caller", [LAWYER3, JUDGE])
def test_a_grant_lets_its_holder_read_and_do_nothing_else(caller: Caller) -> None:
    facts = CaseFacts(break_glass=frozenset({caller.id}))
    assert can_view_case(caller, facts) is True
    assert can_view_case(caller, CaseFacts(break_glass=frozenset({uuid.uuid4()}))) is False
    assert not any(
        [
            can_edit_case(caller, facts),
            can_perform(caller, facts, ANYONE),
            can_attach_document(caller, facts),
            can_read_document(caller, facts, caller.agency_id, frozenset({caller.agency_kind})),
            can_record_consent(caller, facts),
            can_issue_form(caller, facts),
        ]
    )


def test_a_grant_is_worth_nothing_to_an_auditor() -> None:
    assert can_view_case(AUDITOR, CaseFacts(break_glass=frozenset({AUDITOR.id}))) is False
