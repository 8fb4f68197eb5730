"""Charts drawn on the server as SVG: the geometry of each bar, so that a template only places
it. No script draws them, and each chart's numbers are printed on it and in a table beside it."""

from __future__ import annotations

from typing import NamedTuple

WIDTH, PLOT_HEIGHT, TOP, BOTTOM = 480, 120, 16, 20  # a column chart's box and its margins
SLOT, COLUMN = 40, 24  # the width each column takes and the width of the bar in it
ROW, BAR_LEFT, BAR_WIDTH = 22, 200, 230  # a bar chart's row height, where its bars start and span


class Column(NamedTuple):
    """One column: what it stands for, its value as shown, and where it is drawn."""

    name: str
    text: str
    x: float
    y: float
    height: float
    middle: float  # where its name and value are centred


class Bar(NamedTuple):
    """One horizontal bar: what it counts, its value as shown, and where it is drawn."""

    name: str
    text: str
    y: float
    width: float


class ColumnChart(NamedTuple):
    columns: list[Column]
    width: int
    height: int
    baseline: float


class BarChart(NamedTuple):
    bars: list[Bar]
    width: int
    height: int
    left: int


def column_chart(points: list[tuple[str, float | None, str]]) -> ColumnChart:
    """Columns for (name, value, value as shown); a missing value has no column, only its text."""
    highest = max((value for _, value, _ in points if value), default=0.0)
    baseline = TOP + PLOT_HEIGHT
    columns = []
    for number, (name, value, text) in enumerate(points):
        height = round(PLOT_HEIGHT * (value or 0) / highest, 1) if highest else 0.0
        x = number * SLOT + (SLOT - COLUMN) / 2
        columns.append(Column(name, text, x, round(baseline - height, 1), height, x + COLUMN / 2))
    width = max(WIDTH, SLOT * len(points))
    return ColumnChart(columns, width, int(baseline + BOTTOM), baseline)


def bar_chart(points: list[tuple[str, float, str]]) -> BarChart:
    """Horizontal bars for (name, value, value as shown), each as long as its share of the most."""
    highest = max((value for _, value, _ in points), default=0.0)
    bars = [
        Bar(name, text, number * ROW, round(BAR_WIDTH * value / highest, 1) if highest else 0.0)
        for number, (name, value, text) in enumerate(points)
    ]
    return BarChart(bars, BAR_LEFT + BAR_WIDTH + 60, max(ROW * len(bars), ROW), BAR_LEFT)
