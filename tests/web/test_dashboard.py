"""The dashboard: where the cases stand, how long each stage takes, which agencies are late."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.audit.helpers import last_event
from tests.factories import ALL_SCRIPTS_CHILD, GRANDMOTHER, MOTHER_ABROAD, Api
from tests.web.helpers import sign_in, table_rows
from workflow import transactions
from workflow.db import utcnow
from workflow.models import Case, TrackState, TransitionRecord
from workflow.vocabulary import AgencyKind
from workflow.web import figures
from workflow.web.figures import StageTime, Step

OPENED = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
TRACKS = (
    "DNA kinship",
    "Parentage",
    "Birth registration",
    "Guardianship",
    "Citizenship",
    "Identity document",
)


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


def backdate_opening(app: Any, case_id: str, before_first_step: timedelta) -> None:
    """Say the case was opened this long before its first DNA step (`cases` is not append-only)."""
    with app.app_context(), transactions.unit_of_work() as session:
        first = session.scalar(
            select(TransitionRecord.at)
            .where(TransitionRecord.case_id == uuid.UUID(case_id), TransitionRecord.track == "dna")
            .order_by(TransitionRecord.at)
            .limit(1)
        )
        assert first is not None
        table = Case.__table__
        session.execute(
            update(table)
            .where(table.c.id == uuid.UUID(case_id))
            .values(created_at=first - before_first_step)
        )


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


def test_the_median_stay_runs_from_the_previous_step_or_the_opening() -> None:
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    steps = [
        Step(a, "dna", "not_started", OPENED + 1 * DAY, OPENED),
        Step(a, "dna", "requested", OPENED + 3 * DAY, OPENED),
        Step(a, "parentage", "not_started", OPENED + 10 * DAY, OPENED),
        Step(b, "dna", "not_started", OPENED + 5 * DAY, OPENED),
        Step(b, "dna", "requested", OPENED + 6 * DAY, OPENED),
        Step(c, "dna", "not_started", OPENED + 4 * DAY, OPENED + DAY),
    ]

    assert figures.median_stays(steps) == {
        ("dna", "not_started"): StageTime(3 * DAY, 3),
        ("dna", "requested"): StageTime(1.5 * DAY, 2),
        ("parentage", "not_started"): StageTime(10 * DAY, 1),
    }


def test_each_return_to_a_state_is_its_own_stay() -> None:
    case = uuid.uuid4()
    steps = [
        Step(case, "dna", "not_started", OPENED + DAY, OPENED),
        Step(case, "dna", "requested", OPENED + 2 * DAY, OPENED),
        Step(case, "dna", "refused", OPENED + 12 * DAY, OPENED),
        Step(case, "dna", "requested", OPENED + 16 * DAY, OPENED),
    ]

    stays = figures.median_stays(steps)

    assert stays["dna", "requested"] == StageTime(2.5 * DAY, 2)
    assert stays["dna", "refused"] == StageTime(10 * DAY, 1)


def test_a_step_stamped_before_the_opening_counts_as_no_time() -> None:
    steps = [Step(uuid.uuid4(), "dna", "not_started", OPENED - DAY, OPENED)]

    assert figures.median_stays(steps) == {("dna", "not_started"): StageTime(timedelta(0), 1)}


def test_no_history_gives_no_medians() -> None:
    assert figures.median_stays([]) == {}


def test_the_medians_come_from_the_recorded_history(
    api: Api, client: FlaskClient, app: Any
) -> None:
    cases = [api.create_case() for _ in range(3)]
    for case, days in zip(cases, (2, 9, 4), strict=True):
        api.request_dna(case)
        backdate_opening(app, case["id"], days * DAY)

    with app.app_context():
        stays = figures.stage_times(transactions.session())
    html = dashboard_page(client)

    assert stays == {("dna", "not_started"): StageTime(4 * DAY, 3)}
    rows = table_rows(html, "Median days per track and state")
    assert rows == [["DNA kinship", "not started", "4.0", "3"]]


def test_a_later_stage_is_timed_from_the_step_that_entered_it(api: Api, app: Any) -> None:
    case = api.create_case()
    api.request_dna(case)
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "2-1187/2026"})

    with app.app_context():
        session = transactions.session()
        requested, authorized = session.scalars(
            select(TransitionRecord.at)
            .where(TransitionRecord.case_id == uuid.UUID(case["id"]))
            .order_by(TransitionRecord.at)
        ).all()
        stays = figures.stage_times(session)

    assert stays["dna", "requested"] == StageTime(authorized - requested, 1)
    assert set(stays) == {("dna", "not_started"), ("dna", "requested")}


# --- overdue steps --------------------------------------------------------------------------------


def test_an_overdue_step_counts_for_the_agency_it_waits_on(
    api: Api, client: FlaskClient, app: Any
) -> None:
    late, on_time = api.create_case(), api.create_case()
    for case in (late, on_time):
        api.request_dna(case)  # now waiting on the court, whose target is 14 days
    with app.app_context(), transactions.unit_of_work() as session:
        table = TrackState.__table__
        session.execute(
            update(table)
            .where(table.c.case_id == uuid.UUID(late["id"]), table.c.track == "dna")
            .values(since=utcnow() - timedelta(days=15))
        )

    with app.app_context():
        counts = figures.overdue_by_agency(transactions.session(), utcnow())
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
