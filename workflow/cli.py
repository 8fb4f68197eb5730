"""The `homeward` command: database, demo data, users, workflows and keys."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from audit.recorder import record_command
from workflow import database_roles, migrations, sealing, transactions
from workflow.backup.commands import backup_command, restore_command
from workflow.config import ConfigError
from workflow.config.cli import config_group
from workflow.doctor import doctor_command
from workflow.errors import HomewardError
from workflow.identity import keys
from workflow.identity.operations import create_user, update_user
from workflow.models import Agency, Case, User
from workflow.rules import catalogue
from workflow.vocabulary import AgencyKind, Language, Role


def _create_app() -> Flask:
    from workflow import create_app

    return create_app()


class HomewardGroup(FlaskGroup):
    """Flask's command group, with a setting that stops the service, or a database that cannot
    be used, said in one line rather than a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            fail(*error.problems)
        except (OperationalError, ProgrammingError) as error:
            # The driver's text can carry the statement's parameters, names among them.
            if database_roles.lacks_a_right(error):
                fail(
                    "the database role lacks a right this needs: migrate (`homeward db upgrade`) "
                    "and restore as the role that owns the schema; serve as the runtime role, "
                    "given its rights by `homeward db grant ROLE` run as the owner"
                )
            fail(
                f"the database cannot be used ({type(error.orig).__name__}): are "
                "HOMEWARD_DATABASE_URL and HOMEWARD_INSTANCE_PATH right, and has "
                "`homeward db upgrade` been run?"
            )

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands for --help; with a setting wrong, its line and the app-free ones only."""
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except ConfigError as error:
            click.echo(f"error: {error}", err=True)
            return sorted(click.Group.list_commands(self, ctx))
        return super().list_commands(ctx)


@click.group(cls=HomewardGroup, create_app=_create_app, add_default_commands=True)
def cli() -> None:
    """Homeward: the case workflow service for repatriated children."""


cli.add_command(config_group)  # on the group, not the app: it must work when the app cannot start
cli.add_command(doctor_command)  # so is this one: it says why the app would not start


def init_app(app: Flask) -> None:
    for group in (
        db_group,
        users_group,
        agencies_group,
        workflow_group,
        keys_group,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(group)
    from workflow.commands import upkeep_command
    from workflow.demo import demo_group
    from workflow.identity import cli as identity_cli
    from workflow.reminders.commands import reminders_group
    from workflow.serving.server import serve_command
    from workflow.upkeep import cases_group, keys_rotate_data

    app.cli.add_command(demo_group)
    app.cli.add_command(cases_group)
    app.cli.add_command(upkeep_command)
    app.cli.add_command(reminders_group)
    app.cli.add_command(serve_command)
    keys_group.add_command(keys_rotate_data)
    identity_cli.init_app(app)


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """The database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema, then load the built-in workflow definitions."""
    migrations.upgrade(current_app.extensions["homeward.engine"], data_keys=sealing.data_keys())
    with transactions.unit_of_work() as session:
        records = catalogue.register_built_in(session)
    click.echo(
        f"schema up to date; workflows: {', '.join(f'{r.name} v{r.version}' for r in records)}"
    )


@db_group.command("grant")
@click.argument("role")
def db_grant(role: str) -> None:
    """Give a runtime ROLE the rights serving needs, and no more: run as the schema's owner.
    The runtime role can then read and write rows, but never alter or drop a table or the
    audit trail's append-only triggers. PostgreSQL only: SQLite has no roles."""
    try:
        database_roles.grant_runtime(current_app.extensions["homeward.engine"], role)
    except database_roles.RoleRefused as error:
        fail(str(error))
    click.echo(f"role {role} may now serve Homeward; tables made by later upgrades included")


@click.group("agencies", cls=AppGroup)
def agencies_group() -> None:
    """Agencies: NGOs and state bodies."""


@agencies_group.command("create")
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in AgencyKind]), required=True)
def agencies_create(name: str, kind: str) -> None:
    """Add an agency."""
    name = _line(name, "NAME", 200)
    with transactions.unit_of_work() as session:
        if session.scalar(select(Agency.id).filter_by(name=name)) is not None:
            fail("an agency with that name exists")
        agency = Agency(name=name, kind=AgencyKind(kind))
        session.add(agency)
        session.flush()
        record_command(
            session,
            "admin.agency_create",
            object_type="agency",
            object_id=str(agency.id),
            detail={"kind": kind},
        )
    click.echo(f"agency created: {name}")


@click.group("users", cls=AppGroup)
def users_group() -> None:
    """User accounts."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--agency", "agency_name", required=True, help="The agency's name.")
@click.password_option(
    help="Asked for when not given; HOMEWARD_NEW_PASSWORD also works.",
    envvar="HOMEWARD_NEW_PASSWORD",
)
@click.option("--email", help="Where reminders are sent.")
@click.option("--language", help="The language of their reminders: en, ru or kk.")
def users_create(
    username: str,
    role: str,
    agency_name: str,
    password: str,
    email: str | None,
    language: str | None,
) -> None:
    """Add a user account."""
    username = _line(username, "USERNAME", 64)
    address = _address(email) if email is not None else None
    chosen = _language(language) if language is not None else None
    try:
        with transactions.unit_of_work() as session:
            agency = session.scalar(select(Agency).filter_by(name=agency_name))
            if agency is None:
                fail("there is no agency with that name")
            user = create_user(session, username, password, Role(role), agency)
            user.email, user.language = address, chosen
            record_command(
                session,
                "admin.user_create",
                object_type="user",
                object_id=username,
                detail={"role": role, "email_set": address is not None}
                | ({"language": chosen.value} if chosen else {}),
            )
    except HomewardError as error:
        fail(error.message)
    click.echo(f"user created: {username} ({role})")


@users_group.command("update")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), help="A new role.")
@click.option("--agency", "agency_name", help="A new agency, by name.")
@click.option("--disable/--enable", "disable", default=None, help="Stop or allow sign-in.")
@click.option("--email", help="Where reminders are sent; empty removes the address.")
@click.option("--reminders/--no-reminders", default=None, help="Send reminders or not.")
@click.option("--language", help="The language of their reminders: en, ru or kk.")
def users_update(
    username: str,
    role: str | None,
    agency_name: str | None,
    disable: bool | None,
    email: str | None,
    reminders: bool | None,
    language: str | None,
) -> None:
    """Change a user's role, agency, standing, address, reminders or their language; a change
    of role, agency or standing ends their sessions at once."""
    address = _address(email) if email else None
    chosen = _language(language) if language is not None else None
    with transactions.unit_of_work() as session:
        user = session.scalar(select(User).filter_by(username=username))
        if user is None:
            fail("there is no user with that name")
        agency = session.scalar(select(Agency).filter_by(name=agency_name)) if agency_name else None
        if agency_name and agency is None:
            fail("there is no agency with that name")
        try:
            update = update_user(
                session,
                user,
                Role(role) if role else None,
                agency,
                None if disable is None else not disable,
            )
        except HomewardError as error:
            fail(error.message)
        if email is not None:
            user.email = address
        if reminders is not None:
            user.reminders = reminders
        if chosen is not None:
            user.language = chosen
        changes = {"role": role, "agency": agency_name, "disabled": disable}
        changes |= {"email_set": None if email is None else bool(email), "reminders": reminders}
        changes |= {"language": chosen.value if chosen else None}
        ended = update.sessions_ended
        record_command(
            session,
            "admin.user_update",
            object_type="user",
            object_id=username,
            detail={k: v for k, v in changes.items() if v is not None}
            | {"sessions_ended": ended, "assignments_ended": len(update.cases_left)},
        )
        left = _note_cases_left(session, username, update.cases_left)
    click.echo(f"user updated: {username}; {ended} session(s) ended")
    for line in left:
        click.echo(line)


def _note_cases_left(session: Session, username: str, cases: list[Case]) -> list[str]:
    """One event per case left, so that each case's own trail shows when its lawyer went; and
    a line per case for the operator, naming those left without a lawyer."""
    lines = []
    for case in cases:
        alone = "" if case.assignments else " (it has no lawyer now)"
        lines.append(f"no longer assigned to {case.reference}{alone}")
        record_command(
            session,
            "case.unassign",
            case=case,
            object_type="user",
            object_id=username,
            detail={"reason": "agency_changed", "lawyers_left": len(case.assignments)},
        )
    return lines


@click.group("workflow", cls=AppGroup)
def workflow_group() -> None:
    """Workflow definitions."""


@workflow_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def workflow_load(path: Path) -> None:
    """Validate a definition file and store it; cases opened later stand on it."""
    try:
        with transactions.unit_of_work() as session:
            record = catalogue.register(session, catalogue.read_file(path))
            record_command(
                session,
                "admin.workflow_load",
                object_type="workflow",
                object_id=f"{record.name}:{record.version}",
            )
    except catalogue.DefinitionError as error:
        fail(str(error))
    click.echo(f"workflow {record.name} version {record.version} loaded")


@workflow_group.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def workflow_check(path: Path) -> None:
    """Validate a definition file without storing it."""
    try:
        body = catalogue.read_file(path)
    except catalogue.DefinitionError as error:
        fail(str(error))
    click.echo(f"{body['name']} version {body['version']}: valid")


@workflow_group.command("diagram")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("docs"),
    show_default=True,
)
def workflow_diagram(out_dir: Path) -> None:
    """Write a Mermaid state diagram of every track of every built-in definition."""
    from workflow.rules.diagram import write_diagrams

    for path in write_diagrams(out_dir):
        click.echo(f"wrote {path}")


@click.group("keys", cls=AppGroup)
def keys_group() -> None:
    """Token signing keys, and the data keys that seal personal data at rest."""


@keys_group.command("rotate")
def keys_rotate() -> None:
    """Add a new signing key; tokens signed with older keys stay valid until they expire."""
    key = keys.create(Path(current_app.config["KEYS_DIR"]))
    click.echo(f"new signing key: {key.kid}")


def _line(value: str, name: str, limit: int) -> str:
    from workflow.text import clean_line

    try:
        cleaned = clean_line(value)
    except ValueError as error:
        fail(f"{name}: {error}")
    if len(cleaned) > limit:
        fail(f"{name}: at most {limit} characters")
    return cleaned


def _address(value: str) -> str:
    """The e-mail address, checked as the account page checks it; never echoed back."""
    from workflow.reminders.addresses import checked_address

    try:
        return checked_address(value)
    except HomewardError:
        fail("--email: give a plain address such as name@agency.kz (ASCII, one @, no spaces)")


def _language(value: str) -> Language:
    """The language of the reminders, one of the pages'; never echoed back."""
    from workflow.reminders.languages import checked_language

    try:
        return checked_language(value)
    except HomewardError:
        fail("--language: choose en, ru or kk")


def fail(*problems: str) -> NoReturn:
    """Say what is wrong on stderr, one line per problem, and exit with 2 (bad use)."""
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(2)
