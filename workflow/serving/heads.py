"""A request's head (its request line and headers) gathered before a thread is given to it: a
client that sends its head a byte at a time, or nothing at all, then holds no thread, and is
answered at its deadline. Also the answers the server gives before the application sees a
request, in the application's JSON error shape."""

from __future__ import annotations

import json
import socket
from http import HTTPStatus

from workflow.errors import BodyTooSlow, HeadersTooLarge, HomewardError

CHUNK = 64 * 1024
# Room for what the application's count of header bytes leaves out: the empty lines around the
# head, and spaces around header values.
SLACK = 4096


def complete(received: bytes | bytearray, searched: int = 0) -> bool:
    """Whether `received` holds a whole head, so that parsing it reads nothing more from the
    connection. One empty line may come before the request line (RFC 9112, 2.2); the head ends
    at the first empty line after it, and no header can hold an empty line. The first
    `searched` bytes held no end already: a head trickled a byte at a time is not searched
    from its start for every byte."""
    start = 2 if received.startswith(b"\r\n") else 0
    return received.find(b"\r\n\r\n", max(start, searched - 3)) >= 0


def largest(max_header_bytes: int, max_request_line: int) -> int:
    """The most bytes a head the application could accept takes: longer is refused unread."""
    return max_request_line + max_header_bytes + SLACK


def receive(connection: socket.socket) -> bytes | None:
    """What the client has sent so far, without waiting (b"" if nothing yet); None once it has
    hung up or the connection failed. The connection is left non-blocking: with a timeout set
    (the last answer's), Python would wait for bytes before reading."""
    connection.setblocking(False)
    try:
        return connection.recv(CHUNK) or None
    except (BlockingIOError, InterruptedError):
        return b""
    except OSError:
        return None


def answer(refusal: type[HomewardError], message: str) -> bytes:
    """A whole HTTP/1.1 answer that ends the connection, with the error as the API gives it."""
    body = json.dumps(
        {"error": {"code": refusal.code, "message": message, "details": None}}
    ).encode()
    head = (
        f"HTTP/1.1 {refusal.status} {HTTPStatus(refusal.status).phrase}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


TOO_SLOW = answer(BodyTooSlow, "The request headers took too long to arrive.")
TOO_LARGE = answer(HeadersTooLarge, "The request headers are too large.")
