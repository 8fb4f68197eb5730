"""Possible duplicates of a manifest's row: the one place that says which children may be the
same child, so a better matcher (across scripts, and against the cases already open) replaces
`possible_duplicates` alone.

Today a row's child is compared with the other rows of the same manifest: the same name once
folded for search (case, accents, Arabic marks, the Kazakh letters), word order aside, and birth
dates that can be the same day at the coarser of the two precisions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import chain, islice

from workflow.intake.rows import IntakeRow
from workflow.schemas import DateIn
from workflow.text import search_key
from workflow.vocabulary import DatePrecision

MOST_SHOWN = 10  # a row lists at most this many possible duplicates
MOST_COMPARED = 200  # and compares itself with at most this many rows of the same name


@dataclass(frozen=True)
class PossibleDuplicate:
    """Another row of the manifest (`row`), or a case already open: the agency that holds it,
    and its reference only when the caller may see it."""

    row: int | None = None
    agency: str | None = None
    case: str | None = None


Index = dict[str, list[IntakeRow]]
_RANKS = {precision: rank for rank, precision in enumerate(DatePrecision)}  # exact first


def index_rows(rows: list[IntakeRow]) -> Index:
    """The valid rows by each folded name of their child, read once per manifest."""
    index: Index = defaultdict(list)
    for row in rows:
        for key in name_keys(row):
            index[key].append(row)
    return index


def possible_duplicates(row: IntakeRow, index: Index) -> list[PossibleDuplicate]:
    """The rows whose child may be this row's child, by the manifest's line."""
    candidates = chain.from_iterable(index.get(key, []) for key in name_keys(row))
    found: list[PossibleDuplicate] = []
    born, seen = _born(row), {row.line}
    for other in islice(candidates, MOST_COMPARED):
        if other.line not in seen and compatible_dates(born, _born(other)):
            seen.add(other.line)
            found.append(PossibleDuplicate(row=other.line))
            if len(found) == MOST_SHOWN:
                break
    return sorted(found, key=lambda duplicate: duplicate.row or 0)


def name_keys(row: IntakeRow) -> set[str]:
    """Each of the child's names folded, its words sorted: "Aliya Nurgalieva" is also
    "NURGALIEVA Aliya"."""
    if row.case is None:
        return set()
    return {
        " ".join(sorted(search_key(name.given, name.family).split()))
        for name in row.case.child.names
    }


def compatible_dates(first: DateIn | None, second: DateIn | None) -> bool:
    """The two birth dates can be one day, read at the coarser precision; unknown matches all."""
    if first is None or second is None:
        return True
    coarser = max(_rank(first.precision), _rank(second.precision))
    a, b = first.value, second.value
    if coarser == _rank(DatePrecision.ESTIMATED):
        return abs(a.year - b.year) <= 1
    return (a.year, a.month if coarser <= 1 else 0, a.day if coarser == 0 else 0) == (
        b.year,
        b.month if coarser <= 1 else 0,
        b.day if coarser == 0 else 0,
    )


def _rank(precision: DatePrecision) -> int:
    return _RANKS[precision]


def _born(row: IntakeRow) -> DateIn | None:
    return row.case.child.birth_date if row.case else None
