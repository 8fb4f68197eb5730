"""Verified-up-to marks: signed beside a checkpoint when the chain had just been verified up to its
head, so that a later verification may start there instead of at the first event.

A mark names its checkpoint by the checkpoint's signature and is signed with the same key, kept
outside the database: a mark cannot be made for a checkpoint Homeward did not verify, nor moved to
another. Before a verification starts at a mark it checks, in a few reads, that the checkpoint's
event still has the hash signed and that the kept subtrees it starts from give the signed root.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import merkle, signing, tree
from audit.models import AuditCheckpoint, AuditEvent
from audit.walk import Start


def stored(session: Session) -> list[dict[str, Any]]:
    """Every checkpoint kept in the database, oldest first."""
    rows = session.scalars(select(AuditCheckpoint.body).order_by(AuditCheckpoint.id))
    return list(rows)


def mark(
    key: Ed25519PrivateKey, checkpoint: dict[str, Any], verified_through: int
) -> dict[str, Any]:
    """The signed statement that the chain was verified up to `verified_through` when
    `checkpoint` was signed."""
    return signing.sign(
        key, {"checkpoint": checkpoint["signature"], "verified_through": verified_through}
    )


def anchor(session: Session, public: Ed25519PublicKey) -> Start | None:
    """Where an incremental verification starts: the newest marked checkpoint, if its mark and
    its checkpoint are genuine, fully verified, and still match the trail; else nowhere."""
    row = session.execute(
        select(AuditCheckpoint.body, AuditCheckpoint.mark)
        .where(AuditCheckpoint.mark.is_not(None))
        .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
        .limit(1)
    ).first()
    if row is None or not _genuine(row.body, row.mark, public):
        return None
    return _still_holds(session, row.body)


def _genuine(body: dict[str, Any], mark: dict[str, Any] | None, public: Ed25519PublicKey) -> bool:
    return (
        mark is not None
        and signing.verify(public, body)
        and signing.verify(public, mark)
        and mark.get("checkpoint") == body.get("signature")
        and isinstance(body.get("seq"), int)
        and mark.get("verified_through") == body["seq"] >= 1
    )


def _still_holds(session: Session, body: dict[str, Any]) -> Start | None:
    seq = body["seq"]
    stored_hash = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
    if stored_hash is None or stored_hash != body.get("head_hash"):
        return None
    try:
        frontier = tree.frontier(session, seq)
    except ValueError:
        return None
    if merkle.fold_right(frontier).hex() != body.get("merkle_root"):
        return None
    return Start(seq, stored_hash, tuple(frontier))
