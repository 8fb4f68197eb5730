"""Every page in words, for every role: countries, languages, scripts, audit actions and outcomes
by their names in the reader's language, never a code a person must decode."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import ALL_SCRIPTS_CHILD, MOTHER_ABROAD, Api
from tests.web import helpers

# A code standing alone in the text a person reads (not inside a word or a case reference).
CODES = {
    "country code": re.compile(r"(?<![\w-])(?:SY|KZ|IQ)(?![\w-])"),
    "language code": re.compile(r"(?<![\w-])(?:kk|ar)(?![\w-])"),
    "script code": re.compile(r"(?<![\w-])(?:Latn|Cyrl|Arab)(?![\w-])(?! Emirates)"),
    "snake_case word": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "dotted action": re.compile(r"\b(?:auth|case|audit|document|consent|form|report)\.[a-z_]+\b"),
    "backtick": re.compile(r"`"),
}


class _VisibleText(HTMLParser):
    """The text a browser shows: not scripts or styles, but option texts and field values."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        shown = dict(attrs)
        if tag in ("input", "textarea") and shown.get("type") not in ("hidden", "password"):
            self.parts.append(shown.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    reader = _VisibleText()
    reader.feed(html)
    return " ".join(" ".join(reader.parts).split())


def codes_in(html: str) -> dict[str, list[str]]:
    text = visible_text(html)
    found = {what: pattern.findall(text) for what, pattern in CODES.items()}
    return {what: hits for what, hits in found.items() if hits}


@pytest.fixture
def story(api: Api, client: FlaskClient) -> dict[str, Any]:
    """A case with a mother abroad and a DNA request; a refusal and a stale step in the trail."""
    case = api.create_case(child=ALL_SCRIPTS_CHILD, people=[MOTHER_ABROAD])
    api.request_dna(case)
    assert api.get("lawyer3", f"/api/v1/cases/{case['id']}").status_code in (403, 404)
    stale = api.transition("lawyer", case["id"], "parentage", "file_petition", version=1)
    assert stale.status_code in (409, 428), stale.status_code
    return api.case("lawyer", case["id"])


PAGES = {
    "lawyer": [
        "/cases",
        "/cases/{id}",
        "/cases/{id}/particulars",
        "/cases/new",
        "/account/password",
    ],
    "judge": ["/queue", "/cases/{id}"],
    "registrar": ["/queue"],
    "auditor": [
        "/audit",
        "/audit?action=case.read",
        "/audit/cases/{id}",
        "/audit/chain",
        "/dashboard",
    ],
    "admin": ["/dashboard"],
}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("username", list(PAGES))
def test_no_page_shows_a_code(
    client: FlaskClient, story: dict[str, Any], username: str, language: str
) -> None:
    helpers.sign_in(client, username)
    for path in PAGES[username]:
        address = path.format(id=story["id"])
        response = client.get(address, headers={"Accept-Language": language})
        assert response.status_code == 200, (address, response.status_code)
        assert codes_in(helpers.body(response)) == {}, address


def test_the_sign_in_page_shows_no_markdown(client: FlaskClient, app: Any, accounts: Any) -> None:
    from workflow.demo import demo_marker

    with app.app_context():
        demo_marker().parent.mkdir(parents=True, exist_ok=True)
        demo_marker().touch()
    html = helpers.body(client.get("/sign-in"))
    assert "Demonstration accounts" in html
    assert codes_in(html) == {}


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Raqqa, Syria", "Kazakh and Arabic", "Kazakhstan", "Cyrillic", "Arabic"]),
        ("ru", ["Raqqa, Сирия", "казахский и арабский", "Казахстан", "кириллица", "арабица"]),
    ],
)
def test_places_languages_and_scripts_by_name(
    client: FlaskClient, story: dict[str, Any], language: str, words: list[str]
) -> None:
    helpers.sign_in(client, "lawyer")
    html = helpers.body(client.get(f"/cases/{story['id']}", headers={"Accept-Language": language}))
    for word in words:
        assert word in visible_text(html), word


def test_audit_actions_and_outcomes_in_words(client: FlaskClient, story: dict[str, Any]) -> None:
    helpers.sign_in(client, "auditor")
    html = helpers.body(client.get("/audit"))
    text = visible_text(html)
    assert "Signed in" in text and "Read a case" in text
    assert "Refused: changed by someone else first" in text or "Refused" in text
    # The filters are choices: a select for each, its options in words.
    assert re.search(r'<select id="f-action" name="action"', html)
    assert re.search(r'<option value="case.read"[^>]*>Read a case</option>', html)
    assert re.search(r'<select id="f-outcome" name="outcome"', html)
    assert re.search(r'<option value="stale_version"[^>]*>Refused: changed', html)


def test_a_chosen_filter_stays_chosen(client: FlaskClient, story: dict[str, Any]) -> None:
    helpers.sign_in(client, "auditor")
    html = helpers.body(client.get("/audit?action=case.read&outcome=success"))
    assert re.search(r'<option value="case.read" selected>', html)
    assert re.search(r'<option value="success" selected>', html)
    rows = helpers.table_rows(html)
    assert rows and all("Read a case" in row for row in rows)


def test_every_audited_action_and_outcome_has_words() -> None:
    from audit.actions import ACTIONS
    from workflow.errors import HomewardError
    from workflow.web import names

    assert set(ACTIONS.values()) <= set(names.ACTIONS)
    assert {kind.code for kind in HomewardError.__subclasses__()} <= set(names.OUTCOMES)


def test_languages_are_typed_and_shown_by_name(client: FlaskClient, story: dict[str, Any]) -> None:
    helpers.sign_in(client, "lawyer")
    html = helpers.body(client.get(f"/cases/{story['id']}/particulars"))
    assert 'value="Kazakh, Arabic"' in html
