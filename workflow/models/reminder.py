from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, stored_enum, utcnow
from workflow.vocabulary import ReminderKind, ReminderStatus


class Reminder(Base):
    """A message waiting in the outbox, written in the transaction of the change it tells of.

    It holds case references and step names only; the recipient's address is read when it is
    sent, so a changed address or reminders turned off count until the last moment."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(stored_enum(ReminderKind))
    content: Mapped[dict[str, Any]]
    status: Mapped[ReminderStatus] = mapped_column(
        stored_enum(ReminderStatus), default=ReminderStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(80))  # an exception's class name
