"""A checked manifest as the API answers it and the intake page draws it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from workflow.intake.checking import Intake
from workflow.intake.rows import IntakeRow


def dry_run_json(intake: Intake) -> dict[str, Any]:
    return {
        "rows": [row_json(row) for row in intake.rows],
        "total": len(intake.rows),
        "families": len(intake.families),
        "with_problems": len(intake.with_problems),
    }


def row_json(row: IntakeRow) -> dict[str, Any]:
    name = row.child_name
    return {
        "row": row.line,
        "family_group": row.family_group if row.case else None,
        "child": {"script": name.script.value, "given": name.given, "family": name.family}
        if name
        else None,
        "problems": row_problems(row),
        "possible_duplicates": [asdict(duplicate) for duplicate in row.duplicates],
    }


def row_problems(row: IntakeRow) -> list[dict[str, Any]]:
    """A row's problems as an answer names them: the row, the column, the rule."""
    return [
        {"row": row.line, "column": p.column, "problem": p.problem, "message": p.message}
        for p in row.problems
    ]
