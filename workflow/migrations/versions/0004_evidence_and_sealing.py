"""evidence documents, consent links, purge marks, and personal fields sealed at rest

Revision ID: 0004
Revises: 0003

Names, birth dates and places, residence, step data and notes become sealed text (AES-GCM under
the data keys); a name's search key becomes blind tokens. Rows already present are sealed here,
with the data keys `homeward db upgrade` hands the migration.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from workflow.migrations.append_only import allow_changes, refuse_changes
from workflow.sealing import encode

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
EVIDENCE_KINDS = (
    "consent", "lab_report", "court_order", "assessment_report", "identity_record", "other",
)
# table -> (key column, {column: how its plain value becomes text})
SEALED: dict[str, tuple[str, dict[str, str]]] = {
    "people": ("id", {"birth_date": "date", "birth_locality": "text", "residence": "text"}),
    "person_names": ("id", {"given": "text", "family": "text", "patronymic": "text"}),
    "transition_history": ("id", {"data": "json", "note": "text"}),
}
HISTORY_FROZEN = (
    "id", "case_id", "track", "action", "from_state", "to_state", "actor_id", "agency_id", "at",
    "evidence_ids",
)


def upgrade() -> None:
    rows = _read_plain()
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Enum(*EVIDENCE_KINDS, name="evidencekind", native_enum=False,
                                  length=20), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_name", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("uploaded_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_documents_case_id_cases")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_documents_agency_id_agencies")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name=op.f("fk_documents_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("storage_name", name=op.f("uq_documents_storage_name")),
    )
    with op.batch_alter_table("documents") as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_key_id"), ["key_id"], unique=False)
    with op.batch_alter_table("consents") as batch_op:
        batch_op.add_column(sa.Column("document_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_consents_document_id_documents"), "documents",
                                    ["document_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_consents_withdrawn_by_id_users"), "users",
                                    ["withdrawn_by_id"], ["id"])
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("purged_at", UTC_TIME, nullable=True))

    allow_changes("transition_history")
    _to_text("people", ["birth_date", "birth_locality"])
    _to_text("person_names", ["given", "family", "patronymic", "search_key"])
    _to_text("transition_history", ["data"], nullable=True)  # a purged step keeps no data
    refuse_changes("transition_history", HISTORY_FROZEN)
    _write_sealed(rows)


def downgrade() -> None:
    if _read_plain(required=False):
        raise RuntimeError("sealed personal data cannot be taken back to plain columns")
    allow_changes("transition_history")
    _from_text("people", {"birth_date": sa.Date(), "birth_locality": sa.String(200)})
    _from_text("person_names", {name: sa.String(200) for name in ("given", "family", "patronymic")})
    _from_text("person_names", {"search_key": sa.String(700)})
    _from_text("transition_history", {"data": sa.JSON()}, nullable=False)
    refuse_changes("transition_history")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("consents") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_consents_withdrawn_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_consents_document_id_documents"), type_="foreignkey")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("document_id")
    op.drop_table("documents")


def _to_text(table: str, columns: list[str], nullable: bool | None = None) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table(table) as batch_op:
        for column in columns:
            using: dict[str, Any] = {"postgresql_using": f"{column}::text"} if postgres else {}
            batch_op.alter_column(column, type_=sa.Text(), nullable=nullable, **using)


def _from_text(table: str, columns: dict[str, Any], nullable: bool | None = None) -> None:
    """Give the columns their types from before sealing back (the tables hold no rows)."""
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table(table) as batch_op:
        for column, kind in columns.items():
            cast = kind.compile(dialect=op.get_bind().dialect)
            using: dict[str, Any] = {"postgresql_using": f"{column}::{cast}"} if postgres else {}
            batch_op.alter_column(column, type_=kind, nullable=nullable, **using)


def _read_plain(required: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Every row whose fields must be sealed, read before the columns change type."""
    bind = op.get_bind()
    rows: dict[str, list[dict[str, Any]]] = {}
    for table, (key, columns) in SEALED.items():
        found = bind.execute(sa.text(f"SELECT {key}, {', '.join(columns)} FROM {table}"))
        rows[table] = [dict(row._mapping) for row in found]
    rows["search"] = [
        dict(row._mapping)
        for row in bind.execute(sa.text("SELECT id, given, patronymic, family FROM person_names"))
    ]
    present = any(rows.values())
    if present and required and _data_keys() is None:
        raise RuntimeError("this database holds cases: upgrade it with `homeward db upgrade`")
    return rows if present else {}


def _write_sealed(rows: dict[str, list[dict[str, Any]]]) -> None:
    if not rows:
        return
    keys = _data_keys()
    bind = op.get_bind()
    for table, (key, columns) in SEALED.items():
        for row in rows[table]:
            values = {
                column: _seal(keys, f"{table}.{column}", row[column], kind)
                for column, kind in columns.items()
            }
            assignments = ", ".join(f"{column} = :{column}" for column in columns)
            bind.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE {key} = :key"),
                         {**values, "key": row[key]})
    for row in rows["search"]:
        tokens = keys.search_tokens(row["given"], row["patronymic"], row["family"])
        bind.execute(sa.text("UPDATE person_names SET search_key = :tokens WHERE id = :id"),
                     {"tokens": f" {' '.join(tokens)} ", "id": row["id"]})


def _data_keys() -> Any:
    config = op.get_context().config
    return config.attributes.get("data_keys") if config else None


def _seal(keys: Any, context: str, value: Any, kind: str) -> str | None:
    if value is None:
        return None
    if kind == "json" and isinstance(value, str):
        value = json.loads(value)  # SQLite hands JSON back as text, PostgreSQL as values
    plain = str(value) if kind == "date" else encode(value, kind)
    return str(keys.seal_text(plain, context))
