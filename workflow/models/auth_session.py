from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow


class AuthSession(Base):
    """One sign-in: its current refresh token (hashed) and whether it has ended."""

    __tablename__ = "auth_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    refresh_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(30))  # logout, refresh_reuse, …
    last_seen_at: Mapped[datetime | None] = mapped_column(default=utcnow)  # the last refresh

    def is_live(self, now: datetime, idle_limit: timedelta) -> bool:
        """Not ended, not past its absolute end, and used within the idle limit."""
        return Liveness(self.ended_at, self.expires_at, self.last_seen_at, self.created_at).at(
            now, idle_limit
        )


class Liveness(NamedTuple):
    """What says whether a session is live, as its columns hold it."""

    ended_at: datetime | None
    expires_at: datetime
    last_seen_at: datetime | None
    created_at: datetime

    @property
    def last_seen(self) -> datetime:
        """When the session was last used: its last refresh, or its start."""
        return self.last_seen_at or self.created_at

    def at(self, now: datetime, idle_limit: timedelta) -> bool:
        """Not ended, not past its absolute end, and used within the idle limit."""
        return self.ended_at is None and now < self.expires_at and now - self.last_seen < idle_limit
