"""external references: the identifiers a case is known by outside Homeward

Each is an issuer from a closed list (ICRC, UNHCR, a camp, a repatriation list) and a value,
sealed as names are, with a blind token of the value so that the case's lawyers can find the case
by it without the database holding the value readably.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_references",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("value_token", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_external_references_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_external_references_added_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_references")),
    )
    op.create_index(
        op.f("ix_external_references_case_id"), "external_references", ["case_id"]
    )
    op.create_index(
        op.f("ix_external_references_value_token"), "external_references", ["value_token"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_external_references_value_token"), table_name="external_references")
    op.drop_index(op.f("ix_external_references_case_id"), table_name="external_references")
    op.drop_table("external_references")
