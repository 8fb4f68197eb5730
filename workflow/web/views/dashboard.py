"""The lead agency's dashboard: where the cases stand, how long each stage takes, what is late.

Aggregates only: the page never shows a name or a case reference, so auditors and administrators,
who may not read case content, may see it."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from flask import render_template
from flask_babel import format_decimal
from flask_babel import gettext as _

from workflow import transactions
from workflow.access import current_caller
from workflow.db import utcnow
from workflow.overdue import overdue_by_agency
from workflow.permissions import can_see_dashboard
from workflow.vocabulary import AgencyKind
from workflow.web import figures
from workflow.web.blueprint import web
from workflow.web.refusals import insist

DAY = timedelta(days=1)


class Bar(NamedTuple):
    """One bar of a chart: what it counts, its number as shown, and its length in percent."""

    name: str
    value: float
    text: str
    share: float
    steps: int = 0


class Chart(NamedTuple):
    name: str
    bars: list[Bar]


@web.get("/dashboard")
def dashboard() -> str:
    """Open cases per track and state, median time per stage, overdue steps per agency."""
    insist(
        can_see_dashboard(current_caller()), _("The dashboard is for auditors and administrators.")
    )
    session = transactions.session()
    layout = figures.track_layout(session)
    statuses = figures.cases_by_status(session)
    return render_template(
        "dashboard.html",
        title=_("Dashboard"),
        statuses=statuses,
        total=sum(statuses.values()),
        standing=standing_charts(layout, figures.open_cases_by_stage(session)),
        times=time_charts(layout, figures.stage_times(session)),
        overdue=overdue_chart(overdue_by_agency(session, utcnow())),
    )


def standing_charts(
    layout: list[tuple[str, list[str]]], counts: dict[figures.Stage, int]
) -> list[Chart]:
    """One chart per track: how many open cases stand in each of its states."""
    longest = max(counts.values(), default=0)
    charts = []
    for track, states in layout:
        found = [state for (name, state) in counts if name == track and state not in states]
        bars = [_bar(state, counts.get((track, state), 0), longest) for state in states + found]
        charts.append(Chart(track, bars))
    return charts


def time_charts(
    layout: list[tuple[str, list[str]]], times: dict[figures.Stage, figures.StageTime]
) -> list[Chart]:
    """One chart per track: the median days spent in each state that some step has left."""
    longest = max((time.median / DAY for time in times.values()), default=0.0)
    charts = []
    for track, states in layout:
        bars = [
            _bar(state, times[track, state].median / DAY, longest, times[track, state].steps)
            for state in states
            if (track, state) in times
        ]
        if bars:
            charts.append(Chart(track, bars))
    return charts


def overdue_chart(counts: dict[AgencyKind, int]) -> list[Bar]:
    """Overdue steps per kind of agency they wait on, the most first."""
    longest = max(counts.values(), default=0)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0].value))
    return [_bar(kind.value, count, longest) for kind, count in ordered]


def _bar(name: str, value: float, longest: float, steps: int = 0) -> Bar:
    share = 100.0 * value / longest if longest else 0.0
    return Bar(name, value, _number(value), round(share, 1), steps)


def _number(value: float) -> str:
    """A count as it is; days to a tenth, and a stay of minutes not shown as none at all."""
    if isinstance(value, int):
        return str(value)
    if 0 < value < 0.05:
        return "< " + str(format_decimal(0.1, "0.0"))
    return str(format_decimal(round(value, 1), "#,##0.0"))
