"""Using the web pages as a browser does: sign in through the form, carry its CSRF token, fill a
step's form and search, read the tables and the errors beside the fields a page shows."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD
from workflow import transactions
from workflow.models import TrackState

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
# A day still to come however long the suite runs, across midnight too (the constant is fixed
# when the module is imported): the day after tomorrow.
DAY_AFTER_TOMORROW = (date.today() + timedelta(days=2)).isoformat()
# A second child, with a father who died, told apart from the factories' child in every script.
OTHER_PEOPLE = [
    {
        "relation": "father",
        "names": [{"script": "Cyrl", "given": "Марат", "family": "Садыков"}],
        "alive": False,
    }
]
OTHER_CHILD = {
    "names": [
        {"script": "Latn", "given": "Timur", "family": "Sadykov"},
        {"script": "Cyrl", "given": "Тимур", "family": "Садыков"},
        {"script": "Arab", "given": "تيمور", "family": "صادقوف"},
    ],
    "sex": "male",
    "birth_date": {"value": "2017-05-01", "precision": "month"},
    "birth_place": {"country": "IQ", "locality": "Mosul"},
}


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


def answer(response: TestResponse) -> Any:
    """The API's JSON answer."""
    assert response.json is not None, response.status_code
    return response.json


def search(client: FlaskClient, token: str, name: str) -> TestResponse:
    """Search my cases by name, as the list's search form does: posted, never in the address."""
    return client.post("/cases", data={"csrf_token": token, "q": name})


def listed(html: str) -> list[str]:
    """The references of the cases a list or queue links to, in its order."""
    return re.findall(r">(HW-[A-Z0-9-]+)</a>", html)


def step_form(case: dict[str, Any], token: str, track: str, action: str, **data: str) -> Any:
    """A step's form as the case page posts it, drawn at the case's version."""
    return {
        "csrf_token": token,
        "track": track,
        "action": action,
        "version": str(case["version"]),
        "last_step": "0",
        **{f"data.{name}": value for name, value in data.items()},
    }


def field_id(name: str) -> str:
    """The id a page gives the field `name` (see the `field_id` filter)."""
    return "f-" + name.replace(".", "-").replace("_", "-")


def field_error(html: str, name: str, input_id: str | None = None) -> str:
    """The error shown beside the form field `name`, which points to it for screen readers."""
    fid = field_id(name)
    found = re.search(
        rf'<p class="field-error" id="{fid}-error">([^<]+)</p>\s*'
        rf'<(?:input|select|textarea)[^>]*\bid="{input_id or fid}"[^>]*'
        rf'aria-describedby="{fid}-error"',
        html,
    )
    assert found, f"no error beside {name}"
    return found.group(1)


def field_errors(html: str) -> list[str]:
    """The ids of every field the page shows an error beside."""
    return re.findall(r'<p class="field-error" id="f-([^"]+)-error">', html)


def backdate(app: Flask, case_id: str, track: str, days: int) -> None:
    """Move the time a track entered its state `days` back, as if it had waited that long."""
    since = datetime.now(UTC) - timedelta(days=days)
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(
            update(TrackState)
            .where(TrackState.case_id == uuid.UUID(case_id), TrackState.track == track)
            .values(since=since)
        )


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
