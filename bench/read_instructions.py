"""The instructions `homeward serve` runs for one case read and one step, beside `/healthz` in
the same run, counted by Valgrind's callgrind: figures that other work on the machine cannot
disturb, where rates and processor times on a shared machine drift by a third between rounds.

    python -m bench.read_instructions [--clients 4] [--requests 40]

Needs `valgrind` (Debian: `apt-get install valgrind`). The server runs some fifty times slower
under it, so a few dozen requests of each kind give the figures; the server's processes are
counted (its helpers, such as the document sandbox's, are left out). SQLite only."""

from __future__ import annotations

import argparse
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.load import BIN, _environment, _free_port, _seed, _wait_for
from bench.reads import Caller, _sign_in

KINDS: list[tuple[str, Callable[[Caller], None]]] = [
    ("GET /healthz", Caller.health),
    ("GET a case", Caller.read),
    ("close or reopen a case", Caller.step),
]


def main() -> None:
    options = _arguments()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    password = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="homeward-instructions-") as name:
        folder = Path(name)
        environment = _environment(folder, None, password)
        _seed(environment, None)
        with _counted(environment, folder) as (port, pid):
            token = _sign_in(port, password)
            callers = [Caller(port, token) for _ in range(options.clients)]
            _reconnect(callers)
            for caller in callers:  # definitions parsed, keys read, the pool filled
                caller.health()
                caller.read()
            per_request = {
                label: _count(folder, [pid, *_children(pid)], callers, call, options.requests)
                for label, call in KINDS
            }
    _report(per_request, options)


@contextmanager
def _counted(environment: dict[str, str], folder: Path) -> Iterator[tuple[int, int]]:
    """`homeward serve` (one worker) under callgrind, counting from its start."""
    port = _free_port()
    command = [
        shutil.which("valgrind") or "valgrind",
        "--tool=callgrind",
        "--trace-children=yes",
        f"--callgrind-out-file={folder / 'callgrind.%p'}",
        *(str(BIN / "python3"), str(BIN / "homeward"), "serve", "--port", str(port)),
        *("--workers", "1"),
    ]
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
    try:
        _wait_for(port, server, seconds=600)
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(timeout=300)
        log.close()


def _children(pid: int) -> list[int]:
    """The processes the server started (its worker, and the worker's helpers)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def _count(
    folder: Path, pids: list[int], callers: list[Caller], call: Callable[[Caller], None], n: int
) -> float:
    """The instructions the server's processes ran for one request of `call`, the clients
    sending `n` in all at once."""
    _reconnect(callers)
    _control("-z", pids)  # counting from zero
    each = max(1, n // len(callers))

    def send(caller: Caller) -> None:
        for _ in range(each):
            call(caller)

    threads = [threading.Thread(target=send, args=(caller,)) for caller in callers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    before = set(folder.glob("callgrind.*"))
    _control("-d", pids)  # each process writes what it counted since
    return _served_total(set(folder.glob("callgrind.*")) - before) / (each * len(callers))


def _reconnect(callers: list[Caller]) -> None:
    """The server lets a connection idle for 5 s, and under callgrind everything between the
    requests takes longer: each client opens its connection anew at its next request."""
    for caller in callers:
        caller.connection.close()


def _control(option: str, pids: list[int]) -> None:
    control = shutil.which("callgrind_control") or "callgrind_control"
    for pid in pids:
        subprocess.run([control, option, str(pid)], capture_output=True, check=False)


def _served_total(dumps: set[Path]) -> int:
    """The instructions in these dumps of the server's own processes."""
    total = 0
    for dump in dumps:
        text = dump.read_text(errors="replace")
        command = re.search(r"^cmd: (.*)$", text, re.MULTILINE)
        counted = re.search(r"^(?:summary|totals): (\d+)", text, re.MULTILINE)
        if command and "homeward serve" in command.group(1) and counted:
            total += int(counted.group(1))
    return total


def _report(per_request: dict[str, float], options: argparse.Namespace) -> None:
    floor = per_request["GET /healthz"]
    read = per_request["GET a case"]
    print(f"\n== sqlite, 1 worker, {options.clients} clients, instructions by callgrind")
    for label, count in per_request.items():
        print(f"  {label:28s} {count / 1e6:7.2f} M instructions   {floor / count:5.2f}x /healthz")
    step = per_request["close or reopen a case"]
    print(f"  a read {floor / read:.2f}x /healthz; a step {step / read:.2f}x a read")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", default=4, type=int)
    parser.add_argument("--requests", default=40, type=int, help="of each kind, all clients")
    return parser.parse_args()


if __name__ == "__main__":
    main()
