"""Using the web pages as a browser does: sign in through the form, carry its CSRF token, read
the tables a page shows."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def body(response: TestResponse) -> str:
    """The page's HTML."""
    return response.get_data(as_text=True)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on the page."""
    found = CSRF_FIELD.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, username: str) -> str:
    """Sign in through the form and land on the user's start page, as a browser would; return
    the CSRF token of the new session (signing in starts a fresh one, so the old token is void).
    """
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "username": username, "password": PASSWORD},
        follow_redirects=True,
    )
    assert response.status_code == 200, response.status_code
    assert username in response.get_data(as_text=True), "the start page names no signed-in user"
    return csrf_token(response.get_data(as_text=True))


def row_of(html: str, reference: str) -> str:
    """The table row of the case list or queue that shows this case."""
    rows = [row for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if reference in row]
    assert len(rows) == 1, f"{reference} is shown {len(rows)} times"
    return str(rows[0])


def table_rows(html: str, caption: str | None = None) -> list[list[str]]:
    """The text of each body row's cells, of every table or only of the one with this caption."""
    reader = _TableReader()
    reader.feed(html)
    return [row for found, row in reader.rows if caption is None or found == caption]


class _TableReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self._caption = ""
        self._text: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._caption = ""
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self._row = []
        elif tag in ("th", "td", "caption"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag == "caption" and self._text is not None:
            self._caption, self._text = " ".join("".join(self._text).split()), None
        elif tag in ("th", "td") and self._text is not None:
            if self._row is not None:
                self._row.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "tr" and self._row is not None:
            self.rows.append((self._caption, self._row))
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)
