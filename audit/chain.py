"""The hash chain: a canonical encoding of each event, its hash, and verification."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
CHAIN_FIELDS = ("seq", "at", "prev_hash")
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "username",
    "role",
    "agency_id",
    "agency_kind",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "case_reference",
    "detail",
    "client_address",
    "request_id",
    "outcome",
    "purpose",
    "prev_hash",
)
# What the recorder supplies; the trail adds the chain fields when it appends.
EVENT_FIELDS = tuple(name for name in HASHED_FIELDS if name not in CHAIN_FIELDS)


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes an event's hash covers: its fields as sorted, compact JSON in UTF-8."""
    return canonical_json({name: _plain(fields[name]) for name in HASHED_FIELDS}).encode()


def canonical_json(value: Any) -> str:
    """Sorted, compact JSON text: how the hash encodes a value, and how `detail` is stored."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@dataclass(frozen=True)
class Break:
    """Where the chain stops being trustworthy, and why."""

    seq: int
    problem: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "problem": self.problem}


@dataclass
class ChainWalk:
    """Walk events in stored order, checking order, links and hashes; stop at the first break."""

    count: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    broken: Break | None = None

    def feed(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            if self.broken is not None:
                return
            self._check(row)

    def _check(self, row: dict[str, Any]) -> None:
        expected = self.last_seq + 1
        if row["seq"] != expected:
            self.broken = Break(expected, "missing_or_reordered_event")
        elif row["prev_hash"] != self.last_hash:
            self.broken = Break(row["seq"], "broken_link")
        elif event_hash(row) != row["hash"]:
            self.broken = Break(row["seq"], "altered_event")
        else:
            self.count, self.last_seq, self.last_hash = self.count + 1, row["seq"], row["hash"]
