"""A client that trickles its body holds one thread, never the database: others go on."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from typing import Any

from tests.evidence.helpers import pdf, stream
from tests.serving.hostile import Trickle, read_slowly
from tests.serving.served import server_environment, serving
from tests.serving.test_bombs import upload

QUICK = 1.0  # seconds: far below the 11-40 s another user waited before


def test_a_trickling_body_does_not_stall_another_users_reads(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(tmp_path / "instance", database_url)
    with serving(environment, tmp_path / "server.log", "--workers", "1") as served:
        registrar = served.sign_in("registrar")
        trickles = [
            Trickle(served.port, path, seconds=4).start()
            for path in ("/api/v1/auth/login", "/verify", "/api/v1/cases")
        ]
        time.sleep(0.5)  # the trickles are under way
        slowest = 0.0
        while any(trickle.running for trickle in trickles):
            started = time.monotonic()
            status, _headers, body = served.request("GET", "/api/v1/me", headers=registrar)
            slowest = max(slowest, time.monotonic() - started)
            assert status == 200, body
        assert slowest < QUICK, f"GET /api/v1/me took {slowest:.2f} s"
        assert all(t.sent > 10 for t in trickles)


def test_a_body_slower_than_its_deadline_is_refused_with_408(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(tmp_path / "instance", database_url, HOMEWARD_BODY_SECONDS="2")
    with serving(environment, tmp_path / "server.log", "--workers", "1") as served:
        started = time.monotonic()
        answer = Trickle(served.port, "/api/v1/auth/login", seconds=10).start().wait()
        assert time.monotonic() - started < 6
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b'"code":"request_timeout"' in answer.replace(b" ", b"")
        auditor = served.sign_in("auditor")
        status, _headers, body = served.request(
            "GET", "/api/v1/audit/events?outcome=request_timeout", headers=auditor
        )
        assert status == 200 and b"auth.login" in body


def test_a_body_larger_than_allowed_is_refused_before_it_is_read(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(tmp_path / "instance", database_url)
    with serving(environment, tmp_path / "server.log", "--workers", "1") as served:
        lawyer = served.sign_in("lawyer")
        started = time.monotonic()
        answer = (
            Trickle(served.port, "/api/v1/cases", declared=500 * 1024 * 1024, seconds=3)
            .start()
            .wait()
        )
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert time.monotonic() - started < 2
        assert served.request("GET", "/api/v1/me", headers=lawyer)[0] == 200


def test_a_slow_reader_holds_a_thread_only_until_the_send_deadline_and_no_one_waits(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(tmp_path / "instance", database_url, HOMEWARD_SEND_SECONDS="3")
    with serving(environment, tmp_path / "server.log", "--workers", "1") as served:
        lawyer, registrar = served.sign_in("lawyer"), served.sign_in("registrar")
        case_id = served.open_case(lawyer)
        large = pdf(content=stream(bytes(8 * 1024 * 1024)))  # page content is never inflated
        assert upload(served, lawyer, case_id, large) == 201
        listed = json.loads(
            served.request("GET", f"/api/v1/cases/{case_id}/documents", headers=lawyer)[2]
        )
        path = f"/api/v1/documents/{listed['documents'][0]['id']}"
        outcomes: list[tuple[int, bool]] = []
        readers = [
            threading.Thread(
                target=lambda: outcomes.append(read_slowly(served.port, path, lawyer, 8))
            )
            for _ in range(3)
        ]
        for reader in readers:
            reader.start()
        slowest = 0.0
        while any(reader.is_alive() for reader in readers):
            started = time.monotonic()
            assert served.request("GET", "/api/v1/me", headers=registrar)[0] == 200
            slowest = max(slowest, time.monotonic() - started)
        assert slowest < QUICK, f"GET /api/v1/me took {slowest:.2f} s"
        assert all(received < len(large) for received, _closed in outcomes)
    # Each reader's thread was freed at the deadline, long before 8 MiB at a sip every 50 ms.
    held = re.findall(r'"GET /api/v1/documents/\S+ HTTP/1.1" \d+ \d+ ([\d.]+)s', served.log_text())
    assert len(held) == 3 and all(3 <= float(seconds) < 5 for seconds in held), held
