from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow


class WorkflowRecord(Base):
    """A workflow definition as loaded, kept for as long as any case stands on it."""

    __tablename__ = "workflow_definitions"
    __table_args__ = (
        UniqueConstraint("name", "version", name="uq_workflow_definitions_name_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Read once per process when first parsed (see rules.catalogue), not with every case.
    body: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
