"""Walking the chain from the genesis, or from a checkpoint verified before, a range of events at a
time and several ranges at once, and building the Merkle tree over the hashes it vouches for."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from audit import merkle, segments, stored
from audit.chain import GENESIS, Break, ChainWalk
from audit.models import AuditEvent
from audit.segments import Segment
from workflow.db import READING

# Ranges checked at once, at most one per core, where the database rebuilds each event's bytes
# from its columns; hashing the stored text alone is Python's work, which threads only share.
WORKERS = 4


@dataclass(frozen=True)
class Start:
    """Where a walk begins: the genesis, or the head of a checkpoint verified when signed."""

    seq: int = 0
    hash: str = GENESIS
    frontier: tuple[bytes, ...] = ()  # the roots of the complete subtrees of the first seq leaves


@dataclass
class Walked:
    """How far the chain is intact, and what the checkpoints are compared with."""

    count: int
    last_hash: str
    head: tuple[int, str] | None
    since: int = 0  # the events before this were verified before, and taken as they were then
    broken: Break | None = None
    hashes: dict[int, str] = field(default_factory=dict)  # the event hash at each size asked
    roots: dict[int, bytes] = field(default_factory=dict)  # the tree's root at each size asked
    kept: list[tuple[int, int, bytes]] = field(default_factory=list)  # complete subtrees built
    slow: int = 0  # events decoded in Python because their stored form was not the canonical one


def walk(
    session: Session,
    start: Start,
    sizes: Iterable[int],
    batch: int,
    progress: Callable[[int], None] | None = None,
    keep_from: int | None = None,
    every_column: bool = False,
) -> Walked:
    """Verify every event after `start`, stopping at the first break; note the event hash and the
    tree's root at each of `sizes`, and keep the complete subtrees from level `keep_from` up.
    Each event's stored text is hashed; its columns are checked too unless the database vouches
    for them (`audit.stored`), and always with `every_column`."""
    low, high, head = _extent(session)
    if not _plain(low, high):  # sequence numbers no append could write: the old walk judges them
        return _walk_decoding(session, head, sizes, batch, progress)
    walked = Walked(count=start.seq, last_hash=start.hash, head=head, since=start.seq)
    tree = merkle.CompactRange(start.seq, list(start.frontier), keep_from)
    wanted = sorted(size for size in set(sizes) if start.seq < size <= (high or 0))
    grow = keep_from is not None or bool(wanted)
    reading = stored.reading(session.connection(), every_column)
    for segment in _segments(session, start.seq + 1, high or 0, batch, reading):
        if progress:
            progress(segment.hi - segment.lo + 1)
        _take(walked, segment, tree if grow else None, wanted)
        if walked.broken is not None:
            break
    walked.kept = tree.kept
    return walked


def _extent(session: Session) -> tuple[Any, Any, tuple[int, str] | None]:
    """The lowest and highest sequence numbers and the head row, read in one statement so that
    they agree however many appends are under way."""
    row = session.execute(
        text(
            "SELECT (SELECT min(seq) FROM audit_events), (SELECT max(seq) FROM audit_events),"
            " (SELECT seq FROM audit_head WHERE id = 1), (SELECT hash FROM audit_head WHERE id = 1)"
        )
    ).one()
    return row[0], row[1], (int(row[2]), str(row[3])) if row[2] is not None else None


def _plain(low: Any, high: Any) -> bool:
    if low is None and high is None:
        return True
    return isinstance(low, int) and isinstance(high, int) and low >= 1


def _take(
    walked: Walked, segment: Segment, tree: merkle.CompactRange | None, wanted: list[int]
) -> None:
    """Join a range to the walk: its first link against the last hash, then its verdict."""
    if segment.first_link is not None and segment.first_link != walked.last_hash:
        walked.broken = Break(segment.lo, "broken_link")
        return
    if tree is not None:
        _grow(walked, tree, segment.digests, wanted)
    walked.count += segment.count
    walked.last_hash = segment.last_hash or walked.last_hash
    walked.broken, walked.slow = segment.broken, walked.slow + segment.slow


def _grow(walked: Walked, tree: merkle.CompactRange, digests: list[str], wanted: list[int]) -> None:
    leaves = bytes.fromhex("".join(digests))
    chunks = [leaves[at : at + 32] for at in range(0, len(leaves), 32)]
    base, done = tree.size, 0
    while wanted and wanted[0] <= base + len(chunks):
        size = wanted.pop(0)
        tree.append(chunks[done : size - base])
        walked.roots[size], walked.hashes[size] = tree.root(), digests[size - base - 1]
        done = size - base
    tree.append(chunks[done:])


def _segments(
    session: Session, first: int, last: int, batch: int, reading: stored.Reading
) -> Iterator[Segment]:
    spans = [(lo, min(lo + batch - 1, last)) for lo in range(first, last + 1, batch)]
    workers = _workers(session, len(spans)) if reading.columns else 1
    if workers == 1:
        connection = session.connection()
        yield from (segments.check(connection, lo, hi, reading) for lo, hi in spans)
        return
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    yield from _side_by_side(engine, spans, workers, reading)


def _workers(session: Session, spans: int) -> int:
    if session.get_bind().engine.url.get_backend_name() == "sqlite":
        # SQLite rebuilds the bytes in this process's threads, which then only take turns
        # (`bench.audit_trail`: four ranges at once took 1.3 to 2.1 times one at a time); and a
        # database in memory is this connection's alone.
        return 1
    return max(1, min(WORKERS, os.cpu_count() or 1, spans))


def _side_by_side(
    engine: Engine, spans: list[tuple[int, int]], workers: int, reading: stored.Reading
) -> Iterator[Segment]:
    """Check ranges on connections of their own, a few ahead, and hand them back in order."""
    todo = iter(spans)
    with ThreadPoolExecutor(workers, thread_name_prefix="audit-verify") as pool:
        pending: deque[Future[Segment]] = deque()
        try:
            for lo, hi in todo:
                pending.append(pool.submit(_check_apart, engine, lo, hi, reading))
                if len(pending) == 2 * workers:
                    break
            while pending:
                segment = pending.popleft().result()
                for lo, hi in todo:
                    pending.append(pool.submit(_check_apart, engine, lo, hi, reading))
                    break
                yield segment
        finally:
            for future in pending:
                future.cancel()


def _check_apart(engine: Engine, lo: int, hi: int, reading: stored.Reading) -> Segment:
    # A reading connection: on SQLite it begins without taking the write lock.
    with engine.connect().execution_options(**{READING: True}) as connection:
        return segments.check(connection, lo, hi, reading)


def _walk_decoding(
    session: Session,
    head: tuple[int, str] | None,
    sizes: Iterable[int],
    batch: int,
    progress: Callable[[int], None] | None,
) -> Walked:
    """Every row decoded and re-encoded in Python, in stored order, as verification always did."""
    chain, hashes = ChainWalk(), list[bytes]()
    table = AuditEvent.__table__
    columns = [*segments.HASHED, table.c.hash]
    result = session.execute(
        select(*columns).order_by(table.c.seq).execution_options(yield_per=batch)
    )
    for partition in result.mappings().partitions(batch):
        rows = [dict(row) for row in partition]
        chain.feed(rows)
        hashes.extend(
            bytes.fromhex(row["hash"]) for row in rows[: max(0, chain.count - len(hashes))]
        )
        if progress:
            progress(len(rows))
    walked = Walked(count=chain.count, last_hash=chain.last_hash, head=head, broken=chain.broken)
    for size in {size for size in sizes if 0 < size <= len(hashes)}:
        walked.hashes[size], walked.roots[size] = hashes[size - 1].hex(), merkle.root(hashes[:size])
    return walked
