from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow


class ReferenceSample(Base):
    """A relative's DNA reference sample, held once for her and counted on every case she is on:
    a mother of three siblings gives one sample, and each child's test compares with it."""

    __tablename__ = "reference_samples"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    sample_id: Mapped[str] = mapped_column(String(100))
    collected_on: Mapped[date]
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    # Where it was taken; never shown on a sibling's case, whose users may not see this one.
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
