"""The auditor's pages: who looked at which case, the export, and whether the trail is intact."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from audit.models import AuditCheckpoint
from tests.audit.helpers import change_event, events, last_event
from tests.audit.test_tampering import tampering
from tests.factories import Api
from tests.web.helpers import sign_in, table_rows
from workflow import transactions

LOG_COLUMNS = ("time", "who", "role", "action", "case", "outcome", "address")
EXPORT_HEADER = [
    "seq",
    "at",
    "actor",
    "role",
    "agency_kind",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "case_reference",
    "detail",
    "client_address",
    "request_id",
    "outcome",
    "purpose",
    "prev_hash",
    "hash",
]
AUDITOR_PAGES = ("/audit", "/audit/chain", "/audit/export", "/audit/cases/HW-AAAA-AAAA-AAAA")


def log_rows(html: str) -> list[dict[str, str]]:
    return [dict(zip(LOG_COLUMNS, row, strict=True)) for row in table_rows(html)]


def read_case(api: Api) -> dict[str, Any]:
    """A case the lawyer opened and read, and that another NGO's lawyer was refused."""
    case = api.create_case()
    api.case("lawyer", case["id"])
    assert api.get("lawyer3", f"/api/v1/cases/{case['id']}").status_code == 404
    return case


# --- the access log -------------------------------------------------------------------------------


def test_the_log_lists_a_lawyer_s_read_with_its_case_reference(
    api: Api, client: FlaskClient
) -> None:
    case = read_case(api)
    sign_in(client, "auditor")

    response = client.get("/audit")

    assert response.status_code == 200
    rows = log_rows(response.get_data(as_text=True))
    reads = [r for r in rows if r["action"] == "Read a case" and r["who"] == "lawyer"]
    assert len(reads) == 1
    assert reads[0]["case"] == case["reference"]
    assert reads[0]["outcome"] == "Done"
    assert reads[0]["role"] == "lawyer · legal aid organisation"
    assert reads[0]["address"] == "127.0.0.1"
    link = f'href="/audit/cases/{case["reference"]}"'
    assert link in response.get_data(as_text=True)
    # Newest first: the auditor's start page (this log), then the auditor's sign-in.
    assert [(r["who"], r["action"]) for r in rows[:2]] == [
        ("auditor", "Searched the audit trail"),
        ("auditor", "Signed in"),
    ]


def test_the_log_page_leaves_the_same_event_as_the_api_query(
    api: Api, client: FlaskClient, app: Any
) -> None:
    read_case(api)
    sign_in(client, "auditor")

    client.get("/audit?action=case.read&actor=lawyer")

    event = last_event(app)
    assert (event.username, event.action, event.outcome) == ("auditor", "audit.query", "success")
    assert event.detail == {"filters": ["action", "actor"], "returned": 1}


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("action=case.read", lambda r: r["action"] == "Read a case"),
        ("actor=lawyer3", lambda r: r["who"] == "lawyer3"),
        ("outcome=not_found", lambda r: r["outcome"] == "Not found"),
        (
            "action=case.read&outcome=success",
            lambda r: r["who"] == "lawyer" and r["action"] == "Read a case",
        ),
    ],
)
def test_filters_narrow_the_rows(api: Api, client: FlaskClient, query: str, kept: Any) -> None:
    read_case(api)
    sign_in(client, "auditor")
    everything = log_rows(client.get("/audit").get_data(as_text=True))

    narrowed = log_rows(client.get(f"/audit?{query}").get_data(as_text=True))

    assert narrowed
    assert len(narrowed) < len(everything)
    assert all(kept(row) for row in narrowed)
    assert len(narrowed) == len([row for row in everything if kept(row)])


def test_the_case_filter_takes_an_id_or_a_reference(api: Api, client: FlaskClient) -> None:
    case = read_case(api)
    api.create_case()
    sign_in(client, "auditor")

    by_reference = log_rows(client.get(f"/audit?case={case['reference']}").get_data(as_text=True))
    by_id = log_rows(client.get(f"/audit?case={case['id']}").get_data(as_text=True))
    typed = case["reference"].lower()  # as a person may type it
    by_typed = log_rows(client.get(f"/audit?case={typed}").get_data(as_text=True))

    # The refused read names the case as its URL did, by id; the trail knows no more of it.
    assert [(r["who"], r["action"], r["case"]) for r in by_reference] == [
        ("lawyer3", "Read a case", case["id"]),
        ("lawyer", "Read a case", case["reference"]),
        ("lawyer", "Opened a case", case["reference"]),
    ]
    assert by_id == by_reference == by_typed


def test_a_day_given_as_until_includes_that_whole_day(
    api: Api, client: FlaskClient, app: Any
) -> None:
    read_case(api)
    sign_in(client, "auditor")
    so_far = events(app)
    today = so_far[-1].at.date().isoformat()

    rows = log_rows(client.get(f"/audit?since={today}&until={today}").get_data(as_text=True))
    before = log_rows(client.get("/audit?until=2001-01-01").get_data(as_text=True))

    assert len(rows) == len(so_far)
    assert before == []


def test_older_events_are_one_page_further(api: Api, client: FlaskClient) -> None:
    case = api.create_case()
    for _ in range(110):
        api.get("lawyer", f"/api/v1/cases/{case['id']}")
    sign_in(client, "auditor")

    first = client.get("/audit?actor=lawyer").get_data(as_text=True)
    found = re.search(r'href="/audit\?cursor=(\d+)&amp;actor=lawyer">Older events', first)
    assert found is not None
    second = client.get(f"/audit?actor=lawyer&cursor={found.group(1)}").get_data(as_text=True)

    assert len(log_rows(first)) == 100
    older = log_rows(second)
    assert len(older) == 112 - 100  # the lawyer's sign-in, the case opened, 110 reads
    assert [r["action"] for r in older[-2:]] == ["Opened a case", "Signed in"]
    assert "Older events" not in second and "Newest events" in second


# --- filters that cannot be used ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("since", "yesterday", "Enter a date as year-month-day"),
        ("until", "2026-02-30", "Enter a date as year-month-day"),
        ("since", "2026-01-15T25:61", "Enter a date as year-month-day"),
        ("actor", "x" * 65, "This is too long."),
        ("actor", "Ә" * 5000, "This is too long."),
        ("case", "HW-1\x00", "This holds characters that cannot be used here."),
        ("case", "\u202e\x1b[31m", "This holds characters that cannot be used here."),
        ("action", "DROP TABLE audit_events", "Use only small letters, digits, dots"),
        ("action", "case.read'--", "Use only small letters, digits, dots"),
        ("outcome", "échec", "Use only small letters, digits, dots"),
    ],
)
def test_a_filter_that_cannot_be_used_is_named_beside_its_field(
    api: Api, client: FlaskClient, app: Any, field: str, value: str, says: str
) -> None:
    read_case(api)
    sign_in(client, "auditor")

    response = client.get("/audit", query_string={field: value})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in html
    assert says in html.split(f'id="f-{field}-error">')[1].split("</p>")[0]
    assert 'aria-invalid="true"' in html
    assert table_rows(html) == []
    event = last_event(app)
    assert (event.action, event.outcome, event.detail) == ("audit.query", "invalid_input", {})


@pytest.mark.parametrize("cursor", ["-1", "abc", str(2**63)])
def test_a_cursor_that_names_no_page_is_refused_in_words(
    api: Api, client: FlaskClient, cursor: str
) -> None:
    sign_in(client, "auditor")

    response = client.get(f"/audit?cursor={cursor}")

    assert response.status_code == 422
    assert "There is no such page. Start again." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "actor",
    ["<script>alert(1)</script>", "Нұрғалиева", "عالية", "x' OR '1'='1", "🙂" * 16],
)
def test_hostile_or_foreign_text_is_only_a_filter_that_finds_nothing(
    api: Api, client: FlaskClient, actor: str
) -> None:
    read_case(api)
    sign_in(client, "auditor")

    response = client.get("/audit", query_string={"actor": actor, "unknown": "ignored"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert table_rows(html) == []
    assert "No event matches these filters." in html
    assert "<script>alert" not in html


# --- one case's accesses --------------------------------------------------------------------------


@pytest.mark.parametrize("named_by", ["reference", "id"])
def test_a_case_s_page_lists_who_saw_it_and_who_was_refused(
    api: Api, client: FlaskClient, named_by: str
) -> None:
    case = read_case(api)
    api.create_case()  # another case, not in this one's log
    sign_in(client, "auditor")

    response = client.get(f"/audit/cases/{case[named_by]}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Accesses to case {case['reference']}" in html
    seen = [(row[1], row[3], row[4]) for row in table_rows(html)]
    assert seen == [
        ("lawyer", "Opened a case", "Done"),
        ("lawyer", "Read a case", "Done"),
        ("lawyer3", "Read a case", "Not found"),
    ]
    assert "3 events; 1 refused." in " ".join(html.split())


def test_the_case_page_is_recorded_as_the_api_records_it(
    api: Api, client: FlaskClient, app: Any
) -> None:
    case = read_case(api)
    sign_in(client, "auditor")

    client.get(f"/audit/cases/{case['reference']}")

    event = last_event(app)
    assert (event.action, event.object_type, event.object_id) == (
        "audit.case_accesses",
        "case",
        case["reference"],
    )
    assert event.detail == {"returned": 3}


def test_a_malformed_case_name_is_refused_without_an_error(
    api: Api, client: FlaskClient, app: Any
) -> None:
    sign_in(client, "auditor")

    response = client.get("/audit/cases/HW%1B" + "x" * 70)

    assert response.status_code == 422
    assert "That is not a case id or a case reference." in response.get_data(as_text=True)
    assert last_event(app).object_id == "(malformed)"


# --- the export -----------------------------------------------------------------------------------


def test_the_csv_export_holds_the_filtered_events(api: Api, client: FlaskClient) -> None:
    case = read_case(api)
    sign_in(client, "auditor")

    response = client.get(f"/audit/export?format=csv&case={case['reference']}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=audit.csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == EXPORT_HEADER
    rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert [(r["actor"], r["action"], r["outcome"]) for r in rows] == [
        ("lawyer", "case.create", "success"),
        ("lawyer", "case.read", "success"),
        ("lawyer3", "case.read", "not_found"),
    ]
    assert rows[1]["case_reference"] == case["reference"]


def test_the_jsonl_export_is_one_event_a_line(api: Api, client: FlaskClient, app: Any) -> None:
    read_case(api)
    sign_in(client, "auditor")
    expected = [e.seq for e in events(app) if e.action == "case.read"]

    response = client.get("/audit/export?format=jsonl&action=case.read")

    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert [line["seq"] for line in lines] == expected
    event = last_event(app)
    assert (event.action, event.detail) == (
        "audit.export",
        {"filters": ["action"], "returned": 2, "format": "jsonl"},
    )


@pytest.mark.parametrize("query", ["format=xlsx", "format=csv&since=never"])
def test_an_export_with_unusable_filters_is_refused(
    api: Api, client: FlaskClient, query: str
) -> None:
    sign_in(client, "auditor")

    response = client.get(f"/audit/export?{query}")

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "Some filters could not be used." in response.get_data(as_text=True)


# --- the chain and its checkpoints ----------------------------------------------------------------


def test_the_chain_page_says_the_trail_is_intact(api: Api, client: FlaskClient) -> None:
    read_case(api)
    sign_in(client, "auditor")

    html = client.get("/audit/chain").get_data(as_text=True)

    assert "The chain is intact" in html
    assert "No checkpoint has been made yet." in html


def test_a_checkpoint_made_on_the_page_is_listed_there(
    api: Api, client: FlaskClient, app: Any
) -> None:
    read_case(api)
    token = sign_in(client, "auditor")

    made = client.post("/audit/checkpoints", data={"csrf_token": token})

    assert made.status_code == 303
    assert made.headers["Location"] == "/audit/chain"
    with app.app_context():
        seq = transactions.session().scalar(select(AuditCheckpoint.seq))
    html = client.get("/audit/chain").get_data(as_text=True)
    assert f"Checkpoint made at event {seq}." in html
    assert [row[0] for row in table_rows(html)] == [str(seq)]
    assert "The chain is intact" in html


def test_a_checkpoint_needs_the_form_s_token(api: Api, client: FlaskClient, app: Any) -> None:
    sign_in(client, "auditor")

    refused = client.post("/audit/checkpoints", data={"csrf_token": "forged"})

    assert refused.status_code == 400
    with app.app_context():
        assert transactions.session().scalar(select(func.count()).select_from(AuditCheckpoint)) == 0


def test_a_changed_event_is_reported_where_it_breaks_the_chain(
    api: Api, client: FlaskClient, app: Any
) -> None:
    read_case(api)
    sign_in(client, "auditor")
    victim = next(e.seq for e in events(app) if e.outcome == "not_found")
    with tampering(api) as connection:
        change_event(connection, victim, outcome="success")

    html = client.get("/audit/chain").get_data(as_text=True)

    assert "The chain is intact" not in html
    assert f"The chain is broken at event {victim}." in html
    assert "The event was changed after it was written." in html
    assert f"{victim - 1} events verified before the break." in html


# --- only auditors --------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["lawyer", "registrar", "admin"])
def test_only_auditors_see_the_audit_pages(
    api: Api, client: FlaskClient, app: Any, username: str
) -> None:
    token = sign_in(client, username)

    for path in AUDITOR_PAGES:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "The audit trail is for auditors." in response.get_data(as_text=True)
        assert last_event(app).outcome == "not_permitted"
    refused = client.post("/audit/checkpoints", data={"csrf_token": token})
    assert refused.status_code == 403


def test_a_stranger_is_sent_to_sign_in(client: FlaskClient, accounts: Any) -> None:
    response = client.get("/audit?action=case.read")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
