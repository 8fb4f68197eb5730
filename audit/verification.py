"""Verify the trail: the chain, the head, and every checkpoint stored or held outside; the whole
trail, or only what was appended after the newest checkpoint verified when it was signed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import marks, signing, tree
from audit.chain import Break
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
    every_column: bool = False,
) -> dict[str, Any]:
    """Recompute the chain and check it against the head row and every checkpoint; with
    `every_column`, check each column against the text its hash covers, whatever the catalogue
    says of them."""
    checkpoints = [*marks.stored(session), *held]
    walked = walk(session, Start(), _sizes(checkpoints), BATCH, progress, every_column=every_column)
    return _verdict(walked, checkpoints, public)


def verify_since_checkpoint(
    session: Session,
    public: Ed25519PublicKey,
    held: Iterable[dict[str, Any]] = (),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Verify the events after the newest checkpoint that was verified when signed, trusting the
    events before it as they were then; verify the whole trail when there is none, or when it or a
    checkpoint held outside no longer matches the trail. Says from which event it verified."""
    held = list(held)
    start = marks.anchor(session, public)
    if start is None or not all(_still_matches(session, cp, start, public) for cp in held):
        return {**verify_trail(session, public, held, progress), "verified_from": 0}
    every = [*marks.stored(session), *held]
    later = [cp for cp in every if _seq(cp) > start.seq]
    walked = walk(session, start, _sizes(later), BATCH, progress)
    if walked.since != start.seq:  # the trail had to be decoded from its first event
        return {**verify_trail(session, public, held), "verified_from": 0}
    verdict = _verdict(walked, later, public)
    verdict["last_checkpoint"] = max(every, key=_seq, default=None)
    return {**verdict, "verified_from": walked.since}


def _still_matches(
    session: Session, checkpoint: dict[str, Any], start: Start, public: Ed25519PublicKey
) -> bool:
    """A checkpoint held outside from before the start: checked here against the stored hash and
    the kept subtrees; anything amiss and the whole trail is verified instead."""
    seq = _seq(checkpoint)
    if seq > start.seq or seq == 0:
        return True
    if seq < 0 or not signing.verify(public, checkpoint):
        return False
    stored_hash = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
    try:
        root = tree.root(session, seq).hex()
    except ValueError:
        return False
    return (stored_hash, root) == (checkpoint.get("head_hash"), checkpoint.get("merkle_root"))


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
