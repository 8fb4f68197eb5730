from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base


class StayTally(Base):
    """How many ended stays in a state of a track lasted a duration within one bucket, counted
    twice: in buckets a doubling wide (level 0) and in buckets 1/64 of a doubling wide (level 1),
    so that a median is found from a few rows of each (`workflow.tallies`)."""

    __tablename__ = "stay_tallies"

    level: Mapped[int] = mapped_column(primary_key=True)
    track: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(40), primary_key=True)
    bucket: Mapped[int] = mapped_column(primary_key=True)
    stays: Mapped[int]
