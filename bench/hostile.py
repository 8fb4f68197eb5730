"""Hostile clients for `python -m bench.load`: each loops until told to stop, against loopback
only, one connection at a time, and counts what it did."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

CHUNK_PAUSE = 0.5


@dataclass
class Hostile:
    """One hostile client running in a thread until `stop` is set."""

    name: str
    attack: Callable[[threading.Event], str]
    stop: threading.Event
    outcomes: dict[str, int] = field(default_factory=dict)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        thread.start()
        return thread

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                outcome = self.attack(self.stop)
            except OSError as error:
                outcome = type(error).__name__
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def slow_body(port: int, path: str = "/api/v1/auth/login") -> Callable[[threading.Event], str]:
    """Announce a 4 KiB body and send it a byte every half second."""

    def attack(stop: threading.Event) -> str:
        with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 4096\r\n\r\n".encode()
            )
            sock.settimeout(CHUNK_PAUSE)
            for _ in range(4096):
                if stop.is_set():
                    return "stopped"
                try:
                    answer = sock.recv(64)
                    return answer[:12].decode(errors="replace") or "closed"
                except TimeoutError:
                    sock.sendall(b" ")
        return "sent"

    return attack


def slow_head(port: int) -> Callable[[threading.Event], str]:
    """Send a request's headers a byte every half second, never ending them."""

    def attack(stop: threading.Event) -> str:
        with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
            sock.sendall(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            sock.settimeout(CHUNK_PAUSE)
            while not stop.is_set():
                try:
                    answer = sock.recv(64)
                    return answer[:12].decode(errors="replace") or "closed"
                except TimeoutError:
                    sock.sendall(b"a")
        return "stopped"

    return attack


def slow_reader(port: int, path: str, token: str) -> Callable[[threading.Event], str]:
    """Ask for a large answer and take it in 512 bytes a second, with a small receive buffer."""

    def attack(stop: threading.Event) -> str:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.settimeout(60)
            sock.connect(("127.0.0.1", port))
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
            )
            received = 0
            while not stop.is_set():
                chunk = sock.recv(512)
                if not chunk:
                    return "read to the end"
                received += len(chunk)
                time.sleep(1)
        return "stopped"

    return attack


def upload(
    port: int, token: str, case_id: str, content: bytes, declared: int | None = None
) -> Callable[[threading.Event], str]:
    """Upload `content` as a document, again and again; `declared` overstates its length."""

    def attack(_stop: threading.Event) -> str:
        boundary = "hostileboundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(declared or len(body)),
        }
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.putrequest("POST", f"/api/v1/cases/{case_id}/documents")
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            if declared is None:
                connection.send(body)
            status = connection.getresponse().status
            time.sleep(1)  # one client, not a flood: floods are for rate limits
            return str(status)
        finally:
            connection.close()

    return attack


def slow_to_parse_pdf(megabytes: int = 60) -> bytes:
    """A PDF of a few kilobytes whose one packed object is a string of `megabytes` MB."""
    deflate = zlib.compressobj(9)
    parts = [deflate.compress(b"5 0".ljust(20) + b"(")]
    parts += [deflate.compress(b"a" * (1024 * 1024)) for _ in range(megabytes)]
    parts += [deflate.compress(b")"), deflate.flush()]
    packed = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Extra 5 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Type /ObjStm /N 1 /First 20 /Filter /FlateDecode /Length %d >>\nstream\n%s\n"
        b"endstream" % (len(packed), packed),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in zip((1, 2, 3, 6), objects, strict=True):
        offsets.append((number, len(out)))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    return bytes(out) + _xref_stream(offsets, len(out))


def _xref_stream(offsets: list[tuple[int, int]], at: int) -> bytes:
    rows = {0: b"\x00" + bytes(4) + b"\xff\xff"}
    rows |= {number: b"\x01" + offset.to_bytes(4, "big") + bytes(2) for number, offset in offsets}
    rows[4] = b"\x00" + bytes(6)
    rows[5] = b"\x02" + (6).to_bytes(4, "big") + bytes(2)  # object 5: first in object stream 6
    rows[7] = b"\x01" + at.to_bytes(4, "big") + bytes(2)
    data = b"".join(rows[number] for number in range(8))
    head = b"<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Length %d >>" % len(data)
    return b"7 0 obj\n%s\nstream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (
        head,
        data,
        at,
    )


def sign_in(port: int, username: str, password: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = json.dumps({"username": username, "password": password})
        connection.request("POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"})
        token: str = json.loads(connection.getresponse().read())["access_token"]
        return token
    finally:
        connection.close()
