"""The API as seeded users call it: in-process through the WSGI app, with real tokens."""

from __future__ import annotations

import io
from typing import Any

from flask_openapi3 import OpenAPI
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart


class UnexpectedResponse(RuntimeError):
    """The app answered with another status than the benchmark expects: the figures would lie."""


class Client:
    """Sign in as seeded users and call the API; every answer's status is checked."""

    def __init__(self, app: OpenAPI, password: str) -> None:
        self.http = app.test_client()
        self.password = password
        self._headers: dict[str, dict[str, str]] = {}

    def sign_in(self, *usernames: str) -> None:
        """Fetch a fresh access token for each user (they live for minutes, so once per measure)."""
        for username in usernames:
            response = self.http.post(
                "/api/v1/auth/login", json={"username": username, "password": self.password}
            )
            body = _expect(response, 200).json or {}
            self._headers[username] = {"Authorization": f"Bearer {body['access_token']}"}

    def get(self, username: str | None, path: str, **query: str) -> TestResponse:
        """GET as a user (or anonymously, with None), expecting 200."""
        headers = self._headers[username] if username else {}
        return _expect(self.http.get(path, headers=headers, query_string=query), 200)

    def post(self, username: str, path: str, body: dict[str, Any], version: int) -> TestResponse:
        """POST JSON as a user with `If-Match` naming the version, expecting 200."""
        headers = {**self._headers[username], "If-Match": f'"{version}"'}
        return _expect(self.http.post(path, json=body, headers=headers), 200)

    def upload(self, username: str, path: str, content: bytes, **fields: str) -> TestResponse:
        """POST a file in a multipart form, as a browser would, expecting 201."""
        # Encoded in memory: the test client would spool a large form to a file it never closes.
        upload = FileStorage(io.BytesIO(content), "scan.pdf", content_type="application/pdf")
        boundary, body = encode_multipart({**fields, "file": upload})
        content_type = f"multipart/form-data; boundary={boundary}"
        response = self.http.post(
            path, data=body, headers=self._headers[username], content_type=content_type
        )
        return _expect(response, 201)


def _expect(response: TestResponse, status: int) -> TestResponse:
    if response.status_code != status:
        raise UnexpectedResponse(
            f"{response.request.method} {response.request.path}: expected {status}, "
            f"got {response.status_code} {response.get_data(as_text=True)[:300]}"
        )
    return response


def version_of(response: TestResponse) -> int:
    """The case version a response's ETag carries."""
    return int(response.headers["ETag"].strip('"'))
