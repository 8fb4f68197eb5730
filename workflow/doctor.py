"""`homeward doctor`: every check production makes before it starts, printed for an operator
before going live. It builds no app, so it works when the app would refuse to start."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import Engine, func, make_url, select
from sqlalchemy.exc import SQLAlchemyError

from workflow import config, db, preflight
from workflow.models import Reminder
from workflow.reminders.sender import ATTEMPTS
from workflow.vocabulary import ReminderStatus


@click.command("doctor")
def doctor_command() -> None:
    """Check what production needs, as production would: a line per check, and exit 1 if any
    problem is found (HOMEWARD_ENV need not be production yet)."""
    settings = config.from_environment()
    values = settings.app_values(settings.instance_folder())
    checks = [*preflight.settings_checks(values), *preflight.file_checks(values)]
    checks += _database_checks(values["DATABASE_URL"])
    if values["ENV"] != "production":
        click.echo("HOMEWARD_ENV is development: checking as production would")
    if not values.get("SMTP_HOST"):
        click.echo("note     reminders are off: HOMEWARD_SMTP_HOST is not set")
    for check in checks:
        if not check.problems:
            click.echo(f"ok       {check.name}")
        for problem in check.problems:
            click.echo(f"problem  {check.name}: {problem}")
    for check in preflight.advice(values):
        for warning in check.problems:
            click.echo(f"warning  {check.name}: {warning}")
    found = preflight.problems(checks)
    click.echo(f"{len(found)} problem(s)" if found else "ready for production")
    sys.exit(1 if found else 0)


def _database_checks(url: str) -> list[preflight.Check]:
    """The database's checks; a SQLite file that is not there is not made by looking for it."""
    path = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and path and not Path(path).exists():
        missing = "no database there yet: run `homeward db upgrade`"
        return [preflight.Check("database", [missing])]
    engine = db.build_engine(url)
    try:
        return [*preflight.database_checks(engine), _failed_reminders(engine)]
    finally:
        engine.dispose()


def _failed_reminders(engine: Engine) -> preflight.Check:
    """Reminders given up on, counted: the rows name cases, so they are not listed here."""
    try:
        with engine.connect() as connection:
            failed = connection.scalar(
                select(func.count()).where(Reminder.status == ReminderStatus.FAILED)
            )
    except SQLAlchemyError:
        return preflight.Check("reminders", [])  # the schema check says what to run
    if not failed:
        return preflight.Check("reminders", [])
    return preflight.Check(
        "reminders",
        [
            f"{failed} reminder(s) failed after {ATTEMPTS} attempts: check the HOMEWARD_SMTP_* "
            "settings and the mail server's log"
        ],
    )
