"""Each reminder comes in its reader's language, subject and text, through a real SMTP server:
a Kazakh-speaking registrar reads hers in Kazakh, a judge who chose Russian in Russian, a lawyer
who chose nothing in the service's default; steps by their names, dates as the language writes
them, and still no name of a child or a relative."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from babel.dates import format_date
from flask import Flask

from tests.factories import Api
from tests.reminders.conftest import Inbox, outbox, parsed
from tests.reminders.test_digest import run_digest
from tests.reminders.test_outbox import LINK, file_birth_registration, personal_words_in
from workflow.db import utcnow

# What the English letters say: none of it may be left in another language's.
ENGLISH = [
    "waits on you",
    "wait on you",
    "Open it",
    "You receive this",
    "reminders are on",
    "Steps waiting",
    "Overdue since",
    "Waiting on you",
    "newly overdue",
    ", due ",
    "Birth registration",
    "DNA kinship",
    "filed",
    "requested",
]


def choose(runner: Any, username: str, language: str) -> None:
    result = runner.invoke(args=["users", "update", username, "--language", language])
    assert result.exit_code == 0, result.output


def letters_to(inbox: Inbox, address: str) -> list[EmailMessage]:
    return [parsed(raw) for raw in inbox.to(address)]


def whole(message: EmailMessage) -> str:
    return f"{message['Subject']}\n{message.get_content()}"


def english_left(text: str) -> list[str]:
    return [sentence for sentence in ENGLISH if sentence in text]


def names_left(inbox: Inbox) -> list[str]:
    return personal_words_in(*(raw for _to, raw in inbox.received))


def test_a_kazakh_registrar_is_told_in_kazakh_that_a_case_waits_on_her(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox, runner: Any
) -> None:
    choose(runner, "registrar", "kk")
    case = file_birth_registration(api)

    result = runner.invoke(args=["reminders", "send"])

    assert "1 sent" in result.output
    [message] = letters_to(inbox, mail_users["registrar"])
    assert message["Subject"] == f"Homeward: {case['reference']} ісі сіздің әрекетіңізді күтуде"
    text = message.get_content()
    assert f"{case['reference']} ісі енді сіздің әрекетіңізді күтуде:" in text
    assert "Тууды тіркеу: берілді" in text  # the track and its state, as the pages name them
    assert f"Ашу: {LINK.format(case['reference'])}" in text
    assert "есептік жазбаңызда ескертулер қосулы" in text
    assert message["Content-Language"] == "kk"
    assert english_left(whole(message)) == []
    assert names_left(inbox) == []


def test_a_kazakh_registrars_digest_is_in_kazakh_with_kazakh_dates(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox, runner: Any
) -> None:
    choose(runner, "registrar", "kk")
    case = file_birth_registration(api)

    run_digest(app, utcnow() + timedelta(days=6))

    [digest] = [m for m in letters_to(inbox, mail_users["registrar"]) if "қадам" in m["Subject"]]
    assert digest["Subject"] == (
        "Homeward: 1 қадам сіздің әрекетіңізді күтуде, жаңадан мерзімі өткені: 1"
    )
    text = digest.get_content()
    assert "Сіздің әрекетіңізді күтетін қадамдар: 1." in text
    assert "Соңғы жинақтан бері мерзімі өткендер:" in text
    [due] = [row.content["waiting"][0]["due"] for row in outbox(app) if "waiting" in row.content]
    day = datetime.fromisoformat(due).date()
    kazakh = format_date(day, "medium", locale="kk")
    assert f"{case['reference']} Тууды тіркеу: берілді, мерзімі {kazakh}:" in text
    assert day.isoformat() not in text  # a date as Kazakh writes it, not a code
    assert english_left(whole(digest)) == []
    assert names_left(inbox) == []


def test_a_judge_who_chose_russian_reads_russian_and_the_lawyer_the_default(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox, runner: Any
) -> None:
    choose(runner, "judge", "ru")
    case = api.create_case()
    api.request_dna(case)  # the court's now
    api.step("judge", case["id"], "dna", "refuse", {"reason": "no order for the test"})

    runner.invoke(args=["reminders", "send"])

    [judge] = letters_to(inbox, mail_users["judge"])
    assert judge["Subject"] == f"Homeward: дело {case['reference']} ожидает ваших действий"
    assert "ДНК-экспертиза родства: запрошено" in judge.get_content()
    assert "Открыть: " in judge.get_content()
    assert english_left(whole(judge)) == []
    [lawyer] = letters_to(inbox, mail_users["lawyer"])  # the refusal came back to the lawyer
    assert lawyer["Subject"] == f"Homeward: case {case['reference']} waits on you"
    assert "DNA kinship: refused" in lawyer.get_content()
    assert names_left(inbox) == []


def test_a_user_who_chose_no_language_gets_the_services_default(
    app: Flask, api: Api, mail_users: dict[str, str], inbox: Inbox, runner: Any
) -> None:
    app.config["DEFAULT_LANGUAGE"] = "ru"
    choose(runner, "judge", "en")
    case = api.create_case()
    api.request_dna(case)
    file_birth_registration(api)

    runner.invoke(args=["reminders", "send"])

    [registrar] = letters_to(inbox, mail_users["registrar"])
    assert "Регистрация рождения: подано" in registrar.get_content()
    [judge] = letters_to(inbox, mail_users["judge"])
    assert f"Homeward: case {case['reference']} waits on you" == judge["Subject"]
