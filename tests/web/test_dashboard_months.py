"""The dashboard's charts of the last twelve months: cases completed, time to complete, time in
each stage, and overdue steps, drawn as SVG whose every number is the one in its table."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from html import unescape
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import Api
from tests.web import recomputed
from tests.web.helpers import table_rows
from tests.web.test_dashboard import dashboard_page
from tests.workflow.helpers import Clock
from tests.workflow.series import tell
from workflow import operations, transactions
from workflow.db import utcnow
from workflow.demo_cases import DEMO_CASES
from workflow.web.month_figures import last_months

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
COMPLETE, DNA_AUTHORIZED = DEMO_CASES[10], DEMO_CASES[2]  # a case taken to completion; one not
MONTHS_TABLE = "Cases completed and median days to complete, per month"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Each reading of the operations' clock an hour after the last."""
    clock = Clock(utcnow(), lambda: HOUR)
    monkeypatch.setattr(operations, "utcnow", clock)
    return clock


def mid_month(months_ago: int) -> datetime:
    month = last_months(utcnow())[-1 - months_ago]
    return datetime.combine(month.replace(day=12), time(9), tzinfo=UTC)


def chart_values(html: str, chart_id: str) -> list[str]:
    """The numbers printed on the bars of the SVG chart titled by `chart_id`."""
    svg = html.split(f'aria-labelledby="{chart_id}"')[1].split("</svg>")[0]
    return [
        unescape(value) for value in re.findall(r'<text class="value"[^>]*>([^<]*)</text>', svg)
    ]


def test_each_case_counts_in_the_month_it_was_completed(
    api: Api, client: FlaskClient, app: Any, clock: Clock
) -> None:
    clock.now = mid_month(3)
    tell(api, COMPLETE)
    clock.now = mid_month(1)
    tell(api, COMPLETE)
    tell(api, DNA_AUTHORIZED)  # open still: counts nowhere
    tell(api, COMPLETE)

    html = dashboard_page(client)

    rows = table_rows(html, MONTHS_TABLE)
    assert [int(completed) for _month, completed, _median in rows] == [0] * 8 + [1, 0, 2, 0]
    assert chart_values(html, "completed-chart") == [completed for _, completed, _ in rows]
    assert chart_values(html, "to-complete-chart") == [median for _, _, median in rows]
    with app.app_context():
        exact = recomputed.month_figures(transactions.session(), utcnow())
    for month, (_name, _completed, median) in zip(exact.months, rows, strict=True):
        if month in exact.to_complete:
            days = exact.to_complete[month].median / DAY
            assert abs(float(median) - days) <= days * 0.0055 + 0.05
        else:
            assert median == "–"


def test_every_stage_chart_repeats_its_tables_row(
    api: Api, client: FlaskClient, clock: Clock
) -> None:
    clock.now = mid_month(2)
    tell(api, COMPLETE)

    html = dashboard_page(client)

    rows = table_rows(html, "Median days per state and month: DNA kinship")
    states = ["not started", "requested", "authorised", "samples collected"]
    assert [row[0] for row in rows] == states
    for number, row in enumerate(rows, start=1):
        assert chart_values(html, f"stage-chart-1-{number}") == row[1:]
        assert row[1:].count("–") == 11  # every step was taken in one month


def test_the_charts_are_images_with_titles_and_need_no_script(
    api: Api, client: FlaskClient, clock: Clock
) -> None:
    clock.now = utcnow() - 40 * DAY
    tell(api, DNA_AUTHORIZED)  # waits on the forensic laboratory, 30 days at most
    clock.now = utcnow() - 3 * DAY
    tell(api, DEMO_CASES[1])  # waits on the court, 14 days at most

    html = dashboard_page(client)

    charts = re.findall(r"<svg class=\"plot\"[^>]*>\s*<title id=\"([^\"]+)\">[^<]+</title>", html)
    assert {"overdue-chart", "completed-chart", "to-complete-chart"} <= set(charts)
    assert html.count('<svg class="plot" role="img"') == len(charts)
    assert "<script" not in html
    overdue = dict(table_rows(html, "Overdue steps per kind of agency"))
    assert chart_values(html, "overdue-chart") == list(overdue.values())
    assert overdue["forensic laboratory"] == "1" and overdue["court"] == "0"
