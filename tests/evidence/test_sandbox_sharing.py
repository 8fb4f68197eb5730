"""Checks share the machine with everyone's requests: a process runs only so many at once, the
next waits for one to end (holding no transaction) and is refused with 503 if none does, and a
check still busy after its first second of CPU time takes only CPU nobody else wants."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

import pytest

from tests.evidence.helpers import document_rows
from tests.factories import Api, sample_pdf
from workflow.evidence import sandbox
from workflow.evidence.sandbox import CHECKS_AT_ONCE, SUSPECT_CPU_SECONDS, Limits

MIB = 1024 * 1024


@pytest.fixture
def case_id(api: Api) -> str:
    return str(api.create_case()["id"])


@pytest.fixture
def checks_taken() -> Iterator[list[threading.Timer]]:
    """Every check of this process taken, as by crafted files under way; the test may schedule
    their end; whatever is still taken is given back afterwards."""
    for _ in range(CHECKS_AT_ONCE):
        assert sandbox._checks.acquire(timeout=5)
    ends: list[threading.Timer] = []
    yield ends
    for end in ends:
        end.join()
    for _ in range(CHECKS_AT_ONCE):
        try:
            sandbox._checks.release()
        except ValueError:  # given back already
            break


def test_an_upload_waits_for_a_check_to_end_and_is_then_checked(
    app: Any, api: Api, case_id: str, checks_taken: list[threading.Timer]
) -> None:
    checks_taken.append(threading.Timer(0.5, sandbox._checks.release))
    checks_taken[0].start()
    started = time.monotonic()
    response = api.upload("lawyer", case_id, "consent", sample_pdf())
    assert response.status_code == 201, response.json
    assert time.monotonic() - started >= 0.5


def test_an_upload_that_finds_every_check_busy_too_long_is_refused_with_503(
    app: Any, api: Api, case_id: str, checks_taken: list[threading.Timer], monkeypatch: Any
) -> None:
    monkeypatch.setattr(sandbox, "slot_seconds", lambda _limits: 0.3)
    response = api.upload("lawyer", case_id, "consent", sample_pdf())
    assert response.status_code == 503, response.json
    assert response.json["error"]["code"] == "busy"
    assert response.headers["Retry-After"] == "1"
    assert document_rows(app) == []


def _priority_after(cpu_seconds: float, sender: Connection) -> None:
    """In a process confined as a check is: spend `cpu_seconds` of CPU, then say its priority."""
    sandbox._confine(Limits(0, 0, 30, 512 * MIB, 64 * MIB))
    started = time.process_time()
    while time.process_time() - started < cpu_seconds:
        pass
    sender.send(os.getpriority(os.PRIO_PROCESS, 0))


@pytest.mark.parametrize("cpu_seconds", [0.1, SUSPECT_CPU_SECONDS + 0.3])
def test_a_check_busy_past_its_first_second_of_cpu_drops_to_the_lowest_priority(
    cpu_seconds: float,
) -> None:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_priority_after, args=(cpu_seconds, sender))
    process.start()
    sender.close()
    try:
        assert receiver.poll(60)
        priority = receiver.recv()
    finally:
        process.join(10)
    started_at = min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
    assert priority == (19 if cpu_seconds > SUSPECT_CPU_SECONDS else started_at)
