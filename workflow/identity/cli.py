"""`homeward users link` and `unlink`: which provider subject signs in as which Homeward user."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.recorder import record_command
from workflow import transactions
from workflow.cli import fail
from workflow.identity import providers
from workflow.identity.providers import Provider
from workflow.models import ExternalIdentity, User


def init_app(app: Flask) -> None:
    """Trust the configured providers and add the link commands to the `users` group."""
    providers.init_app(app)
    users = app.cli.commands["users"]
    if not isinstance(users, click.Group):
        raise RuntimeError("the `users` command group must be added first")
    users.add_command(users_link)
    users.add_command(users_unlink)


@click.command("link")
@with_appcontext
@click.option("--issuer", required=True, help="The provider's issuer, exactly as configured.")
@click.option("--subject", required=True, help="The official's subject at that provider.")
@click.argument("username")
def users_link(issuer: str, subject: str, username: str) -> None:
    """Let a subject of an agency's identity provider sign in as this user."""
    provider = _provider(issuer)
    with transactions.unit_of_work() as session:
        user = session.scalar(select(User).filter_by(username=username))
        if user is None:
            fail("there is no user with that name")
        if user.agency.name != provider.agency:
            fail(f"provider {provider.name} signs in officials of {provider.agency} only")
        if session.get(ExternalIdentity, (issuer, subject)) is not None:
            fail("that subject is already linked; unlink it first")
        session.add(ExternalIdentity(issuer=issuer, subject=subject, user_id=user.id))
        session.flush()
        _record(session, "admin.user_link", username, provider)
    click.echo(f"linked: {username} signs in through {provider.name}")


@click.command("unlink")
@with_appcontext
@click.option("--issuer", required=True, help="The provider's issuer, exactly as configured.")
@click.option("--subject", required=True, help="The official's subject at that provider.")
def users_unlink(issuer: str, subject: str) -> None:
    """Stop a provider's subject from signing in."""
    with transactions.unit_of_work() as session:
        link = session.get(ExternalIdentity, (issuer, subject))
        if link is None:
            fail("that subject is not linked")
        user = session.get(User, link.user_id)
        session.delete(link)
        session.flush()
        provider = providers.trusted().provider(issuer)
        _record(session, "admin.user_unlink", user.username if user else None, provider)
    click.echo("unlinked")


def _provider(issuer: str) -> Provider:
    provider = providers.trusted().provider(issuer)
    if provider is None:
        fail("no provider with that issuer is configured in OIDC_PROVIDERS")
    return provider


def _record(session: Session, action: str, username: str | None, provider: Provider | None) -> None:
    # The subject is the provider's identifier for a person, so the trail keeps the
    # Homeward username and the provider's name instead.
    record_command(
        session,
        action,
        object_type="user",
        object_id=username,
        detail={"provider": provider.name if provider else None},
    )
