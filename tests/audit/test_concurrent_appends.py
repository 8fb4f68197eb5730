"""Several worker processes append at once: the trail stays one gapless, verifiable chain."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from audit.models import AuditEvent
from audit.trail import append
from workflow import create_app, transactions

WORKERS = 4
EVENTS_EACH = 25
DEADLINE_SECONDS = 60


def append_events(database_url: str, instance: str, worker: int, start: Any) -> None:
    """One worker process: build its own app, wait for the others, then append one at a time."""
    os.environ["HOMEWARD_INSTANCE_PATH"] = instance
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    start.wait(timeout=DEADLINE_SECONDS)
    for n in range(EVENTS_EACH):
        with app.app_context(), transactions.unit_of_work() as session:
            append(
                session,
                action="test.concurrent_append",
                outcome="success",
                username=f"worker{worker}",
                detail={"worker": worker, "n": n},
            )
    app.extensions["homeward.engine"].dispose()


def _run_workers(database_url: str, instance: Path) -> list[int | None]:
    """Start every worker, release them together, wait for all; return their exit codes."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS)
    workers = [
        context.Process(target=append_events, args=(database_url, str(instance), i, start))
        for i in range(WORKERS)
    ]
    for process in workers:
        process.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    for process in workers:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in workers:
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
    return [process.exitcode for process in workers]


def test_concurrent_appends_from_several_processes_keep_one_chain(
    app: Any, runner: Any, database_url: str, tmp_path: Path
) -> None:
    assert _run_workers(database_url, tmp_path / "instance") == [0] * WORKERS

    result = runner.invoke(args=["audit", "verify", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    total = WORKERS * EVENTS_EACH
    assert body["ok"] is True and body["first_broken"] is None
    assert body["events"] == total and body["head"]["seq"] == total

    with app.app_context():
        events = transactions.session().scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.seq for e in events] == list(range(1, total + 1))
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    written = sorted((e.detail["worker"], e.detail["n"]) for e in events)
    assert written == [(w, n) for w in range(WORKERS) for n in range(EVENTS_EACH)]
    for worker in range(WORKERS):
        mine = [e.detail["n"] for e in events if e.detail["worker"] == worker]
        assert mine == list(range(EVENTS_EACH))  # each worker's events in the order it wrote them
