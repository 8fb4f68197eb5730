"""Schema migrations (Alembic), run with `homeward db upgrade`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

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
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(HERE))
        config.attributes["connection"] = connection
        config.attributes["data_keys"] = data_keys
        action(config, **arguments)
