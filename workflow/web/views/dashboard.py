"""The lead agency's dashboard: where the cases stand, how long each stage takes, what is late.

Aggregates only: the page never shows a name or a case reference, so auditors and administrators,
who may not read case content, may see it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from flask import render_template
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from workflow import transactions
from workflow.access import current_caller
from workflow.db import utcnow
from workflow.overdue import overdue_by_agency
from workflow.permissions import can_see_dashboard
from workflow.vocabulary import AgencyKind
from workflow.web import charts, figures
from workflow.web.blueprint import web
from workflow.web.month_figures import MonthFigures, month_figures
from workflow.web.refusals import insist

DAY = timedelta(days=1)
NONE = "–"  # no median: nothing ended that month


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


class Months(NamedTuple):
    """The last twelve months as the page shows them: charts, and the rows of their table."""

    names: list[str]
    completed: charts.ColumnChart
    to_complete: charts.ColumnChart
    rows: list[tuple[str, str, str]]  # month, cases completed, median days to complete
    overall: str | None
    overall_cases: int
    stages: list[tuple[str, list[tuple[str, charts.ColumnChart]]]]  # by track, then state


@web.get("/dashboard")
def dashboard() -> str:
    """Open cases per track and state, median time per stage, overdue steps per agency."""
    insist(
        can_see_dashboard(current_caller()), _("The dashboard is for auditors and administrators.")
    )
    session = transactions.session()
    layout = figures.track_layout(session)
    statuses = figures.cases_by_status(session)
    now = utcnow()
    overdue = overdue_chart(overdue_by_agency(session, now))
    return render_template(
        "dashboard.html",
        title=_("Dashboard"),
        statuses=statuses,
        total=sum(statuses.values()),
        standing=standing_charts(layout, figures.open_cases_by_stage(session)),
        times=time_charts(layout, figures.stage_times(session)),
        overdue=overdue,
        overdue_plot=charts.bar_chart([(bar.name, bar.value, bar.text) for bar in overdue]),
        months=months_shown(layout, month_figures(session, now)),
    )


def months_shown(layout: list[tuple[str, list[str]]], found: MonthFigures) -> Months:
    """Completions and medians of the last twelve months, as charts and table rows."""
    names = [str(format_date(month, "LLL yy")) for month in found.months]
    completed = [found.completed[month] for month in found.months]
    medians = [_days(found.to_complete.get(month)) for month in found.months]
    overall = found.overall
    return Months(
        names,
        charts.column_chart([(n, c, str(c)) for n, c in zip(names, completed, strict=True)]),
        charts.column_chart([(n, *m) for n, m in zip(names, medians, strict=True)]),
        [(n, str(c), m[1]) for n, c, m in zip(names, completed, medians, strict=True)],
        _days(overall)[1] if overall else None,
        overall.steps if overall else 0,
        stage_month_charts(layout, found, names),
    )


def stage_month_charts(
    layout: list[tuple[str, list[str]]], found: MonthFigures, names: list[str]
) -> list[tuple[str, list[tuple[str, charts.ColumnChart]]]]:
    """For each track, a chart of each state's median days by month, where any stay ended."""
    shown = []
    for track, states in layout:
        drawn = [
            (state, _month_columns(found.stages[track, state], found.months, names))
            for state in states
            if (track, state) in found.stages
        ]
        if drawn:
            shown.append((track, drawn))
    return shown


def _month_columns(
    times: dict[date, figures.StageTime], months: list[date], names: list[str]
) -> charts.ColumnChart:
    medians = [_days(times.get(month)) for month in months]
    return charts.column_chart([(n, *m) for n, m in zip(names, medians, strict=True)])


def _days(time: figures.StageTime | None) -> tuple[float | None, str]:
    """A median in days and as shown; none where nothing ended that month."""
    if time is None:
        return None, NONE
    days = time.median / DAY
    return days, _number(days)


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
