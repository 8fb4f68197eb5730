"""Database triggers that make a table append-only, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic import op


def refuse_changes(table: str, frozen: tuple[str, ...] = ()) -> None:
    """Make DELETE on `table` fail inside the database itself, and UPDATE too: of any column, or
    only of the `frozen` columns when they are named (the others may then be re-sealed or erased).
    """
    of = f" OF {', '.join(frozen)}" if frozen else ""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION homeward_refuse_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE{of} OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION homeward_refuse_change()"
        )
        return
    for verb in ("UPDATE" + of, "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.split()[0].lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def allow_changes(table: str) -> None:
    """Drop the triggers refuse_changes made."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
