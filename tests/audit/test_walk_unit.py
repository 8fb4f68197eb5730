"""The walk that hashes each event's stored text, or has the database rebuild its bytes from plain
columns, a range at a time, reaches the same verdict as decoding every row in Python, whatever
was changed and wherever it falls among the ranges (SQLite in memory, the audit tables alone)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import pytest
from sqlalchemy import Connection, select, text, update
from sqlalchemy.orm import Session

from audit import merkle, segments, stored, walk
from audit.chain import GENESIS, Break, canonical, event_hash
from audit.models import AuditEvent, AuditHead
from tests.audit.helpers import columns_generated, insert_events, synthetic, trail_in_memory

LENGTH = 23
BATCH = 4  # ranges 1-4, 5-8, …: a change lands at the start, the end or inside one
SIZES = [1, 4, 5, 9, 16, 22, 23, 24]


# How the events are kept and read: as migrations store them, their columns checked too (as where
# the catalogue does not vouch for them); the same with the catalogue vouching for the columns,
# the text alone checked; or plain columns (before migration 0024), bytes rebuilt from them.
TRAILS = ("derived", "vouched", "plain")


@pytest.fixture(params=TRAILS)
def session(request: pytest.FixtureRequest) -> Iterator[Session]:
    with _trail(request.param) as session:
        yield session


@contextmanager
def _trail(kind: str) -> Iterator[Session]:
    with (
        patch.object(stored, "vouched_for", lambda _connection: kind == "vouched"),
        trail_in_memory(derived=kind != "plain") as session,
    ):
        rows, previous = [], GENESIS
        for seq in range(1, LENGTH + 1):
            row = synthetic(seq, previous, _detail(seq))
            previous = row["hash"] = event_hash(row)
            rows.append(row)
        insert_events(session, rows)
        session.add(AuditHead(id=1, seq=LENGTH, hash=previous))
        session.flush()
        yield session


def _detail(seq: int) -> dict[str, Any]:
    """Some details hold what looks like a link: the walk that finds each link in the event's
    text must not take theirs for it."""
    if seq % 3 == 0:
        return {}
    return {"returned": seq, "note": f'é "prev_hash":"{"d" * 64}', "prev_hash": "f" * 64}


def test_the_link_in_an_events_text_is_its_own_not_its_details() -> None:
    text = canonical(synthetic(7, "a" * 64, _detail(7))).decode()
    assert text.count('"prev_hash":"') == 2  # the event's and its detail's (the note's is escaped)
    assert segments.link_in(text) == "a" * 64
    assert segments.link_in(text.replace('"prev_hash":"', '"prev_hash" :"')) is None
    assert segments.link_in(None) is None


Change = Callable[[Connection, int], None]


def _set(column: str, value: Any) -> Change:
    return lambda connection, seq: connection.execute(
        text(f"UPDATE audit_events SET {column} = :value WHERE seq = :seq"),  # noqa: S608
        {"value": value, "seq": seq},
    )


def _run(*statements: str) -> Change:
    def change(connection: Connection, seq: int) -> None:
        for statement in statements:
            connection.execute(text(statement), {"seq": seq, "other": seq % LENGTH + 1})

    return change


def _in_text(path: str, value: str) -> Change:
    """A field changed inside the stored text: every column derived from it follows."""
    return _run(
        f"UPDATE audit_events SET canonical = json_set(canonical, '$.{path}', {value})"  # noqa: S608
        " WHERE seq = :seq"
    )


ROWS: dict[str, Change] = {  # changes to rows, either way the table is made
    "hash": _set("hash", "f" * 64),
    "hash not hex": _set("hash", "not a hash"),
    "deleted": _run("DELETE FROM audit_events WHERE seq = :seq"),
    "deleted, the rest renumbered": _run(  # found only by the next event's link
        "DELETE FROM audit_events WHERE seq = :seq",
        "UPDATE audit_events SET seq = seq - 1 WHERE seq > :seq",
        "UPDATE audit_head SET seq = seq - 1",
    ),
    "swapped": _run(
        "UPDATE audit_events SET seq = -1 WHERE seq = :seq",
        "UPDATE audit_events SET seq = :seq WHERE seq = :other",
        "UPDATE audit_events SET seq = :other WHERE seq = -1",
    ),
    "tail cut": _run("DELETE FROM audit_events WHERE seq >= :seq"),
    "head moved": _run("UPDATE audit_head SET seq = seq + 1"),
    "seq below one": _run("UPDATE audit_events SET seq = 0 WHERE seq = :seq"),
    "seq as text": _run("UPDATE audit_events SET seq = 'x' || seq WHERE seq = :seq"),
}
IN_TEXT: dict[str, Change] = {
    **ROWS,
    "outcome": _in_text("outcome", "'not_permitted'"),
    "username to null": _in_text("username", "json('null')"),
    "actor": _in_text("actor_id", f"'{uuid.UUID(int=12345)}'"),
    "time": _in_text("at", "'2026-03-14T09:00:00.000001Z'"),
    "detail": _in_text("detail", "json_object('returned', 999)"),
    "spaced": _run(
        "UPDATE audit_events SET canonical = replace(canonical, ',\"', ', \"') WHERE seq = :seq"
    ),
    "seq in text": _in_text("seq", "900000"),
    "prev_hash": _in_text("prev_hash", f"'{'e' * 64}'"),
}
CHANGES: dict[str, Change] = {
    "outcome": _set("outcome", "not_permitted"),
    "username to null": _set("username", None),
    "actor": _set("actor_id", uuid.UUID(int=12345).hex),
    "actor in capitals": _run(
        "UPDATE audit_events SET actor_id = upper(actor_id) WHERE seq = :seq"
    ),
    "agency to null": _set("agency_id", None),
    "time": _set("at", "2026-03-14 09:00:00.000001"),
    "time with a T": _run("UPDATE audit_events SET at = replace(at, ' ', 'T') WHERE seq = :seq"),
    "detail": _set("detail", '{"returned":999}'),
    "detail spaced": _run(
        "UPDATE audit_events SET detail = replace(detail, ':', ': ') WHERE seq = :seq"
    ),
    "seq": _set("seq", 900_000),
    "prev_hash": _set("prev_hash", "e" * 64),
    **ROWS,
}
TEXT_ONLY: dict[str, Change] = {  # the text is not the bytes hashed; no column changes
    "spaced": IN_TEXT.pop("spaced"),
    "seq in text": IN_TEXT.pop("seq in text"),
    "extra key": _in_text("zzz", "1"),
    "repeated key": _run(  # SQLite reads the first of two keys alike
        "UPDATE audit_events SET canonical = substr(canonical, 1, length(canonical) - 1)"
        ' || \',"action":"x"}\' WHERE seq = :seq'
    ),
}
KINDS = {"derived": IN_TEXT, "vouched": IN_TEXT, "plain": CHANGES}


def _rewritten(session: Session, seq: int) -> None:
    """Change event `seq` and rehash the chain from it on, moving the head: self-consistent."""
    table, connection = AuditEvent.__table__, session.connection()
    derived = columns_generated(connection)
    found = select(*segments.HASHED, table.c.hash).order_by(table.c.seq)
    rows = [dict(r) for r in connection.execute(found).mappings()]
    previous = rows[seq - 2]["hash"] if seq > 1 else GENESIS
    for row in rows[seq - 1 :]:
        row.update(
            prev_hash=previous, username="rewritten" if row["seq"] == seq else row["username"]
        )
        previous = row["hash"] = event_hash(row)
        written = (
            {"canonical": canonical(row).decode()}
            if derived
            else {"username": row["username"], "prev_hash": row["prev_hash"]}
        )
        connection.execute(
            update(table).where(table.c.seq == row["seq"]).values(**written, hash=row["hash"])
        )
    connection.execute(update(AuditHead.__table__).values(hash=previous))


def _verdicts(session: Session) -> tuple[walk.Walked, walk.Walked]:
    by_ranges = walk.walk(session, walk.Start(), SIZES, BATCH)
    head = walk._extent(session)[2]
    decoded = walk._walk_decoding(session, head, SIZES, BATCH, None)
    return by_ranges, decoded


def _same(by_ranges: walk.Walked, decoded: walk.Walked) -> None:
    assert by_ranges.count == decoded.count
    assert by_ranges.last_hash == decoded.last_hash
    assert by_ranges.broken == decoded.broken
    assert by_ranges.head == decoded.head
    assert by_ranges.hashes == decoded.hashes
    assert by_ranges.roots == decoded.roots


def test_an_intact_trail_is_walked_whole_and_its_roots_agree_with_the_rfc(session) -> None:
    by_ranges, decoded = _verdicts(session)
    _same(by_ranges, decoded)
    assert (by_ranges.count, by_ranges.broken, by_ranges.slow) == (LENGTH, None, 0)
    leaves = [
        bytes.fromhex(h)
        for h in session.scalars(text("SELECT hash FROM audit_events ORDER BY seq"))
    ]
    assert by_ranges.roots == {size: merkle.root(leaves[:size]) for size in SIZES if size <= 23}


@pytest.mark.parametrize("where", [1, 4, 5, 8, 12, 23])
@pytest.mark.parametrize(
    ("kind", "change"), [(kind, name) for kind, changes in KINDS.items() for name in changes]
)
def test_every_change_gets_the_verdict_decoding_every_row_gives(
    kind: str, change: str, where: int
) -> None:
    with _trail(kind) as session:
        KINDS[kind][change](session.connection(), where)
        session.expire_all()
        _same(*_verdicts(session))


@pytest.mark.parametrize("where", [1, 4, 5, 8, 12, 23])
@pytest.mark.parametrize(("kind", "change"), [(k, c) for k in TRAILS[:2] for c in TEXT_ONLY])
def test_a_text_other_than_the_bytes_hashed_is_an_altered_event_though_no_column_changed(
    kind: str, change: str, where: int
) -> None:
    with _trail(kind) as session:
        TEXT_ONLY[change](session.connection(), where)
        session.expire_all()
        by_ranges, decoded = _verdicts(session)
    assert decoded.broken is None  # the columns decode to the bytes hashed
    assert (by_ranges.broken, by_ranges.count) == (Break(where, "altered_event"), where - 1)


def test_an_index_keeping_the_events_as_they_were_is_not_what_is_verified() -> None:
    """Whoever can write a SQLite file could keep an index of the events as they were, out of
    the schema while the rows change, then back: SQLite would answer verification from it, and
    the auditor would see the changed rows. Verification reads the rows by their key's index."""
    with _trail("vouched") as session:
        connection = session.connection()
        connection.exec_driver_sql(
            "CREATE INDEX as_they_were ON audit_events (seq, hash, canonical)"
        )
        hidden = connection.exec_driver_sql(
            "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master"
            " WHERE name = 'as_they_were'"
        ).one()
        _in_the_schema(connection, "DELETE FROM sqlite_master WHERE name = ?", (hidden.name,))
        IN_TEXT["outcome"](connection, 7)  # the index, out of the schema, is not kept up
        _in_the_schema(connection, "INSERT INTO sqlite_master VALUES (?, ?, ?, ?, ?)", hidden)
        session.expire_all()
        by_ranges, _decoded = _verdicts(session)
    assert (by_ranges.broken, by_ranges.count) == (Break(7, "altered_event"), 6)


def _in_the_schema(connection: Connection, statement: str, parameters: Any) -> None:
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.exec_driver_sql(statement, tuple(parameters))
    connection.exec_driver_sql("PRAGMA writable_schema = RESET")


def test_a_rewritten_chain_gets_the_same_verdict_too(session) -> None:
    _rewritten(session, 6)
    by_ranges, decoded = _verdicts(session)
    _same(by_ranges, decoded)
    assert by_ranges.broken is None


def test_random_runs_of_changes_get_the_same_verdict(session) -> None:
    chosen = random.Random(17)
    changes = IN_TEXT if columns_generated(session.connection()) else CHANGES
    for _ in range(30):
        nested = session.begin_nested()
        for change in chosen.sample(sorted(changes), 2):
            changes[change](session.connection(), chosen.randint(1, LENGTH))
        session.expire_all()
        _same(*_verdicts(session))
        nested.rollback()


def test_a_walk_from_a_verified_start_reads_only_what_follows(session, monkeypatch) -> None:
    leaves = [
        bytes.fromhex(h)
        for h in session.scalars(text("SELECT hash FROM audit_events ORDER BY seq"))
    ]
    start = walk.Start(
        13,
        leaves[12].hex(),
        tuple(merkle.root(leaves[a:b]) for a, b in ((0, 8), (8, 12), (12, 13))),
    )
    asked: list[tuple[int, int]] = []
    check = walk.segments.check
    monkeypatch.setattr(
        walk.segments,
        "check",
        lambda c, lo, hi, reading: asked.append((lo, hi)) or check(c, lo, hi, reading),
    )
    walked = walk.walk(session, start, [20, 23], BATCH)
    assert asked == [(14, 17), (18, 21), (22, 23)]
    assert (walked.count, walked.since, walked.broken) == (LENGTH, 13, None)
    assert walked.roots == {20: merkle.root(leaves[:20]), 23: merkle.root(leaves)}


def test_complete_subtrees_are_kept_once_each_from_the_level_asked(session) -> None:
    walked = walk.walk(session, walk.Start(), [], BATCH, keep_from=2)
    leaves = [
        bytes.fromhex(h)
        for h in session.scalars(text("SELECT hash FROM audit_events ORDER BY seq"))
    ]
    expected = {
        (level, at): merkle.root(leaves[at << level : (at + 1) << level])
        for level in range(2, 5)
        for at in range(LENGTH >> level)
    }
    assert {(level, at): node for level, at, node in walked.kept} == expected
    assert len(walked.kept) == len(expected)
