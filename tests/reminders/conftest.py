"""A real SMTP server on loopback (aiosmtpd), on a port of its own, and users who want mail."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask
from sqlalchemy import select

from tests.conftest import PASSWORD
from workflow import transactions
from workflow.models import Reminder

REGISTRY = "Civil Registry Office, Almaty"
ADDRESSES = {
    "registrar": "registrar@registry.example.kz",
    "registrar2": "second.registrar@registry.example.kz",
    "lawyer": "lawyer@hope.example.org",
    "judge": "judge@court.example.kz",
}


class Inbox:
    """What the server received: each message's envelope recipients and raw bytes."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[bytes]:
        return [raw for recipients, raw in self.received if address in recipients]


class MailServer:
    """An SMTP server on a loopback port that is free until it is started."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """The server, not yet listening: a test starts it, or leaves the port closed."""
    server = MailServer()
    yield server
    server.stop()


@pytest.fixture
def app_config(mail_server: MailServer) -> dict[str, Any]:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": mail_server.port,
        "SMTP_TLS": "none",
        "PUBLIC_URL": "https://homeward.example.kz",
    }


@pytest.fixture
def inbox(mail_server: MailServer) -> Inbox:
    mail_server.start()
    return mail_server.inbox


@pytest.fixture
def mail_users(runner: Any, accounts: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A second registrar who turned reminders off, and an address for each, set as an
    operator sets them: through `homeward users`."""
    monkeypatch.setenv("HOMEWARD_NEW_PASSWORD", PASSWORD)
    created = runner.invoke(
        args=["users", "create", "registrar2", "--role", "official", "--agency", REGISTRY]
    )
    assert created.exit_code == 0, created.output
    for username, address in ADDRESSES.items():
        result = runner.invoke(args=["users", "update", username, "--email", address])
        assert result.exit_code == 0, result.output
    off = runner.invoke(args=["users", "update", "registrar2", "--no-reminders"])
    assert off.exit_code == 0, off.output
    return ADDRESSES


def parsed(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def outbox(app: Flask) -> list[Reminder]:
    with app.app_context(), transactions.unit_of_work() as session:
        return list(session.scalars(select(Reminder).order_by(Reminder.created_at)))
