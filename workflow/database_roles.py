"""Two PostgreSQL roles, as the deployment guide sets them up: the owner, which migrates the
schema, and the runtime role, which serves. Only the owner can alter a table or drop a trigger,
so a runtime role that is compromised cannot switch off the audit trail's append-only guard."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"  # rows only: never TRUNCATE, REFERENCES, TRIGGER
SEQUENCE_RIGHTS = "USAGE, SELECT"
ROLE = text("SELECT rolname = current_user FROM pg_roles WHERE rolname = :role")
OWNER = text(
    "SELECT tableowner FROM pg_tables "
    "WHERE schemaname = current_schema() AND tablename = 'audit_events'"
)


def lacks_a_right(error: SQLAlchemyError) -> bool:
    """Whether the database refused the statement for want of a privilege (PostgreSQL's
    InsufficientPrivilege): the role used is the runtime one where the owner was needed, or
    one never granted its rights."""
    return type(getattr(error, "orig", None)).__name__ == "InsufficientPrivilege"


class RoleRefused(ValueError):
    """The role cannot be given the runtime rights; the message says why."""


def grant_runtime(engine: Engine, role: str) -> None:
    """Grant `role` the rights on every table and sequence there is, and on those later
    migrations make (default privileges of the owner running this)."""
    if engine.dialect.name != "postgresql":
        raise RoleRefused("only PostgreSQL has roles; SQLite is guarded by its file's permissions")
    with engine.begin() as connection:
        is_owner = connection.scalar(ROLE, {"role": role})
        if is_owner is None:
            raise RoleRefused("there is no such role: create it first (CREATE ROLE … LOGIN)")
        if is_owner:
            raise RoleRefused("that is the role running this, the owner: name the runtime role")
        owner = connection.scalar(OWNER)
        if owner is None:
            raise RoleRefused("the database has no schema yet: run `homeward db upgrade` first")
        for statement in _grants(connection, role, owner):
            connection.exec_driver_sql(statement)


def _grants(connection: Connection, role: str, owner: str) -> list[str]:
    """The grants, and the same for the tables the owner makes later, whoever runs this."""
    quote = connection.dialect.identifier_preparer.quote
    grantee, schema = quote(role), quote(str(connection.scalar(text("SELECT current_schema()"))))
    defaults = f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote(owner)} IN SCHEMA {schema} GRANT"
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
        f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
        f"GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
        f"{defaults} {TABLE_RIGHTS} ON TABLES TO {grantee}",
        f"{defaults} {SEQUENCE_RIGHTS} ON SEQUENCES TO {grantee}",
    ]
