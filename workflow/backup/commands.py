"""The `homeward backup` and `homeward restore` commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from audit.recorder import record_command
from workflow import transactions
from workflow.backup.archive import Damaged, NotAnArchive, SealedWriter, backup_key
from workflow.backup.export import write_backup
from workflow.backup.restore import (
    NotFresh,
    backed_up_revision,
    check_archive,
    refuse_unless_fresh,
    restore_archive,
)
from workflow.config import ConfigError


@click.command("backup")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The archive to write (it must not exist yet).",
)
@with_appcontext
def backup_command(out: Path) -> None:
    """Write the database and the documents to one archive encrypted under the backup key."""
    if out.exists():
        _fail(f"{out} exists; a backup is never written over another file", 2)
    key = _key(create=True)
    partial = out.with_name(out.name + ".partial")
    try:
        with open(partial, "wb", opener=lambda p, f: os.open(p, f, 0o600)) as file:
            with (
                transactions.unit_of_work() as session
            ):  # before the export, so the archive holds it
                record_command(session, "admin.backup")
            writer = SealedWriter(file, key)
            written = write_backup(writer)
            writer.close()
            file.flush()
            os.fsync(file.fileno())
        partial.replace(out)
    except OSError as error:
        _fail(f"cannot write {out}: {error.strerror or type(error).__name__}", 1)
    finally:
        partial.unlink(missing_ok=True)
    if written.missing:
        click.echo(f"warning: {written.missing} document(s) had no object to back up", err=True)
    click.echo(f"backed up {written.rows} rows and {written.objects} document objects to {out}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore a backup into a freshly migrated, empty database and the document store."""
    key = _key(create=False)
    try:
        with transactions.unit_of_work() as session:
            refuse_unless_fresh(session, backed_up_revision(archive, key))
            check_archive(archive, key)  # read whole before anything is written
            restored = restore_archive(session, archive, key)
            record_command(
                session,
                "admin.restore",
                detail={"rows": restored.rows, "objects": restored.objects},
            )
    except NotAnArchive as error:
        _fail(f"{archive.name}: {error}", 2)
    except NotFresh as error:
        _fail(str(error), 2)
    except Damaged as error:
        _fail(f"{archive.name} cannot be restored: {error}; nothing was written", 1)
    except (OSError, SQLAlchemyError) as error:
        _fail(f"the restore failed and was undone: {type(error).__name__}", 1)
    click.echo(
        f"restored {restored.rows} rows and {restored.objects} document objects from {archive.name}"
    )


def _key(create: bool) -> bytes:
    try:
        return backup_key(create)
    except ConfigError as error:
        _fail(str(error), 2)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)
