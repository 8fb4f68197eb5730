from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base


class StageTally(Base):
    """How many open cases stand in a state of a track: kept by the operations that take steps,
    close and reopen cases (`workflow.tallies`)."""

    __tablename__ = "stage_tallies"

    track: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(40), primary_key=True)
    workflow_id: Mapped[int] = mapped_column(
        ForeignKey("workflow_definitions.id"), primary_key=True
    )
    cases: Mapped[int]
