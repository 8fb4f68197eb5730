"""Where reminders go, set on the account page or by `homeward users`: a plain address or a
clear refusal that writes nothing and sends nothing back; the trail keeps each change and each
refusal, never the address; turning reminders off stops even what was already queued."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from audit.models import AuditEvent
from tests.audit.helpers import outcome_of
from tests.conftest import PASSWORD
from tests.reminders.conftest import Inbox, outbox
from tests.reminders.test_outbox import file_birth_registration
from tests.web.helpers import body, sign_in
from workflow import transactions
from workflow.models import User
from workflow.vocabulary import ReminderStatus

HOSTILE = [
    pytest.param("a" * 10_000 + "@registry.kz", id="10000-characters"),
    pytest.param("registrar.registry.kz", id="no-at"),
    pytest.param("Әлия@registry.kz", id="cyrillic"),
    pytest.param("عالية@registry.kz", id="arabic"),
    pytest.param("registrar@registry.kz\r\nBcc: all@evil.example", id="crlf-header"),
    pytest.param("registrar@registry.kz\n", id="trailing-lf"),
    pytest.param("registrar@registry.kz\x00", id="nul"),
    pytest.param("Registrar <registrar@registry.kz>", id="display-name"),
    pytest.param("a b@registry.kz", id="space"),
    pytest.param("registrar@localhost", id="no-dot"),
    pytest.param("@registry.kz", id="no-local-part"),
]


def stored(app: Flask, username: str) -> tuple[str | None, bool]:
    with app.app_context(), transactions.unit_of_work() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user.email, user.reminders


def save(client: FlaskClient, token: str, email: str, reminders: bool = True) -> Any:
    form = {"csrf_token": token, "email": email, **({"reminders": "on"} if reminders else {})}
    return client.post("/account", data=form)


def test_the_page_keeps_the_address_and_the_choice(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    token = sign_in(client, "registrar")

    response = save(client, token, "Registrar@Registry.Example.KZ", reminders=False)

    assert response.status_code == 303
    assert stored(app, "registrar") == ("Registrar@registry.example.kz", False)
    page = body(client.get("/account"))
    assert 'value="Registrar@registry.example.kz"' in page
    assert outcome_of(app, response) == "success"


@pytest.mark.parametrize("address", HOSTILE)
def test_the_page_refuses_a_hostile_address_and_writes_nothing(
    app: Flask, client: FlaskClient, accounts: Any, address: str
) -> None:
    token = sign_in(client, "registrar")
    save(client, token, "kept@registry.example.kz")

    response = save(client, token, address, reminders=False)

    assert response.status_code == 422
    assert "plain Latin letters, one @, no spaces" in body(response)
    assert address not in body(response) and "evil" not in body(response)
    assert stored(app, "registrar") == ("kept@registry.example.kz", True)
    assert outcome_of(app, response) == "invalid_input"


def test_the_trail_keeps_that_the_address_changed_never_the_address(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    token = sign_in(client, "lawyer")
    save(client, token, "lawyer@hope.example.org")

    with app.app_context(), transactions.unit_of_work() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.account_change")
        )
        [event] = list(events)
    assert event.detail == {"email_changed": True, "email_set": True, "reminders": True}
    assert "hope.example.org" not in str(event.detail)


@pytest.mark.parametrize("address", HOSTILE)
def test_the_cli_refuses_a_hostile_address_and_writes_nothing(
    app: Flask, runner: Any, accounts: Any, address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMEWARD_NEW_PASSWORD", PASSWORD)
    update = runner.invoke(args=["users", "update", "registrar", "--email", address])
    court = ["--role", "official", "--agency", "Almaty City Court"]
    create = runner.invoke(args=["users", "create", "clerk", *court, "--email", address])

    for result in (update, create):
        assert result.exit_code == 2
        assert "--email: give a plain address" in result.output
        assert address not in result.output
    assert stored(app, "registrar") == (None, True)
    with app.app_context(), transactions.unit_of_work() as session:
        assert session.scalar(select(User).where(User.username == "clerk")) is None


def test_turning_reminders_off_drops_what_was_already_queued(
    app: Flask, api: Any, mail_users: dict[str, str], inbox: Inbox, client: FlaskClient, runner: Any
) -> None:
    file_birth_registration(api)
    token = sign_in(client, "registrar")
    save(client, token, mail_users["registrar"], reminders=False)

    result = runner.invoke(args=["reminders", "send"])

    assert "1 dropped" in result.output
    assert inbox.received == []
    assert outbox(app)[0].status is ReminderStatus.DROPPED


def test_the_address_is_sealed_at_rest(app: Flask, client: FlaskClient, accounts: Any) -> None:
    token = sign_in(client, "registrar")
    save(client, token, "registrar@registry.example.kz")

    with app.app_context(), transactions.unit_of_work() as session:
        raw = session.execute(text("SELECT email FROM users WHERE username = 'registrar'"))
        kept = str(raw.scalar_one())
    assert "registry" not in kept and "@" not in kept
    assert stored(app, "registrar")[0] == "registrar@registry.example.kz"
