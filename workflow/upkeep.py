"""Commands that look after data at rest: `homeward keys rotate-data`, `homeward cases purge`,
and `homeward upkeep`, which a schedule runs."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import inspect

from audit import checkpoints
from audit.recorder import record_command
from workflow import housekeeping, rekeying, retention, sealing, transactions
from workflow.config import ConfigError
from workflow.db import utcnow
from workflow.evidence.store import document_store


@click.command("rotate-data")
@with_appcontext
def keys_rotate_data() -> None:
    """Add a data key and seal every stored value and document again under it, while serving."""
    directory = Path(current_app.config["DATA_KEYS_DIR"])
    kid = sealing.create(directory)
    keys = sealing.data_keys()
    sessions = current_app.extensions["homeward.sessions"]
    if not inspect(current_app.extensions["homeward.engine"]).has_table("documents"):
        click.echo(f"new data key: {kid}; the database has no schema yet, so nothing to re-seal")
        return
    click.echo(f"new data key: {kid}; sealing values and documents again…")
    with (
        transactions.unit_of_work() as session
    ):  # recorded first: a run cut short is in the trail too
        record_command(session, "admin.data_keys_rotate", object_type="data_key", object_id=kid)
    rotation = rekeying.rotate(sessions, keys, document_store())
    with transactions.unit_of_work() as session:
        record_command(
            session,
            "admin.data_keys_rotated",
            object_type="data_key",
            object_id=kid,
            detail={
                "values": rotation.values,
                "documents": rotation.documents,
                "unreadable_documents": [str(document) for document in rotation.failed],
            },
        )
    click.echo(f"re-sealed {rotation.values} values and {rotation.documents} documents")
    if rotation.failed:
        click.echo(
            f"error: {len(rotation.failed)} document(s) are missing from the store or fail to "
            "open, and were left under their old key: "
            + ", ".join(str(document) for document in rotation.failed),
            err=True,
        )
        sys.exit(1)
    if rotation.retired:
        click.echo(
            f"no longer used by the live data in {directory}: "
            + ", ".join(f"{name}{sealing.KEY_SUFFIX}" for name in rotation.retired)
            + "; keep them while any backup made before now is kept, which needs them"
        )


@click.group("cases", cls=AppGroup)
def cases_group() -> None:
    """Cases at rest: retention."""


@cases_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Name the cases that would be purged, and stop.")
def cases_purge(dry_run: bool) -> None:
    """Erase the personal data and documents of cases closed longer than the retention period."""
    _purge_closed_cases(dry_run)


def _purge_closed_cases(dry_run: bool = False) -> int:
    """Purge (or name) the cases past retention, each with its event; return how many."""
    days = int(current_app.config["RETENTION_DAYS"])
    objects: list[str] = []
    with transactions.unit_of_work() as session:
        cases = retention.purgeable(session, days)
        for case in cases:
            click.echo(f"{'would purge' if dry_run else 'purging'} {case.reference}")
            if dry_run:
                continue
            objects += retention.purge_case(session, case)
            record_command(
                session, "admin.case_purge", object_type="case", object_id=str(case.id), case=case
            )
    store = document_store()
    for name in objects:  # once the rows are gone for good
        store.delete(name)
    verb = "would be purged" if dry_run else "purged"
    click.echo(f"{len(cases)} case(s) closed over {days} days ago {verb}")
    return len(cases)


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
    retention. Exits 1 when a part could not be done, after doing the others."""
    idle = timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))
    with transactions.unit_of_work() as session:
        pruned = housekeeping.prune(session, utcnow(), idle)
        record_command(session, "admin.upkeep_prune", detail=pruned._asdict())
    click.echo(
        f"pruned {pruned.sessions} session(s), {pruned.refresh_tokens} spent refresh token(s) "
        f"and {pruned.throttles} throttle counter(s)"
    )
    signed = _checkpoint(checkpoint_out)
    _purge_closed_cases()
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
    signed = checkpoints.sign_head(key, out)
    click.echo(f"checkpoint at event {signed['seq']}" + (f" written to {out}" if out else ""))
    return signed
