from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, stored_enum, utcnow
from workflow.models.workflow_record import WorkflowRecord
from workflow.vocabulary import CaseStatus, ClosureReason, Relation

if TYPE_CHECKING:
    from workflow.models.assignment import Assignment
    from workflow.models.person import Person
    from workflow.models.track_state import TrackState


class Case(Base):
    """One child's case: the people, the tracks and the lawyers working it."""

    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflow_definitions.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(
        stored_enum(CaseStatus),
        default=CaseStatus.OPEN,
        index=True,
    )
    closure_reason: Mapped[ClosureReason | None] = mapped_column(stored_enum(ClosureReason))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # The NGO that holds the case: only its lawyers work it, whoever of them moves elsewhere.
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The step that first met the completion rule: a closing or reopening later leaves it.
    completed_at: Mapped[datetime | None]
    # Set when the retention period ran out and the case's personal data and documents were erased.
    purged_at: Mapped[datetime | None]
    # The siblings' family the case belongs to, if any: they share their relatives.
    family_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("families.id"), index=True)

    workflow: Mapped[WorkflowRecord] = relationship(lazy="joined")
    # Through `case_people`: a relative shared by siblings is one row on each of their cases.
    # Written only by adding `CasePerson` rows (`workflow.operations`).
    people: Mapped[list[Person]] = relationship(
        secondary="case_people", order_by="CasePerson.position", viewonly=True
    )
    tracks: Mapped[list[TrackState]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def child(self) -> Person:
        return next(person for person in self.people if person.relation is Relation.CHILD)

    @property
    def relatives(self) -> list[Person]:
        """Everyone on the case but the child."""
        return [person for person in self.people if person.relation is not Relation.CHILD]

    def track_states(self) -> dict[str, str]:
        return {track.track: track.state for track in self.tracks}

    def is_assigned(self, user_id: uuid.UUID) -> bool:
        return any(assignment.user_id == user_id for assignment in self.assignments)
