"""Where a user's mail language is chosen: the pages' picker while signed in, the account page,
or `homeward users`. Only en, ru or kk is kept; anything else is refused with nothing written
and nothing sent back; the trail keeps each choice and each refusal."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from audit.models import AuditEvent
from tests.audit.helpers import outcome_of
from tests.conftest import PASSWORD
from tests.web.helpers import body, sign_in
from workflow import transactions
from workflow.models import User

HOSTILE = [
    pytest.param("xx", id="unknown-code"),
    pytest.param("KK", id="upper-case"),
    pytest.param("k" * 10_000, id="10000-characters"),
    pytest.param("қазақша", id="unicode"),
    pytest.param("kk\r\nBcc: all@evil.example", id="crlf"),
    pytest.param("kk\x00", id="nul"),
    pytest.param("", id="empty"),
]


def stored(app: Flask, username: str) -> tuple[str | None, str | None]:
    with app.app_context(), transactions.unit_of_work() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user.language, user.email


def save(client: FlaskClient, token: str, language: str, email: str = "") -> Any:
    form = {"csrf_token": token, "email": email, "reminders": "on", "language": language}
    return client.post("/account", data=form)


def pick(client: FlaskClient, token: str, language: str) -> Any:
    return client.post("/language", data={"csrf_token": token, "language": language, "next": "/"})


def test_the_account_page_keeps_the_language_and_shows_it_chosen(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    token = sign_in(client, "registrar")

    response = save(client, token, "kk")

    assert response.status_code == 303
    assert stored(app, "registrar")[0] == "kk"
    assert outcome_of(app, response) == "success"
    page = body(client.get("/account"))
    assert '<option value="kk" selected>Қазақша</option>' in page


@pytest.mark.parametrize("language", HOSTILE)
def test_the_account_page_refuses_a_hostile_language_and_writes_nothing(
    app: Flask, client: FlaskClient, accounts: Any, language: str
) -> None:
    token = sign_in(client, "registrar")
    save(client, token, "ru", "kept@registry.example.kz")

    response = save(client, token, language, "other@registry.example.kz")

    assert response.status_code == 422
    assert "Выберите один из предложенных языков." in body(response)  # the page is in ru now
    assert "evil" not in body(response) and "k" * 100 not in body(response)
    assert stored(app, "registrar") == ("ru", "kept@registry.example.kz")
    assert outcome_of(app, response) == "invalid_input"


def test_the_trail_keeps_the_choice_of_language(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    token = sign_in(client, "lawyer")
    save(client, token, "kk")
    save(client, token, "xx")

    with app.app_context(), transactions.unit_of_work() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "auth.account_change")
            .order_by(AuditEvent.seq)
        )
        kept, refused = [event.detail for event in events]
    assert kept["language"] == "kk"
    assert refused == {"refused": "language_unknown"}


def test_picking_a_language_while_signed_in_keeps_it_for_the_mail_and_the_next_sign_in(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    token = sign_in(client, "registrar")

    response = pick(client, token, "kk")

    assert response.status_code == 303
    assert stored(app, "registrar")[0] == "kk"
    assert outcome_of(app, response) == "success"
    client.post("/sign-out", data={"csrf_token": token})
    with client.session_transaction() as browser:
        browser.clear()  # another browser: nothing of the pick but what the account keeps
    sign_in(client, "registrar")
    assert '<html lang="kk"' in body(client.get("/account"))


@pytest.mark.parametrize("language", HOSTILE)
def test_a_hostile_pick_changes_nothing(
    app: Flask, client: FlaskClient, accounts: Any, language: str
) -> None:
    token = sign_in(client, "registrar")
    pick(client, token, "ru")

    response = pick(client, token, language)

    assert response.status_code == 303
    assert stored(app, "registrar")[0] == "ru"
    assert "evil" not in response.headers["Location"]


def test_a_pick_before_signing_in_belongs_to_the_browser_only(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    page = body(client.get("/sign-in"))
    token = page.split('name="csrf_token" value="')[1].split('"')[0]

    pick(client, token, "kk")

    with app.app_context(), transactions.unit_of_work() as session:
        assert set(session.scalars(select(User.language))) == {None}


@pytest.mark.parametrize("language", HOSTILE)
def test_the_cli_refuses_a_hostile_language_and_writes_nothing(
    app: Flask, runner: Any, accounts: Any, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMEWARD_NEW_PASSWORD", PASSWORD)
    update = runner.invoke(
        args=["users", "update", "registrar", "--language", language, "--email", "a@b.kz"]
    )
    court = ["--role", "official", "--agency", "Almaty City Court"]
    create = runner.invoke(args=["users", "create", "clerk", *court, "--language", language])

    for result in (update, create):
        assert result.exit_code == 2
        assert "--language: choose en, ru or kk" in result.output
        assert "evil" not in result.output and "k" * 100 not in result.output
    assert stored(app, "registrar") == (None, None)
    with app.app_context(), transactions.unit_of_work() as session:
        assert session.scalar(select(User).where(User.username == "clerk")) is None


def test_the_cli_keeps_the_language_and_the_trail_says_so(
    app: Flask, runner: Any, accounts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMEWARD_NEW_PASSWORD", PASSWORD)
    court = ["--role", "official", "--agency", "Almaty City Court"]

    created = runner.invoke(args=["users", "create", "clerk", *court, "--language", "kk"])
    updated = runner.invoke(args=["users", "update", "registrar", "--language", "ru"])

    assert created.exit_code == 0 and updated.exit_code == 0, created.output + updated.output
    assert stored(app, "clerk")[0] == "kk" and stored(app, "registrar")[0] == "ru"
    with app.app_context(), transactions.unit_of_work() as session:
        actions = ("admin.user_create", "admin.user_update")
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.in_(actions)))
        languages = sorted(str(event.detail.get("language")) for event in events)
    assert languages == ["kk", "ru"]
