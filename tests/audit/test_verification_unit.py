"""Verifying the trail over rows held in memory (SQLite in memory, the audit tables alone): what an
auditor is told about a trail that is intact, cut short, altered, or at odds with a checkpoint."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from audit import merkle, signing, verification
from audit.chain import GENESIS
from audit.models import AuditCheckpoint, AuditHead
from audit.verification import count, verify_trail
from tests.audit.helpers import insert_events, trail_in_memory
from tests.audit.test_chain_unit import chain

KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key()


@pytest.fixture
def session() -> Iterator[Session]:
    with trail_in_memory() as session:
        yield session


def store(session: Session, rows: list[dict[str, Any]], head: tuple[int, str] | None) -> None:
    if rows:
        insert_events(session, rows)
    if head is not None:
        session.add(AuditHead(id=1, seq=head[0], hash=head[1]))
    session.flush()


def trail(session: Session, length: int) -> list[dict[str, Any]]:
    """An intact trail of `length` events with its head row."""
    rows = chain(length)
    store(session, rows, (length, rows[-1]["hash"] if rows else GENESIS))
    return rows


def checkpoint(rows: list[dict[str, Any]], seq: int, **changes: Any) -> dict[str, Any]:
    """A checkpoint signed at `seq` over these rows, any field changed before it is signed."""
    leaves = [bytes.fromhex(row["hash"]) for row in rows[:seq]]
    statement = {
        "seq": seq,
        "head_hash": rows[seq - 1]["hash"] if seq else GENESIS,
        "merkle_root": merkle.root(leaves).hex(),
        "issued_at": "2026-03-14T09:26:53.000000Z",
        **changes,
    }
    return signing.sign(KEY, statement)


def verified(session: Session, held: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    return verify_trail(session, PUBLIC, held)


def first_broken(session: Session, held: Iterable[dict[str, Any]] = ()) -> Any:
    return verified(session, held)["first_broken"]


def test_an_intact_trail_is_reported_whole_with_its_head_and_last_checkpoint(session) -> None:
    rows = trail(session, 5)
    early = checkpoint(rows, 2)
    session.add(AuditCheckpoint(seq=2, body=early))
    late = checkpoint(rows, 4)
    assert verified(session, [late]) == {
        "ok": True,
        "events": 5,
        "head": {"seq": 5, "hash": rows[-1]["hash"]},
        "first_broken": None,
        "last_checkpoint": late,
    }
    assert count(session) == 5


def test_an_empty_trail_verifies(session) -> None:
    trail(session, 0)
    assert verified(session) == {
        "ok": True,
        "events": 0,
        "head": {"seq": 0, "hash": GENESIS},
        "first_broken": None,
        "last_checkpoint": None,
    }
    assert count(session) == 0


def test_a_trail_without_a_head_row_is_judged_by_its_events(session) -> None:
    store(session, chain(3), None)
    assert verified(session)["ok"] is True


def test_an_altered_event_is_the_first_broken(session) -> None:
    rows = chain(4)
    rows[2] = {**rows[2], "outcome": "denied"}
    store(session, rows, (4, rows[-1]["hash"]))
    result = verified(session)
    assert result["ok"] is False
    assert result["first_broken"] == {"seq": 3, "problem": "altered_event"}
    assert (result["events"], result["head"]["seq"]) == (2, 2)


def test_events_are_verified_in_sequence_order_however_they_are_stored(session) -> None:
    rows = chain(4)
    store(session, [rows[2], rows[0], rows[3], rows[1]], (4, rows[-1]["hash"]))
    assert verified(session)["ok"] is True


def test_events_deleted_from_the_end_are_a_missing_tail(session) -> None:
    rows = chain(5)
    store(session, rows[:3], (5, rows[-1]["hash"]))
    assert first_broken(session) == {"seq": 4, "problem": "missing_tail"}


def test_a_head_that_names_another_hash_is_a_missing_tail(session) -> None:
    rows = chain(3)
    store(session, rows, (3, rows[1]["hash"]))
    assert first_broken(session) == {"seq": 4, "problem": "missing_tail"}


def test_a_checkpoint_signed_by_another_key_is_invalid(session) -> None:
    rows = trail(session, 3)
    forged = {**checkpoint(rows, 2), "signature": checkpoint(rows, 3)["signature"]}
    assert first_broken(session, [forged]) == {"seq": 2, "problem": "checkpoint_signature_invalid"}


def test_events_deleted_after_a_checkpoint_are_missing_after_it(session) -> None:
    rows = chain(6)
    store(session, rows[:4], (4, rows[3]["hash"]))  # the head rewritten to match
    assert first_broken(session, [checkpoint(rows, 6)]) == {
        "seq": 5,
        "problem": "missing_after_checkpoint",
    }


@pytest.mark.parametrize("field", ["head_hash", "merkle_root"])
def test_a_trail_rewritten_under_a_checkpoint_does_not_match_it(session, field: str) -> None:
    rows = trail(session, 4)
    held = checkpoint(rows, 3, **{field: "ab" * 32})
    assert first_broken(session, [held]) == {"seq": 3, "problem": "does_not_match_checkpoint"}


def test_stored_checkpoints_are_checked_as_well_as_held_ones(session) -> None:
    rows = trail(session, 4)
    session.add(AuditCheckpoint(seq=3, body=checkpoint(rows, 3, merkle_root="cd" * 32)))
    session.flush()
    assert first_broken(session) == {"seq": 3, "problem": "does_not_match_checkpoint"}


def test_a_checkpoint_of_the_empty_trail_matches_any_trail(session) -> None:
    rows = trail(session, 3)
    assert verified(session, [checkpoint(rows, 0)])["ok"] is True
    unnumbered = signing.sign(KEY, {"head_hash": GENESIS, "merkle_root": "00"})
    assert verified(session, [unnumbered])["ok"] is True
    first = checkpoint(rows, 1)
    assert verified(session, [unnumbered, first])["last_checkpoint"] == first


def test_the_earliest_break_is_named_whatever_found_it(session) -> None:
    rows = chain(5)
    held = checkpoint(rows, 2, head_hash="ef" * 32)
    rows[3] = {**rows[3], "username": "someone else"}
    store(session, rows, (5, rows[-1]["hash"]))
    assert first_broken(session, [held]) == {"seq": 2, "problem": "does_not_match_checkpoint"}


def test_a_break_in_the_events_is_named_before_the_checkpoints_it_undermines(
    session, monkeypatch
) -> None:
    monkeypatch.setattr(verification, "BATCH", 2)
    rows = chain(5)
    held = checkpoint(rows, 4)
    rows[2] = {**rows[2], "username": "someone else"}
    store(session, rows, (5, rows[-1]["hash"]))
    result = verified(session, [held])
    assert result["first_broken"] == {"seq": 3, "problem": "altered_event"}
    assert result["last_checkpoint"] == held


def test_a_trail_read_in_batches_verifies_across_them(session, monkeypatch) -> None:
    monkeypatch.setattr(verification, "BATCH", 2)
    rows = trail(session, 5)
    seen: list[int] = []
    result = verify_trail(session, PUBLIC, [checkpoint(rows, 5)], progress=seen.append)
    assert (result["ok"], result["events"], seen) == (True, 5, [2, 2, 1])
