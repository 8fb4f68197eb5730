"""The daily digest: for each official and lawyer who wants reminders, what waits on them and
what fell overdue since their last digest, as references and links, received by a real SMTP
server, with no name, birth date or place in it."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from tests.factories import Api
from tests.reminders.conftest import Inbox, parsed
from tests.reminders.test_outbox import LINK, file_birth_registration, personal_words_in
from tests.workflow.test_amend_complete import completed_case, file_amendment
from workflow import transactions
from workflow.db import utcnow
from workflow.reminders import digest, sender

BASE = "https://homeward.example.kz"


def run_digest(app: Flask, now: datetime) -> int:
    """What `homeward reminders digest` does, on the day given."""
    with app.app_context():
        with transactions.unit_of_work() as session:
            queued = digest.queue_digests(session, now)
        mailer = sender.Mailer.from_config(app.config)
        assert mailer is not None
        sender.deliver(transactions.unit_of_work, mailer, BASE, now)
    return queued


def text_of(inbox: Inbox, address: str) -> list[str]:
    """Each digest the address received: its subject and text."""
    return [
        f"{message['Subject']}\n{message.get_content()}"
        for message in map(parsed, inbox.to(address))
        if "newly overdue" in str(message["Subject"])
    ]


def test_each_digest_lists_what_waits_on_its_reader_and_what_fell_overdue(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox
) -> None:
    registry_case = file_birth_registration(api)  # filed: due at the registry within 5 days
    court_case = api.create_case()
    api.request_dna(court_case)  # requested: the court's, due within 14 days
    week_later = utcnow() + timedelta(days=6)

    assert run_digest(app, week_later) == 2  # the registrar and the judge; nothing waits on
    # the lawyer (the judge, reading a step only, and the registrar who turned them off, nothing)

    [registrar] = text_of(inbox, mail_users["registrar"])
    assert "Overdue since the last digest:" in registrar
    assert f"{registry_case['reference']} Birth registration: filed" in registrar
    assert LINK.format(registry_case["reference"]) in registrar
    assert court_case["reference"] not in registrar
    [judge] = text_of(inbox, mail_users["judge"])
    assert f"{court_case['reference']} DNA kinship: requested" in judge
    assert "Overdue since the last digest" not in judge
    assert text_of(inbox, mail_users["registrar2"]) == []
    assert personal_words_in(*(raw for _to, raw in inbox.received)) == []


def test_an_overdue_step_is_told_once_then_only_listed(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox
) -> None:
    case = file_birth_registration(api)
    run_digest(app, utcnow() + timedelta(days=6))

    run_digest(app, utcnow() + timedelta(days=7))

    first, second = text_of(inbox, mail_users["registrar"])
    assert "1 newly overdue" in first and "0 newly overdue" in second
    assert f"{case['reference']} Birth registration: filed" in second


def test_a_lawyer_hears_of_a_step_that_came_back_to_them(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox
) -> None:
    case = api.create_case()
    api.request_dna(case)
    api.step("judge", case["id"], "dna", "refuse", {"reason": "no order for the test"})

    run_digest(app, utcnow())

    [lawyer] = text_of(inbox, mail_users["lawyer"])
    assert f"{case['reference']} DNA kinship: refused" in lawyer
    told = [parsed(raw)["Subject"] for raw in inbox.to(mail_users["lawyer"])]
    assert f"Homeward: case {case['reference']} waits on you" in told  # when it came back


def test_the_registry_digest_lists_an_amendment_of_a_complete_case(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox
) -> None:
    case = completed_case(api, app)
    file_amendment(api, case)

    run_digest(app, utcnow() + timedelta(days=1))

    [registrar] = text_of(inbox, mail_users["registrar"])
    assert f"{case['reference']} Birth registration: amendment filed" in registrar
    assert [
        text for text in text_of(inbox, mail_users["lawyer"]) if case["reference"] in text
    ] == []
