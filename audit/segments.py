"""One range of events checked at a time: Python checks the order, the links, and that each event's
stored text hashes to its hash; where the columns are checked too, the database rebuilds each
event's bytes from them (and on PostgreSQL hashes them). Ranges do not depend on each other,
since each event names its predecessor's hash, so several rebuilds may run at once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from audit.chain import HASHED_FIELDS, Break, event_hash
from audit.encoding import canonical_bytes, hash_matches
from audit.models import AuditEvent
from audit.stored import Reading

MISSING = "missing_or_reordered_event"
EVENTS = AuditEvent.__table__
HASHED = [EVENTS.c[name] for name in HASHED_FIELDS]  # what a table of any release has
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


# seq, prev_hash, hash, the stored text, and the bytes rebuilt from the columns (or the database's
# verdict on them); None where that is not checked, and prev_hash None where the link is read
# from the text (`check`).
Row = tuple[Any, str | None, str, Any, Any]
DECODED_AT_ONCE = 500


def check(connection: Connection, lo: int, hi: int, reading: Reading) -> Segment:
    """Verify events lo to hi: their stored text must hash to their hash, byte for byte; where
    the columns are checked too, the rows whose rebuilt bytes differ are decoded and re-encoded
    in Python, so that a value stored in another form with the same meaning still verifies."""
    # SQLite's prev_hash is virtual: reading it would parse each event's text once more, which
    # cost more than the hashing. Where the text is read anyway, each link is found in it here.
    linked = reading.text and connection.dialect.name == "sqlite"
    try:
        rows = _read(connection, lo, hi, reading, linked)
    except connection.dialect.loaded_dbapi.Error:
        if connection.dialect.name == "postgresql":
            raise
        # SQLite refuses to quote a value stored as a BLOB: that range is decoded row by row.
        rows, linked = list(_typed(connection, EVENTS.c.seq.between(lo, hi), reading.text)), False
    if _intact(rows, lo, reading, linked) == len(rows) == hi - lo + 1:  # the common case
        first = link_in(rows[0][3]) if linked else rows[0][1]
        return Segment(lo, hi, first, len(rows), rows[-1][2], [row[2] for row in rows])
    rows = [
        (
            seq,
            link_in(kept) if linked else link,
            digest,
            not reading.text or _matches(kept, digest),
            not reading.columns or _matches(built, digest),
        )
        for seq, link, digest, kept, built in rows
    ]
    unmatched = [row[0] for row in rows if not row[4]]
    return _walk(lo, hi, rows, _decoded(connection, unmatched))


def _read(connection: Connection, lo: int, hi: int, reading: Reading, linked: bool) -> list[Row]:
    """The range's rows as the driver gives them, their links left out where `linked`."""
    dialect = connection.dialect.name
    link = "NULL" if linked else "prev_hash"
    kept = "canonical" if reading.text else "NULL"  # as text: cheaper to fetch than bytes
    built = "NULL"
    if reading.columns:
        built = hash_matches(dialect) if dialect == "postgresql" else canonical_bytes(dialect)
    bound = "%s" if dialect == "postgresql" else "?"
    query = (  # built from constants only; the bounds are parameters
        f"SELECT seq, {link}, hash, {kept}, {built} FROM audit_events{_by_key(connection)}"  # noqa: S608
        f" WHERE seq BETWEEN {bound} AND {bound} ORDER BY seq"
    )
    # Straight through the driver: a range is tens of thousands of rows, read once.
    cursor = connection.connection.cursor()
    try:
        cursor.execute(query, (lo, hi))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _by_key(connection: Connection) -> str:
    """On SQLite, the rows by their key's own index: whoever can write the file could add an
    index holding the events as they were, which SQLite would read instead of the rows it holds
    now (the rows the auditor sees). PostgreSQL builds every index itself."""
    if connection.dialect.name != "sqlite":
        return ""
    key = connection.exec_driver_sql(
        "SELECT name FROM pragma_index_list('audit_events') WHERE origin = 'pk'"
    ).scalar()
    return f" INDEXED BY {key}" if key == KEY_INDEX else ""


KEY_INDEX = "sqlite_autoindex_audit_events_1"  # the primary key's, named by SQLite
LINK = '"prev_hash":"'


def link_in(text: Any) -> str | None:
    """The prev_hash an event's canonical text holds. Its keys are sorted, so `detail`, the one
    whose value may hold keys of its own, comes before it; and a quote inside a string value is
    escaped, so no value holds `"prev_hash":"`. The last one in the text is the event's own.
    Whatever else the text holds, it must still hash to the event's hash."""
    at = text.rfind(LINK) if isinstance(text, str) else -1
    return None if at < 0 else text[at + len(LINK) : at + len(LINK) + 64]


def _intact(rows: list[Row], lo: int, reading: Reading, linked: bool) -> int:
    """How many rows from the first are in sequence, linked (by the link in their text, where
    `linked`), and hash to their hash."""
    sha256, last, text, columns = hashlib.sha256, None, reading.text, reading.columns
    for at, (seq, link, digest, kept, built) in enumerate(rows):
        if linked:
            link = link_in(kept)
        if seq != lo + at or (at and link != last):
            return at
        if text and (kept.__class__ is not str or sha256(kept.encode()).hexdigest() != digest):
            return at
        if (
            columns
            and built is not True
            and (built.__class__ is not bytes or sha256(built).hexdigest() != digest)
        ):
            return at
        last = digest
    return len(rows)


def _matches(built: Any, digest: str) -> bool:
    if isinstance(built, bool):  # PostgreSQL hashed the bytes itself
        return built
    if isinstance(built, str):  # the stored text
        built = built.encode()
    return isinstance(built, bytes) and hashlib.sha256(built).hexdigest() == digest


def _decoded(connection: Connection, seqs: list[Any]) -> dict[Any, bool]:
    """Whether each of these rows, read and encoded the way `audit.chain` does, hashes to its
    hash: the check for a row stored in another form than the canonical one."""
    found: dict[Any, bool] = {}
    for start in range(0, len(seqs), DECODED_AT_ONCE):
        chunk = seqs[start : start + DECODED_AT_ONCE]
        found.update((row[0], row[4]) for row in _typed(connection, EVENTS.c.seq.in_(chunk)))
    return found


def _typed(connection: Connection, where: Any, text_kept: bool = False) -> Iterable[Row]:
    """Rows read through their types: the text as stored, and whether the columns, encoded the
    way `audit.chain` does, hash to the hash."""
    columns = [*HASHED, EVENTS.c.hash, *([EVENTS.c.canonical] if text_kept else [])]
    for row in connection.execute(select(*columns).where(where).order_by(EVENTS.c.seq)).mappings():
        text = row.get("canonical")
        yield row["seq"], row["prev_hash"], row["hash"], text, event_hash(dict(row)) == row["hash"]


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
    if not row[3]:
        return Break(seq, "altered_event")  # the text is what the hash covers, byte for byte
    if row[4]:
        return None
    segment.slow += 1
    return None if decoded.get(seq, False) else Break(seq, "altered_event")
