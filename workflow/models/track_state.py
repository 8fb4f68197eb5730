from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow

if TYPE_CHECKING:
    from workflow.models.case import Case


class TrackState(Base):
    """Where one procedure of a case stands now, and since when."""

    __tablename__ = "track_states"
    __table_args__ = (Index("ix_track_states_track_state", "track", "state", "since"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    track: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(40))
    since: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="tracks")
