"""The cost of one case read and one step against `homeward serve`, over real HTTP on loopback,
beside `/healthz` measured in the same run: how close an audited, need-to-know-checked read comes
to the floor a request that only asks the database `SELECT 1` sets.

    python -m bench.reads [--database-url postgresql+psycopg://…] [--workers 1] [--clients 4]
                          [--seconds 10] [--rounds 3]

Each client keeps one connection open and sends its requests one after another; the steps close
and reopen a case of the client's own, so no two clients race on one version. A PostgreSQL
database given here has its public schema replaced: give the benchmark one of its own."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.load import _environment, _seed, _served

CHILD = {
    "names": [{"script": "Latn", "given": "Aliya", "family": "Nurgalieva"}],
    "sex": "female",
    "birth_date": {"value": "2016-01-01", "precision": "year"},
}
MOTHER = {
    "relation": "mother",
    "names": [{"script": "Latn", "given": "Gulnar", "family": "Nurgalieva"}],
    "alive": True,
    "whereabouts": "detained_abroad",
}


@dataclass(frozen=True)
class Figures:
    label: str
    per_second: float
    p50_ms: float
    p95_ms: float
    cpu_ms: float | None  # the server's processor time for each request; None off Linux


class Caller:
    """One client on one kept-open connection, signed in as the demo lawyer."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.case_id, self.version = self._open_case()

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        payload = None if body is None else json.dumps(body)
        self.connection.request(method, path, payload, {**self.headers, **headers})
        response = self.connection.getresponse()
        data = response.read()
        if response.status >= 300:
            raise SystemExit(f"{method} {path}: {response.status} {data[:200]!r}")
        etag = response.getheader("ETag")
        if etag:
            self.version = int(etag.strip('"'))
        return json.loads(data) if data else None

    def health(self) -> None:
        self.send("GET", "/healthz")

    def read(self) -> None:
        self.send("GET", f"/api/v1/cases/{self.case_id}")

    def step(self) -> None:
        """Close the case, or reopen it: each is one step on the case, with its history row."""
        action, body = ("reopen", {}) if self.closed else ("close", {"reason": "withdrawn"})
        path = f"/api/v1/cases/{self.case_id}/{action}"
        self.send("POST", path, body, **{"If-Match": f'"{self.version}"'})
        self.closed = not self.closed

    def _open_case(self) -> tuple[str, int]:
        self.version, self.closed = 0, False
        case = self.send(
            "POST", "/api/v1/cases", {"child": CHILD, "people": [MOTHER], "confirm_distinct": True}
        )
        return str(case["id"]), self.version


def main() -> None:
    options = _arguments()
    password = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="homeward-reads-") as folder:
        environment = _environment(Path(folder), options.database_url, password)
        _seed(environment, options.database_url)
        backend = environment["HOMEWARD_DATABASE_URL"].split(":", 1)[0].split("+")[0]
        for workers in options.workers:
            with _served(environment, workers, Path(folder)) as port:
                token = _sign_in(port, password)
                callers = [Caller(port, token) for _ in range(options.clients)]
                rounds = [
                    _round(callers, options.seconds / options.rounds) for _ in range(options.rounds)
                ]
            print(
                f"\n== {backend}, {workers} worker(s), {options.clients} clients, "
                f"{options.rounds} rounds (the round of the median read ÷ /healthz)"
            )
            _report(sorted(rounds, key=_read_ratio)[(len(rounds) - 1) // 2])
            print(
                f"  read ÷ /healthz by round: {', '.join(f'{_read_ratio(r):.2f}' for r in rounds)}"
            )
            by_cpu = [_cpu_ratio(r[0], r[1]) for r in rounds]
            if None not in by_cpu:
                shown = ", ".join(f"{ratio:.2f}" for ratio in by_cpu)
                print(f"  read ÷ /healthz by the server's CPU, by round: {shown}")
            _report_commits(environment["HOMEWARD_DATABASE_URL"])


def _round(callers: list[Caller], seconds: float) -> list[Figures]:
    """The floor, a read and a step, one after another: the machine's speed drifts over a
    run, so each round's figures are compared with the floor measured beside them."""
    return [
        _measure("GET /healthz", callers, Caller.health, seconds),
        _measure("GET a case", callers, Caller.read, seconds),
        _measure("close or reopen a case", callers, Caller.step, seconds),
    ]


def _read_ratio(row: list[Figures]) -> float:
    return row[1].per_second / row[0].per_second


def _cpu_ratio(over: Figures, under: Figures) -> float | None:
    """The server's time for one request of `over` divided by one of `under`, if /proc told."""
    if not over.cpu_ms or not under.cpu_ms:
        return None
    return over.cpu_ms / under.cpu_ms


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", default="1", type=lambda v: [int(w) for w in v.split(",")])
    parser.add_argument("--clients", default=4, type=int)
    parser.add_argument("--seconds", default=10, type=float, help="for each kind, all rounds")
    parser.add_argument("--rounds", default=3, type=int)
    return parser.parse_args()


def _sign_in(port: int, password: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": "lawyer", "password": password})
    connection.request("POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"})
    token: str = json.loads(connection.getresponse().read())["access_token"]
    return token


def _measure(
    label: str, callers: list[Caller], call: Callable[[Caller], None], seconds: float
) -> Figures:
    """Every client calls as fast as answers come, for the time given, after a short warm-up;
    with the processor time the server spent meanwhile, which other work on the machine
    disturbs less than the rate does."""
    latencies: list[list[float]] = [[] for _ in callers]
    start = threading.Barrier(len(callers) + 1)

    def run(caller: Caller, into: list[float]) -> None:
        for _ in range(5):
            call(caller)
        start.wait()
        deadline = time.perf_counter() + seconds
        while (began := time.perf_counter()) < deadline:
            call(caller)
            into.append(time.perf_counter() - began)

    threads = [
        threading.Thread(target=run, args=(caller, into))
        for caller, into in zip(callers, latencies, strict=True)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began, cpu_before = time.perf_counter(), _server_seconds()
    for thread in threads:
        thread.join()
    elapsed, cpu_after = time.perf_counter() - began, _server_seconds()
    every = sorted(latency for each in latencies for latency in each)
    cuts = statistics.quantiles(every, n=100)
    cpu_ms = None
    if cpu_before is not None and cpu_after is not None:
        cpu_ms = (cpu_after - cpu_before) * 1000 / len(every)
    return Figures(label, len(every) / elapsed, cuts[49] * 1000, cuts[94] * 1000, cpu_ms)


def _server_seconds() -> float | None:
    """The processor time used so far by the server this benchmark started (its child process)
    and the server's workers; None where /proc does not tell (not Linux)."""
    processes: dict[int, tuple[int, float]] = {}  # pid: parent, seconds
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        processes[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    servers = {pid for pid, (parent, _) in processes.items() if parent == os.getpid()}
    if not servers:
        return None
    return sum(
        seconds
        for pid, (parent, seconds) in processes.items()
        if pid in servers or parent in servers
    )


def _report(rows: list[Figures]) -> None:
    floor, read, step = rows
    for row in rows:
        cpu = f"  server CPU {row.cpu_ms:5.2f} ms" if row.cpu_ms is not None else ""
        print(
            f"  {row.label:<24} {row.per_second:8.1f} req/s  p50 {row.p50_ms:6.2f} ms  "
            f"p95 {row.p95_ms:6.2f} ms  {row.per_second / floor.per_second:5.2f}x /healthz{cpu}"
        )
    print(f"  a step costs {read.per_second / step.per_second:.2f}x a read")
    read_to_floor, step_to_read = _cpu_ratio(floor, read), _cpu_ratio(step, read)
    if read_to_floor is not None and step_to_read is not None:
        print(
            f"  by the server's CPU: a read {read_to_floor:.2f}x /healthz, "
            f"a step {step_to_read:.2f}x a read"
        )


def _report_commits(database_url: str) -> None:
    """How many commits the reads' events took: the events of one batch share its moment."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        events, commits = connection.execute(
            text("SELECT count(*), count(DISTINCT at) FROM audit_events WHERE action = 'case.read'")
        ).one()
    engine.dispose()
    print(
        f"  {events} reads' events in {commits} commits ({events / max(commits, 1):.2f} a commit)"
    )


if __name__ == "__main__":
    main()
