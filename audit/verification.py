"""Verify the whole trail: the chain, the head, and every checkpoint stored or held outside."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import signing
from audit.chain import Break
from audit.checkpoints import stored
from audit.models import AuditEvent
from audit.walk import Start, Walked, walk

BATCH = 32_768  # events per range; ranges are checked side by side
Progress = Callable[[int], None]


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def verify_trail(
    session: Session,
    public: Ed25519PublicKey,
    held: Iterable[dict[str, Any]] = (),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Recompute the chain and check it against the head row and every checkpoint."""
    checkpoints = [*stored(session), *held]
    walked = walk(session, Start(), _sizes(checkpoints), BATCH, progress)
    return _verdict(walked, checkpoints, public)


def _seq(checkpoint: dict[str, Any]) -> int:
    return int(checkpoint.get("seq", 0))


def _sizes(checkpoints: list[dict[str, Any]]) -> set[int]:
    return {_seq(cp) for cp in checkpoints}


def _verdict(
    walked: Walked, checkpoints: list[dict[str, Any]], public: Ed25519PublicKey
) -> dict[str, Any]:
    """The first break, whichever check found it, and the head as far as the chain holds."""
    breaks = [b for b in (walked.broken, _head_break(walked)) if b is not None]
    breaks += [b for cp in checkpoints if (b := _checkpoint_break(cp, walked, public))]
    first = min(breaks, key=lambda b: b.seq) if breaks else None
    return {
        "ok": first is None,
        "events": walked.count,
        "head": {"seq": walked.count, "hash": walked.last_hash},
        "first_broken": first.as_json() if first else None,
        "last_checkpoint": max(checkpoints, key=_seq, default=None),
    }


def _head_break(walked: Walked) -> Break | None:
    if walked.broken is None and walked.head not in (None, (walked.count, walked.last_hash)):
        return Break(walked.count + 1, "missing_tail")
    return None


def _checkpoint_break(
    checkpoint: dict[str, Any], walked: Walked, public: Ed25519PublicKey
) -> Break | None:
    seq = _seq(checkpoint)
    if not signing.verify(public, checkpoint):
        return Break(seq, "checkpoint_signature_invalid")
    if seq > walked.count:
        return Break(walked.count + 1, "missing_after_checkpoint")
    root = walked.roots.get(seq)
    if seq and (
        walked.hashes.get(seq) != checkpoint.get("head_hash")
        or root is None
        or root.hex() != checkpoint.get("merkle_root")
    ):
        return Break(seq, "does_not_match_checkpoint")
    return None
