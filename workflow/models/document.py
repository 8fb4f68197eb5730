from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, stored_enum, utcnow
from workflow.sealing import Sealed
from workflow.vocabulary import EvidenceKind, Legalisation


class Document(Base):
    """An evidence document attached to a case; its bytes are sealed in the document store."""

    __tablename__ = "documents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(stored_enum(EvidenceKind))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger)  # of the stored (cleaned) document
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A foreign document's particulars: its language (a BCP 47 tag), what it translates (a
    # document of the same case) and by whom, and how it was legalised, where and when.
    language: Mapped[str | None] = mapped_column(String(35))
    translation_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id"), index=True
    )
    translator_name: Mapped[str | None] = mapped_column(Sealed("documents.translator_name"))
    translator_role: Mapped[str | None] = mapped_column(String(100))
    translator_sworn: Mapped[bool | None]
    legalisation: Mapped[Legalisation] = mapped_column(
        stored_enum(Legalisation), default=Legalisation.NONE, server_default="none"
    )
    legalisation_country: Mapped[str | None] = mapped_column(String(2))
    legalised_on: Mapped[date | None]
