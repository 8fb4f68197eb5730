"""The dry run: a manifest read, every row validated and compared, nothing written."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.intake.duplicates import index_rows, possible_duplicates
from workflow.intake.families import family_groups, share_mothers
from workflow.intake.manifest import Limits, read_manifest
from workflow.intake.rows import IntakeRow, read_row


@dataclass(frozen=True)
class Intake:
    """A manifest's rows as checked."""

    rows: list[IntakeRow]

    @property
    def with_problems(self) -> list[IntakeRow]:
        return [row for row in self.rows if row.problems]

    @property
    def families(self) -> list[list[IntakeRow]]:
        return family_groups(self.rows)


def check_manifest(raw: bytes, limits: Limits) -> Intake:
    """Read and validate the manifest, and list each row's possible duplicates."""
    records = read_manifest(raw, limits)
    share_mothers(records)
    rows = [read_row(record) for record in records]
    index = index_rows(rows)
    for row in rows:
        row.duplicates = possible_duplicates(row, index)
    return Intake(rows)
