"""Family groups in a manifest: rows with the same `family_group` are siblings, and their mother
is entered once, on any one of their rows; a row that names a different mother is a problem."""

from __future__ import annotations

from workflow.intake.columns import MOTHER_COLUMNS
from workflow.intake.manifest import RawRow
from workflow.intake.rows import IntakeRow


def share_mothers(rows: list[RawRow]) -> None:
    """Give every row of a family the mother its family's rows name, or mark the row that
    names another one."""
    mothers: dict[str, dict[str, str]] = {}
    for row in rows:
        group, mother = _group(row), _mother(row)
        if group and mother:
            mothers.setdefault(group, mother)
    for row in rows:
        group, mother = _group(row), _mother(row)
        if not group or group not in mothers:
            continue
        if not mother:
            row.cells.update(mothers[group])
        elif mother != mothers[group]:
            row.problems.append(("mother_given", "mother_differs_within_family"))


def family_groups(rows: list[IntakeRow]) -> list[list[IntakeRow]]:
    """The rows as families, in the order each first appears; a row with no group is alone."""
    groups: dict[str, list[IntakeRow]] = {}
    alone: list[list[IntakeRow]] = []
    order: list[list[IntakeRow]] = []
    for row in rows:
        if row.family_group is None:
            alone.append([row])
            order.append(alone[-1])
        elif row.family_group not in groups:
            groups[row.family_group] = [row]
            order.append(groups[row.family_group])
        else:
            groups[row.family_group].append(row)
    return order


def _group(row: RawRow) -> str:
    return row.cells.get("family_group", "").strip()


def _mother(row: RawRow) -> dict[str, str]:
    cells = {column: row.cells.get(column, "").strip() for column in MOTHER_COLUMNS}
    return {column: value for column, value in cells.items() if value}
