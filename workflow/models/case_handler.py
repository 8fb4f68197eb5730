from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base


class CaseHandler(Base):
    """An agency that has taken a step on a case, and the track it took it on: one row however
    many such steps it took, added by the engine with the first. Need-to-know asks
    which agencies handled a case on every read; reading these rows costs what the case's
    handlers are, where reading its history cost what its history is."""

    __tablename__ = "case_handlers"

    # The key in this order answers "has this agency acted on this case?" with one probe.
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    track: Mapped[str] = mapped_column(String(40), primary_key=True)
