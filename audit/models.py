"""The audit trail's tables: events in a hash chain, its head, signed checkpoints, and the
Merkle tree's complete subtrees kept for proofs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Computed,
    Dialect,
    Index,
    SmallInteger,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from audit.chain import canonical_json
from audit.stored import Derived
from workflow.db import Base


class CanonicalJSON(TypeDecorator[Any]):
    """JSON written as the very text the event hash covers (sorted keys, no spaces): where
    `detail` is a plain column (as before migration 0024), the database can then rebuild an
    event's canonical bytes from its columns without decoding them."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            from psycopg.types.json import Json

            return lambda value: Json(_plain(value), dumps=canonical_json)
        return lambda value: canonical_json(_plain(value))


def _plain(value: Any) -> Any:
    return None if value is JSON.NULL else value


def _derived(name: str, *kind: Any, index: bool = False) -> Any:
    return mapped_column(*kind, Computed(Derived(name), persisted=None), index=index)


# The columns the auditor's lists filter on, each indexed with the sequence number: a page of one
# actor's, action's, outcome's or case's events is read in order and stops at its end, however
# many events match.
PAGED_BY_SEQ = (
    "actor_id",
    "username",
    "action",
    "outcome",
    "case_id",
    "case_reference",
    "object_id",
)


class AuditEvent(Base):
    """One access to Homeward: who, what, when, where, with what outcome. Never updated.

    The event is stored as its canonical text; every other field is derived from that text by
    the database (`audit.stored`), so no field changes without the text its hash covers."""

    __tablename__ = "audit_events"
    __table_args__ = tuple(
        Index(f"ix_audit_events_{column}", column, "seq") for column in PAGED_BY_SEQ
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    canonical: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = _derived("at", index=True)
    actor_id: Mapped[uuid.UUID | None] = _derived("actor_id")
    username: Mapped[str | None] = _derived("username", String(64))
    role: Mapped[str | None] = _derived("role", String(20))
    agency_id: Mapped[uuid.UUID | None] = _derived("agency_id")
    agency_kind: Mapped[str | None] = _derived("agency_kind", String(40))
    action: Mapped[str] = _derived("action", String(60))
    object_type: Mapped[str | None] = _derived("object_type", String(40))
    object_id: Mapped[str | None] = _derived("object_id", String(64))
    case_id: Mapped[uuid.UUID | None] = _derived("case_id")
    case_reference: Mapped[str | None] = _derived("case_reference", String(20))
    detail: Mapped[dict[str, Any]] = _derived("detail", CanonicalJSON)
    client_address: Mapped[str | None] = _derived("client_address", String(64))
    request_id: Mapped[str | None] = _derived("request_id", String(64))
    outcome: Mapped[str] = _derived("outcome", String(40))
    purpose: Mapped[str | None] = _derived("purpose", String(40))
    prev_hash: Mapped[str] = _derived("prev_hash", String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The one row every append locks: the serialisation point of the chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed statement of the chain's head and Merkle root at one moment."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Signed beside the body when the chain was verified up to it: where an incremental
    # verification may start. The body itself stays the statement auditors hold outside.
    mark: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AuditTreeNode(Base):
    """The root of a complete subtree of the Merkle tree: leaves position * 2**level up to
    (position + 1) * 2**level, kept so that a proof reads a few nodes instead of every leaf."""

    __tablename__ = "audit_tree"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
@event.listens_for(AuditCheckpoint, "before_update")
@event.listens_for(AuditCheckpoint, "before_delete")
@event.listens_for(AuditTreeNode, "before_update")
@event.listens_for(AuditTreeNode, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, _row: Any) -> None:
    raise RuntimeError("the audit trail is append-only")
