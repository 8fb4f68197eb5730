"""The shapes of the intake's answers, as the OpenAPI document declares them."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from workflow.vocabulary import Script


class RowProblemOut(BaseModel):
    row: int = Field(description="the line of the file where the row begins (the header is 1)")
    column: str
    problem: str = Field(description="the rule broken, e.g. `formula`, `missing`, `enum`")
    message: str


class DuplicateOut(BaseModel):
    row: int | None = Field(description="another row of the same manifest")
    agency: str | None = Field(description="the agency that holds a matching open case")
    case: str | None = Field(description="that case's reference, if the caller may see it")
    case_id: uuid.UUID | None = Field(description="and its id, if the caller may see it")


class ChildNameOut(BaseModel):
    script: Script
    given: str | None
    family: str | None


class IntakeRowOut(BaseModel):
    row: int
    family_group: str | None
    child: ChildNameOut | None = Field(description="the child's first name; null on a bad row")
    problems: list[RowProblemOut]
    possible_duplicates: list[DuplicateOut]


class DryRunOut(BaseModel):
    """Every row of the manifest as checked; nothing was opened."""

    rows: list[IntakeRowOut]
    total: int
    families: int
    with_problems: int


class OpenedCaseOut(BaseModel):
    row: int
    id: uuid.UUID
    reference: str
    assigned_to: str = Field(description="the lawyer who took the manifest in")


class TakenInOut(BaseModel):
    """The cases opened, one per row, all in one transaction."""

    cases: list[OpenedCaseOut]
    opened: int
