"""One range of events checked at a time: the database rebuilds each event's canonical bytes (and
on PostgreSQL hashes them), Python checks the order, the links and the hashes. Ranges do not
depend on each other, since each event names its predecessor's hash, so several run at once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, select

from audit.chain import Break, event_hash
from audit.encoding import canonical_bytes, hash_matches, stored_bytes
from audit.models import AuditEvent

MISSING = "missing_or_reordered_event"
EVENTS = AuditEvent.__table__
FETCH = 4096


@dataclass
class Segment:
    """What one range of events showed: how far it is intact, and the hashes it vouches for."""

    lo: int
    hi: int
    first_link: str | None = None  # the first event's prev_hash, checked against the range before
    count: int = 0
    last_hash: str | None = None
    digests: list[str] = field(default_factory=list)
    broken: Break | None = None
    slow: int = 0  # events whose stored form had to be decoded and re-encoded in Python


Row = tuple[Any, str, str, Any]  # seq, prev_hash, hash, and the rebuilt bytes or their verdict
DECODED_AT_ONCE = 500


def check(connection: Connection, lo: int, hi: int, derived: bool = False) -> Segment:
    """Verify events lo to hi by their stored text where every column is `derived` from it, or
    else by the bytes the database rebuilds from the columns; the rows whose bytes differ are
    decoded and re-encoded in Python, so the verdict is always the one decoding every row would
    give."""
    try:
        rows = _rebuilt(connection, lo, hi, derived)
    except connection.dialect.loaded_dbapi.Error:
        if connection.dialect.name == "postgresql":
            raise
        # SQLite refuses to quote a value stored as a BLOB: that range is decoded row by row.
        rows = list(_typed(connection, select(EVENTS).where(EVENTS.c.seq.between(lo, hi))))
    if _intact(rows, lo) == len(rows) == hi - lo + 1:  # the common case, in one tight loop
        return Segment(lo, hi, rows[0][1], len(rows), rows[-1][2], [row[2] for row in rows])
    rows = [(seq, link, digest, _matches(built, digest)) for seq, link, digest, built in rows]
    unmatched = [row[0] for row in rows if not row[3]]
    return _walk(lo, hi, rows, _decoded(connection, unmatched))


def _rebuilt(connection: Connection, lo: int, hi: int, derived: bool) -> list[Row]:
    dialect = connection.dialect.name
    if derived:
        built = stored_bytes(dialect)
    else:
        built = hash_matches(dialect) if dialect == "postgresql" else canonical_bytes(dialect)
    bound = "%s" if dialect == "postgresql" else "?"
    query = (  # built from constants only; the bounds are parameters
        f"SELECT seq, prev_hash, hash, {built} FROM audit_events"  # noqa: S608
        f" WHERE seq BETWEEN {bound} AND {bound} ORDER BY seq"
    )
    # Straight through the driver: a range is tens of thousands of rows, read once.
    cursor = connection.connection.cursor()
    try:
        cursor.execute(query, (lo, hi))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _intact(rows: list[Row], lo: int) -> int:
    """How many rows from the first are in sequence, linked, and hash to their hash."""
    sha256, last = hashlib.sha256, None
    for at, (seq, link, digest, built) in enumerate(rows):
        if seq != lo + at or (at and link != last):
            return at
        if built is not True and (
            built.__class__ is not bytes or sha256(built).hexdigest() != digest
        ):
            return at
        last = digest
    return len(rows)


def _matches(built: Any, digest: str) -> bool:
    if isinstance(built, bool):  # PostgreSQL hashed the bytes itself
        return built
    return isinstance(built, bytes) and hashlib.sha256(built).hexdigest() == digest


def _decoded(connection: Connection, seqs: list[Any]) -> dict[Any, bool]:
    """Whether each of these rows, read and encoded the way `audit.chain` does, hashes to its
    hash: the check for a row stored in another form than the canonical one."""
    found: dict[Any, bool] = {}
    for start in range(0, len(seqs), DECODED_AT_ONCE):
        chunk = seqs[start : start + DECODED_AT_ONCE]
        found.update((row[0], row[3]) for row in _typed(connection, EVENTS.c.seq.in_(chunk)))
    return found


def _typed(connection: Connection, where: Any) -> Iterable[Row]:
    statement = where if isinstance(where, Select) else select(EVENTS).where(where)
    for row in connection.execute(statement.order_by(EVENTS.c.seq)).mappings():
        yield row["seq"], row["prev_hash"], row["hash"], event_hash(dict(row)) == row["hash"]


def _walk(lo: int, hi: int, rows: Iterable[Row], decoded: dict[Any, bool]) -> Segment:
    """The chain's rules in the order the full walk applies them: sequence, link, hash."""
    segment = Segment(lo, hi)
    for row in rows:
        segment.broken = _break(segment, row, decoded)
        if segment.broken is not None:
            return segment
        segment.count, segment.last_hash = segment.count + 1, row[2]
        segment.digests.append(row[2])
    if lo + segment.count <= hi:
        segment.broken = Break(lo + segment.count, MISSING)
    return segment


def _break(segment: Segment, row: Row, decoded: dict[Any, bool]) -> Break | None:
    seq, link = row[0], row[1]
    if seq != segment.lo + segment.count:
        return Break(segment.lo + segment.count, MISSING)
    if segment.last_hash is None:
        segment.first_link = link  # the range before decides this link
    elif link != segment.last_hash:
        return Break(seq, "broken_link")
    if row[3]:
        return None
    segment.slow += 1
    return None if decoded.get(seq, False) else Break(seq, "altered_event")
