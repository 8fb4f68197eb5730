"""`homeward upkeep`: what a schedule runs, each part committed on its own."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from audit import checkpoints
from audit.cli import sign_checkpoint
from audit.recorder import record_command
from workflow import housekeeping, transactions
from workflow.config import ConfigError
from workflow.db import utcnow
from workflow.reminders.commands import send_due
from workflow.upkeep import purge_closed_cases


@click.command("upkeep")
@click.option(
    "--checkpoint-out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    callback=lambda _context, _option, path: _in_a_folder(path),
    help="Also write the signed checkpoint there (keep it outside Homeward).",
)
@with_appcontext
def upkeep_command(checkpoint_out: Path | None) -> None:
    """What a schedule runs, each part committed on its own: prune ended sessions, spent refresh
    tokens and forgotten throttle counters; sign an audit checkpoint; purge the cases past
    retention; send the reminders due. Exits 1 when a part could not be done, after doing the
    others."""
    idle = timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))
    with transactions.unit_of_work() as session:
        pruned = housekeeping.prune(session, utcnow(), idle)
        record_command(session, "admin.upkeep_prune", detail=pruned._asdict())
    click.echo(
        f"pruned {pruned.sessions} session(s), {pruned.refresh_tokens} spent refresh token(s) "
        f"and {pruned.throttles} throttle counter(s)"
    )
    signed = _checkpoint(checkpoint_out)
    purge_closed_cases()
    send_due()  # what failed before is retried here too, whatever timer sends the rest
    if signed is None:
        sys.exit(1)


def _in_a_folder(path: Path | None) -> Path | None:
    """Refuse, before anything is done, a file whose folder is not there to write it in."""
    if path is not None and not path.parent.is_dir():
        raise click.BadParameter(f"{path.parent} is not a folder")
    return path


def _checkpoint(out: Path | None) -> dict[str, Any] | None:
    """Sign the chain's head, as `homeward audit checkpoint` does; None, said, without a key."""
    try:
        key = checkpoints.signing_key()
    except ConfigError as error:
        click.echo(f"error: no checkpoint signed: {error}", err=True)
        return None
    signed = sign_checkpoint(key, out)
    click.echo(f"checkpoint at event {signed['seq']}" + (f" written to {out}" if out else ""))
    return signed
