"""Benchmark the audit trail: the cost of the audit write per request; full and incremental
verification against raw SHA-256 over the same bytes; Merkle proofs at the trail's full length;
and appends per second with 1, 2 and 4 writers beside the same rows written without the chain,
and with each writer's events sequenced in batches (group commit, as reads' events are).

    python -m bench.audit_trail [--events 1000000] [--seconds 10] [--quick]
                                [--database-url postgresql+psycopg://…] [--decoding]

A PostgreSQL database given with --database-url has its public schema replaced: give the
benchmark one of its own.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any
from unittest.mock import patch

import sqlalchemy as sa
from sqlalchemy import create_engine, insert, text, update

import workflow.http.trail
from audit import checkpoints, stored, tree, verification, walk
from audit.chain import canonical
from audit.models import AuditEvent, AuditHead
from audit.trail import append
from bench.measure import Budget, measure
from workflow import create_app, transactions

PASSWORD = "bench-password-123"
BATCH = 20_000
WRITERS = (1, 2, 4)
THREADS = 4  # a grouping writer's threads, handing their events to one batch at a time
KINDS = ("chained", "grouped", "unchained")
NEW_EVENTS = 10_000


def main() -> None:
    options = _options()
    with tempfile.TemporaryDirectory(prefix="homeward-audit-bench-") as folder:
        url = options.database_url or f"sqlite:///{Path(folder) / 'homeward.sqlite3'}"
        fresh_database(url)
        app = _app(Path(folder), url)
        with app.app_context():
            _request_cost(app, options.seconds)
            _verification(options.events, options.decoding)
            _proofs(options.seconds)
        app.extensions["homeward.engine"].dispose()
        _appends(url, Path(folder), options.seconds)
        fresh_database(url)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="20,000 events, 2 s per figure")
    parser.add_argument("--database-url", help="a PostgreSQL URL; its public schema is replaced")
    parser.add_argument(
        "--decoding", action="store_true", help="also time the old walk, decoding every row"
    )
    options = parser.parse_args()
    if options.quick:
        options.events, options.seconds = 20_000, 2.0
    return options


def fresh_database(url: str) -> None:
    """An empty public schema on PostgreSQL; a SQLite file in the temporary folder is new."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()


def _app(folder: Path, url: str) -> Any:
    os.environ["HOMEWARD_INSTANCE_PATH"] = str(folder)
    app = create_app({"DATABASE_URL": url, "DEMO_PASSWORD": PASSWORD, "ARGON2_MEMORY_KIB": 8192})
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["demo", "load"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return app


def _conditions() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"load average {load} on {os.cpu_count()} cores"


# --- the audit write per request ------------------------------------------------------------------


def _request_cost(app: Any, seconds: float) -> None:
    """The same case read with and without its audit event, measured in one run."""
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/login", json={"username": "lawyer", "password": PASSWORD}
    ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    case_id = client.get("/api/v1/cases", headers=headers).json["cases"][0]["id"]
    budget = Budget(iterations=100_000, seconds=seconds, warmup=50)

    def read() -> None:
        assert client.get(f"/api/v1/cases/{case_id}", headers=headers).status_code == 200

    with_event = measure("GET case, with its audit event", read, budget)
    with _audit_switched_off(app):
        without = measure("GET case, audit write skipped", read, budget)
    cost_ms = with_event.p50_ms - without.p50_ms
    print(f"Audit write per request (in-process WSGI; {_conditions()}):")
    for m in (without, with_event):
        print(
            f"  {m.label:<34} {m.per_second:>8.1f} req/s  p50 {m.p50_ms:6.2f} ms  "
            f"p95 {m.p95_ms:6.2f} ms  (n={m.count})"
        )
    print(
        f"  audit write: {cost_ms:.2f} ms per request at p50, "
        f"{with_event.p50_ms / without.p50_ms:.2f}x the request without it"
    )


@contextmanager
def _audit_switched_off(app: Any) -> Iterator[None]:
    """For this benchmark only: the recorder appends nothing, alone or with other reads."""
    trail, reads = workflow.http.trail, app.extensions["homeward.read_events"]
    original, grouped = trail.append, reads.write
    trail.append = lambda *_args, **_fields: None  # type: ignore[assignment]
    reads.write = lambda _events: None
    try:
        yield
    finally:
        trail.append, reads.write = original, grouped


# --- verification ---------------------------------------------------------------------------------


def _verification(events: int, decoding: bool) -> None:
    """Fill the trail, hash its bytes raw, then verify it every way, each against that rate."""
    started = perf_counter()
    total = _fill(events)
    print(f"\nTrail filled to {total:,} events in {perf_counter() - started:.1f} s")
    print(f"Verification ({_conditions()}):")
    raw = _raw_sha256()
    print(f"  {'raw SHA-256 over the same canonical bytes (baseline)':<52} {_rate(raw, total)}")
    public = checkpoints.signing_key().public_key()
    session = transactions.session()

    def full() -> dict[str, Any]:
        return verification.verify_trail(session, public)

    def every_column() -> dict[str, Any]:
        return verification.verify_trail(session, public, every_column=True)

    print(f"  as this database is verified: {stored.reading(session.connection())}")
    _timed("full verify", raw, total, full)
    with patch.object(stored, "vouched_for", lambda _connection: True):
        _timed("the text alone (columns vouched for)", raw, total, full)
    with patch.object(walk, "WORKERS", 1):
        _timed("every column too, one range at a time", raw, total, every_column)
    _timed(f"every column too, up to {walk.WORKERS} ranges at once", raw, total, every_column)
    if decoding:
        _timed("full verify decoding every row in Python (before)", raw, total, _decoding_walk)
    _timed("first checkpoint (verifies all, keeps the tree)", raw, total, _checkpoint)
    _timed("full verify, with that checkpoint's Merkle root", raw, total, full)
    added = _fill(total + NEW_EVENTS) - total
    since = _timed(
        f"verify since the checkpoint ({added:,} new events)",
        raw / total * added,
        added,
        lambda: verification.verify_since_checkpoint(session, public),
    )
    assert since["verified_from"] == total
    _timed("next checkpoint (verifies the new events)", raw / total * added, added, _checkpoint)
    session.rollback()


def _timed(label: str, raw: float, events: int, run: Callable[[], Any]) -> Any:
    """Run once; print the time, the rate, the rate against raw hashing of the same events, and
    this process's CPU time (on PostgreSQL most of the work is the server's)."""
    transactions.session().rollback()
    started, cpu = perf_counter(), time.process_time()
    result = run()
    seconds, cpu = perf_counter() - started, time.process_time() - cpu
    if isinstance(result, dict):
        assert result.get("ok", True), result
    print(f"  {label:<52} {_rate(seconds, events)}  {raw / seconds:.3f}x raw  (CPU {cpu:.2f} s)")
    return result


def _rate(seconds: float, events: int) -> str:
    return f"{seconds:7.2f} s {events / seconds:>11,.0f} events/s"


def _checkpoint() -> dict[str, Any]:
    with transactions.unit_of_work() as session:
        return checkpoints.create(session, checkpoints.signing_key())


def _decoding_walk() -> None:
    session = transactions.session()
    walked = walk._walk_decoding(session, None, [], verification.BATCH, None)
    assert walked.broken is None


def _raw_sha256() -> float:
    """Time SHA-256 alone over exactly the bytes verification hashes (each event's stored text),
    read beforehand a range at a time."""
    session = transactions.session()
    query = text("SELECT canonical FROM audit_events WHERE seq BETWEEN :lo AND :hi")
    last = session.scalar(text("SELECT max(seq) FROM audit_events")) or 0
    spent = 0.0
    for lo in range(1, last + 1, BATCH):
        rows = session.execute(query, {"lo": lo, "hi": lo + BATCH - 1})
        encoded = [row[0].encode() for row in rows]
        started = perf_counter()
        for data in encoded:
            hashlib.sha256(data).hexdigest()
        spent += perf_counter() - started
    session.rollback()
    return spent


def _fill(events: int) -> int:
    """Append synthetic events with a correct chain straight into the table, in batches, their
    `detail` stored as Homeward stores it."""
    session = transactions.session()
    head = session.get(AuditHead, 1)
    assert head is not None
    seq, previous = head.seq, head.hash
    start = datetime.now(UTC) - timedelta(days=30)
    while seq < events:
        rows = []
        for _ in range(min(BATCH, events - seq)):
            seq += 1
            row = synthetic_event(
                seq, start + timedelta(seconds=seq, microseconds=seq % 997), previous
            )
            encoded = canonical(row)
            previous = hashlib.sha256(encoded).hexdigest()
            rows.append({"seq": seq, "canonical": encoded.decode(), "hash": previous})
        session.execute(insert(AuditEvent), rows)
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=previous))
        session.commit()
    return seq


def synthetic_event(seq: int, at: datetime, previous: str) -> dict[str, Any]:
    """Two case reads for each case list, as a lawyer's day goes."""
    listing = seq % 3 == 0
    return {
        "seq": seq,
        "at": at,
        "actor_id": uuid.UUID(int=seq % 50 + 1),
        "username": "lawyer",
        "role": "lawyer",
        "agency_id": uuid.UUID(int=7),
        "agency_kind": "ngo",
        "action": "case.list" if listing else "case.read",
        "object_type": None if listing else "case",
        "object_id": None if listing else str(uuid.UUID(int=seq)),
        "case_id": None if listing else uuid.UUID(int=seq),
        "case_reference": None if listing else "HW-7KQ2-M9XD-4TRB",
        "detail": {"filters": ["track"], "returned": ["HW-7KQ2-M9XD-4TRB"] * 3} if listing else {},
        "client_address": "127.0.0.1",
        "request_id": uuid.UUID(int=seq).hex,
        "outcome": "success",
        "purpose": None,
        "prev_hash": previous,
    }


# --- proofs ---------------------------------------------------------------------------------------


def _proofs(seconds: float) -> None:
    """Inclusion and consistency proofs, and the root, at the last checkpoint's size."""
    session = transactions.session()
    size = int(session.scalar(text("SELECT max(seq) FROM audit_checkpoints")) or 0)
    chosen = random.Random(6962)
    print(f"\nMerkle proofs in the tree of the last checkpoint, {size:,} events:")
    for label, run in (
        ("inclusion proof", lambda: checkpoints.inclusion(session, chosen.randint(1, size), size)),
        (
            "consistency proof",
            lambda: checkpoints.consistency(session, chosen.randint(1, size), size),
        ),
        ("the tree's root", lambda: tree.root(session, size)),
    ):
        times = _repeat(run, seconds)
        print(
            f"  {label:<20} p50 {statistics.median(times) * 1000:6.2f} ms"
            f"  p95 {statistics.quantiles(times, n=20)[-1] * 1000:6.2f} ms  (n={len(times)})"
        )
    session.rollback()


def _repeat(run: Callable[[], Any], seconds: float) -> list[float]:
    times: list[float] = []
    deadline = perf_counter() + seconds
    while perf_counter() < deadline or len(times) < 20:
        started = perf_counter()
        run()
        times.append(perf_counter() - started)
    return times


# --- appends --------------------------------------------------------------------------------------

UNCHAINED = sa.Table(
    "bench_unchained_events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("seq", sa.BigInteger),
    sa.Column("detail", sa.String(200)),
    sa.Column("hash", sa.String(64)),
)


def _appends(url: str, folder: Path, seconds: float) -> None:
    """Appends per second from 1, 2 and 4 processes: each append its own transaction; each
    process's events handed by its threads to one batch a transaction (`audit.grouping`); and as
    many rows inserted and committed without the chain (no head row to wait for)."""
    engine = create_engine(url)
    UNCHAINED.metadata.create_all(engine)
    settings = _durability(engine)
    engine.dispose()
    print(f"\nAppends per second ({settings}; {_conditions()}):")
    print(f"  {'writers':>7}" + "".join(f" {kind:>10} {'vs 1 writer':>12}" for kind in KINDS))
    base: dict[str, float] = {}
    for writers in WRITERS:
        rates = {kind: _writers(url, folder, writers, kind, seconds) for kind in KINDS}
        base = base or rates
        print(
            f"  {writers:>7}"
            + "".join(f" {rates[kind]:>10.0f} {rates[kind] / base[kind]:>11.2f}x" for kind in KINDS)
        )


def _durability(engine: Any) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            fsync = connection.scalar(text("SHOW fsync"))
            commit = connection.scalar(text("SHOW synchronous_commit"))
            return f"PostgreSQL, fsync {fsync}, synchronous_commit {commit}"
        mode = connection.scalar(text("PRAGMA journal_mode"))
        return f"SQLite, journal {mode}"


def _writers(url: str, folder: Path, writers: int, kind: str, seconds: float) -> float:
    context = multiprocessing.get_context("spawn")
    start, counts = context.Barrier(writers + 1), context.Queue()
    processes = [
        context.Process(target=_writer, args=(url, str(folder), kind, seconds, start, counts))
        for _ in range(writers)
    ]
    for process in processes:
        process.start()
    start.wait()
    total = sum(counts.get() for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def _writer(url: str, folder: str, kind: str, seconds: float, start: Any, counts: Any) -> None:
    """One process: its own app, then as many appends (or unchained inserts) as fit."""
    os.environ["HOMEWARD_INSTANCE_PATH"] = folder
    app = create_app({"DATABASE_URL": url})
    start.wait()
    deadline = perf_counter() + seconds
    if kind == "grouped":
        done = _grouped(app, deadline)
    else:
        write, done = (_append_one if kind == "chained" else _insert_one), 0
        with app.app_context():
            while perf_counter() < deadline:
                with transactions.unit_of_work() as session:
                    write(session, done)
                done += 1
    counts.put(done)
    app.extensions["homeward.engine"].dispose()


def _grouped(app: Any, deadline: float) -> int:
    """THREADS threads append through the process's group commit, each waiting for its event to
    be committed before the next, as reads ending together do; the events committed."""
    done = [0] * THREADS

    def thread(at: int) -> None:
        with app.app_context():
            group = app.extensions["homeward.read_events"]
            while perf_counter() < deadline:
                group.append(_event(done[at]))
                done[at] += 1

    threads = [threading.Thread(target=thread, args=(at,)) for at in range(THREADS)]
    for each in threads:
        each.start()
    for each in threads:
        each.join()
    return sum(done)


def _append_one(session: Any, n: int) -> None:
    append(session, **_event(n))


def _event(n: int) -> dict[str, Any]:
    return {
        "action": "bench.append",
        "outcome": "success",
        "username": "writer",
        "detail": {"n": n},
    }


def _insert_one(session: Any, n: int) -> None:
    session.execute(insert(UNCHAINED).values(seq=n, detail=f'{{"n":{n}}}', hash="0" * 64))


if __name__ == "__main__":
    main()
