from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base


class NameKey(Base):
    """A keyed digest of one sound-alike key of a child's names: what the duplicate check finds
    a recorded child by, without the name or its key being readable (`workflow.duplicates`)."""

    __tablename__ = "name_keys"
    __table_args__ = (Index("ix_name_keys_digest", "digest", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(16))
