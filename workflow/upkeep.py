"""Commands that look after data at rest: `homeward keys rotate-data`, `homeward cases purge`."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import inspect

from audit.recorder import record_command
from workflow import rekeying, retention, sealing, transactions
from workflow.evidence.store import document_store
from workflow.models import Case


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
    purge_closed_cases(dry_run)


def purge_closed_cases(dry_run: bool = False) -> int:
    """Purge (or name) the cases past retention, each in its own transaction with its event, so
    that the trail's head is locked for one case at a time, never for the whole run; return how
    many."""
    days = int(current_app.config["RETENTION_DAYS"])
    with transactions.unit_of_work() as session:
        due = [(case.id, case.reference) for case in retention.purgeable(session, days)]
    for case_id, reference in due:
        click.echo(f"{'would purge' if dry_run else 'purging'} {reference}")
        if not dry_run:
            _purge_one(case_id)
    verb = "would be purged" if dry_run else "purged"
    click.echo(f"{len(due)} case(s) closed over {days} days ago {verb}")
    return len(due)


def _purge_one(case_id: uuid.UUID) -> None:
    """Erase one case and note it; delete its stored documents once that has committed."""
    with transactions.unit_of_work() as session:
        case = session.get(Case, case_id)
        assert case is not None
        objects = retention.purge_case(session, case)
        record_command(
            session, "admin.case_purge", object_type="case", object_id=str(case.id), case=case
        )
    store = document_store()
    for name in objects:
        store.delete(name)
