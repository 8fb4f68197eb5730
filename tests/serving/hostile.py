"""Hostile clients for served-instance tests: bounded in bytes and time, loopback only."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Self


class InBackground:
    """A hostile client that runs in a thread of its own until it is answered or gives up."""

    answer: bytes
    _thread: threading.Thread

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float = 30) -> bytes:
        """The server's answer, once it gave one or the client gave up."""
        self._thread.join(timeout)
        return self.answer

    def _run(self) -> None:
        raise NotImplementedError


@dataclass
class Trickle(InBackground):
    """A client that announces a body and then sends it a byte at a time, slowly."""

    port: int
    path: str
    declared: int = 4096
    interval: float = 0.1
    seconds: float = 5.0
    answer: bytes = b""
    sent: int = 0
    _thread: threading.Thread = field(init=False)

    def _run(self) -> None:
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {self.declared}\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", self.port), timeout=self.seconds + 30) as sock:
            sock.sendall(head)
            deadline = time.monotonic() + self.seconds
            sock.settimeout(self.interval)
            while time.monotonic() < deadline and self.sent < self.declared:
                if self._answered(sock):
                    return
                sock.sendall(b" ")
                self.sent += 1
            sock.settimeout(30)
            self.answer = _read_answer(sock)

    def _answered(self, sock: socket.socket) -> bool:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return False
        self.answer = chunk + _read_answer(sock) if chunk else b""
        return True


def _read_answer(sock: socket.socket) -> bytes:
    parts = []
    try:
        while chunk := sock.recv(65536):
            parts.append(chunk)
            if b"\r\n\r\n" in b"".join(parts) and b"}" in chunk:
                break
    except OSError:
        pass
    return b"".join(parts)


def read_slowly(port: int, path: str, headers: dict[str, str], seconds: float) -> tuple[int, bool]:
    """Ask for `path` and take the answer in 1 KiB sips with a small receive buffer for up to
    `seconds`; return how many bytes came, and whether the server closed the connection."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(seconds + 30)
        sock.connect(("127.0.0.1", port))
        lines = [
            f"GET {path} HTTP/1.1",
            "Host: 127.0.0.1",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        received, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(1024)
            except ConnectionResetError:
                return received, True
            if not chunk:
                return received, True
            received += len(chunk)
            time.sleep(0.05)
        return received, False


@dataclass
class TrickledHead(InBackground):
    """A client that sends a request's head a byte at a time and never ends it (or, with no
    `drip`, sends nothing); `opening` goes first, at once. It stops when the server ends the
    connection or after `seconds`, keeping what it was answered and when it was cut off."""

    port: int
    opening: bytes = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    drip: bytes = b"a"
    interval: float = 0.1
    seconds: float = 10.0
    answer: bytes = b""
    cut_after: float | None = None
    _thread: threading.Thread = field(init=False)

    def _run(self) -> None:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=self.interval) as sock:
            sock.sendall(self.opening)
            while time.monotonic() - started < self.seconds:
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    sock.sendall(self.drip)
                    continue
                except OSError:  # reset
                    chunk = b""
                if not chunk:
                    self.cut_after = time.monotonic() - started
                    return
                self.answer += chunk
