"""The text of a reminder: case references, step names and links, never a person's name.

A reminder's content is kept as data in the outbox; it is written out here when it is sent, in
the recipient's language (the pages' catalogs, through Flask-Babel's application context, so a
command writes it as a request would), with the service's public address for the links."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from babel.dates import format_date
from flask_babel import force_locale, gettext, ngettext

from forms.catalogue import named
from workflow.db import utcnow
from workflow.vocabulary import Language, ReminderKind


def letter(
    kind: ReminderKind,
    content: dict[str, Any],
    to: str,
    sender: str,
    base: str,
    language: Language = Language.EN,
) -> EmailMessage:
    """The e-mail for one outbox row, with each header checked to hold one plain line."""
    write = _queued if kind is ReminderKind.QUEUED else _digest
    with force_locale(language.value):
        subject, lines = write(content, base, language)
        footer = gettext(
            "You receive this because reminders are on for your Homeward account; "
            "turn them off on %(account)s.",
            account=f"{base}/account",
        )
    message = EmailMessage()
    message["Subject"] = one_line(subject)
    message["From"] = Address(addr_spec=one_line(sender))
    message["To"] = Address(addr_spec=one_line(to))
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message.set_content("\n".join([*lines, "", footer]) + "\n")
    message["Content-Language"] = language.value  # after the content, which resets Content-*
    return message


def one_line(value: str) -> str:
    """The value, if it holds no line break nor any other control character."""
    if any(unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp") for character in value):
        raise ValueError("a header value may not hold a control character")
    return value


def case_link(base: str, reference: str) -> str:
    return f"{base}/cases/{reference}"


def step_name(step: dict[str, str], language: Language) -> str:
    """The track and its state in words of that language, as the pages name them."""
    track = named(language.value, "track", step["track"])
    return f"{track}: {named(language.value, 'state', step['state'])}"


def _queued(content: dict[str, Any], base: str, language: Language) -> tuple[str, list[str]]:
    reference = str(content["reference"])
    lines = [gettext("Case %(reference)s now waits on you:", reference=reference)]
    lines += [f"  - {step_name(step, language)}" for step in content["steps"]]
    lines += ["", gettext("Open it: %(link)s", link=case_link(base, reference))]
    return gettext("Homeward: case %(reference)s waits on you", reference=reference), lines


def _digest(content: dict[str, Any], base: str, language: Language) -> tuple[str, list[str]]:
    waiting, overdue = content["waiting"], content["newly_overdue"]
    total = int(content["total"])
    lines = [gettext("Steps waiting on you: %(count)s.", count=total)]
    if overdue:
        lines += ["", gettext("Overdue since the last digest:")]
        lines += [_entry(item, base, language) for item in overdue]
    lines += ["", gettext("Waiting on you:")]
    lines += [_entry(item, base, language) for item in waiting]
    if content["more_cases"]:
        more = ngettext(
            "… and %(num)d more case: %(link)s",
            "… and %(num)d more cases: %(link)s",
            int(content["more_cases"]),
            link=f"{base}/cases",
        )
        lines.append(f"  {more}")
    subject = ngettext(
        "Homeward: %(num)d step waits on you, %(overdue)s newly overdue",
        "Homeward: %(num)d steps wait on you, %(overdue)s newly overdue",
        total,
        overdue=len(overdue),
    )
    return subject, lines


def _entry(item: dict[str, Any], base: str, language: Language) -> str:
    step = f"{item['reference']} {step_name(item, language)}"
    link = case_link(base, item["reference"])
    if not item.get("due"):
        return f"  - {step}: {link}"
    due = format_date(datetime.fromisoformat(item["due"]).date(), "medium", locale=language.value)
    entry = gettext("%(step)s, due %(date)s: %(link)s", step=step, date=str(due), link=link)
    return f"  - {entry}"
