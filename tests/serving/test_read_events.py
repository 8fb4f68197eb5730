"""Reads served side by side each leave their own event, written together with others' (group
commit), and the trail stays one unbroken chain. On PostgreSQL when the suite runs on it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.audit.helpers import events
from tests.serving.served import Served, server_environment, serving
from tests.serving.test_two_instances import shared_secrets

READERS, READS = 6, 8


@pytest.fixture
def served(app: Any, accounts: Any, database_url: str, tmp_path: Path) -> Iterator[Served]:
    environment = server_environment(tmp_path / "instance", database_url, **shared_secrets(app))
    with serving(environment, tmp_path / "serve.log", "--workers", "1", "--threads", "8") as one:
        yield one


def read_side_by_side(served: Served, case_id: str, lawyer: dict[str, str]) -> list[str]:
    """Each reader reads the case over and over; the request ids of the reads answered."""
    answered: list[str] = []

    def reader(number: int) -> None:
        for read in range(READS):
            request_id = f"read-{number}-{read}"
            status, headers, _body = served.request(
                "GET", f"/api/v1/cases/{case_id}", headers={**lawyer, "X-Request-Id": request_id}
            )
            if status == 200:
                answered.append(headers["X-Request-Id"])

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answered


def test_every_read_served_side_by_side_has_its_event_in_one_chain(
    app: Any, served: Served
) -> None:
    lawyer = served.sign_in("lawyer")
    case_id = served.open_case(lawyer)

    answered = read_side_by_side(served, case_id, lawyer)

    assert len(answered) == READERS * READS
    reads = [e for e in events(app) if e.action == "case.read" and e.request_id in answered]
    assert sorted(e.request_id for e in reads) == sorted(answered)
    assert {str(e.case_id) for e in reads} == {case_id}
    status, _headers, body = served.request(
        "GET", "/api/v1/audit/verify", headers=served.sign_in("auditor")
    )
    assert status == 200
    verdict = json.loads(body)
    assert (verdict["ok"], verdict["first_broken"]) == (True, None)
