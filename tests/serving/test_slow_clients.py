"""A client that trickles its body holds one thread, never the database: others go on."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.serving.hostile import Trickle
from tests.serving.served import server_environment, serving

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
