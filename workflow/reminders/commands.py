"""`homeward reminders send` and `digest`, for a timer: each run's transactions are short, and
no transaction is open while the SMTP server is talked to."""

from __future__ import annotations

import sys
from collections import Counter

import click
from flask import current_app
from flask.cli import AppGroup

from audit.recorder import record_command
from workflow import transactions
from workflow.db import utcnow
from workflow.reminders import digest, sender


@click.group("reminders", cls=AppGroup)
def reminders_group() -> None:
    """Reminders by e-mail."""


@reminders_group.command("send")
def reminders_send() -> None:
    """Send the outbox's due messages; exit 1 if some could not be sent (they are retried)."""
    outcomes = send_due()
    if outcomes is not None and (outcomes["retrying"] or outcomes["failed"]):
        sys.exit(1)


@reminders_group.command("digest")
def reminders_digest() -> None:
    """Queue each official's and lawyer's daily digest, then send the outbox."""
    with transactions.unit_of_work() as session:
        queued = digest.queue_digests(session, utcnow())
        record_command(session, "admin.reminders_digest", detail={"queued": queued})
    click.echo(f"{queued} digest(s) queued")
    send_due()


def send_due() -> Counter[str] | None:
    """Deliver what is due and say how it went (counts only: the rows name cases); None when
    HOMEWARD_SMTP_HOST is unset."""
    mailer = sender.Mailer.from_config(current_app.config)
    if mailer is None:
        click.echo("reminders are off: HOMEWARD_SMTP_HOST is not set")
        return None
    base = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    language = str(current_app.config["DEFAULT_LANGUAGE"])
    outcomes = sender.deliver(transactions.unit_of_work, mailer, base, utcnow(), language)
    click.echo(
        f"reminders: {outcomes['sent']} sent, {outcomes['retrying']} to retry, "
        f"{outcomes['failed']} failed for good, {outcomes['dropped']} dropped"
    )
    if outcomes["failed"]:
        click.echo(
            f"error: {outcomes['failed']} reminder(s) failed after {sender.ATTEMPTS} attempts; "
            "`homeward doctor` counts them",
            err=True,
        )
    return outcomes
