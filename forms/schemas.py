"""What the forms' endpoints accept."""

from __future__ import annotations

from typing import Annotated, Literal

from flask_openapi3 import FileStorage
from pydantic import BaseModel, Field, field_validator

from forms.catalogue import catalogue
from workflow.schemas import Input


class FormPath(Input):
    case_id: Annotated[str, Field(max_length=64)]
    form: Annotated[str, Field(max_length=40)]


class FormQuery(Input):
    variant: Literal["full", "redacted"] = "full"
    languages: Annotated[
        str | None,
        Field(
            max_length=100,
            description="the label sets to print, in order, such as kk,ru (default: the "
            "configured HOMEWARD_FORM_LANGUAGES)",
        ),
    ] = None

    @field_validator("languages")
    @classmethod
    def _known_label_sets(cls, value: str | None) -> str | None:
        if value is not None:
            label_languages(value)
        return value

    def label_languages(self) -> list[str] | None:
        """The label sets asked for, or None for the configured ones."""
        return None if self.languages is None else label_languages(self.languages)


def label_languages(text: str) -> list[str]:
    """Label sets named once each, separated by commas; a name with no label set is refused."""
    known = sorted(catalogue()[1])
    codes = [code.strip() for code in text.split(",")]
    if not set(codes) <= set(known) or len(set(codes)) != len(codes):
        raise ValueError(f"must be languages of the labels, each once, from {', '.join(known)}")
    return codes


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
    # When the registered particulars the form states were corrected after it was issued: it
    # is genuine but out of date, and the form issued since states the corrected ones.
    superseded_at: str | None = None
