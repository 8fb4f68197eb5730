"""`homeward config`: check the HOMEWARD_* variables, and print the table of them. Neither builds
the app, so both work when the settings are wrong, which is when they are needed."""

from __future__ import annotations

import os
import sys

import click

from workflow.config import problems
from workflow.config.table import markdown_table


@click.group("config")
def config_group() -> None:
    """The HOMEWARD_* settings."""


@config_group.command("check")
def config_check() -> None:
    """Check the HOMEWARD_* variables: one line per problem, and exit 2 if there is any."""
    found = problems(os.environ)
    for problem in found:
        click.echo(f"error: {problem}", err=True)
    if found:
        sys.exit(2)
    click.echo("the HOMEWARD_* settings are valid")


@config_group.command("table")
def config_table() -> None:
    """Print the Markdown table of every setting, as the README carries it."""
    click.echo(markdown_table(), nl=False)
