"""Signed checkpoints of the trail, and the Merkle proofs that tie events and checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import marks, merkle, signing, tree, verification
from audit.models import AuditCheckpoint, AuditEvent, AuditHead
from audit.trail import database_now
from audit.walk import Start, Walked, walk


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
    """Verify what was appended since the last verified checkpoint, then sign the head as it
    stands (sequence, chain hash, Merkle root, the database's time), mark how far the chain was
    verified, and keep the complete subtrees just verified for proofs."""
    head = session.get(AuditHead, 1)
    assert head is not None
    start = marks.anchor(session, key.public_key()) or Start()
    walked = walk(session, start, [head.seq], verification.BATCH, keep_from=tree.LEVEL)
    statement = {
        "seq": head.seq,
        "head_hash": head.hash,
        "merkle_root": _root(session, walked, head.seq).hex(),
        "issued_at": database_now(session).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    signed = signing.sign(key, statement)
    verified = _verified_through(walked, head)
    session.add(AuditCheckpoint(seq=head.seq, body=signed, mark=marks.mark(key, signed, verified)))
    tree.store(session, walked.kept)
    session.flush()
    return signed


def _root(session: Session, walked: Walked, size: int) -> bytes:
    """The root over the verified hashes; over the stored ones where the chain broke before."""
    if size in walked.roots:
        return walked.roots[size]
    try:
        return tree.root(session, size)
    except ValueError:  # events missing inside the tree: the root of those that are there
        return merkle.root(leaves(session, size))


def _verified_through(walked: Walked, head: AuditHead) -> int:
    if head.seq == 0 or walked.hashes.get(head.seq) == head.hash:
        return head.seq
    return max(0, min(walked.count, head.seq - 1))


def stored(session: Session) -> list[dict[str, Any]]:
    """Every checkpoint kept in the database, oldest first."""
    return marks.stored(session)


def inclusion(session: Session, seq: int, size: int) -> dict[str, Any]:
    """Proof that event `seq` is in the tree of the first `size` events."""
    if not 1 <= seq <= size <= _events(session):
        raise ValueError("the event or the tree size is beyond the trail")
    path, root, leaf = tree.inclusion(session, seq - 1, size)
    return {
        "seq": seq,
        "tree_size": size,
        "leaf": leaf,
        "root": root.hex(),
        "path": [node.hex() for node in path],
    }


def consistency(session: Session, old_size: int, new_size: int) -> dict[str, Any]:
    """Proof that the tree of `old_size` events is a prefix of the tree of `new_size`."""
    if not 1 <= old_size <= new_size <= _events(session):
        raise ValueError("the sizes are beyond the trail")
    proof, old_root, new_root = tree.consistency(session, old_size, new_size)
    return {
        "old_size": old_size,
        "new_size": new_size,
        "old_root": old_root.hex(),
        "new_root": new_root.hex(),
        "proof": [node.hex() for node in proof],
    }


def _events(session: Session) -> int:
    """The highest sequence number in the trail, read from its index."""
    return int(session.scalar(select(func.max(AuditEvent.seq))) or 0)
