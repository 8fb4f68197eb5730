"""`python -m bench.duplicates`: precision and recall of the duplicate matcher on the labelled
pairs (`bench/data/name_pairs.csv`, written by `python -m bench.name_pairs`), beside a baseline
that compares jellyfish's metaphone codes of ICU's Latin transliteration.

A pair counts as found when the two children share a lookup key (the index's blocking) and
`same_child` holds, as opening a case would find it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import jellyfish

from workflow.duplicates.matching import ChildSpec, NameSpec, same_child, sought_keys, stored_keys
from workflow.duplicates.spelling import latin
from workflow.vocabulary import DatePrecision

PAIRS = Path(__file__).resolve().parent / "data" / "name_pairs.csv"
Judge = Callable[[ChildSpec, ChildSpec], bool]


def spec(row: dict[str, str], side: str) -> ChildSpec:
    born, precision = row[f"{side}_birth"], row[f"{side}_precision"]
    return ChildSpec(
        names=(NameSpec(row[f"{side}_given"], row[f"{side}_family"]),),
        sex=row[f"{side}_sex"] or None,
        birth_date=date.fromisoformat(born) if born else None,
        precision=DatePrecision(precision) if precision else None,
    )


def matcher(a: ChildSpec, b: ChildSpec) -> bool:
    return bool(stored_keys(a.names) & sought_keys(b.names)) and same_child(a, b)


def metaphone(a: ChildSpec, b: ChildSpec) -> bool:
    def codes(child: ChildSpec) -> set[tuple[str, str]]:
        return {
            (jellyfish.metaphone(latin(n.given or "")), jellyfish.metaphone(latin(n.family or "")))
            for n in child.names
        }

    return bool(codes(a) & codes(b))


def scores(judge: Judge, rows: list[dict[str, str]]) -> tuple[float, float]:
    found = [(row["label"] == "same", judge(spec(row, "a"), spec(row, "b"))) for row in rows]
    right = sum(1 for same, said in found if same and said)
    said_same = sum(1 for _same, said in found if said)
    truly_same = sum(1 for same, _said in found if same)
    return right / max(said_same, 1), right / max(truly_same, 1)


def main() -> None:
    """Print precision and recall of the matcher and of the baseline."""
    with PAIRS.open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    same = sum(1 for row in rows if row["label"] == "same")
    print(f"{len(rows)} labelled pairs: {same} same child, {len(rows) - same} different")
    for name, judge in (("matcher", matcher), ("metaphone of ICU Latin", metaphone)):
        precision, recall = scores(judge, rows)
        print(f"{name:<24} precision {precision:.3f}  recall {recall:.3f}")


if __name__ == "__main__":
    main()
