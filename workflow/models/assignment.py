from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow

if TYPE_CHECKING:
    from workflow.models.case import Case


class Assignment(Base):
    """A lawyer working a case."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("case_id", "user_id", name="uq_assignments_case_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="assignments")
