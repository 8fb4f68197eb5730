"""What Homeward keeps of a form it issued: its fingerprint, its issuer and the facts it states
that name no one; never a name."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow
from workflow.models import Agency, Case


class IssuedForm(Base):
    __tablename__ = "issued_forms"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    variant: Mapped[str] = mapped_column(String(10))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    issued_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the form states that names no one (forms.facts); None for forms issued before.
    facts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)

    case: Mapped[Case] = relationship()
    agency: Mapped[Agency] = relationship()
