from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, stored_enum, utcnow
from workflow.sealing import Sealed
from workflow.vocabulary import ReferenceIssuer


class ExternalReference(Base):
    """An identifier the case's child is known by outside Homeward (ICRC, UNHCR, a camp, a
    repatriation list): the value sealed, with a blind token to find the case by it."""

    __tablename__ = "external_references"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    issuer: Mapped[ReferenceIssuer] = mapped_column(stored_enum(ReferenceIssuer))
    value: Mapped[str] = mapped_column(Sealed("external_references.value"))
    # The keyed digest of the folded value: equal for equal values, readable by nobody.
    value_token: Mapped[str] = mapped_column(String(32), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
