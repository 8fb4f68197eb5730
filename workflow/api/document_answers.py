"""The shape of a document in the API's answers: what it is, and when it is foreign, its
language, what it translates and by whom, and how it was legalised."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from workflow.vocabulary import EvidenceKind, Legalisation


class TranslatorOut(BaseModel):
    name: str
    role: str | None
    sworn: bool | None


class LegalisationOut(BaseModel):
    status: Legalisation
    country: str | None = Field(description="ISO 3166-1 alpha-2 code")
    on: date | None


class DocumentOut(BaseModel):
    id: uuid.UUID
    kind: EvidenceKind
    sha256: str
    size: int
    content_type: str
    uploaded_at: datetime
    language: str | None = Field(description="BCP 47 tag; null when not recorded")
    translation_of: uuid.UUID | None = Field(description="the document this one translates")
    translator: TranslatorOut | None
    legalisation: LegalisationOut


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]
