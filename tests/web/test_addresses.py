"""An over-long id or name in a page's address (`web/addresses.py`) reaches its view and is
answered as one that names nothing: the page a missing case or document gets, with the same
event in the trail, never the router's page for an address it does not know."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from tests.security.strangers import answer_of
from tests.web.helpers import body

OVER_LONG = "x" * 5000


def bounded_routes(app: Flask) -> list[Rule]:
    """The pages' routes whose address carries an id or a name."""
    return [rule for rule in app.url_map.iter_rules() if "<id:" in rule.rule]


def main_of(html: str) -> str:
    """What the page says, without its header (which repeats the address for the language form)."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_an_over_long_id_is_answered_as_an_id_that_names_nothing(
    app: Flask, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    assert bounded_routes(app)
    for rule in bounded_routes(app):
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        answers = []
        for value in (str(uuid.uuid4()), OVER_LONG):
            path = app.url_map.bind("localhost").build(
                rule.endpoint, dict.fromkeys(rule.arguments, value), method=method
            )
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(path, method=method, data=data)
            answers.append((answer_of(app, response), main_of(body(response))))
        (missing, over_long) = answers
        assert missing[0] == (404, "not_found"), rule.endpoint
        assert over_long == missing, rule.endpoint
