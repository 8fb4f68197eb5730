"""Verify the whole trail: the chain, the head, and every checkpoint stored or held outside."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import merkle, signing
from audit.chain import Break, ChainWalk
from audit.checkpoints import stored
from audit.models import AuditEvent, AuditHead

BATCH = 10_000


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def verify_trail(
    session: Session,
    public: Ed25519PublicKey,
    held: Iterable[dict[str, Any]] = (),
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Recompute the chain and check it against the head row and every checkpoint."""
    walk, hashes = ChainWalk(), list[bytes]()
    for batch in _batches(session):
        walk.feed(batch)
        hashes.extend(
            bytes.fromhex(row["hash"]) for row in batch[: max(0, walk.count - len(hashes))]
        )
        if progress:
            progress(len(batch))
    breaks = [b for b in (walk.broken, _head_break(session, walk)) if b is not None]
    checkpoints = [*stored(session), *held]
    breaks += [b for cp in checkpoints if (b := _checkpoint_break(cp, hashes, public))]
    first = min(breaks, key=lambda b: b.seq) if breaks else None
    return {
        "ok": first is None,
        "events": walk.count,
        "head": {"seq": walk.last_seq, "hash": walk.last_hash},
        "first_broken": first.as_json() if first else None,
        "last_checkpoint": max(checkpoints, key=lambda cp: int(cp.get("seq", 0)), default=None),
    }


def _batches(session: Session) -> Iterable[list[dict[str, Any]]]:
    table = AuditEvent.__table__
    result = session.execute(select(table).order_by(table.c.seq).execution_options(yield_per=BATCH))
    for partition in result.mappings().partitions(BATCH):
        yield [dict(row) for row in partition]


def _head_break(session: Session, walk: ChainWalk) -> Break | None:
    head = session.get(AuditHead, 1)
    if (
        walk.broken is None
        and head is not None
        and (head.seq, head.hash) != (walk.last_seq, walk.last_hash)
    ):
        return Break(walk.last_seq + 1, "missing_tail")
    return None


def _checkpoint_break(
    checkpoint: dict[str, Any], hashes: list[bytes], public: Ed25519PublicKey
) -> Break | None:
    seq = int(checkpoint.get("seq", 0))
    if not signing.verify(public, checkpoint):
        return Break(seq, "checkpoint_signature_invalid")
    if seq > len(hashes):
        return Break(len(hashes) + 1, "missing_after_checkpoint")
    if seq and (
        hashes[seq - 1].hex() != checkpoint.get("head_hash")
        or merkle.root(hashes[:seq]).hex() != checkpoint.get("merkle_root")
    ):
        return Break(seq, "does_not_match_checkpoint")
    return None
