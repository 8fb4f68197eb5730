"""Possible duplicates within a manifest: the rows whose child may be another row's child, judged
by the matcher that opening a case uses (`workflow.duplicates.matching`: names across scripts,
sex, birth dates within their precision). Siblings are different children: rows of one family
with different given names do not match. A match against a case already open is the service's
to find (`workflow.services.duplicates`); it is kept here beside the rows' own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import chain, islice

from workflow.duplicates.keys import child_spec
from workflow.duplicates.matching import ChildSpec, same_child, sought_keys, stored_keys
from workflow.intake.rows import IntakeRow

MOST_SHOWN = 10  # a row lists at most this many possible duplicates
MOST_COMPARED = 100  # and compares itself with at most this many rows sharing a key


@dataclass(frozen=True)
class PossibleDuplicate:
    """Another row of the manifest (`row`), or a case already open: the agency that holds it,
    and its reference and id only when the caller may see it."""

    row: int | None = None
    agency: str | None = None
    case: str | None = None
    case_id: str | None = None


@dataclass(frozen=True)
class Index:
    """The valid rows by the keys the matcher stores a child under, read once per manifest."""

    rows: dict[str, list[IntakeRow]]
    specs: dict[int, ChildSpec]
    # Each pair of children judged once: a hostile file repeats one child thousands of times.
    judged: dict[tuple[ChildSpec, ChildSpec], bool]

    def same(self, a: ChildSpec, b: ChildSpec) -> bool:
        """Whether the two are one child, by the matcher."""
        if (a, b) not in self.judged:
            self.judged[a, b] = same_child(a, b)
        return self.judged[a, b]


def index_rows(rows: list[IntakeRow]) -> Index:
    """Index the valid rows by each sound-alike key of their child's names."""
    index = Index(defaultdict(list), {}, {})
    for row in rows:
        if row.case is not None:
            spec = index.specs[row.line] = child_spec(row.case.child)
            for key in stored_keys(spec.names):
                index.rows[key].append(row)
    return index


def possible_duplicates(row: IntakeRow, index: Index) -> list[PossibleDuplicate]:
    """The other rows whose child may be this row's child, by the manifest's line."""
    spec = index.specs.get(row.line)
    if spec is None:
        return []
    keys = sorted(sought_keys(spec.names))
    candidates = chain.from_iterable(index.rows.get(key, []) for key in keys)
    found: set[int] = set()
    for other in islice(candidates, MOST_COMPARED):
        if other.line in found or other.line == row.line:
            continue
        if index.same(spec, index.specs[other.line]):
            found.add(other.line)
            if len(found) == MOST_SHOWN:
                break
    return [PossibleDuplicate(row=line) for line in sorted(found)]
