"""Schema migrations (Alembic), run with `homeward db upgrade`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

HERE = Path(__file__).resolve().parent


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to a revision."""
    _run(engine, command.upgrade, revision=revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to a revision."""
    _run(engine, command.downgrade, revision=revision)


def autogenerate(engine: Engine, message: str) -> None:
    """Write a new revision from the difference between the models and the database."""
    _run(engine, command.revision, message=message, autogenerate=True)


def _run(engine: Engine, action: Callable[..., Any], **arguments: Any) -> None:
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(HERE))
        config.attributes["connection"] = connection
        action(config, **arguments)
