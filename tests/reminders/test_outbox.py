"""A step that puts a case in an agency's queue tells its officials by mail, through a real SMTP
server: the reference and a link, never a name; nothing for who turned reminders off; a server
down loses nothing; a step rolled back tells nobody."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import event

from tests.factories import ALL_SCRIPTS_CHILD, GRANDMOTHER, MOTHER_ABROAD, Api
from tests.reminders.conftest import Inbox, MailServer, outbox, parsed
from tests.workflow.test_amend_complete import APPROVE, completed_case, file_amendment
from workflow import transactions
from workflow.db import utcnow
from workflow.doctor import doctor_command
from workflow.models import Reminder
from workflow.reminders import sender
from workflow.vocabulary import ReminderStatus

LINK = "https://homeward.example.kz/cases/{}"


def personal_words() -> list[str]:
    """Every name, birth date and place the test case carries, in each script."""
    words = [
        part
        for person in (ALL_SCRIPTS_CHILD, MOTHER_ABROAD, GRANDMOTHER)
        for name in person["names"]
        for part in name.values()
        if part not in ("Cyrl", "Arab", "Latn")
    ]
    return [*words, "2016", "Raqqa", "Almaty region"]


def personal_words_in(*mails: bytes) -> list[str]:
    """The personal words the mails show their reader: every header and every part, decoded.

    The raw bytes would hide a leak in a base64 body and find a year in random digits; the
    Message-ID is left out, its digits are a clock and a random number."""
    shown: list[str] = []
    for raw in mails:
        message = parsed(raw)
        shown += [f"{name}: {value}" for name, value in message.items() if name != "Message-ID"]
        shown += [part.get_content() for part in message.walk() if not part.is_multipart()]
    return [word for word in personal_words() if word in "\n".join(shown)]


def file_birth_registration(api: Api) -> dict[str, Any]:
    """The lawyer files the birth registration: the case reaches the civil registry's queue."""
    case = api.create_case()
    api.step("lawyer", case["id"], "birth_registration", "file")
    return case


def test_a_case_reaching_the_registry_mails_each_registrar_who_wants_it(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox, runner: Any
) -> None:
    case = file_birth_registration(api)

    result = runner.invoke(args=["reminders", "send"])

    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    [raw] = inbox.to(mail_users["registrar"])
    assert inbox.to(mail_users["registrar2"]) == []
    assert len(inbox.received) == 1
    message = parsed(raw)
    text = message.get_content()
    assert case["reference"] in message["Subject"]
    assert LINK.format(case["reference"]) in text
    assert "Birth registration: filed" in text
    assert personal_words_in(raw) == []


def test_the_row_is_written_with_the_step_and_sent_once(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox, runner: Any
) -> None:
    file_birth_registration(api)
    [row] = outbox(app)
    assert row.status is ReminderStatus.PENDING and row.attempts == 0

    runner.invoke(args=["reminders", "send"])
    again = runner.invoke(args=["reminders", "send"])

    [row] = outbox(app)
    assert row.status is ReminderStatus.SENT and row.attempts == 1
    assert "0 sent" in again.output
    assert len(inbox.received) == 1


def test_with_the_server_down_the_step_commits_and_a_later_run_delivers(
    app: Flask, api: Api, mail_users: dict[str, str], mail_server: MailServer, runner: Any
) -> None:
    case = file_birth_registration(api)  # the port is closed: nothing listens yet

    down = runner.invoke(args=["reminders", "send"])

    assert down.exit_code == 1
    assert api.case("lawyer", case["id"])["tracks"]["birth_registration"]["state"] == "filed"
    [row] = outbox(app)
    assert (row.status, row.attempts) == (ReminderStatus.PENDING, 1)
    assert row.last_error == "ConnectionRefusedError"
    mail_server.start()
    with app.app_context():
        too_soon = _deliver(app, utcnow())
        later = _deliver(app, utcnow() + timedelta(minutes=3))
    assert too_soon["sent"] == 0 and later["sent"] == 1
    assert len(mail_server.inbox.to(mail_users["registrar"])) == 1
    assert outbox(app)[0].status is ReminderStatus.SENT


def test_a_row_failing_every_attempt_is_marked_failed_and_doctor_counts_it(
    app: Flask, api: Api, mail_users: dict[str, str]
) -> None:
    case = file_birth_registration(api)
    with app.app_context():
        for attempt in range(sender.ATTEMPTS):
            _deliver(app, utcnow() + timedelta(days=attempt))

    [row] = outbox(app)
    assert (row.status, row.attempts) == (ReminderStatus.FAILED, sender.ATTEMPTS)
    environment = {"HOMEWARD_DATABASE_URL": app.config["DATABASE_URL"]}
    doctor = CliRunner().invoke(doctor_command, env=environment)
    assert f"1 reminder(s) failed after {sender.ATTEMPTS} attempts" in doctor.output
    [line] = [line for line in doctor.output.splitlines() if "reminder(s) failed" in line]
    assert case["reference"] not in line and "@" not in line


class InjectedFailure(RuntimeError):
    pass


@pytest.fixture
def failing_outbox() -> Iterator[None]:
    """Fail the transaction right after the outbox row is written."""

    def explode(*_args: Any) -> None:
        raise InjectedFailure("injected after the outbox insert")

    event.listen(Reminder, "after_insert", explode)
    yield
    event.remove(Reminder, "after_insert", explode)


def test_a_step_rolled_back_leaves_no_message(
    app: Flask, api: Api, mail_users: dict[str, str], request: Any
) -> None:
    case = api.create_case()
    request.getfixturevalue("failing_outbox")

    response = api.transition("lawyer", case["id"], "birth_registration", "file")

    assert response.status_code == 500
    assert outbox(app) == []
    state = api.case("lawyer", case["id"])["tracks"]["birth_registration"]["state"]
    assert state == "not_started"


def test_nobody_is_mailed_of_their_own_step_nor_when_the_case_was_already_theirs(
    app: Flask, api: Api, mail_users: dict[str, str]
) -> None:
    case = file_birth_registration(api)
    api.step("registrar", case["id"], "birth_registration", "take_review")

    assert [row.user_id for row in outbox(app)] == [_user_id(app, "registrar")]


def _user_id(app: Flask, username: str) -> Any:
    from sqlalchemy import select

    from workflow.models import User

    with app.app_context(), transactions.unit_of_work() as session:
        return session.scalar(select(User.id).where(User.username == username))


def _deliver(app: Flask, now: Any) -> Any:
    mailer = sender.Mailer.from_config(app.config)
    assert mailer is not None
    return sender.deliver(transactions.unit_of_work, mailer, "https://homeward.example.kz", now)


def test_without_an_smtp_host_reminders_are_off_and_doctor_says_so(app: Flask, runner: Any) -> None:
    app.config["SMTP_HOST"] = None

    sent = runner.invoke(args=["reminders", "send"])
    doctor = CliRunner().invoke(doctor_command, env={"HOMEWARD_ENV": "production"})

    assert sent.exit_code == 0 and "reminders are off" in sent.output
    assert "note     reminders are off: HOMEWARD_SMTP_HOST is not set" in doctor.output


def test_an_amendment_of_a_complete_case_tells_the_registry(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox, runner: Any
) -> None:
    case = completed_case(api, app)
    runner.invoke(args=["reminders", "send"])
    sent = len(inbox.to(mail_users["registrar"]))

    file_amendment(api, case)
    result = runner.invoke(args=["reminders", "send"])

    assert "1 sent" in result.output
    [*_, raw] = inbox.to(mail_users["registrar"])
    assert len(inbox.to(mail_users["registrar"])) == sent + 1
    assert case["reference"] in parsed(raw)["Subject"]
    # The registry's decision waits on nobody: the lawyer is not told a complete case waits.
    api.step("registrar", case["id"], "birth_registration", "approve_amendment", APPROVE)
    assert "0 sent" in runner.invoke(args=["reminders", "send"]).output
