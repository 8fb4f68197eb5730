from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base


class MonthStayTally(Base):
    """How many stays ended in a month (UTC) lasted a duration within one bucket, per state of a
    track, and how long the cases completed that month took (track and state both empty):
    `StayTally` by the month, so that the dashboard draws the last twelve from a few rows."""

    __tablename__ = "month_stay_tallies"

    # The level first, then the month: the coarse rows since a month are one key range.
    level: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    track: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(40), primary_key=True)
    bucket: Mapped[int] = mapped_column(primary_key=True)
    stays: Mapped[int]
