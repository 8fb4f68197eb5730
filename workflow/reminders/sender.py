"""Delivering the outbox after the changes it tells of have committed.

Rows are claimed in a short transaction of their own (an attempt counted and the next one set
back, so a run that dies mid-way is retried later and two runs never both send a row), then
sent with no transaction open, so no lock is held while the SMTP server is talked to; each
outcome is written in a last short transaction. A row still failing after ATTEMPTS tries is
marked failed; `homeward doctor` and the command's output count them, naming nobody."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from workflow.config import ConfigError
from workflow.models import Reminder, User
from workflow.reminders.languages import mail_language
from workflow.reminders.letters import letter
from workflow.vocabulary import Language, ReminderKind, ReminderStatus

ATTEMPTS = 8  # over about four hours of back-off (2, 4, … 128 minutes)
BATCH = 200
Begin = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Mailer:
    """How to reach the SMTP server, from the HOMEWARD_SMTP_* settings."""

    host: str
    port: int
    tls: str
    username: str | None
    password: str | None
    sender: str
    timeout: int

    @classmethod
    def from_config(cls, config: Any) -> Mailer | None:
        """The configured server; None when HOMEWARD_SMTP_HOST is unset (reminders are off)."""
        if not config.get("SMTP_HOST"):
            return None
        password = config.get("SMTP_PASSWORD")
        if config.get("SMTP_PASSWORD_FILE"):
            try:
                password = Path(config["SMTP_PASSWORD_FILE"]).read_text().strip()
            except OSError as error:
                raise ConfigError(
                    f"HOMEWARD_SMTP_PASSWORD_FILE cannot be read ({type(error).__name__})"
                ) from None
        return cls(
            config["SMTP_HOST"],
            int(config["SMTP_PORT"]),
            config["SMTP_TLS"],
            config.get("SMTP_USERNAME"),
            password,
            config["SMTP_FROM"],
            int(config["SMTP_TIMEOUT_SECONDS"]),
        )

    @contextmanager
    def connected(self) -> Iterator[smtplib.SMTP]:
        """A signed-in connection, closed afterwards."""
        context = ssl.create_default_context()
        if self.tls == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.tls == "starttls":
                smtp.starttls(context=context)
            if self.username and self.password:
                smtp.login(self.username, self.password)
            yield smtp


@dataclass(frozen=True)
class Claimed:
    """A row this run may send: what it says, to whom and in which language (None: theirs is
    not chosen)."""

    id: uuid.UUID
    attempts: int
    kind: ReminderKind
    content: dict[str, Any]
    to: str
    language: Language | None = None


def deliver(
    begin: Begin, mailer: Mailer, base: str, now: datetime, default_language: str = "en"
) -> Counter[str]:
    """Send every due row once, each in its recipient's language (else `default_language`);
    count the outcomes (sent, retrying, failed, dropped)."""
    outcomes: Counter[str] = Counter()
    with begin() as db:
        claimed, outcomes["dropped"] = claim(db, now)
    if not claimed:
        return outcomes
    results = _send_all(mailer, base, claimed, Language(default_language))
    with begin() as db:
        for row in claimed:
            outcomes[record(db, row, results[row.id], now)] += 1
    return outcomes


def claim(db: Session, now: datetime) -> tuple[list[Claimed], int]:
    """Take the due rows, counting an attempt on each; drop those nobody can receive now."""
    due = db.execute(
        select(Reminder, User.email, User.reminders, User.active, User.language)
        .join(User, User.id == Reminder.user_id)
        .where(Reminder.status == ReminderStatus.PENDING, Reminder.next_attempt_at <= now)
        .order_by(Reminder.next_attempt_at)
        .limit(BATCH)
    ).all()
    claimed, dropped = [], 0
    for row, email, wanted, active, language in due:
        if not (email and wanted and active):
            row.status, dropped = ReminderStatus.DROPPED, dropped + 1
        elif _took(db, row, now):
            claimed.append(
                Claimed(row.id, row.attempts + 1, row.kind, row.content, email, language)
            )
    db.flush()
    return claimed, dropped


def _took(db: Session, row: Reminder, now: datetime) -> bool:
    """Count an attempt unless another run already did (then it is that run's to send)."""
    taken = db.execute(
        update(Reminder)
        .where(Reminder.id == row.id, Reminder.attempts == row.attempts)
        .values(attempts=row.attempts + 1, next_attempt_at=now + back_off(row.attempts + 1))
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def back_off(attempts: int) -> timedelta:
    """How long after its `attempts`-th try a row is tried again."""
    return timedelta(minutes=2 ** min(attempts, 10))


def _send_all(
    mailer: Mailer, base: str, claimed: list[Claimed], default: Language
) -> dict[uuid.UUID, str | None]:
    """Each row's error's class name, or None once sent; outside any transaction."""
    results: dict[uuid.UUID, str | None] = {}
    try:
        with mailer.connected() as smtp:
            for row in claimed:
                language = mail_language(row.language, default)
                results[row.id] = _send_one(smtp, mailer, base, row, language)
    except (OSError, smtplib.SMTPException) as error:  # the server is down or refused us
        for row in claimed:
            results.setdefault(row.id, type(error).__name__)
    return results


def _send_one(
    smtp: smtplib.SMTP, mailer: Mailer, base: str, row: Claimed, language: Language
) -> str | None:
    try:
        message: EmailMessage = letter(row.kind, row.content, row.to, mailer.sender, base, language)
    except (ValueError, KeyError, TypeError) as error:  # a header that could be bent, refused
        return f"refused:{type(error).__name__}"
    try:
        smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        return type(error).__name__
    return None


def record(db: Session, row: Claimed, error: str | None, now: datetime) -> str:
    """Write one row's outcome; name it."""
    kept = db.get(Reminder, row.id)
    assert kept is not None
    kept.last_error = error
    if error is None:
        kept.status, kept.sent_at = ReminderStatus.SENT, now
        return "sent"
    if row.attempts >= ATTEMPTS or error.startswith("refused:"):
        kept.status = ReminderStatus.FAILED
        return "failed"
    return "retrying"


def counts(db: Session) -> dict[str, int]:
    """How many rows stand in each status."""
    rows = db.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all()
    return {str(status): int(count) for status, count in rows}
