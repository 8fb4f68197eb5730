"""Schema migrations (Alembic), run with `homeward db upgrade`."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from workflow.sealing import DataKeys

HERE = Path(__file__).resolve().parent


def upgrade(engine: Engine, revision: str = "head", data_keys: DataKeys | None = None) -> None:
    """Bring the schema up to a revision; rows already present are sealed with `data_keys`."""
    _run(engine, command.upgrade, revision=revision, data_keys=data_keys)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to a revision."""
    _run(engine, command.downgrade, revision=revision)


def autogenerate(engine: Engine, message: str) -> None:
    """Write a new revision from the difference between the models and the database."""
    _run(engine, command.revision, message=message, autogenerate=True)


def _run(
    engine: Engine,
    action: Callable[..., Any],
    data_keys: DataKeys | None = None,
    **arguments: Any,
) -> None:
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite migrates a table by copying it and dropping the old one; with foreign keys
            # on, that drop would cascade to the rows that point at it (people → their names).
            # The pragma only takes effect outside a transaction.
            _pragma(connection, "foreign_keys=OFF")
        try:
            with connection.begin():
                config = Config()
                config.set_main_option("script_location", str(HERE))
                config.attributes["connection"] = connection
                config.attributes["data_keys"] = data_keys
                action(config, **arguments)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("the migration left rows that point at nothing")
        finally:
            if sqlite:
                _pragma(connection, "foreign_keys=ON")


def _pragma(connection: Connection, setting: str) -> None:
    """Set a SQLite pragma on the driver's connection, outside any transaction."""
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA {setting}")


def schema_standing(connection: Connection) -> str:
    """Whether the database's schema is this code's: `current` at the head revision, `behind`
    at an older one (or none: never migrated), `unknown` at a revision this code does not have
    (a newer release migrated it)."""
    stored = set(MigrationContext.configure(connection).get_current_heads())
    scripts = _scripts()
    if stored == set(scripts.get_heads()):
        return "current"
    known = {revision.revision for revision in scripts.walk_revisions()}
    return "behind" if stored <= known else "unknown"


@cache
def _scripts() -> ScriptDirectory:
    """The revisions shipped with this code: read once, since they cannot change under it."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    return ScriptDirectory.from_config(config)
