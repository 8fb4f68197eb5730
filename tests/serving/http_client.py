"""A client with the Flask test client's manners that talks HTTP to served instances in turn:
the test helpers that drive the API in-process then drive several real servers unchanged."""

from __future__ import annotations

import http.client
import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart


@dataclass
class HttpResponse:
    status_code: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def get_data(self, as_text: bool = False) -> Any:
        return self.body.decode() if as_text else self.body


@dataclass
class TakingTurns:
    """Sends each request to the next of `ports`, round and round; counts where each went."""

    ports: list[int]
    sent: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._turns = itertools.cycle(self.ports)

    def get(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.open("PATCH", path, **kwargs)

    def open(
        self,
        method: str,
        path: str,
        json: Any = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
        query_string: dict[str, Any] | None = None,
    ) -> HttpResponse:
        headers, body = dict(headers or {}), None
        if json is not None:
            body = _json_bytes(json)
            headers["Content-Type"] = "application/json"
        elif data is not None:
            boundary, body = encode_multipart(_files(data))
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif content_type:
            headers["Content-Type"] = content_type
        if query_string:
            path = f"{path}?{urlencode(query_string)}"
        port = next(self._turns)
        self.sent[port] = self.sent.get(port, 0) + 1
        return _send(port, method, path, body, headers)


def _send(
    port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]
) -> HttpResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return HttpResponse(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


def _files(data: dict[str, Any]) -> dict[str, Any]:
    """The test client's `(stream, name)` pairs as the file fields they stand for."""
    return {
        key: FileStorage(value[0], value[1]) if isinstance(value, tuple) else value
        for key, value in data.items()
    }
