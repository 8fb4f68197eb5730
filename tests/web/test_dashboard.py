"""The dashboard: where the cases stand, how long each stage takes, which agencies are late."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.audit.helpers import last_event
from tests.factories import ALL_SCRIPTS_CHILD, GRANDMOTHER, MOTHER_ABROAD, Api
from tests.statements import is_read, statements_run
from tests.web.helpers import sign_in, table_rows
from tests.workflow.helpers import Clock
from workflow import operations, transactions
from workflow.db import utcnow
from workflow.overdue import open_workflows, overdue_by_agency
from workflow.vocabulary import AgencyKind
from workflow.web import figures

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
TRACKS = (
    "DNA kinship",
    "Parentage",
    "Birth registration",
    "Guardianship",
    "Citizenship",
    "Identity document",
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The operations' clock, fifteen days and an hour back, moved on only by the test."""
    clock = Clock(utcnow() - 15 * DAY - HOUR)
    monkeypatch.setattr(operations, "utcnow", clock)
    return clock


def names_on_cases() -> list[str]:
    people = [ALL_SCRIPTS_CHILD, MOTHER_ABROAD, GRANDMOTHER]
    return [
        part
        for person in people
        for name in person["names"]
        for part in (name.get("given"), name.get("family"))
        if part
    ]


def dashboard_page(client: FlaskClient, username: str = "admin") -> str:
    sign_in(client, username)
    response = client.get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def stage_counts(html: str) -> dict[tuple[str, str], int]:
    rows = table_rows(html, "Open cases per track and state")
    return {(track, state): int(count) for track, state, count in rows}


# --- counts ---------------------------------------------------------------------------------------


def test_the_counts_match_the_cases_opened_and_their_steps(api: Api, client: FlaskClient) -> None:
    cases = [api.create_case() for _ in range(3)]
    for case in cases[:2]:
        api.request_dna(case)

    html = dashboard_page(client)

    counts = stage_counts(html)
    assert counts["DNA kinship", "requested"] == 2
    assert counts["DNA kinship", "not started"] == 1
    assert counts["Birth registration", "filed"] == 0
    for track in TRACKS:
        assert sum(n for (name, _state), n in counts.items() if name == track) == 3
    assert "3 cases" in html


def test_a_closed_case_counts_as_closed_not_where_it_stood(api: Api, client: FlaskClient) -> None:
    kept, closed = api.create_case(), api.create_case()
    api.request_dna(kept)
    response = api.post(
        "lawyer",
        f"/api/v1/cases/{closed['id']}/close",
        {"reason": "transferred"},
        **{"If-Match": f'"{api.case_version("lawyer", closed["id"])}"'},
    )
    assert response.status_code == 200

    html = dashboard_page(client)

    assert stage_counts(html)["DNA kinship", "not started"] == 0
    assert stage_counts(html)["DNA kinship", "requested"] == 1
    statuses = " ".join(html.split())
    assert "open: <strong>1</strong>" in statuses and "closed: <strong>1</strong>" in statuses


def test_the_page_shows_no_name_and_no_case_reference(api: Api, client: FlaskClient) -> None:
    cases = [api.create_case() for _ in range(2)]
    api.request_dna(cases[0])

    html = dashboard_page(client, "auditor")

    for case in cases:
        assert case["reference"] not in html
        assert case["id"] not in html
    for name in names_on_cases():
        assert name not in html


def test_every_chart_bar_carries_its_number_and_the_table_repeats_it(
    api: Api, client: FlaskClient
) -> None:
    for _ in range(2):
        api.request_dna(api.create_case())

    html = dashboard_page(client)

    chart = html.split('<h2 id="standing">')[1].split("<table>")[0]
    assert chart.count("<svg") == chart.count("<strong>")
    assert '<rect width="100.0" height="10" fill="#0b5394"/></svg> <strong>2</strong>' in chart
    assert 'aria-hidden="true"' in chart
    assert "style=" not in html  # the page's policy would refuse an inline style
    # Steps taken seconds apart: a stay shorter than a tenth of a day is not shown as none.
    medians = table_rows(html, "Median days per track and state")
    assert medians == [["DNA kinship", "not started", "< 0.1", "2"]]


# --- the median time per stage --------------------------------------------------------------------


def test_the_medians_come_from_the_recorded_history(
    api: Api, client: FlaskClient, app: Any, clock: Clock
) -> None:
    for days in (2, 9, 4):
        case = api.create_case()
        clock.advance(days * DAY)
        api.request_dna(case)

    with app.app_context():
        kept = figures.stage_times(transactions.session())
    html = dashboard_page(client)

    assert kept.keys() == {("dna", "not_started")}
    assert kept["dna", "not_started"].steps == 3
    assert abs(kept["dna", "not_started"].median - 4 * DAY) < 0.0055 * 4 * DAY
    rows = table_rows(html, "Median days per track and state")
    assert rows == [["DNA kinship", "not started", "4.0", "3"]]


def test_a_later_stage_is_timed_from_the_step_that_entered_it(
    api: Api, app: Any, clock: Clock
) -> None:
    case = api.create_case()
    clock.advance(DAY)
    api.request_dna(case)
    clock.advance(12 * HOUR)
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "2-1187/2026"})

    with app.app_context():
        kept = figures.stage_times(transactions.session())

    assert kept.keys() == {("dna", "not_started"), ("dna", "requested")}
    assert abs(kept["dna", "requested"].median - 12 * HOUR) < 0.0055 * 12 * HOUR
    assert abs(kept["dna", "not_started"].median - DAY) < 0.0055 * DAY


# --- overdue steps --------------------------------------------------------------------------------


def test_an_overdue_step_counts_for_the_agency_it_waits_on(
    api: Api, client: FlaskClient, app: Any, clock: Clock
) -> None:
    late, on_time = api.create_case(), api.create_case()
    api.request_dna(late)  # now waiting on the court, whose target is 14 days
    clock.advance(15 * DAY)
    api.request_dna(on_time)

    with app.app_context():
        counts = overdue_by_agency(transactions.session(), clock.now)
    html = dashboard_page(client)

    assert counts[AgencyKind.COURT] == 1
    assert sum(counts.values()) == 1
    assert AgencyKind.CIVIL_REGISTRY in counts  # listed with none late, not left out
    rows = table_rows(html, "Overdue steps per kind of agency")
    assert rows[0] == ["court", "1"]
    assert all(count == "0" for _agency, count in rows[1:])


# --- who may see it -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_auditors_and_administrators_see_the_dashboard(
    api: Api, client: FlaskClient, app: Any, username: str
) -> None:
    api.create_case()

    dashboard_page(client, username)

    event = last_event(app)
    assert (event.username, event.action, event.outcome) == (
        username,
        "report.dashboard",
        "success",
    )
    assert event.case_reference is None and event.object_id is None


@pytest.mark.parametrize("username", ["lawyer", "registrar", "judge"])
def test_lawyers_and_officials_are_refused(
    api: Api, client: FlaskClient, app: Any, username: str
) -> None:
    sign_in(client, username)

    response = client.get("/dashboard")

    assert response.status_code == 403
    assert "The dashboard is for auditors and administrators." in response.get_data(as_text=True)
    assert last_event(app).outcome == "not_permitted"


# --- what it reads --------------------------------------------------------------------------------

# Tables that grow with every case opened and every step taken.
Access = tuple[str, str, str]  # a table read, the index it is read by (empty: none), the condition
GROWING = {"cases", "track_states", "transition_history", "people", "person_names", "audit_events"}


def test_the_dashboard_reads_no_growing_table_whole(
    api: Api, client: FlaskClient, app: Any, clock: Clock
) -> None:
    for _ in range(2):
        api.request_dna(api.create_case())
        clock.advance(DAY)
    sign_in(client, "auditor")
    engine = app.extensions["homeward.engine"]

    with statements_run(engine) as statements:
        assert client.get("/dashboard").status_code == 200

    reads = [each for each in statements if is_read(each[0])]
    assert scans_in(engine, reads) == {}
    assert any("stay_tallies" in statement for statement, _ in reads)


def test_the_cases_near_a_cutoff_are_looked_up_by_key(api: Api, app: Any) -> None:
    """Which of the track states near a target's cutoff belong to open cases, and of which
    workflow: read by primary key, never along the index of every open case."""
    opened = [uuid.UUID(api.create_case()["id"]) for _ in range(5)]  # from 3 keys on, SQLite
    # would rather walk the index of open cases, if asked for open ones
    engine = app.extensions["homeward.engine"]

    with statements_run(engine) as statements, app.app_context():
        found = open_workflows(transactions.session(), set(opened))

    assert set(found) == set(opened)
    assert scans_in(engine, statements) == {}


def scans_in(engine: Any, reads: list[tuple[str, Any]]) -> dict[str, set[str]]:
    """Each read that walks a growing table whole, with the tables it walks."""
    with engine.connect() as connection:
        scanned = {read[0]: whole_scans(connection, *read) for read in reads}
    return {statement: tables for statement, tables in scanned.items() if tables}


def whole_scans(connection: Any, statement: str, parameters: Any) -> set[str]:
    """The growing tables the statement's plan reads whole, or as good as whole: scanned, or
    walked along an index by anything but their primary key or a range (every open case is
    "status = 'open'"). PostgreSQL is told to avoid scans, so that it plans small test tables as
    it would large ones; SQLite, which keeps no statistics here, plans them alike anyway."""
    accesses = (_sqlite_accesses if connection.dialect.name == "sqlite" else _postgresql_accesses)(
        connection, statement, parameters
    )
    return {
        table
        for table, index, condition in accesses
        if table in GROWING and not (_is_primary_key(table, index) or _is_range(condition))
    }


SQLITE_ACCESS = re.compile(
    r"^(?:SCAN|SEARCH) (\w+)(?: AS \w+)?"
    r"(?: USING (?:COVERING )?(?:INDEX (\w+)|(INTEGER PRIMARY KEY)|(PRIMARY KEY)))?(?: \((.*)\))?"
)


def _sqlite_accesses(connection: Any, statement: str, parameters: Any) -> list[Access]:
    plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    found = [SQLITE_ACCESS.match(detail) for *_, detail in plan]
    return [
        (match[1], match[2] or match[3] or match[4] or "", match[5] or "")
        for match in found
        if match
    ]


def _postgresql_accesses(connection: Any, statement: str, parameters: Any) -> list[Access]:
    with connection.begin():
        listed = connection.exec_driver_sql("SELECT indexname, tablename FROM pg_indexes")
        indexes = dict(listed.all())
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        (plan,) = connection.exec_driver_sql(
            f"EXPLAIN (FORMAT JSON) {statement}", parameters
        ).scalar_one()
    return [
        (
            node.get("Relation Name") or indexes.get(node.get("Index Name", ""), ""),
            node.get("Index Name", ""),
            node.get("Index Cond", ""),
        )
        for node in plan_nodes(plan["Plan"])
        if "Scan" in node["Node Type"] and node["Node Type"] != "Bitmap Heap Scan"
    ]


def _is_primary_key(table: str, index: str) -> bool:
    return index in (f"pk_{table}", f"sqlite_autoindex_{table}_1", "INTEGER PRIMARY KEY")


def _is_range(condition: str) -> bool:
    return "<" in condition or ">" in condition


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)
