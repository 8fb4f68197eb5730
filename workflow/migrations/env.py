"""Alembic environment: runs on the connection Homeward hands it, SQLite in batch mode."""

from __future__ import annotations

from alembic import context

import audit.models  # noqa: F401 - registers the audit tables
from workflow.db import Base
from workflow.models import __all__ as _models  # noqa: F401 - registers every table

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
