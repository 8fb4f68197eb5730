"""No value reaching a header can add one: a subject part or an address holding CR, LF or any
other control character is refused when the message is written, the row is marked failed
without retrying, and the SMTP server receives nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from tests.reminders.conftest import Inbox, outbox
from tests.reminders.test_outbox import file_birth_registration
from workflow import transactions
from workflow.db import utcnow
from workflow.models import Reminder, User
from workflow.reminders import sender
from workflow.reminders.letters import letter
from workflow.vocabulary import ReminderKind, ReminderStatus

BENT = [
    "HW-AAAA\r\nBcc: everyone@evil.example",
    "HW-AAAA\nBcc: everyone@evil.example",
    "HW-AAAA\rBcc: everyone@evil.example",
    "HW-AAAA\u2028Bcc: everyone@evil.example",
    "HW-AAAA\x00",
]
STEPS = [{"track": "dna", "state": "requested"}]


@pytest.mark.parametrize("reference", BENT)
def test_a_bent_subject_part_is_refused(reference: str) -> None:
    content = {"reference": reference, "steps": STEPS}
    with pytest.raises(ValueError):
        letter(ReminderKind.QUEUED, content, "a@b.kz", "homeward@b.kz", "https://h.kz")


@pytest.mark.parametrize(
    "address", ["a@b.kz\r\nBcc: x@evil.example", "a@b.kz\n", "a@b.kz>, x@e.kz"]
)
def test_a_bent_address_is_refused(address: str) -> None:
    content = {"reference": "HW-AAAA", "steps": STEPS}
    with pytest.raises(ValueError):
        letter(ReminderKind.QUEUED, content, address, "homeward@b.kz", "https://h.kz")


def test_a_bent_row_fails_at_once_and_nothing_is_sent(
    app: Flask, api: Any, mail_users: dict[str, str], inbox: Inbox
) -> None:
    file_birth_registration(api)
    with app.app_context(), transactions.unit_of_work() as session:
        # As if a stored address had been bent behind the checks' back.
        bent = "registrar@registry.example.kz\r\nBcc: everyone@evil.example"
        session.scalar(select(User).where(User.username == "registrar")).email = bent  # type: ignore[union-attr]
        session.execute(update(Reminder).values(content={"reference": BENT[0], "steps": STEPS}))

    with app.app_context():
        mailer = sender.Mailer.from_config(app.config)
        assert mailer is not None
        outcomes = sender.deliver(transactions.unit_of_work, mailer, "https://h.kz", utcnow())

    assert outcomes["failed"] == 1
    [row] = outbox(app)
    assert (row.status, row.attempts, row.last_error) == (
        ReminderStatus.FAILED,
        1,
        "refused:ValueError",
    )
    assert inbox.received == []
