"""A manifest row as the case `POST /api/v1/cases` would open: validated by the very schemas
that endpoint uses, each problem named by the column it comes from and the rule it breaks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from workflow.errors import field_errors
from workflow.intake.columns import CHILD_NAMES, MOTHER_NAMES, NAME_PARTS, REFERENCES
from workflow.intake.manifest import RawRow
from workflow.schemas import CaseIn, NameIn, ReferenceIn

# What a spreadsheet runs as a formula, or what a formula left behind: never a name or a date.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Location = tuple[str | int, ...]
MOST_GROUP = 40


@dataclass(frozen=True)
class Problem:
    column: str
    problem: str  # a stable code: "formula", "missing", or the rule the schemas name
    message: str = ""


@dataclass
class IntakeRow:
    """One child of the manifest: the case it would open, or what stops it."""

    line: int
    family_group: str | None
    case: CaseIn | None = None
    references: list[ReferenceIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[Any] = field(default_factory=list)  # PossibleDuplicate

    @property
    def child_name(self) -> NameIn | None:
        """The child's first name as written: what the dry run shows the row by."""
        return self.case.child.names[0] if self.case else None


def read_row(raw: RawRow) -> IntakeRow:
    """Validate one row as a case and its references; name every problem by its column."""
    flagged = {column for column, value in raw.cells.items() if _is_formula(value)}
    problems = [
        Problem(column, "formula", "a cell may not start with = + - @")
        for column in sorted(flagged)
    ]
    problems += [Problem(column, code) for column, code in raw.problems]
    cells = {c: v.strip() for c, v in raw.cells.items() if c not in flagged and v.strip()}
    row = IntakeRow(raw.line, cells.get("family_group"), problems=problems)
    if row.family_group is not None and not _plain_group(row.family_group):
        row.problems.append(Problem("family_group", "invalid", "up to 40 printable characters"))
    row.case = _validated(CaseIn, *_case_body(cells), row.problems, flagged)
    for prefix in REFERENCES:
        if cells.get(f"{prefix}_issuer") or cells.get(f"{prefix}_value"):
            body = {"issuer": cells.get(f"{prefix}_issuer"), "value": cells.get(f"{prefix}_value")}
            origin: dict[Location, str] = {
                ("issuer",): f"{prefix}_issuer",
                ("value",): f"{prefix}_value",
            }
            reference = _validated(ReferenceIn, body, origin, row.problems, flagged)
            row.references += [reference] if reference else []
    if row.problems:
        row.case, row.references = None, []
    return row


def _plain_group(value: str) -> bool:
    return len(value) <= MOST_GROUP and value.isprintable()


def _is_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS[:4])


def _validated(
    schema: Any,
    body: dict[str, Any],
    origin: dict[Location, str],
    problems: list[Problem],
    flagged: set[str],
) -> Any:
    try:
        return schema.model_validate(body)
    except ValidationError as error:
        for item, where in zip(field_errors(error), error.errors(), strict=True):
            column = _column(tuple(where["loc"]), origin)
            if column not in flagged:  # a refused formula cell is one problem, not two
                problems.append(Problem(column, item["problem"], item["message"]))
        return None


def _column(location: Location, origin: dict[Location, str]) -> str:
    """The column a failing field came from: the longest part of its path that one names."""
    for end in range(len(location), 0, -1):
        if location[:end] in origin:
            return origin[location[:end]]
    return "(row)"


def _case_body(cells: dict[str, str]) -> tuple[dict[str, Any], dict[Location, str]]:
    origin: dict[Location, str] = {("child",): "child_given", ("child", "names"): "child_given"}
    child: dict[str, Any] = {"names": _names(cells, CHILD_NAMES, ("child",), origin)}
    _put(child, "sex", cells, "sex", ("child",), origin)
    if cells.get("birth_date") or cells.get("birth_date_precision"):
        child["birth_date"] = {}
        _put(child["birth_date"], "value", cells, "birth_date", ("child", "birth_date"), origin)
        _put(
            child["birth_date"],
            "precision",
            cells,
            "birth_date_precision",
            ("child", "birth_date"),
            origin,
        )
        origin[("child", "birth_date")] = "birth_date"
    if cells.get("birth_country") or cells.get("birth_locality"):
        child["birth_place"] = {}
        place = ("child", "birth_place")
        _put(child["birth_place"], "country", cells, "birth_country", place, origin)
        _put(child["birth_place"], "locality", cells, "birth_locality", place, origin)
        origin[place] = "birth_country"
    body: dict[str, Any] = {"child": child, "people": _mother(cells, origin)}
    if "confirm_distinct" in cells:
        origin[("confirm_distinct",)] = "confirm_distinct"
        said = cells["confirm_distinct"]
        body["confirm_distinct"] = {"true": True, "false": False}.get(said.casefold(), said)
    return body, origin


def _mother(cells: dict[str, str], origin: dict[Location, str]) -> list[dict[str, Any]]:
    if not any(column.startswith("mother") for column in cells):
        return []
    where: Location = ("people", 0)
    origin[where] = origin[(*where, "names")] = "mother_given"
    mother: dict[str, Any] = {"relation": "mother"}
    mother["names"] = _names(cells, MOTHER_NAMES, where, origin)
    for part in ("alive", "whereabouts", "citizenship"):
        _put(mother, part, cells, f"mother_{part}", where, origin)
    return [mother]


def _names(
    cells: dict[str, str],
    prefixes: tuple[str, ...],
    where: Location,
    origin: dict[Location, str],
) -> list[dict[str, str]]:
    names: list[dict[str, str]] = []
    for prefix in prefixes:
        if not any(cells.get(f"{prefix}_{part}") for part in NAME_PARTS):
            continue
        at: Location = (*where, "names", len(names))
        origin[at] = f"{prefix}_given"
        name: dict[str, str] = {}
        for part in NAME_PARTS:
            _put(name, part, cells, f"{prefix}_{part}", at, origin)
        names.append(name)
    return names


def _put(
    target: dict[str, Any],
    key: str,
    cells: dict[str, str],
    column: str,
    where: Location,
    origin: dict[Location, str],
) -> None:
    origin[(*where, key)] = column
    if column in cells:
        target[key] = cells[column]
