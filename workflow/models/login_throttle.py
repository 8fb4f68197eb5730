from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base


class LoginThrottle(Base):
    """A counter of failed sign-ins (per account, address, or both) or of public requests (per
    address and minute), and until when its owner must wait."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "account:…", "verify:…"
    count: Mapped[int] = mapped_column(default=0)
    counted_at: Mapped[datetime | None]  # when `count` was exact (failures leak away since), or
    # the start of the minute counted
    locked_until: Mapped[datetime | None]
