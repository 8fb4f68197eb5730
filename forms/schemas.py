"""What the forms' endpoints accept."""

from __future__ import annotations

from typing import Annotated, Literal

from flask_openapi3 import FileStorage
from pydantic import BaseModel, Field

from workflow.schemas import Input


class FormPath(Input):
    case_id: Annotated[str, Field(max_length=64)]
    form: Annotated[str, Field(max_length=40)]


class FormQuery(Input):
    variant: Literal["full", "redacted"] = "full"


class CodePath(Input):
    code: Annotated[str, Field(max_length=64)]


class VerifyForm(Input):
    """A multipart upload of the PDF file to check."""

    file: FileStorage


class StatedFact(BaseModel):
    """A fact the form states that names no one, labelled as the form labels it."""

    label: str
    value: str


class Verification(BaseModel):
    """Whether a form is genuine; never a name, only what the printout already shows."""

    genuine: bool
    kind: str | None = None
    variant: str | None = None
    agency: str | None = None
    issued_at: str | None = None
    case_reference: str | None = None
    # What the form states that names no one, to compare with the printout; null for a form
    # issued before Homeward kept its facts (and for one that is not genuine).
    facts: list[StatedFact] | None = None
