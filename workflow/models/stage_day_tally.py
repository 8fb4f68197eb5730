from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base


class StageDayTally(Base):
    """How many open cases stand in a state of a track having entered it on a given day (UTC):
    kept with `StageTally`, so that the cases past a target are counted from the recent days."""

    __tablename__ = "stage_day_tallies"

    # The days since a cutoff are one key range of a stage.
    track: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(40), primary_key=True)
    workflow_id: Mapped[int] = mapped_column(
        ForeignKey("workflow_definitions.id"), primary_key=True
    )
    entered_on: Mapped[date] = mapped_column(primary_key=True)
    cases: Mapped[int]
