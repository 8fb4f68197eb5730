from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, stored_enum, utcnow
from workflow.models.agency import Agency
from workflow.sealing import Sealed
from workflow.vocabulary import Language, Role


class User(Base):
    """A person who signs in: lawyer, official, auditor or administrator of one agency."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(stored_enum(Role))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Sealed like every other name in the database: a copy of it must not double as a
    # directory of the officials and lawyers who handle these children's cases.
    email: Mapped[str | None] = mapped_column(Sealed("users.email"))
    reminders: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The language of their mail; None until they choose one (then HOMEWARD_DEFAULT_LANGUAGE).
    language: Mapped[Language | None] = mapped_column(stored_enum(Language, length=8))

    agency: Mapped[Agency] = relationship(lazy="joined")
