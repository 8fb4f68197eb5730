"""Signed checkpoints of the trail, and the Merkle proofs that tie events and checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import merkle, signing
from audit.models import AuditCheckpoint, AuditEvent, AuditHead
from audit.trail import database_now


def signing_key() -> Ed25519PrivateKey:
    """The checkpoint key from HOMEWARD_AUDIT_KEY_FILE; made on first use outside production."""
    path = Path(current_app.config["AUDIT_KEY_FILE"])
    return signing.load_or_create(path, create=current_app.config["ENV"] != "production")


def leaves(session: Session, size: int | None = None) -> list[bytes]:
    """The event hashes in sequence order: the Merkle tree's leaves."""
    statement = select(AuditEvent.hash).order_by(AuditEvent.seq)
    if size is not None:
        statement = statement.where(AuditEvent.seq <= size)
    return [bytes.fromhex(value) for value in session.scalars(statement)]


def create(session: Session, key: Ed25519PrivateKey) -> dict[str, Any]:
    """Sign the head as it stands: sequence, chain hash, Merkle root and the database's time."""
    head = session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    assert head is not None
    statement = {
        "seq": head.seq,
        "head_hash": head.hash,
        "merkle_root": merkle.root(leaves(session, head.seq)).hex(),
        "issued_at": database_now(session).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    signed = signing.sign(key, statement)
    session.add(AuditCheckpoint(seq=head.seq, body=signed))
    session.flush()
    return signed


def stored(session: Session) -> list[dict[str, Any]]:
    """Every checkpoint kept in the database, oldest first."""
    return [
        row.body for row in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))
    ]


def inclusion(session: Session, seq: int, size: int) -> dict[str, Any]:
    """Proof that event `seq` is in the tree of the first `size` events."""
    tree = leaves(session, size)
    if not 1 <= seq <= len(tree) or size != len(tree):
        raise ValueError("the event or the tree size is beyond the trail")
    return {
        "seq": seq,
        "tree_size": size,
        "leaf": tree[seq - 1].hex(),
        "root": merkle.root(tree).hex(),
        "path": [node.hex() for node in merkle.inclusion_proof(seq - 1, tree)],
    }


def consistency(session: Session, old_size: int, new_size: int) -> dict[str, Any]:
    """Proof that the tree of `old_size` events is a prefix of the tree of `new_size`."""
    tree = leaves(session, new_size)
    if not 1 <= old_size <= new_size or new_size != len(tree):
        raise ValueError("the sizes are beyond the trail")
    return {
        "old_size": old_size,
        "new_size": new_size,
        "old_root": merkle.root(tree[:old_size]).hex(),
        "new_root": merkle.root(tree).hex(),
        "proof": [node.hex() for node in merkle.consistency_proof(old_size, tree)],
    }
