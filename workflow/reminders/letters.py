"""The text of a reminder: case references, step names and links, never a person's name.

A reminder's content is kept as data in the outbox; it is written out here when it is sent,
with the service's public address for the links."""

from __future__ import annotations

import unicodedata
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from workflow.db import utcnow
from workflow.vocabulary import ReminderKind

FOOTER = (
    "You receive this because reminders are on for your Homeward account; "
    "turn them off on {account}."
)


def letter(
    kind: ReminderKind, content: dict[str, Any], to: str, sender: str, base: str
) -> EmailMessage:
    """The e-mail for one outbox row, with each header checked to hold one plain line."""
    subject, lines = (_queued if kind is ReminderKind.QUEUED else _digest)(content, base)
    message = EmailMessage()
    message["Subject"] = one_line(subject)
    message["From"] = Address(addr_spec=one_line(sender))
    message["To"] = Address(addr_spec=one_line(to))
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    footer = FOOTER.format(account=f"{base}/account")
    message.set_content("\n".join([*lines, "", footer]) + "\n")
    return message


def one_line(value: str) -> str:
    """The value, if it holds no line break nor any other control character."""
    if any(unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp") for character in value):
        raise ValueError("a header value may not hold a control character")
    return value


def case_link(base: str, reference: str) -> str:
    return f"{base}/cases/{reference}"


def step_name(step: dict[str, str]) -> str:
    return f"{step['track'].replace('_', ' ')}: {step['state'].replace('_', ' ')}"


def _queued(content: dict[str, Any], base: str) -> tuple[str, list[str]]:
    reference = str(content["reference"])
    lines = [f"Case {reference} now waits on you:"]
    lines += [f"  - {step_name(step)}" for step in content["steps"]]
    lines += ["", f"Open it: {case_link(base, reference)}"]
    return f"Homeward: case {reference} waits on you", lines


def _digest(content: dict[str, Any], base: str) -> tuple[str, list[str]]:
    waiting, overdue = content["waiting"], content["newly_overdue"]
    lines = [f"Steps waiting on you: {content['total']}."]
    if overdue:
        lines += ["", "Overdue since the last digest:"]
        lines += [_entry(item, base) for item in overdue]
    lines += ["", "Waiting on you:"] + [_entry(item, base) for item in waiting]
    if content["more_cases"]:
        lines.append(f"  … and {content['more_cases']} more case(s): {base}/cases")
    subject = f"Homeward: {content['total']} step(s) wait on you, {len(overdue)} newly overdue"
    return subject, lines


def _entry(item: dict[str, Any], base: str) -> str:
    due = f", due {item['due'][:10]}" if item.get("due") else ""
    link = case_link(base, item["reference"])
    return f"  - {item['reference']} {step_name(item)}{due}: {link}"
