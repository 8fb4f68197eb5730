"""Load: many simulated users (Locust) against `homeward serve` over real HTTP on loopback, first
alone, then beside hostile clients (slow heads and bodies, slow readers, crafted and oversized
uploads). Prints throughput, p50 and p95 per kind of request, and how the hostile clients fared.

    python -m bench.load [--database-url postgresql+psycopg://…] [--workers 1,2] [--seconds 30]

The Locust extra is needed (`pip install -e '.[bench]'`). A PostgreSQL database given here has
its public schema replaced: give the benchmark one of its own."""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import hostile

BIN = Path(sys.executable).parent
USERS_FILE = Path(__file__).with_name("load_users.py")


@dataclass(frozen=True)
class Figures:
    """One kind of request in one Locust run."""

    requests: int
    failures: int
    per_second: float
    p50_ms: float
    p95_ms: float


def main() -> None:
    options = _arguments()
    password = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="homeward-load-") as folder:
        environment = _environment(Path(folder), options.database_url, password)
        _seed(environment, options.database_url)
        for workers in options.workers:
            print(f"\n== {_backend(environment)}, {workers} worker(s), {options.users} users")
            with _served(environment, workers, Path(folder)) as port:
                quiet = _locust(port, options, Path(folder) / f"quiet-{workers}", environment)
                with _hostiles(port, password) as outcomes:
                    noisy = _locust(port, options, Path(folder) / f"noisy-{workers}", environment)
            print(_table(quiet, noisy))
            print("hostile clients:", _outcomes(outcomes))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", default="1,2", type=lambda v: [int(w) for w in v.split(",")])
    parser.add_argument("--users", default=20, type=int)
    parser.add_argument("--seconds", default=30, type=int)
    return parser.parse_args()


def _environment(folder: Path, database_url: str | None, password: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")}
    environment |= {
        "HOMEWARD_INSTANCE_PATH": str(folder / "instance"),
        "HOMEWARD_DEMO_PASSWORD": password,
        "HOMEWARD_DATABASE_URL": database_url or f"sqlite:///{folder / 'load.sqlite3'}",
    }
    return environment


def _backend(environment: dict[str, str]) -> str:
    return environment["HOMEWARD_DATABASE_URL"].split(":", 1)[0].split("+")[0]


def _seed(environment: dict[str, str], database_url: str | None) -> None:
    """A fresh schema with the demo's agencies, users and cases."""
    if database_url:
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run(
            [BIN / "homeward", *command], env=environment, check=True, capture_output=True
        )


@contextlib.contextmanager
def _served(environment: dict[str, str], workers: int, folder: Path) -> Iterator[int]:
    port = _free_port()
    log = (folder / f"serve-{workers}.log").open("wb")
    command = [BIN / "homeward", "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
    try:
        _wait_for(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.3)
    raise SystemExit("homeward serve did not answer")


def _locust(
    port: int, options: argparse.Namespace, prefix: Path, environment: dict[str, str]
) -> dict[str, Figures]:
    """Run the simulated users for the time given; their figures per kind of request."""
    command = [
        BIN / "locust",
        "-f",
        USERS_FILE,
        "--headless",
        "--users",
        str(options.users),
        "--spawn-rate",
        "5",  # sign-ins (argon2) spread out; the figures start once all users are in
        "--reset-stats",
        "--run-time",
        f"{options.seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "ERROR",
    ]
    subprocess.run(command, env=environment, check=False, capture_output=True)
    with open(f"{prefix}_failures.csv", encoding="utf-8") as failures:
        for row in csv.DictReader(failures):
            print(f"  failed: {row['Method']} {row['Name']}: {row['Error']} × {row['Occurrences']}")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        return {row["Name"]: _figures(row) for row in csv.DictReader(stats)}


def _figures(row: dict[str, str]) -> Figures:
    return Figures(
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        per_second=float(row["Requests/s"]),
        p50_ms=float(row["50%"]),
        p95_ms=float(row["95%"]),
    )


@contextlib.contextmanager
def _hostiles(port: int, password: str) -> Iterator[dict[str, dict[str, int]]]:
    """Hostile clients for as long as the block runs; what each one got, afterwards."""
    stop = threading.Event()
    auditor = hostile.sign_in(port, "auditor", password)
    lawyer = hostile.sign_in(port, "lawyer3", password)
    case_id = _a_case_of(port, lawyer)
    export = "/api/v1/audit/export?format=jsonl"
    clients = [
        *(hostile.Hostile(f"slow body {n}", hostile.slow_body(port), stop) for n in range(4)),
        hostile.Hostile("slow body /verify", hostile.slow_body(port, "/verify"), stop),
        *(hostile.Hostile(f"slow head {n}", hostile.slow_head(port), stop) for n in range(40)),
        *(
            hostile.Hostile(f"slow reader {n}", hostile.slow_reader(port, export, auditor), stop)
            for n in range(4)
        ),
        hostile.Hostile(
            "crafted PDF",
            hostile.upload(port, lawyer, case_id, hostile.slow_to_parse_pdf()),
            stop,
        ),
        hostile.Hostile(
            "oversized upload",
            hostile.upload(port, lawyer, case_id, b"%PDF-", declared=25 * 1024 * 1024),
            stop,
        ),
    ]
    threads = [client.start() for client in clients]
    time.sleep(2)  # under way before the measured users start
    try:
        yield {client.name: client.outcomes for client in clients}
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def _a_case_of(port: int, token: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "GET", "/api/v1/cases?per_page=1", headers={"Authorization": f"Bearer {token}"}
    )
    case_id: str = json.loads(connection.getresponse().read())["cases"][0]["id"]
    connection.close()
    return case_id


def _table(quiet: dict[str, Figures], noisy: dict[str, Figures]) -> str:
    head = (
        f"{'request':<40} {'quiet req/s':>11} {'p50':>6} {'p95':>6} │ {'hostile req/s':>13} "
        f"{'p50':>6} {'p95':>6} {'p95 ×':>6} {'failed':>6}"
    )
    lines = [head, "─" * len(head)]
    for name in sorted(set(quiet) | set(noisy), key=lambda n: (n == "Aggregated", n)):
        before, after = quiet.get(name), noisy.get(name)
        if before is None or after is None:
            continue
        ratio = after.p95_ms / before.p95_ms if before.p95_ms else float("nan")
        lines.append(
            f"{name:<40} {before.per_second:>11.1f} {before.p50_ms:>6.0f} {before.p95_ms:>6.0f} │ "
            f"{after.per_second:>13.1f} {after.p50_ms:>6.0f} {after.p95_ms:>6.0f} "
            f"{ratio:>5.2f}× {before.failures + after.failures:>6}"
        )
    return "\n".join(lines)


def _outcomes(outcomes: dict[str, dict[str, int]]) -> str:
    """What each kind of hostile client got, its numbered copies counted together."""
    kinds: dict[str, dict[str, int]] = {}
    for name, seen in outcomes.items():
        kind = kinds.setdefault(name.rstrip("0123456789 "), {})
        for outcome, times in seen.items():
            kind[outcome] = kind.get(outcome, 0) + times
    return "; ".join(f"{name}: {dict(sorted(seen.items()))}" for name, seen in kinds.items())


if __name__ == "__main__":
    main()
