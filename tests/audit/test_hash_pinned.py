"""The audit hash is pinned: a fixed event has one known hash, and every field it covers counts.

The hashes below were computed once, by hand, from the canonical JSON written out in this file
(sorted keys, no spaces, UTF-8, times in UTC to the microsecond); they are not derived from the
code under test. A change to what the chain hashes, or how it encodes it, turns these tests red:
that change would make every trail already kept fail its own verification.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from audit import stored
from audit.chain import HASHED_FIELDS, canonical, event_hash
from audit.models import AuditEvent, AuditHead
from tests.audit.helpers import change_event
from tests.audit.test_tampering import assert_broken_at, tampering, verify_by_cli
from tests.factories import Api
from workflow import transactions

LAWYER = uuid.UUID("5b8f3c1e-2d4a-4e6f-9a7b-0c1d2e3f4a5b")
NGO = uuid.UUID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
CASE = uuid.UUID("c0ffee00-1234-4abc-8def-0123456789ab")

FIRST: dict[str, Any] = {
    "seq": 1,
    "at": datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC),
    "actor_id": LAWYER,
    "username": "lawyer",
    "role": "lawyer",
    "agency_id": NGO,
    "agency_kind": "ngo",
    "action": "auth.login",
    "object_type": None,
    "object_id": None,
    "case_id": None,
    "case_reference": None,
    "detail": {},
    "client_address": "203.0.113.7",
    "request_id": "req-0001",
    "outcome": "success",
    "purpose": None,
    "prev_hash": "0" * 64,
}
FIRST_HASH = "1003a46dc2fb107606301f9c8bbbf5cd6e0293e085eb441734f95aae405ac7a5"

PINNED: dict[str, Any] = {
    "seq": 2,
    "at": datetime(2026, 3, 14, 9, 26, 53, 897932, tzinfo=UTC),
    "actor_id": LAWYER,
    "username": "lawyer",
    "role": "lawyer",
    "agency_id": NGO,
    "agency_kind": "ngo",
    "action": "document.upload",
    "object_type": "case",
    "object_id": str(CASE),
    "case_id": CASE,
    "case_reference": "HW-7KQ2-M9XD-4TRB",
    "detail": {"kind": "lab_report", "document": "d0c00000-5678-4abc-9def-fedcba987654"},
    "client_address": "203.0.113.7",
    "request_id": "req-0002",
    "outcome": "success",
    "purpose": "court_order",
    "prev_hash": FIRST_HASH,
}
PINNED_CANONICAL = (
    '{"action":"document.upload","actor_id":"5b8f3c1e-2d4a-4e6f-9a7b-0c1d2e3f4a5b",'
    '"agency_id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","agency_kind":"ngo",'
    '"at":"2026-03-14T09:26:53.897932Z","case_id":"c0ffee00-1234-4abc-8def-0123456789ab",'
    '"case_reference":"HW-7KQ2-M9XD-4TRB","client_address":"203.0.113.7",'
    '"detail":{"document":"d0c00000-5678-4abc-9def-fedcba987654","kind":"lab_report"},'
    '"object_id":"c0ffee00-1234-4abc-8def-0123456789ab","object_type":"case",'
    '"outcome":"success","prev_hash":"' + FIRST_HASH + '","purpose":"court_order",'
    '"request_id":"req-0002","role":"lawyer","seq":2,"username":"lawyer"}'
).encode()
PINNED_HASH = "dd114465f4199da2d527e5b870be199abbfedbbe6128a1cd5cb1ba2cc34d236e"

# Every field the chain hashes, each with a value an intruder might put in its place, and what
# verification must then say about the pinned event (seq 2).
TAMPERED: list[tuple[str, Any, str]] = [
    ("seq", 900_002, "missing_or_reordered_event"),
    ("at", PINNED["at"] + timedelta(microseconds=1), "altered_event"),
    ("actor_id", uuid.UUID("5b8f3c1e-2d4a-4e6f-9a7b-0c1d2e3f4a5c"), "altered_event"),
    ("username", "lawyer2", "altered_event"),
    ("role", "official", "altered_event"),
    ("agency_id", uuid.UUID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e"), "altered_event"),
    ("agency_kind", "court", "altered_event"),
    ("action", "case.read", "altered_event"),
    ("object_type", "document", "altered_event"),
    ("object_id", "d0c00000-5678-4abc-9def-fedcba987654", "altered_event"),
    ("case_id", uuid.UUID("c0ffee00-1234-4abc-8def-0123456789ac"), "altered_event"),
    ("case_reference", "HW-7KQ2-M9XD-4TRC", "altered_event"),
    (
        "detail",
        {"kind": "consent_letter", "document": PINNED["detail"]["document"]},
        "altered_event",
    ),
    ("client_address", "198.51.100.7", "altered_event"),
    ("request_id", "req-0003", "altered_event"),
    ("outcome", "not_permitted", "altered_event"),
    ("purpose", None, "altered_event"),
    ("prev_hash", "e" * 64, "broken_link"),
]


def test_the_pinned_event_encodes_to_the_canonical_bytes_written_here() -> None:
    assert canonical(PINNED) == PINNED_CANONICAL
    assert hashlib.sha256(PINNED_CANONICAL).hexdigest() == PINNED_HASH


def test_the_pinned_events_hash_to_their_known_values() -> None:
    assert event_hash(FIRST) == FIRST_HASH
    assert event_hash(PINNED) == PINNED_HASH


def test_the_same_instant_in_another_zone_hashes_the_same() -> None:
    almaty = timezone(timedelta(hours=5))
    assert event_hash({**PINNED, "at": PINNED["at"].astimezone(almaty)}) == PINNED_HASH


def test_the_tampering_table_names_every_hashed_field_once() -> None:
    assert sorted(field for field, _value, _problem in TAMPERED) == sorted(PINNED)


def test_every_stored_column_but_the_hash_is_in_the_tampering_table() -> None:
    """A column the chain left unhashed could be changed unnoticed; with the test below, that
    each listed field changes the hash, this makes every stored column count."""
    kept = {column.name for column in AuditEvent.__table__.columns} - {"hash", "canonical"}
    assert kept == {field for field, _value, _problem in TAMPERED}


def test_every_hashed_field_but_the_sequence_is_derived_from_the_stored_text() -> None:
    assert set(stored.DERIVED) == set(HASHED_FIELDS) - {"seq"}
    assert {c.name for c in AuditEvent.__table__.columns if c.computed is None} == {
        "seq",
        "canonical",
        "hash",
    }


@pytest.mark.parametrize(("field", "value", "problem"), TAMPERED, ids=[t[0] for t in TAMPERED])
def test_changing_one_field_changes_the_hash(field: str, value: Any, problem: str) -> None:
    assert value != PINNED[field]
    assert event_hash({**PINNED, field: value}) != event_hash(PINNED)


@pytest.fixture
def pinned_trail(app: Any, api: Api) -> Iterator[None]:
    """The first and the pinned event stored as they are, a third event after them, the head
    on the third: a trail as Homeward itself would have written it."""
    third = {**PINNED, "seq": 3, "action": "case.read", "request_id": "req-0003"}
    third.update(at=PINNED["at"] + timedelta(seconds=1), prev_hash=PINNED_HASH)
    with app.app_context(), transactions.unit_of_work() as session:
        for fields, digest in ((FIRST, FIRST_HASH), (PINNED, PINNED_HASH), (third, None)):
            text = canonical(fields).decode()
            session.add(
                AuditEvent(seq=fields["seq"], canonical=text, hash=digest or event_hash(fields))
            )
        head = session.get(AuditHead, 1)
        assert head is not None and head.seq == 0
        head.seq, head.hash = 3, event_hash(third)
    yield


def test_the_pinned_trail_verifies_untouched(api: Api, runner: Any, pinned_trail: None) -> None:
    exit_code, result = verify_by_cli(runner)
    assert exit_code == 0
    assert (result["ok"], result["events"], result["first_broken"]) == (True, 3, None)


@pytest.mark.parametrize(("field", "value", "problem"), TAMPERED, ids=[t[0] for t in TAMPERED])
def test_one_changed_field_is_found_at_the_pinned_event(
    api: Api, runner: Any, pinned_trail: None, field: str, value: Any, problem: str
) -> None:
    with tampering(api) as connection:
        assert change_event(connection, PINNED["seq"], **{field: value}) == 1
    assert_broken_at(api, runner, PINNED["seq"], problem)
