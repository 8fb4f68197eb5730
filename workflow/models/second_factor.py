from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow
from workflow.sealing import Sealed


class SecondFactor(Base):
    """A user's TOTP secret (RFC 6238): pending until a first code confirms it, and the last
    time step a code was accepted in, so that no code is accepted twice."""

    __tablename__ = "second_factors"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(Sealed("second_factors.secret"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None]  # Unix time // 30 of the last code accepted
