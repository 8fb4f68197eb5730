"""Benchmark the audit trail: the cost of the audit write per request, the verification rate
against raw SHA-256 over the same bytes, and the time to verify a large trail.

    python -m bench.audit_trail [--events 1000000] [--seconds 10] [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import insert, update

import workflow.http.trail
from audit.chain import canonical, event_hash
from audit.checkpoints import signing_key
from audit.models import AuditEvent, AuditHead
from audit.verification import verify_trail
from bench.measure import Budget, measure
from workflow import create_app, transactions

PASSWORD = "bench-password-123"
BATCH = 20_000


def main() -> None:
    options = _options()
    with tempfile.TemporaryDirectory(prefix="homeward-audit-bench-") as folder:
        app = _app(Path(folder))
        with app.app_context():
            _request_cost(app, options.seconds)
            _verification(app, options.events)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="20,000 events, 2 s per figure")
    options = parser.parse_args()
    if options.quick:
        options.events, options.seconds = 20_000, 2.0
    return options


def _app(folder: Path) -> Any:
    os.environ["HOMEWARD_INSTANCE_PATH"] = str(folder)
    app = create_app({"DEMO_PASSWORD": PASSWORD, "ARGON2_MEMORY_KIB": 8192})
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["demo", "load"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return app


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
    with _audit_switched_off():
        without = measure("GET case, audit write skipped", read, budget)
    cost_ms = with_event.p50_ms - without.p50_ms
    print("Audit write per request (SQLite, in-process WSGI):")
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
def _audit_switched_off() -> Iterator[None]:
    """For this benchmark only: the recorder appends nothing."""
    original = workflow.http.trail.append
    workflow.http.trail.append = lambda *_args, **_fields: None  # type: ignore[assignment]
    try:
        yield
    finally:
        workflow.http.trail.append = original


def _verification(app: Any, events: int) -> None:
    """Fill the trail to `events`, then verify it and hash the same bytes raw."""
    started = perf_counter()
    total = _fill(events)
    print(f"\nTrail filled to {total:,} events in {perf_counter() - started:.1f} s")
    session = transactions.session()
    public = signing_key().public_key()
    started = perf_counter()
    result = verify_trail(session, public)
    verify_seconds = perf_counter() - started
    assert result["ok"], result
    raw_seconds = _raw_sha256(session)
    print(
        f"  verify (read, re-encode, hash, link, Merkle-check): {verify_seconds:.2f} s, "
        f"{total / verify_seconds:,.0f} events/s"
    )
    print(
        f"  raw SHA-256 over the same canonical bytes:         {raw_seconds:.2f} s, "
        f"{total / raw_seconds:,.0f} events/s"
    )
    print(f"  verification runs at {raw_seconds / verify_seconds:.3f}x the raw hash rate")


def _fill(events: int) -> int:
    """Append synthetic events with a correct chain straight into the table, in batches."""
    session = transactions.session()
    head = session.get(AuditHead, 1)
    assert head is not None
    seq, previous = head.seq, head.hash
    start = datetime.now(UTC) - timedelta(days=30)
    while seq < events:
        rows = []
        for _ in range(min(BATCH, events - seq)):
            seq += 1
            row = _synthetic(seq, start + timedelta(seconds=seq), previous)
            previous = row["hash"] = event_hash(row)
            rows.append(row)
        session.execute(insert(AuditEvent), rows)
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=previous))
        session.commit()
    return seq


def _synthetic(seq: int, at: datetime, previous: str) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": at,
        "actor_id": uuid.UUID(int=seq % 50 + 1),
        "username": "lawyer",
        "role": "lawyer",
        "agency_id": uuid.UUID(int=7),
        "agency_kind": "ngo",
        "action": "case.read",
        "object_type": "case",
        "object_id": str(uuid.UUID(int=seq)),
        "case_id": uuid.UUID(int=seq),
        "case_reference": "HW-0000-0000-0000",
        "detail": {},
        "client_address": "127.0.0.1",
        "request_id": uuid.UUID(int=seq).hex,
        "outcome": "success",
        "purpose": None,
        "prev_hash": previous,
    }


def _raw_sha256(session: Any) -> float:
    """Time SHA-256 alone over exactly the bytes verification hashes, read beforehand."""
    table = AuditEvent.__table__
    encoded = [canonical(dict(row)) for row in session.execute(table.select()).mappings()]
    started = perf_counter()
    for data in encoded:
        hashlib.sha256(data).hexdigest()
    return perf_counter() - started


if __name__ == "__main__":
    main()
