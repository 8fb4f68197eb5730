"""The hash chain without a database: the bytes an event's hash covers, and the walk that finds
the first event an auditor can no longer trust."""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from audit.chain import GENESIS, Break, ChainWalk, canonical, event_hash

ACTOR = uuid.UUID("5b8f3c1e-2d4a-4e6f-9a7b-0c1d2e3f4a5b")
ALMATY = timezone(timedelta(hours=5))


def event(seq: int, prev_hash: str, **overrides: Any) -> dict[str, Any]:
    """One event's fields as the trail stores them, its hash included."""
    fields: dict[str, Any] = {
        "seq": seq,
        "at": datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC) + timedelta(seconds=seq),
        "actor_id": ACTOR,
        "username": "lawyer",
        "role": "lawyer",
        "agency_id": None,
        "agency_kind": "ngo",
        "action": "case.read",
        "object_type": "case",
        "object_id": str(seq),
        "case_id": None,
        "case_reference": "HW-2026-000001",
        "detail": {},
        "client_address": "127.0.0.1",
        "request_id": None,
        "outcome": "allowed",
        "purpose": None,
        "prev_hash": prev_hash,
        **overrides,
    }
    return {**fields, "hash": event_hash(fields)}


def chain(length: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for seq in range(1, length + 1):
        rows.append(event(seq, rows[-1]["hash"] if rows else GENESIS))
    return rows


def walked(rows: list[dict[str, Any]]) -> ChainWalk:
    walk = ChainWalk()
    walk.feed(rows)
    return walk


# --- what the hash covers ---------------------------------------------------------------------

EXPECTED = (
    '{"action":"auth.login","actor_id":"5b8f3c1e-2d4a-4e6f-9a7b-0c1d2e3f4a5b",'
    '"agency_id":null,"agency_kind":"ngo","at":"2026-03-14T04:26:53.000042Z",'
    '"case_id":null,"case_reference":null,"client_address":"10.0.0.7",'
    '"detail":{"name":"Нұрғали"},"object_id":null,"object_type":null,"outcome":"allowed",'
    '"prev_hash":"' + GENESIS + '","purpose":null,"request_id":"r-1","role":"lawyer",'
    '"seq":1,"username":"lawyer"}'
).encode()


def login_event() -> dict[str, Any]:
    return {
        "seq": 1,
        "at": datetime(2026, 3, 14, 9, 26, 53, 42, tzinfo=ALMATY),
        "actor_id": ACTOR,
        "username": "lawyer",
        "role": "lawyer",
        "agency_id": None,
        "agency_kind": "ngo",
        "action": "auth.login",
        "object_type": None,
        "object_id": None,
        "case_id": None,
        "case_reference": None,
        "detail": {"name": "Нұрғали"},
        "client_address": "10.0.0.7",
        "request_id": "r-1",
        "outcome": "allowed",
        "purpose": None,
        "prev_hash": GENESIS,
        "hash": "not covered",
    }


def test_an_event_is_hashed_as_sorted_compact_utf8_json_with_times_in_utc() -> None:
    assert canonical(login_event()) == EXPECTED


def test_times_are_hashed_in_utc_whatever_the_servers_time_zone(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "ALMATY-05")
    time.tzset()
    try:
        assert canonical(login_event()) == EXPECTED
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_hash_is_sha256_of_those_bytes() -> None:
    assert event_hash(login_event()) == hashlib.sha256(EXPECTED).hexdigest()


@pytest.mark.parametrize(
    ("field", "value"),
    [("username", "lawyer2"), ("outcome", "denied"), ("at", datetime(2026, 1, 1, tzinfo=UTC))],
)
def test_changing_any_covered_field_changes_the_hash(field: str, value: Any) -> None:
    assert event_hash({**login_event(), field: value}) != event_hash(login_event())


# --- walking the chain --------------------------------------------------------------------------


def test_an_intact_chain_is_counted_to_its_head() -> None:
    rows = chain(3)
    walk = walked(rows)
    assert walk.broken is None
    assert (walk.count, walk.last_seq, walk.last_hash) == (3, 3, rows[-1]["hash"])


def test_an_empty_trail_stands_at_the_genesis() -> None:
    walk = walked([])
    assert (walk.count, walk.last_seq, walk.last_hash, walk.broken) == (0, 0, GENESIS, None)


def test_a_chain_fed_in_batches_is_walked_as_one() -> None:
    rows = chain(5)
    walk = ChainWalk()
    walk.feed(rows[:2])
    walk.feed(rows[2:])
    assert (walk.count, walk.last_seq, walk.broken) == (5, 5, None)


def test_a_deleted_event_is_named_by_the_sequence_number_that_is_missing() -> None:
    rows = chain(4)
    walk = walked([rows[0], rows[2], rows[3]])
    assert walk.broken == Break(2, "missing_or_reordered_event")
    assert (walk.count, walk.last_seq, walk.last_hash) == (1, 1, rows[0]["hash"])


def test_a_trail_that_does_not_start_at_one_is_missing_its_first_event() -> None:
    assert walked(chain(3)[1:]).broken == Break(1, "missing_or_reordered_event")


def test_an_event_linked_to_the_wrong_predecessor_breaks_the_link() -> None:
    rows = chain(3)
    rows[1] = event(2, rows[0]["prev_hash"])  # rehashed, but linked past event 1
    assert walked(rows).broken == Break(2, "broken_link")


def test_an_altered_event_is_named() -> None:
    rows = chain(3)
    rows[1] = {**rows[1], "outcome": "denied"}
    walk = walked(rows)
    assert walk.broken == Break(2, "altered_event")
    assert walk.count == 1


def test_the_walk_stops_at_the_first_break() -> None:
    rows = chain(4)
    rows[1] = {**rows[1], "username": "someone else"}
    walk = walked(rows)
    walk.feed(chain(4))  # anything after the break is not trusted, even a good chain
    assert walk.broken == Break(2, "altered_event")
    assert (walk.count, walk.last_seq, walk.last_hash) == (1, 1, rows[0]["hash"])


def test_a_break_is_reported_by_sequence_and_problem() -> None:
    assert Break(7, "broken_link").as_json() == {"seq": 7, "problem": "broken_link"}
