"""`homeward serve` run for real on a loopback port, and a small HTTP client that talks to it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import FAST_HASHING, PASSWORD
from tests.factories import ALL_SCRIPTS_CHILD, GRANDMOTHER, MOTHER_ABROAD

HOMEWARD = Path(sys.executable).with_name("homeward")
STARTUP_SECONDS = 60


@dataclass
class Served:
    """One running `homeward serve` process."""

    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def request(
        self,
        method: str,
        path: str,
        body: bytes | dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request on a new connection; return the status, headers and body."""
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def sign_in(self, username: str) -> dict[str, str]:
        """The Authorization header of a fresh session of `username`."""
        status, _headers, body = self.request(
            "POST", "/api/v1/auth/login", {"username": username, "password": PASSWORD}
        )
        assert status == 200, body
        return {"Authorization": f"Bearer {json.loads(body)['access_token']}"}

    def open_case(self, lawyer: dict[str, str]) -> str:
        """Open the usual test case as `lawyer` (an Authorization header); its id."""
        case = {"child": ALL_SCRIPTS_CHILD, "people": [MOTHER_ABROAD, GRANDMOTHER]}
        status, _headers, body = self.request("POST", "/api/v1/cases", case, lawyer)
        assert status == 201, body
        case_id: str = json.loads(body)["id"]
        return case_id

    def stop(self) -> int:
        """Stop the server as an operator would (SIGTERM) and return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_environment(instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a served instance: the test's database and instance folder."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("HOMEWARD_")
    }
    environment |= {f"HOMEWARD_{key}": str(value) for key, value in FAST_HASHING.items()}
    environment |= {
        "HOMEWARD_INSTANCE_PATH": str(instance),
        "HOMEWARD_DATABASE_URL": database_url,
        **extra,
    }
    return environment


@contextmanager
def serving(
    environment: dict[str, str], log: Path, *arguments: str, port: int | None = None
) -> Iterator[Served]:
    """Run `homeward serve` until the block ends; fail if it does not answer in time."""
    port = port or free_port()
    command = [str(HOMEWARD), "serve", "--host", "127.0.0.1", "--port", str(port), *arguments]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=environment, stdout=sink, stderr=sink)
    served = Served(port, log, process)
    try:
        _wait_until_answering(served)
        yield served
    finally:
        served.stop()


def _wait_until_answering(served: Served) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"homeward serve stopped:\n{served.log_text()}")
        try:
            if served.request("GET", "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"homeward serve did not answer:\n{served.log_text()}")
