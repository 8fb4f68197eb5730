from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow
from workflow.sealing import Sealed


class TransitionRecord(Base):
    """One step taken on a case: append-only; only its sealed data and note may be re-sealed
    under a new key or erased when the case is purged."""

    __tablename__ = "transition_history"
    # A step asks when the stay it ends began: the latest `at` of its case and track, read
    # from the end of this index however many steps the track has taken.
    __table_args__ = (Index("ix_transition_history_case_track_at", "case_id", "track", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    track: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any] | None] = mapped_column(
        Sealed("transition_history.data", "json"), default=dict
    )
    evidence_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Sealed("transition_history.note"))


@event.listens_for(TransitionRecord, "before_update")
@event.listens_for(TransitionRecord, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, _record: TransitionRecord) -> None:
    raise RuntimeError("the transition history is append-only")
